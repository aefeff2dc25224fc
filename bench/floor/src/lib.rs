//! The size floor: one `#[wasm_bindgen]` class whose one async method (a Promise through
//! wasm-bindgen-futures) reads its argument with serde-wasm-bindgen, sends it with gloo-net
//! (JSON body, a header, an `AbortController` signal), reads the answer's text through
//! `JSON.parse` and serde-wasm-bindgen into a self-describing value, keeps the text in
//! `localStorage` (web-sys) and hands the value back through serde-wasm-bindgen's
//! serializer. Every crate the architecture asks for does its job once; nothing of
//! cocobase-auth's protocol is here. Whatever the package weighs beyond this is its logic.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use wasm_bindgen::prelude::*;

#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

/// A JSON value, as the package's core reads one.
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value as f64))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value as f64))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(Value::Number(value))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Value, A::Error> {
        let mut array = Vec::new();
        while let Some(item) = items.next_element()? {
            array.push(item);
        }
        Ok(Value::Array(array))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut members: A) -> Result<Value, A::Error> {
        let mut object = Vec::new();
        while let Some(member) = members.next_entry::<String, Value>()? {
            object.push(member);
        }
        Ok(Value::Object(object))
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(value) => serializer.serialize_bool(*value),
            Value::Number(value) => serializer.serialize_f64(*value),
            Value::String(value) => serializer.serialize_str(value),
            Value::Array(items) => {
                let mut array = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    array.serialize_element(item)?;
                }
                array.end()
            }
            Value::Object(members) => {
                let mut object = serializer.serialize_map(Some(members.len()))?;
                for (name, value) in members {
                    object.serialize_entry(name, value)?;
                }
                object.end()
            }
        }
    }
}

fn network_error(error: gloo_net::Error) -> JsValue {
    JsValue::from_str(&error.to_string())
}

#[wasm_bindgen]
pub struct FloorClient {
    base_url: String,
}

#[wasm_bindgen]
impl FloorClient {
    #[wasm_bindgen(constructor)]
    pub fn new(base_url: String) -> FloorClient {
        FloorClient { base_url }
    }

    /// POSTs `body` to `path` and answers the server's JSON.
    pub async fn send(&self, path: String, body: JsValue) -> Result<JsValue, JsValue> {
        let serializer = serde_wasm_bindgen::Serializer::json_compatible();
        let value: Value = serde_wasm_bindgen::from_value(body)?;
        let text = js_sys::JSON::stringify(&value.serialize(&serializer)?)?;
        let controller = web_sys::AbortController::new()?;
        let response = gloo_net::http::Request::post(&format!("{}{path}", self.base_url))
            .header("Content-Type", "application/json")
            .abort_signal(Some(&controller.signal()))
            .body(String::from(text))
            .map_err(network_error)?
            .send()
            .await
            .map_err(network_error)?;
        let answer = response.text().await.map_err(network_error)?;
        let value: Value = serde_wasm_bindgen::from_value(js_sys::JSON::parse(&answer)?)?;
        if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
            storage.set_item("floor", &answer)?;
        }
        Ok(value.serialize(&serializer)?)
    }
}
