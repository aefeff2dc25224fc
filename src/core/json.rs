//! A JSON value the core owns: what the server sent, what a caller passed, what storage
//! held. It is never parsed from text here: the browser's `JSON.parse` reads the text
//! and serde-wasm-bindgen hands the result to [`Value`]'s `Deserialize` (serde_json does
//! the same in host tests), so one implementation serves both.
//!
//! Nesting is limited to [`MAX_DEPTH`] levels: `JSON.parse` survives nesting deep
//! enough to overflow any recursive reader, and a hostile answer or stored record must
//! read as unreadable, never crash the client.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// The deepest nesting of arrays and objects a [`Value`] accepts.
pub const MAX_DEPTH: u32 = 100;

/// A JSON value. Objects keep their members in order (as `JSON.parse` gives them).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Value>),
    Object(Map),
}

/// A JSON object: members in order, each name once.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Map(Vec<(String, Value)>);

impl Map {
    pub fn new() -> Map {
        Map(Vec::new())
    }

    /// The member named `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Sets `key`, in place when it is there, at the end when it is new.
    pub fn insert(&mut self, key: &str, value: Value) {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = value,
            None => self.0.push((key.to_owned(), value)),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
}

impl<const N: usize> From<[(&str, Value); N]> for Map {
    fn from(members: [(&str, Value); N]) -> Map {
        Map::from_members(Vec::from(members))
    }
}

impl Map {
    /// The one body behind every array length.
    fn from_members(members: Vec<(&str, Value)>) -> Map {
        let mut map = Map::new();
        for (k, v) in members {
            map.insert(k, v);
        }
        map
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<Map> for Value {
    fn from(m: Map) -> Value {
        Value::Object(m)
    }
}

impl Value {
    /// The member `key` of an object, when present and not `null` (JavaScript's
    /// `undefined` arrives as `null`: both mean "not given").
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(m) => m.get(key).filter(|v| !v.is_null()),
            _ => None,
        }
    }

    /// The member `key` when it is a string.
    pub fn str_at(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// A whole number: fractions truncated (a server's seconds may carry them), `None`
    /// for what is not a number or lies past 64 bits.
    pub fn as_i64(&self) -> Option<i64> {
        let n = self.as_f64()?;
        (n.abs() < 9.223_372_036_854_776e18).then(|| n.trunc() as i64)
    }
}

/// Reads JSON text. The core never does it itself: the browser glue hands it the
/// browser's `JSON.parse`, host tests hand it serde_json. (Writing is the glue's too:
/// the core gives values.)
pub trait Codec {
    /// The value of `text`, or `None` when it is not JSON (or nested too deeply).
    fn parse(&self, text: &str) -> Option<Value>;
}

thread_local! {
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// One level of nesting while it lives; `None` past [`MAX_DEPTH`].
struct Level;

impl Level {
    fn enter() -> Option<Level> {
        DEPTH.with(|d| {
            let n = d.get();
            (n < MAX_DEPTH).then(|| {
                d.set(n + 1);
                Level
            })
        })
    }
}

impl Drop for Level {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("JSON")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n as f64))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n as f64))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(Value::Number(n))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let _level = Level::enter().ok_or_else(too_deep)?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let _level = Level::enter().ok_or_else(too_deep)?;
        let mut map = Map::new();
        while let Some((key, value)) = access.next_entry::<String, Value>()? {
            // In the wasm, every map is a JavaScript object's members (the browser's
            // JSON.parse kept the last of duplicate names): unique, so appended in
            // linear time. A hostile answer of 100,000 members would otherwise take
            // seconds of checks. Other readers (serde_json) keep the last in place.
            #[cfg(target_arch = "wasm32")]
            map.0.push((key, value));
            #[cfg(not(target_arch = "wasm32"))]
            map.insert(&key, value);
        }
        Ok(Value::Object(map))
    }
}

fn too_deep<E: de::Error>() -> E {
    E::custom("nested too deeply")
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Number(n) => s.serialize_f64(*n),
            Value::String(text) => s.serialize_str(text),
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Object(map) => map.serialize(s),
        }
    }
}

impl Serialize for Map {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut out = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            out.serialize_entry(k, v)?;
        }
        out.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Option<Value> {
        serde_json::from_str(text).ok()
    }

    #[test]
    fn reads_and_writes_json() {
        let v = parse(r#"{"a":[1,2.5,"x",null,true],"b":{"c":{}}}"#).unwrap();
        assert_eq!(v.get("a").unwrap().as_array().unwrap().len(), 5);
        assert_eq!(
            v.get("b").and_then(|b| b.get("c")),
            Some(&Value::Object(Map::new()))
        );
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"a":[1.0,2.5,"x",null,true],"b":{"c":{}}}"#
        );
    }

    #[test]
    fn null_members_read_as_absent() {
        let v = parse(r#"{"a":null}"#).unwrap();
        assert_eq!(v.get("a"), None);
        assert_eq!(v.as_object().unwrap().get("a"), Some(&Value::Null));
    }

    #[test]
    fn whole_numbers_truncate_and_stop_at_64_bits() {
        assert_eq!(Value::Number(1.9).as_i64(), Some(1));
        assert_eq!(Value::Number(-1.9).as_i64(), Some(-1));
        assert_eq!(Value::Number(1e19).as_i64(), None);
        assert_eq!(Value::Number(f64::NAN).as_i64(), None);
        assert_eq!(Value::from("1").as_i64(), None);
    }

    #[test]
    fn nesting_past_the_limit_is_refused_and_the_count_recovers() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(parse(&deep(MAX_DEPTH as usize)).is_some());
        assert!(parse(&deep(MAX_DEPTH as usize + 1)).is_none());
        let objects = format!("{}{}", r#"{"a":"#.repeat(200), "}".repeat(200));
        assert!(parse(&objects).is_none());
        // Failed reads leave no levels behind.
        assert!(parse(&deep(MAX_DEPTH as usize)).is_some());
    }

    #[test]
    fn duplicate_members_keep_the_last_as_json_parse_does() {
        let v = parse(r#"{"a":1,"a":2}"#).unwrap();
        assert_eq!(v.get("a"), Some(&Value::Number(2.0)));
    }
}
