//! A small JSON value with a parser and a serializer.
//!
//! Why not serde_json: in the browser build it costs more bytes than the rest of the
//! client (see research/PEERS.md §3). Numbers are kept as their source text, so nothing
//! here pulls in float parsing or formatting; integers are read on demand.

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
            Json::Num(n) => int_part(n),
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
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(true) => out.push_str("true"),
            Json::Bool(false) => out.push_str("false"),
            Json::Num(n) => out.push_str(n),
            Json::Str(s) => write_str(out, s),
            Json::Arr(a) => {
                out.push('[');
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write(out);
                }
                out.push(']');
            }
            Json::Obj(m) => {
                out.push('{');
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(out, k);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// Formats an integer without `core::fmt`.
pub fn itoa(n: i64) -> String {
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
    let mut s = String::with_capacity(len + 1);
    if n < 0 {
        s.push('-');
    }
    for d in digits[..len].iter().rev() {
        s.push(*d as char);
    }
    s
}

fn int_part(n: &str) -> Option<i64> {
    let (mantissa, exp) = match n.find(['e', 'E']) {
        Some(i) => (&n[..i], n[i + 1..].parse::<i32>().ok()?),
        None => (n, 0),
    };
    let neg = mantissa.starts_with('-');
    let mantissa = mantissa.trim_start_matches('-');
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut v: i64 = 0;
    let mut push = |d: u8| -> Option<()> {
        v = v.checked_mul(10)?.checked_add(i64::from(d - b'0'))?;
        Some(())
    };
    for d in int.bytes() {
        push(d)?;
    }
    if exp > 0 {
        // The fraction's digits one by one, then the zeros after them as a power of ten:
        // a loop per unit of exponent took seconds on `0e2147483647`.
        for &d in frac.as_bytes().iter().take(exp as usize) {
            push(d)?;
        }
        let zeros = (exp as usize).saturating_sub(frac.len());
        if v != 0 {
            v = v.checked_mul(10i64.checked_pow(u32::try_from(zeros).ok()?)?)?;
        }
    } else if exp < 0 {
        // Any i64 is 0 after 19 divisions by ten.
        for _ in 0..exp.unsigned_abs().min(20) {
            v /= 10;
        }
    }
    Some(if neg { -v } else { v })
}

fn write_str(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 15] as char);
            }
            c => out.push(c),
        }
    }
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
    fn set_replaces_or_appends() {
        let mut v = Json::parse(r#"{"a":1}"#).unwrap();
        v.set("a", Json::int(2));
        v.set("b", Json::str("x"));
        assert_eq!(v.to_json(), r#"{"a":2,"b":"x"}"#);
    }
}
