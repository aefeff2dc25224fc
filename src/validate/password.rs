//! `validatePassword`: the policy rules and a small strength estimate.

use super::common::CommonSet;
use super::{Issue, PasswordReport};
use crate::text::rsplit_once;
use crate::unicode::{is_alphabetic, is_lowercase, is_uppercase, is_whitespace};

/// Which rules [`validate_password`] applies. The JS `policy` object is merged over
/// [`PasswordPolicy::default`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// Fewest characters (Unicode scalar values), inclusive.
    pub min_length: usize,
    /// Most characters (Unicode scalar values), inclusive.
    pub max_length: usize,
    /// Needs a character with the Unicode `Lowercase` property (`a`, `ß`, `é`, `λ`, ...).
    pub require_lowercase: bool,
    /// Needs a character with the Unicode `Uppercase` property (`A`, `Ü`, `Λ`, ...).
    pub require_uppercase: bool,
    /// Needs a decimal digit: ASCII `0`-`9` or any Unicode decimal digit (`Nd`, e.g. `٣`).
    pub require_digit: bool,
    /// Needs a symbol: a character that is not alphabetic, not a decimal digit and not
    /// white space (punctuation, `$`, emoji, `½`, ...).
    pub require_symbol: bool,
    /// Rejects the passwords on the built-in common list, ignoring case.
    pub reject_common: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_length: 8,
            max_length: 128,
            require_lowercase: true,
            require_uppercase: true,
            require_digit: true,
            require_symbol: false,
            reject_common: true,
        }
    }
}

/// Checks `password` against `policy` (and against `email`, when given) and estimates its
/// strength.
///
/// Errors come in the order `too_short`, `too_long`, `missing_lowercase`,
/// `missing_uppercase`, `missing_digit`, `missing_symbol`, `common_password`,
/// `contains_email`. Lengths count Unicode scalar values. Character classes are those
/// documented on [`PasswordPolicy`]; white space counts towards the length only, and
/// letters without case (Chinese, Arabic, ...) count as neither lower nor upper case.
///
/// `contains_email`: the password contains, ignoring case, the whole `email` (trimmed),
/// or its local part (before the last `@`), either one only when it is 3 characters or
/// more.
///
/// `score` (0 to 4) comes from an integer estimate of the guessing entropy in bits:
/// *(effective length) × log2(pool)*, where the pool adds 26 for ASCII lowercase, 26 for
/// ASCII uppercase, 10 for ASCII digits, 33 for other ASCII (symbols, space) and 100 for
/// any non-ASCII character present. The effective length discounts characters that
/// repeat the previous one or continue an alphabetical, numeric or keyboard sequence
/// (half the first time, a quarter for the next three, then nothing), or that repeat a
/// pattern seen up to 16 characters back (a quarter for four, then nothing). The
/// characters of the email match count nothing, and each common password found inside
/// the password (`Password1!`, `xx1qaz2wsx`) counts 10 bits instead of its characters.
/// Only the first 256 characters are analysed. Thresholds:
///
/// | bits      | score |
/// |-----------|-------|
/// | < 28      | 0     |
/// | 28 – 35   | 1     |
/// | 36 – 59   | 2     |
/// | 60 – 79   | 3     |
/// | ≥ 80      | 4     |
///
/// A common password (whatever `reject_common` says) or an empty one scores 0, and a
/// password that breaks any rule scores at most 2.
pub fn validate_password(
    password: &str,
    policy: &PasswordPolicy,
    email: Option<&str>,
) -> PasswordReport {
    let mut length = 0usize;
    let (mut lower, mut upper, mut digit, mut symbol) = (false, false, false, false);
    for c in password.chars() {
        length += 1;
        lower |= is_lowercase(c);
        upper |= is_uppercase(c);
        let is_digit = is_decimal_digit(c);
        digit |= is_digit;
        symbol |= !is_digit && !is_alphabetic(c) && !is_whitespace(c);
    }
    let set = CommonSet::decode();
    let common = set.contains(password);
    let email_match = email.and_then(|email| find_email(password, email));

    let mut errors = Vec::new();
    if length < policy.min_length {
        errors.push(Issue::PASSWORD_TOO_SHORT);
    }
    if length > policy.max_length {
        errors.push(Issue::PASSWORD_TOO_LONG);
    }
    if policy.require_lowercase && !lower {
        errors.push(Issue::PASSWORD_MISSING_LOWERCASE);
    }
    if policy.require_uppercase && !upper {
        errors.push(Issue::PASSWORD_MISSING_UPPERCASE);
    }
    if policy.require_digit && !digit {
        errors.push(Issue::PASSWORD_MISSING_DIGIT);
    }
    if policy.require_symbol && !symbol {
        errors.push(Issue::PASSWORD_MISSING_SYMBOL);
    }
    if policy.reject_common && common {
        errors.push(Issue::PASSWORD_COMMON);
    }
    if email_match.is_some() {
        errors.push(Issue::PASSWORD_CONTAINS_EMAIL);
    }

    let mut score = if common {
        0
    } else {
        score_from_bits(estimate_bits(password, email_match, &set))
    };
    if !errors.is_empty() {
        score = score.min(2);
    }
    PasswordReport {
        valid: errors.is_empty(),
        score,
        errors,
    }
}

