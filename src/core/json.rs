//! A small JSON value with a parser and a serializer.
//!
//! Why not serde_json: in the browser build it costs more bytes than the rest of the
//! client (see research/PEERS.md §3). Numbers are kept as their source text, so nothing
//! here pulls in float parsing or formatting; integers are read on demand.

use crate::prelude::*;

/// A JSON value. Objects keep their keys in source order.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    /// The number as written in the source (already checked to be a JSON number).
    Num(String),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

/// Nesting deeper than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 128;

impl Json {
    /// Parses a complete JSON text; `None` when it is not valid JSON.
    pub fn parse(text: &str) -> Option<Json> {
        let mut p = Parser {
            s: text.as_bytes(),
            i: 0,
        };
        let v = p.value(0)?;
        p.ws();
        (p.i == p.s.len()).then_some(v)
    }

    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Arr(a) => Some(a),
            _ => None,
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Json::Obj(_))
    }

    /// The integer part of a number (`1.7e9` style exponents included), or `None`
    /// when it is not a number or does not fit an `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Json::Num(n) => scaled(n, 0).map(|(v, _)| v),
            _ => None,
        }
    }

    /// A non-null string member.
    pub fn str_at(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Json::as_str)
    }

    pub fn int(n: i64) -> Json {
        Json::Num(itoa(n))
    }

    pub fn str(s: &str) -> Json {
        Json::Str(s.to_owned())
    }

    /// Removes the member `key` of an object and returns its value.
    pub fn take(&mut self, key: &str) -> Option<Json> {
        match self {
            Json::Obj(m) => {
                let i = m.iter().position(|(k, _)| k == key)?;
                Some(m.swap_remove(i).1)
            }
            _ => None,
        }
    }

    /// Sets `key` on an object, replacing an existing member (no-op on non-objects).
    pub fn set(&mut self, key: &str, value: Json) {
        if let Json::Obj(m) = self {
            match m.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value,
                None => m.push((key.to_owned(), value)),
            }
        }
    }

    /// Serializes to compact JSON text.
    pub fn to_json(&self) -> String {
        let mut w = Writer::new();
        self.write(&mut w);
        w.out
    }

    /// Writes the value as the next value of `w`.
    pub fn write(&self, w: &mut Writer) {
        match self {
            Json::Null => w.raw("null"),
            Json::Bool(b) => w.bool(*b),
            Json::Num(n) => w.raw(n),
            Json::Str(s) => w.str(s),
            Json::Arr(a) => {
                w.open('[');
                for v in a {
                    v.write(w);
                }
                w.close(']');
            }
            Json::Obj(m) => {
                w.open('{');
                for (k, v) in m {
                    w.key(k);
                    v.write(w);
                }
                w.close('}');
            }
        }
    }
}

/// Writes JSON text directly, commas included: every value and key goes after a comma
/// unless it is the first in its object or array (or follows its key).
pub struct Writer {
    pub out: String,
    /// Nothing written yet in the current container (or a key was just written).
    fresh: bool,
}

impl Default for Writer {
    fn default() -> Self {
        Writer::new()
    }
}

// Out of line on purpose: inlined, each of the many calls costs dozens of bytes of
// wasm instead of a few.
impl Writer {
    pub fn new() -> Writer {
        Writer {
            out: String::new(),
            fresh: true,
        }
    }

    #[inline(never)]
    fn sep(&mut self) {
        if !self.fresh {
            self.out.push(',');
        }
        self.fresh = false;
    }

    /// Starts an object (`{`) or an array (`[`).
    #[inline(never)]
    pub fn open(&mut self, c: char) {
        self.sep();
        self.out.push(c);
        self.fresh = true;
    }

    /// Ends an object (`}`) or an array (`]`).
    #[inline(never)]
    pub fn close(&mut self, c: char) {
        self.out.push(c);
        self.fresh = false;
    }

    /// A member's key: its value comes next.
    #[inline(never)]
    pub fn key(&mut self, k: &str) -> &mut Writer {
        self.sep();
        write_str(&mut self.out, k);
        self.out.push(':');
        self.fresh = true;
        self
    }

    /// JSON text as is (a number, a literal, or a serialized value).
    #[inline(never)]
    pub fn raw(&mut self, text: &str) {
        self.sep();
        self.out.push_str(text);
    }

    #[inline(never)]
    pub fn str(&mut self, s: &str) {
        self.sep();
        write_str(&mut self.out, s);
    }

    #[inline(never)]
    pub fn bool(&mut self, b: bool) {
        self.raw(if b { "true" } else { "false" });
    }

