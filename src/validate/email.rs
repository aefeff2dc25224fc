//! `validateEmail`: the practical subset of RFC 5321/5322 (plus RFC 6531 for non-ASCII)
//! that browsers and mail servers accept.

use super::{EmailReport, Issue};
use crate::text::{parts, rsplit_once};
use crate::unicode::{is_alphanumeric, is_whitespace};

/// Longest local part, in UTF-8 bytes (RFC 5321 §4.5.3.1.1).
const MAX_LOCAL_BYTES: usize = 64;
/// Longest address, in UTF-8 bytes (the 256-octet path minus the angle brackets).
const MAX_ADDRESS_BYTES: usize = 254;
/// Longest domain label, in characters.
const MAX_LABEL_CHARS: usize = 63;

/// Checks an email address and reports every rule it breaks (each code at most once, in
/// the order `empty`, `whitespace`, `missing_at`, `invalid_local_part`,
/// `invalid_domain`, `too_long`).
///
/// * The empty string is `empty` and nothing else.
/// * Any white space (leading, trailing or inside) is `whitespace`; nothing is trimmed.
///   White space is reported once and otherwise skipped, so that `" ada@example.com"`
///   is only `whitespace` rather than also `invalid_local_part`.
/// * The address is split at its last `@`; without one it is `missing_at`.
/// * The local part is a dot-atom: ASCII `atext`
///   (letters, digits, ``!#$%&'*+/=?^_`{|}~-``) or non-ASCII letters, digits and
///   combining marks (RFC 6531), separated by single dots, with no leading or trailing dot.
///   Quoted local parts, and so any further `@`, are `invalid_local_part`.
/// * The domain has at least two labels separated by dots, no trailing dot, each label
///   1 to 63 characters of letters, digits or hyphens (non-ASCII letters allowed, as in
///   internationalised domains, counted in characters rather than in their Punycode
///   form), not starting or ending with a hyphen; the top-level label is not all digits.
///   IP literals (`[127.0.0.1]`) are `invalid_domain`.
/// * A local part over 64 bytes or an address over 254 bytes (UTF-8) is `too_long`.
pub fn validate_email(email: &str) -> EmailReport {
    let mut errors = Vec::new();
    if email.is_empty() {
        errors.push(Issue::EMAIL_EMPTY);
        return EmailReport {
            valid: false,
            errors,
        };
    }
    if email.chars().any(is_whitespace) {
        errors.push(Issue::EMAIL_WHITESPACE);
    }
    match rsplit_once(email, b'@') {
        None => errors.push(Issue::EMAIL_MISSING_AT),
        Some((local, domain)) => {
            if !is_valid_local_part(local) {
                errors.push(Issue::EMAIL_INVALID_LOCAL_PART);
            }
            if !is_valid_domain(domain) {
                errors.push(Issue::EMAIL_INVALID_DOMAIN);
            }
            if local.len() > MAX_LOCAL_BYTES {
                errors.push(Issue::EMAIL_TOO_LONG);
            }
        }
    }
    if email.len() > MAX_ADDRESS_BYTES && !errors.contains(&Issue::EMAIL_TOO_LONG) {
        errors.push(Issue::EMAIL_TOO_LONG);
    }
    EmailReport {
        valid: errors.is_empty(),
        errors,
    }
}

/// ASCII `atext` (RFC 5322 §3.2.3).
fn is_atext(c: char) -> bool {
    // Bytes, not `str::contains`: its substring search costs kilobytes of wasm.
    c.is_ascii_alphanumeric() || (c.is_ascii() && b"!#$%&'*+/=?^_`{|}~-".contains(&(c as u8)))
}

/// Non-ASCII characters accepted in a local part or a domain label: letters and digits
/// of any script, and combining marks (so that decomposed accents such as `e\u{301}`
/// pass too).
fn is_non_ascii_word_char(c: char) -> bool {
    !c.is_ascii() && (is_alphanumeric(c) || is_combining_mark(c))
}

/// The Combining Diacritical Marks blocks (a cheap stand-in for the `Mn` category, whose
/// script-specific members are already `Alphabetic`).
fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}'
        | '\u{200C}'..='\u{200D}')
}

/// A dot-atom; white space (already reported) is skipped.
fn is_valid_local_part(local: &str) -> bool {
    let mut previous_was_dot = true; // rejects a leading dot
    let mut seen_any = false;
    for c in local.chars().filter(|&c| !is_whitespace(c)) {
        if c == '.' {
            if previous_was_dot {
                return false;
            }
            previous_was_dot = true;
        } else if is_atext(c) || is_non_ascii_word_char(c) {
            previous_was_dot = false;
        } else {
            return false;
        }
        seen_any = true;
    }
    seen_any && !previous_was_dot
}

/// A host name with at least two labels; white space (already reported) is skipped.
fn is_valid_domain(domain: &str) -> bool {
    let mut labels = 0usize;
    let mut last_label_numeric = false;
    for label in parts(domain, b'.') {
        let mut chars = 0usize;
        let mut first = ' ';
        let mut last = ' ';
        let mut all_digits = true;
        for c in label.chars().filter(|&c| !is_whitespace(c)) {
            if !(c.is_ascii_alphanumeric() || c == '-' || is_non_ascii_word_char(c)) {
                return false;
            }
            if chars == 0 {
                first = c;
            }
            last = c;
            all_digits &= c.is_ascii_digit();
            chars += 1;
        }
        if chars == 0 || chars > MAX_LABEL_CHARS || first == '-' || last == '-' {
            return false;
        }
        labels += 1;
        last_label_numeric = all_digits;
    }
    labels >= 2 && !last_label_numeric
}