/// Maps an entropy estimate to the 0..=4 scale (see [`validate_password`]).
fn score_from_bits(bits: u32) -> u8 {
    match bits {
        0..=27 => 0,
        28..=35 => 1,
        36..=59 => 2,
        60..=79 => 3,
        _ => 4,
    }
}

/// Case folding for `contains_email`, one character to one. Unicode's full lowercase
/// table costs about 12 KB of wasm, so this covers ASCII and the alphabets where upper
/// and lower case sit at a fixed distance (Latin-1, Latin Extended-A, Greek, Cyrillic);
/// any other letter is matched as written.
fn fold(c: char) -> char {
    let u = c as u32;
    let lower = match u {
        0x41..=0x5A | 0xC0..=0xD6 | 0xD8..=0xDE | 0x391..=0x3A1 | 0x3A3..=0x3AB | 0x410..=0x42F => {
            u + 32
        }
        0x400..=0x40F => u + 80,
        0x100..=0x12F | 0x132..=0x137 | 0x14A..=0x177 if u % 2 == 0 => u + 1,
        0x139..=0x148 | 0x179..=0x17E if u % 2 == 1 => u + 1,
        _ => u,
    };
    char::from_u32(lower).unwrap_or(c)
}

/// Where (start, length, in characters) the password contains the email, or else its
/// local part of 3+ characters, ignoring case.
fn find_email(password: &str, email: &str) -> Option<(usize, usize)> {
    let email = email.trim();
    if email.is_empty() {
        return None;
    }
    let haystack = folded(password);
    let whole = folded(email);
    if whole.len() >= 3 {
        if let Some(at) = find(&haystack, &whole) {
            return Some((at, whole.len()));
        }
    }
    let local = folded(rsplit_once(email, b'@')?.0);
    if local.len() < 3 {
        return None;
    }
    find(&haystack, &local).map(|at| (at, local.len()))
}

/// The characters of `s`, folded.
fn folded(s: &str) -> Vec<char> {
    let mut out = Vec::new();
    for c in s.chars() {
        out.push(fold(c));
    }
    out
}

fn find(haystack: &[char], needle: &[char]) -> Option<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// How many characters the strength estimate looks at.
const WINDOW: usize = 256;
/// Shortest common-list entry.
const MIN_WORD: usize = 8;
/// Longest pattern period looked for.
const MAX_PERIOD: usize = 16;