    #[inline(never)]
    pub fn int(&mut self, n: i64) {
        self.sep();
        push_int(&mut self.out, n);
    }
}

/// Formats an integer without `core::fmt`.
pub fn itoa(n: i64) -> String {
    let mut s = String::new();
    push_int(&mut s, n);
    s
}

fn push_int(s: &mut String, n: i64) {
    let mut digits = [0u8; 20];
    let mut len = 0;
    let mut v = n.unsigned_abs();
    loop {
        digits[len] = b'0' + (v % 10) as u8;
        len += 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    if n < 0 {
        s.push('-');
    }
    for d in digits[..len].iter().rev() {
        s.push(*d as char);
    }
}

/// A decimal integer with an optional `+` or `-`, as `str::parse` reads it: (negative,
/// magnitude), or `None` for anything else or a magnitude beyond `u64`.
pub fn parse_decimal(s: &[u8]) -> Option<(bool, u64)> {
    let (neg, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, s),
    };
    if digits.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = push_digit(v, u64::MAX, u64::from(d - b'0'))?;
    }
    Some((neg, v))
}

/// `v * 10 + d`, or `None` past `max` (without `checked_mul`, which on wasm32 is a
/// 128-bit multiplication).
fn push_digit<T>(v: T, max: T, d: T) -> Option<T>
where
    T: Copy + PartialOrd + core::ops::Sub<Output = T> + core::ops::Div<Output = T>,
    T: core::ops::Mul<Output = T> + core::ops::Add<Output = T> + From<u8>,
{
    let ten = T::from(10);
    (v <= (max - d) / ten).then(|| v * ten + d)
}

/// A number text as (negative, integer digits, fraction digits, exponent); `None` when
/// the exponent does not fit an `i32`.
fn parts(n: &str) -> Option<(bool, &[u8], &[u8], i32)> {
    let (neg, b) = match n.as_bytes().split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, n.as_bytes()),
    };
    let (mantissa, exp) = match b.iter().position(|&c| c == b'e' || c == b'E') {
        Some(i) => {
            let (m, e) = b.split_at(i);
            let (neg_exp, e) = parse_decimal(e.get(1..)?)?;
            let e = i64::try_from(e).ok()?;
            (m, i32::try_from(if neg_exp { -e } else { e }).ok()?)
        }
        None => (b, 0),
    };
    let (int, frac) = match mantissa.iter().position(|&c| c == b'.') {
        Some(i) => (mantissa.get(..i)?, mantissa.get(i + 1..)?),
        None => (mantissa, &[][..]),
    };
    Some((neg, int, frac, exp))
}

/// The number text `n` times `10^shift`: its integer part (truncated towards zero) and
/// whether a non-zero fraction is left. `None` when the integer part does not fit an
/// `i64` (or the exponent an `i32`).
pub fn scaled(n: &str, shift: i32) -> Option<(i64, bool)> {
    let (neg, int, frac, exp) = parts(n)?;
    // The power of ten of the digit before the first one: each digit is one lower.
    let mut power = i64::from(exp) + i64::from(shift) + int.len() as i64;
    let mut v: i64 = 0;
    let mut fraction = false;
    for digits in [int, frac] {
        for &d in digits {
            power -= 1;
            let d = i64::from(d.wrapping_sub(b'0'));
            if power >= 0 {
                v = push_digit(v, i64::MAX, d)?;
            } else {
                fraction |= d != 0;
            }
        }
    }
    // The zeros after the last digit. Never more than 18 of them without overflowing:
    // a loop per unit of exponent took seconds on `0e2147483647`.
    if v != 0 && power > 0 {
        if power > 18 {
            return None;
        }
        for _ in 0..power {
            v = push_digit(v, i64::MAX, 0)?;
        }
    }
    Some((if neg { -v } else { v }, fraction))
}

