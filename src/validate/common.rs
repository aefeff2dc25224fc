//! The list of very common passwords behind the `common_password` rule.
//!
//! Source: the ranked `passwords` frequency list of zxcvbn 4.4.2
//! (`lib/frequency_lists.js` in the npm package `zxcvbn`), Copyright (c) 2012-2016
//! Dan Wheeler and Dropbox, Inc., MIT licence. Kept: the 1,000 highest-ranked entries
//! that are 8 characters or longer (shorter ones already fail the default minimum length),
//! lowercased, deduplicated, then sorted bytewise, one per line, in
//! `common-passwords.txt`. Every entry is ASCII.
//!
//! What ships is not the text (9.3 KB, 4.4 KB gzipped) but a Golomb-Rice coded set of
//! 24-bit hashes of the entries (`common-passwords.gcs`, about 2 KB, which gzip cannot
//! shrink further): every listed password is found, and a password that is not listed is
//! taken for a common one with a probability of about 1,000 / 2^24, 1 in 16,000 (measured
//! in the tests). The tests rebuild the set from the text and compare.

/// The shortest and longest entries, in bytes (every entry is ASCII).
pub(crate) const MIN_ENTRY_LEN: usize = 8;
pub(crate) const MAX_ENTRY_LEN: usize = 16;

/// Bits of each hash kept, and the Rice parameter (about log2 of the mean gap).
pub(crate) const HASH_BITS: u32 = 24;
pub(crate) const RICE_BITS: u32 = 14;

/// The coded set: the sorted hashes' gaps, each as a unary quotient (ones, then a zero)
/// and `RICE_BITS` low bits, most significant bit first.
pub(crate) const SET: &[u8] = include_bytes!("common-passwords.gcs");

/// The 24-bit hash of `entry`, ASCII-lowercased: FNV-1a, then murmur3's finaliser so that
/// the top bits are well mixed.
pub(crate) fn hash(entry: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in entry {
        h = (h ^ u32::from(b.to_ascii_lowercase())).wrapping_mul(0x0100_0193);
    }
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^= h >> 16;
    h >> (32 - HASH_BITS)
}

/// The set, decoded: the entries' hashes in ascending order. Decoding walks every
/// entry, so a caller that asks many times (the strength estimate looks up every
/// substring) decodes once and searches this.
pub(crate) struct CommonSet(Vec<u32>);

impl CommonSet {
    pub(crate) fn decode() -> CommonSet {
        let bit_at = |i: usize| {
            SET.get(i / 8)
                .map_or(0, |byte| u32::from((byte >> (7 - i % 8)) & 1))
        };
        let total = SET.len() * 8;
        let mut hashes = Vec::with_capacity(1000);
        let mut value = 0u32;
        let mut bit = 0usize;
        while bit < total {
            let mut q = 0u32;
            while bit < total && bit_at(bit) == 1 {
                q += 1;
                bit += 1;
            }
            // The last byte is padded with ones: an unfinished quotient is no entry.
            if bit >= total {
                break;
            }
            bit += 1;
            let mut r = 0u32;
            for _ in 0..RICE_BITS {
                r = (r << 1) | bit_at(bit);
                bit += 1;
            }
            value = value.wrapping_add((q << RICE_BITS) | r);
            hashes.push(value);
        }
        CommonSet(hashes)
    }

    /// Whether `password`, lowercased, is (almost certainly) one of the listed passwords.
    pub(crate) fn contains(&self, password: &str) -> bool {
        let bytes = password.as_bytes();
        // Every entry is ASCII and 8 to 16 long: nothing else can match.
        if bytes.len() < MIN_ENTRY_LEN || bytes.len() > MAX_ENTRY_LEN || !bytes.is_ascii() {
            return false;
        }
        self.0.binary_search(&hash(bytes)).is_ok()
    }
}