/// The entropy estimate behind `score`, in whole bits.
fn estimate_bits(password: &str, email_match: Option<(usize, usize)>, set: &CommonSet) -> u32 {
    // The characters looked at, and where each starts in `password` (plus where the
    // last one ends).
    let mut chars: Vec<char> = Vec::new();
    let mut bounds: Vec<usize> = Vec::new();
    let mut end = 0;
    for c in password.chars().take(WINDOW) {
        bounds.push(end);
        chars.push(c);
        end += c.len_utf8();
    }
    bounds.push(end);
    let (mut lower, mut upper, mut digit, mut other, mut non_ascii) =
        (false, false, false, false, false);
    for &c in &chars {
        match c {
            'a'..='z' => lower = true,
            'A'..='Z' => upper = true,
            '0'..='9' => digit = true,
            _ if c.is_ascii() => other = true,
            _ => non_ascii = true,
        }
    }
    let pool = 26 * u32::from(lower)
        + 26 * u32::from(upper)
        + 10 * u32::from(digit)
        + 33 * u32::from(other)
        + 100 * u32::from(non_ascii);
    if pool == 0 {
        return 0;
    }

    // Each character's worth, in quarters of a character.
    let mut weights: Vec<u32> = Vec::with_capacity(chars.len());
    let mut sequence_run = 0u32;
    let mut period_runs = [0usize; MAX_PERIOD + 1];
    for (i, &c) in chars.iter().enumerate() {
        let mut weight = 4;
        // (`wrapping_sub` past the start gives an index `get` refuses.)
        if let Some(&previous) = chars.get(i.wrapping_sub(1)) {
            if c == previous || is_sequence(previous, c) || is_keyboard_adjacent(previous, c) {
                sequence_run += 1;
                weight = match sequence_run {
                    1 => 2,
                    2..=4 => 1,
                    _ => 0,
                };
            } else {
                sequence_run = 0;
            }
        }
        for (period, run) in period_runs.iter_mut().enumerate().skip(2) {
            if chars.get(i.wrapping_sub(period)) == Some(&c) {
                *run += 1;
                // Past the threshold: a quarter for four characters, then nothing.
                match run.checked_sub(period.min(3)) {
                    Some(0..=3) => weight = weight.min(1),
                    Some(_) => weight = 0,
                    None => {}
                }
            } else {
                *run = 0;
            }
        }
        weights.push(weight);
    }

    // Common passwords inside the password (`Password1!`, `xx1qaz2wsxyy`): each counts as
    // one pick from the list, about 10 bits, instead of its characters.
    let mut extra_bits = 0u32;
    let mut i = 0;
    while i < chars.len() {
        // The longest listed word starting here.
        let mut len = super::common::MAX_ENTRY_LEN;
        while len >= MIN_WORD {
            let word = match (bounds.get(i), bounds.get(i + len)) {
                (Some(&a), Some(&b)) => password.get(a..b),
                _ => None,
            };
            if word.is_some_and(|w| set.contains(w)) {
                break;
            }
            len -= 1;
        }
        if len >= MIN_WORD {
            zero(&mut weights, i, len);
            extra_bits += 10;
            i += len;
        } else {
            i += 1;
        }
    }
    // The email is the first thing an attacker tries.
    if let Some((at, len)) = email_match {
        zero(&mut weights, at, len);
    }

    let mut quarters = 0u64;
    for &w in &weights {
        quarters += u64::from(w);
    }
    let bits = quarters * u64::from(log2_q8(pool)) / (4 * 256);
    u32::try_from(bits)
        .unwrap_or(u32::MAX)
        .saturating_add(extra_bits)
}

/// Sets `len` weights from `at` (those that exist) to zero.
fn zero(weights: &mut [u32], at: usize, len: usize) {
    for w in weights.iter_mut().skip(at).take(len) {
        *w = 0;
    }
}

/// `log2(n) × 256`, rounded down (n ≥ 1), by the bit-by-bit squaring method.
fn log2_q8(n: u32) -> u32 {
    if n == 0 {
        return 0;
    }
    let whole = 31 - n.leading_zeros();
    // n / 2^whole as a Q16 fixed-point number in [1, 2).
    let mut y: u64 = (u64::from(n) << 16) >> whole;
    let mut fraction = 0u32;
    for bit in (0..8).rev() {
        y = (y * y) >> 16;
        if y >= 2 << 16 {
            y >>= 1;
            fraction |= 1 << bit;
        }
    }
    whole * 256 + fraction
}

