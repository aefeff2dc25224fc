//! The list of very common passwords behind the `common_password` rule.
//!
//! Source: the ranked `passwords` frequency list of zxcvbn 4.4.2
//! (`lib/frequency_lists.js` in the npm package `zxcvbn`), Copyright (c) 2012-2016
//! Dan Wheeler and Dropbox, Inc., MIT licence. Kept: the 1,000 highest-ranked entries
//! that are 8 characters or longer (shorter ones already fail the default minimum length),
//! lowercased, deduplicated, then sorted bytewise, one per line, in
//! `common-passwords.txt`. Every entry is ASCII.

use core::cmp::Ordering;

/// The sorted, newline-separated list.
pub(crate) const LIST: &str = include_str!("common-passwords.txt");

/// The longest entry, in characters: anything longer cannot be on the list.
pub(crate) const MAX_ENTRY_LEN: usize = 16;

/// Whether `password`, lowercased, is one of the listed common passwords.
///
/// A binary search over the byte offsets of [`LIST`]; nothing is allocated.
pub(crate) fn is_common(password: &str) -> bool {
    // Lowercasing never shrinks the number of characters, so a password longer than
    // every entry cannot match (and a 4-byte-per-char bound keeps this O(1)).
    if password.is_empty() || password.len() > MAX_ENTRY_LEN * 4 {
        return false;
    }
    let data = LIST.as_bytes();
    // Invariant: `lo` and `hi` are line starts (or the end), the answer lies in lo..hi.
    let mut lo = 0usize;
    let mut hi = data.len();
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let before = data.get(lo..mid).unwrap_or_default();
        let start = match before.iter().rposition(|&b| b == b'\n') {
            Some(i) => lo + i + 1,
            None => lo,
        };
        let after = data.get(start..hi).unwrap_or_default();
        let end = match after.iter().position(|&b| b == b'\n') {
            Some(i) => start + i,
            None => hi,
        };
        let entry = LIST.get(start..end).unwrap_or_default();
        let entry = entry.strip_suffix('\r').unwrap_or(entry);
        match compare_lowercased(entry, password) {
            Ordering::Equal => return !entry.is_empty(),
            Ordering::Greater => hi = start,
            Ordering::Less => lo = (end + 1).min(hi),
        }
    }
    false
}

/// Compares `entry` with `password` lowercased, character by character (for ASCII
/// entries this is the bytewise order the list is sorted in).
///
/// Bytes give the same order: up to the password's first non-ASCII character they are
/// the characters, and there its first byte (0xC2 or more) is above any ASCII one just
/// as the character is.
fn compare_lowercased(entry: &str, password: &str) -> Ordering {
    let (entry, password) = (entry.as_bytes(), password.as_bytes());
    let mut i = 0;
    loop {
        match (entry.get(i), password.get(i)) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(a), Some(b)) => {
                // The list is ASCII, so ASCII folding is exact for every entry it could match.
                let b = b.to_ascii_lowercase();
                if *a != b {
                    return a.cmp(&b);
                }
            }
        }
        i += 1;
    }
}
