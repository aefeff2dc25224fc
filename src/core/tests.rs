//! Host tests of the core, with serde_json as the JSON reader (the browser's
//! `JSON.parse` in the wasm). Ported check for check from the JavaScript core's tests.

use super::json::{Codec, Value};

mod support;

/// serde_json as the core's JSON reader.
pub struct SerdeJson;

impl Codec for SerdeJson {
    fn parse(&self, text: &str) -> Option<Value> {
        serde_json::from_str(text).ok()
    }
}

/// JSON text as a value (test inputs are well-formed).
pub fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("test JSON")
}