/// `ab`, `ba`, `12`, `21` (ASCII, ignoring case).
fn is_sequence(a: char, b: char) -> bool {
    let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
    let same_kind = (a.is_ascii_lowercase() && b.is_ascii_lowercase())
        || (a.is_ascii_digit() && b.is_ascii_digit());
    same_kind && (a as u32).abs_diff(b as u32) == 1
}

/// US QWERTY rows, unshifted and shifted, aligned so that a key's lower neighbours on the
/// next row are at the same index and the index before.
const KEYBOARD_ROWS: [&str; 8] = [
    "1234567890-=",
    "qwertyuiop[]",
    "asdfghjkl;'",
    "zxcvbnm,./",
    "!@#$%^&*()_+",
    "QWERTYUIOP{}",
    "ASDFGHJKL:\"",
    "ZXCVBNM<>?",
];

/// (row, column) of a key on a US QWERTY keyboard, shifted characters mapped onto their
/// key.
fn key_position(c: char) -> Option<(usize, usize)> {
    // The rows are ASCII: bytes are characters.
    let c = u8::try_from(c).ok()?;
    for (row, keys) in KEYBOARD_ROWS.iter().enumerate() {
        if let Some(column) = keys.bytes().position(|k| k == c) {
            return Some((row % 4, column));
        }
    }
    None
}

/// Neighbouring keys: side by side, or diagonally/vertically on adjacent rows.
fn is_keyboard_adjacent(a: char, b: char) -> bool {
    let (Some((row_a, col_a)), Some((row_b, col_b))) = (key_position(a), key_position(b)) else {
        return false;
    };
    if row_a == row_b {
        return col_a.abs_diff(col_b) == 1;
    }
    // Order as (upper row, lower row).
    let ((upper_row, upper_col), (lower_row, lower_col)) = if row_a < row_b {
        ((row_a, col_a), (row_b, col_b))
    } else {
        ((row_b, col_b), (row_a, col_a))
    };
    lower_row == upper_row + 1 && (upper_col == lower_col || upper_col == lower_col + 1)
}

/// First code points of the runs of ten Unicode decimal digits (`Nd`), beyond ASCII.
const DECIMAL_DIGIT_STARTS: [u32; 76] = [
    0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6,
    0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50,
    0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    0x104A0, 0x10D30, 0x10D40, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0,
    0x11650, 0x116C0, 0x116D0, 0x116DA, 0x11730, 0x118E0, 0x11950, 0x11BF0, 0x11C50, 0x11D50,
    0x11DA0, 0x11DE0, 0x11F50, 0x16130, 0x16A60, 0x16AC0, 0x16B50, 0x16D70, 0x1CCF0, 0x1D7CE,
    0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E4F0, 0x1E5F1, 0x1E950, 0x1FBF0,
];

/// ASCII digits and Unicode decimal digits (`Nd`, Unicode 17).
pub(super) fn is_decimal_digit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    let code = c as u32;
    let after = DECIMAL_DIGIT_STARTS.partition_point(|&start| start <= code);
    match after
        .checked_sub(1)
        .and_then(|i| DECIMAL_DIGIT_STARTS.get(i))
    {
        Some(&start) => code - start < 10,
        None => false,
    }
}

#[cfg(test)]
pub(super) const DECIMAL_DIGIT_TABLE: &[u32] = &DECIMAL_DIGIT_STARTS;

#[cfg(test)]
mod fold_tests {
    use super::fold;

    #[test]
    fn fold_agrees_with_unicode_where_it_folds() {
        for c in (0u32..0x500).filter_map(char::from_u32) {
            let f = fold(c);
            if f != c {
                assert_eq!(Some(f), c.to_lowercase().next(), "{c:?}");
            }
        }
        assert_eq!(fold('Ü'), 'ü');
        assert_eq!(fold('Ж'), 'ж');
        assert_eq!(fold('Ω'), 'ω');
        assert_eq!(fold('Ł'), 'ł');
    }
}