/// Appends `s` as a JSON string.
pub fn write_str(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut start = 0;
    for (i, &c) in s.as_bytes().iter().enumerate() {
        let escape = match c {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "\\u00",
            _ => continue,
        };
        // Escapes are ASCII, so `start..i` always lies on character boundaries.
        out.push_str(s.get(start..i).unwrap_or(""));
        start = i + 1;
        out.push_str(escape);
        if c < 0x20 && escape.len() == 4 {
            out.push(HEX[usize::from(c >> 4)] as char);
            out.push(HEX[usize::from(c & 15)] as char);
        }
    }
    out.push_str(s.get(start..).unwrap_or(""));
    out.push('"');
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        (self.s.get(self.i) == Some(&b)).then(|| self.i += 1)
    }

    fn lit(&mut self, word: &[u8], v: Json) -> Option<Json> {
        self.s
            .get(self.i..self.i + word.len())
            .filter(|w| *w == word)?;
        self.i += word.len();
        Some(v)
    }

    fn value(&mut self, depth: usize) -> Option<Json> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        match *self.s.get(self.i)? {
            b'n' => self.lit(b"null", Json::Null),
            b't' => self.lit(b"true", Json::Bool(true)),
            b'f' => self.lit(b"false", Json::Bool(false)),
            b'"' => self.string().map(Json::Str),
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.eat(b']').is_some() {
                    return Some(Json::Arr(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    if self.eat(b',').is_none() {
                        self.eat(b']')?;
                        return Some(Json::Arr(items));
                    }
                }
            }
            b'{' => {
                self.i += 1;
                let mut members = Vec::new();
                self.ws();
                if self.eat(b'}').is_some() {
                    return Some(Json::Obj(members));
                }
                loop {
                    self.ws();
                    let k = self.string()?;
                    self.ws();
                    self.eat(b':')?;
                    let v = self.value(depth + 1)?;
                    members.push((k, v));
                    self.ws();
                    if self.eat(b',').is_none() {
                        self.eat(b'}')?;
                        return Some(Json::Obj(members));
                    }
                }
            }
            _ => self.number(),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Option<Json> {
        let start = self.i;
        let _ = self.eat(b'-');
        match self.s.get(self.i)? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.eat(b'.').is_some() && self.digits() == 0 {
            return None;
        }
        if let Some(b'e' | b'E') = self.s.get(self.i) {
            self.i += 1;
            if let Some(b'+' | b'-') = self.s.get(self.i) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        let text = core::str::from_utf8(&self.s[start..self.i]).ok()?;
        Some(Json::Num(text.to_owned()))
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = self.s.get(self.i..self.i + 4)?;
        self.i += 4;
        h.iter()
            .try_fold(0u32, |acc, b| Some(acc * 16 + (*b as char).to_digit(16)?))
    }

    fn string(&mut self) -> Option<String> {
        self.eat(b'"')?;
        let mut out = String::new();
        loop {
            let start = self.i;
            while let Some(&b) = self.s.get(self.i) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.i += 1;
            }
            out.push_str(core::str::from_utf8(&self.s[start..self.i]).ok()?);
            match *self.s.get(self.i)? {
                b'"' => {
                    self.i += 1;
                    return Some(out);
                }
                b'\\' => {
                    self.i += 1;
                    let esc = *self.s.get(self.i)?;
                    self.i += 1;
                    let c = match esc {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                self.eat(b'\\')?;
                                self.eat(b'u')?;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return None;
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            char::from_u32(code)?
                        }
                        _ => return None,
                    };
                    out.push(c);
                }
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_nested_values() {
        let text = r#"{"a":[1,-2.5,3e2,true,false,null],"b":{"c":"x\"y\\z\n\u00e9"},"d":""}"#;
        let v = Json::parse(text).unwrap();
        assert_eq!(v.get("d"), Some(&Json::Str(String::new())));
        assert_eq!(v.get("b").unwrap().str_at("c"), Some("x\"y\\z\né"));
        assert_eq!(Json::parse(&v.to_json()), Some(v));
    }

    #[test]
    fn surrogate_pairs_and_controls() {
        let v = Json::parse(r#""\ud83d\ude00 \u0001""#).unwrap();
        assert_eq!(v.as_str(), Some("😀 \u{1}"));
        assert_eq!(v.to_json(), "\"😀 \\u0001\"");
        assert_eq!(Json::parse(r#""\ud83d""#), None);
    }

    #[test]
    fn rejects_malformed_text() {
        for bad in [
            "", "{", "[1,]", "{\"a\"}", "01", "1.", "-", "nul", "\"abc", "{} x", "[1 2]", "\"\t\"",
            "{'a':1}", "1e", "+1",
        ] {
            assert_eq!(Json::parse(bad), None, "{bad:?}");
        }
        let deep = "[".repeat(1000);
        assert_eq!(Json::parse(&deep), None);
    }

    #[test]
    fn integers_from_numbers() {
        let cases = [
            ("1700000000", Some(1_700_000_000)),
            ("-5", Some(-5)),
            ("1.7e9", Some(1_700_000_000)),
            ("1.75", Some(1)),
            ("12e-1", Some(1)),
            ("99999999999999999999", None),
            ("1e400", None),
        ];
        for (text, want) in cases {
            assert_eq!(Json::parse(text).unwrap().as_i64(), want, "{text}");
        }
        assert_eq!(Json::Null.as_i64(), None);
    }

    #[test]
    fn huge_exponents_are_read_at_once() {
        let cases = [
            ("0e2147483647", Some(0)),
            ("0.0e999999999", Some(0)),
            ("1e-2147483648", Some(0)),
            ("-7e-20", Some(0)),
            ("1e2147483647", None),
            ("0.001e5", Some(100)),
            ("1.5e1", Some(15)),
            ("2.5e3", Some(2500)),
            ("9.223372036854775807e18", Some(i64::MAX)),
            ("9.3e18", None),
        ];
        // Before the fix the first case alone looped two billion times (found by fuzzing).
        for (text, want) in cases {
            assert_eq!(Json::parse(text).unwrap().as_i64(), want, "{text}");
        }
    }

    #[test]
    fn itoa_matches_std() {
        for n in [0, 7, -7, 10, 1_700_000_000_123, i64::MIN, i64::MAX] {
            assert_eq!(itoa(n), n.to_string());
        }
    }

    #[test]
    fn scaled_integers_and_fractions() {
        type Case = (&'static str, i32, Option<(i64, bool)>);
        let cases: &[Case] = &[
            ("1.5", 3, Some((1500, false))),
            ("1.5", 0, Some((1, true))),
            ("1.0005", 3, Some((1000, true))),
            ("86400", 3, Some((86_400_000, false))),
            ("8.64e4", 3, Some((86_400_000, false))),
            ("0.001", 3, Some((1, false))),
            ("0.001", 0, Some((0, true))),
            ("-0.5", 0, Some((0, true))),
            ("-12.5", 1, Some((-125, false))),
            ("1.50e1", 0, Some((15, false))),
            ("15e-1", 0, Some((1, true))),
            ("100e-2", 0, Some((1, false))),
            ("120e-1", 0, Some((12, false))),
            ("0.0", 0, Some((0, false))),
            ("0e2147483647", 0, Some((0, false))),
            ("1e-2147483648", 0, Some((0, true))),
            ("9223372036854775807", 0, Some((i64::MAX, false))),
            ("9223372036854775807", 1, None),
            ("1e2147483647", 1, None),
            ("1e99999999999", 0, None),
        ];
        for &(n, shift, want) in cases {
            assert_eq!(scaled(n, shift), want, "{n} {shift}");
        }
    }

    #[test]
    fn decimals_as_str_parse_reads_them() {
        for text in ["0", "7", "+7", "-7", "18446744073709551615", "007"] {
            let want = text.parse::<u64>().ok().map(|v| (false, v));
            if !text.starts_with('-') {
                assert_eq!(parse_decimal(text.as_bytes()), want, "{text}");
            }
        }
        assert_eq!(parse_decimal(b"-7"), Some((true, 7)));
        for bad in [
            "",
            "+",
            "-",
            "1.5",
            " 1",
            "1e3",
            "18446744073709551616",
            "x",
        ] {
            assert_eq!(parse_decimal(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn writer_places_commas() {
        let mut w = Writer::new();
        w.open('{');
        w.key("a").int(-1);
        w.key("b").open('[');
        w.str("x\"\u{1}");
        w.bool(true);
        w.open('{');
        w.close('}');
        w.raw("null");
        w.close(']');
        w.key("c").open('{');
        w.close('}');
        w.close('}');
        assert_eq!(w.out, r#"{"a":-1,"b":["x\"\u0001",true,{},null],"c":{}}"#);
        assert_eq!(Json::parse(&w.out).unwrap().to_json(), w.out);
    }

    #[test]
    fn take_removes_a_member() {
        let mut v = Json::parse(r#"{"a":1,"b":2,"c":3}"#).unwrap();
        assert_eq!(v.take("a"), Some(Json::int(1)));
        assert_eq!(v.take("a"), None);
        assert_eq!(v.get("b"), Some(&Json::int(2)));
        assert_eq!(v.get("c"), Some(&Json::int(3)));
        assert_eq!(Json::Null.take("a"), None);
    }

    #[test]
    fn set_replaces_or_appends() {
        let mut v = Json::parse(r#"{"a":1}"#).unwrap();
        v.set("a", Json::int(2));
        v.set("b", Json::str("x"));
        assert_eq!(v.to_json(), r#"{"a":2,"b":"x"}"#);
    }
}
