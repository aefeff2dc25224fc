//! Byte-level helpers for ASCII separators. `str`'s own (`split_once(char)`, `split`,
//! `trim_matches`, `rfind`) go through the generic pattern searchers, which cost
//! hundreds of bytes of wasm each; these behave the same for an ASCII separator.

/// Whether `needle` occurs in `haystack` (`str::contains` with a `&str` pattern brings
/// the two-way searcher).
pub fn contains(haystack: &str, needle: &str) -> bool {
    let needle = needle.as_bytes();
    needle.is_empty()
        || haystack
            .as_bytes()
            .windows(needle.len())
            .any(|w| w == needle)
}

/// `(before, after)` the first `sep`.
pub fn split_once(s: &str, sep: u8) -> Option<(&str, &str)> {
    let i = s.bytes().position(|b| b == sep)?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// `(before, after)` the last `sep`.
pub fn rsplit_once(s: &str, sep: u8) -> Option<(&str, &str)> {
    let i = s.bytes().rposition(|b| b == sep)?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// `s` without the `byte`s it starts with (`str::trim_start_matches` with an ASCII char).
pub fn trim_start_byte(s: &str, byte: u8) -> &str {
    let start = s.bytes().position(|b| b != byte).unwrap_or(s.len());
    s.get(start..).unwrap_or("")
}

/// `s` without the `byte`s it ends with (`str::trim_end_matches` with an ASCII char).
pub fn trim_end_byte(s: &str, byte: u8) -> &str {
    let end = s.bytes().rposition(|b| b != byte).map_or(0, |i| i + 1);
    s.get(..end).unwrap_or("")
}

/// The parts of `s` between `sep`s, as `str::split` gives them.
pub fn parts(s: &str, sep: u8) -> Parts<'_> {
    Parts { rest: Some(s), sep }
}

pub struct Parts<'a> {
    rest: Option<&'a str>,
    sep: u8,
}

impl<'a> Iterator for Parts<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let s = self.rest?;
        Some(match split_once(s, self.sep) {
            Some((part, rest)) => {
                self.rest = Some(rest);
                part
            }
            None => {
                self.rest = None;
                s
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_agrees_with_str() {
        for (h, n) in [
            ("", ""),
            ("abc", ""),
            ("abc", "bc"),
            ("abc", "bd"),
            ("a", "ab"),
            ("already exists", "exists"),
        ] {
            assert_eq!(contains(h, n), h.contains(n), "{h} {n}");
        }
    }

    #[test]
    fn agree_with_str() {
        for s in [
            "", "a", "&", "a&b", "&a&&b&", "é&ü", "??x?", "x==", "a.b.c", "@a@b@", "===", "?é?",
        ] {
            for sep in ['&', '?', '=', '.', '@'] {
                let b = sep as u8;
                assert_eq!(split_once(s, b), s.split_once(sep), "{s} {sep}");
                assert_eq!(rsplit_once(s, b), s.rsplit_once(sep), "{s} {sep}");
                let mine: Vec<&str> = parts(s, b).collect();
                let std: Vec<&str> = s.split(sep).collect();
                assert_eq!(mine, std, "{s} {sep}");
                assert_eq!(
                    trim_start_byte(s, b),
                    s.trim_start_matches(sep),
                    "{s} {sep}"
                );
                assert_eq!(trim_end_byte(s, b), s.trim_end_matches(sep), "{s} {sep}");
            }
        }
    }
}
