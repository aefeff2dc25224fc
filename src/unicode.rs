//! The Unicode character classes the rules need. ASCII is answered here. Beyond ASCII,
//! the host build asks std's tables and the wasm build asks the browser's own
//! (`\p{Lowercase}`, `\p{Uppercase}`, `\p{Alphabetic}` and `\p{N}` regular
//! expressions through js-sys), which keeps about 8 KB of tables out of the package.
//! Both follow the Unicode Character Database, so they agree except for characters
//! added by a Unicode version only one of them knows.
//!
//! White space and control characters are short fixed lists, written out here.

const LOWER: u32 = 1;
const UPPER: u32 = 2;
const ALPHA: u32 = 4;
const NUMERIC: u32 = 8;

#[cfg(target_arch = "wasm32")]
fn classes(c: char) -> u32 {
    thread_local! {
        static PATTERNS: [(js_sys::RegExp, u32); 4] = [
            (js_sys::RegExp::new(r"^\p{Lowercase}$", "u"), LOWER),
            (js_sys::RegExp::new(r"^\p{Uppercase}$", "u"), UPPER),
            (js_sys::RegExp::new(r"^\p{Alphabetic}$", "u"), ALPHA),
            (js_sys::RegExp::new(r"^\p{N}$", "u"), NUMERIC),
        ];
    }
    let mut buffer = [0u8; 4];
    let text: &str = c.encode_utf8(&mut buffer);
    PATTERNS.with(|patterns| {
        patterns
            .iter()
            .filter(|(pattern, _)| pattern.test(text))
            .fold(0, |m, (_, bit)| m | bit)
    })
}

#[cfg(not(target_arch = "wasm32"))]
fn classes(c: char) -> u32 {
    let mut m = 0;
    for (yes, bit) in [
        (c.is_lowercase(), LOWER),
        (c.is_uppercase(), UPPER),
        (c.is_alphabetic(), ALPHA),
        (c.is_numeric(), NUMERIC),
    ] {
        if yes {
            m |= bit;
        }
    }
    m
}

fn has(c: char, bit: u32) -> bool {
    match c {
        'a'..='z' => bit & (LOWER | ALPHA) != 0,
        'A'..='Z' => bit & (UPPER | ALPHA) != 0,
        '0'..='9' => bit == NUMERIC,
        _ if c.is_ascii() => false,
        _ => classes(c) & bit != 0,
    }
}

pub fn is_lowercase(c: char) -> bool {
    has(c, LOWER)
}

pub fn is_uppercase(c: char) -> bool {
    has(c, UPPER)
}

pub fn is_alphabetic(c: char) -> bool {
    has(c, ALPHA)
}

pub fn is_alphanumeric(c: char) -> bool {
    has(c, ALPHA) || has(c, NUMERIC)
}

/// Unicode's `White_Space`.
pub fn is_whitespace(c: char) -> bool {
    matches!(c, '\t'..='\r' | ' ' | '\u{85}' | '\u{A0}' | '\u{1680}' | '\u{2000}'..='\u{200A}'
        | '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}' | '\u{3000}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_std_everywhere() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            assert_eq!(is_lowercase(c), c.is_lowercase(), "{c:?}");
            assert_eq!(is_uppercase(c), c.is_uppercase(), "{c:?}");
            assert_eq!(is_alphabetic(c), c.is_alphabetic(), "{c:?}");
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
            assert_eq!(is_whitespace(c), c.is_whitespace(), "{c:?}");
        }
    }
}
