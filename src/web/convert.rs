//! Crossing the boundary: JavaScript values to the core's [`Value`] (serde-wasm-bindgen
//! over what `JSON.parse` or a caller gave), results back to plain JavaScript objects,
//! and the core's [`Error`] as a JavaScript `Error` named `CocobaseError`.

use js_sys::{Object, Reflect, JSON};
use serde::Serialize as _;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::error::{Error, ErrorCode};
use crate::core::json::{Codec, Value};

/// Every result crosses as plain JSON-like data: objects, not `Map`s; `None` as `null`.
const PLAIN: serde_wasm_bindgen::Serializer = serde_wasm_bindgen::Serializer::json_compatible();

/// A value as a fresh JavaScript object (callers never share the client's state),
/// through serde-wasm-bindgen. A member named `__proto__` (a user's data may hold one)
/// stays a member, as `JSON.parse` makes it: see [`keep_proto_members`].
pub fn to_js(value: &Value) -> JsValue {
    let js = value.serialize(&PLAIN).unwrap_or(JsValue::NULL);
    if holds_proto(value) {
        keep_proto_members(&js, value);
    }
    js
}

/// Somewhere in `value`, an object has a member named `__proto__`.
fn holds_proto(value: &Value) -> bool {
    match value {
        Value::Array(items) => items.iter().any(holds_proto),
        Value::Object(map) => map
            .iter()
            .any(|(key, member)| key == "__proto__" || holds_proto(member)),
        _ => false,
    }
}

/// serde-wasm-bindgen assigns members (`object[key] = value`), and assigning
/// `__proto__` sets the object's prototype instead of a member: whoever wrote
/// `{"__proto__": {"isAdmin": true}}` into their profile would make `data.isAdmin` read
/// `true`. Such objects get their plain prototype back and the member defined.
fn keep_proto_members(js: &JsValue, value: &Value) {
    match value {
        Value::Array(items) => {
            for (index, item) in (0u32..).zip(items) {
                if holds_proto(item) {
                    keep_proto_members(&Reflect::get(js, &index.into()).unwrap_or_default(), item);
                }
            }
        }
        Value::Object(map) => {
            if !js.is_object() {
                return;
            }
            let object: &Object = js.unchecked_ref();
            let mut after_proto = false;
            for (key, member) in map.iter() {
                if key == "__proto__" {
                    Object::set_prototype_of(object, &Object::get_prototype_of(&Object::new()));
                    define(object, key, &to_js(member));
                    after_proto = true;
                    continue;
                }
                if after_proto {
                    // Moved behind `__proto__`, so the members keep the order they came in.
                    let name = JsValue::from_str(key);
                    let moved = Reflect::get(js, &name).unwrap_or_default();
                    let _ = Reflect::delete_property(object, &name);
                    define(object, key, &moved);
                }
                if holds_proto(member) {
                    let child = Reflect::get(js, &JsValue::from_str(key)).unwrap_or_default();
                    keep_proto_members(&child, member);
                }
            }
        }
        _ => {}
    }
}

/// A JavaScript value as the core's JSON value; `None` for what JSON cannot hold.
pub fn from_js(value: JsValue) -> Option<Value> {
    serde_wasm_bindgen::from_value(value).ok()
}

#[wasm_bindgen]
extern "C" {
    /// `Object.entries`, whose getters may throw (js-sys's would unwind through Rust).
    #[wasm_bindgen(js_namespace = Object, js_name = entries, catch)]
    pub fn entries(object: &JsValue) -> Result<js_sys::Array, JsValue>;
}

/// What `JSON.stringify` writes of `value`, read back (`undefined` when it writes
/// nothing); `None` when it throws (a cycle, a BigInt, a getter).
fn through_json(value: &JsValue) -> Option<JsValue> {
    let text = JSON::stringify(value).ok()?;
    match text.as_string() {
        Some(text) => JSON::parse(&text).ok(),
        None => Some(JsValue::UNDEFINED),
    }
}

/// A caller's object as the JS client read it: its own members as given, without the
/// functions and symbols JSON has not; with `json`, what each member holds as
/// `JSON.stringify` writes it (the body the JS client sent: `undefined` left out,
/// `toJSON` honoured). `None` when a getter throws.
pub fn members(value: &JsValue, json: bool) -> Option<JsValue> {
    if !value.is_object() || js_sys::Array::is_array(value) {
        return if value.is_object() && json {
            through_json(value)
        } else {
            Some(value.clone())
        };
    }
    let copy = Object::new();
    for entry in entries(value).ok()?.iter() {
        let entry: js_sys::Array = entry.unchecked_into();
        let member = entry.get(1);
        let member = if json && member.is_object() {
            through_json(&member)?
        } else {
            member
        };
        if !(member.is_function() || member.is_symbol()) {
            define(
                &copy,
                &entry.get(0).as_string().unwrap_or_default(),
                &member,
            );
        }
    }
    Some(copy.into())
}

/// A caller's options object (constructor options, a password policy, a context) as a
/// value: its own members as given, functions and symbols left out; `null` for what
/// cannot be read.
pub fn options(value: &JsValue) -> Value {
    members(value, false)
        .and_then(from_js)
        .unwrap_or(Value::Null)
}

/// A caller's argument as a value: what JSON cannot hold is `validation_failed`.
pub fn params(value: JsValue) -> Result<Value, Error> {
    members(&value, true).and_then(from_js).ok_or_else(|| {
        Error::with_message(
            ErrorCode::ValidationFailed,
            "The argument must hold only JSON values.",
        )
    })
}

/// The browser's `JSON.parse`, then serde-wasm-bindgen.
pub fn parse(text: &str) -> Option<Value> {
    from_js(JSON::parse(text).ok()?)
}

/// The browser's `JSON.stringify`.
pub fn stringify(value: &Value) -> String {
    JSON::stringify(&to_js(value))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// The browser's JSON as the core's reader.
pub struct BrowserJson;

impl Codec for BrowserJson {
    fn parse(&self, text: &str) -> Option<Value> {
        parse(text)
    }
}

fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

/// An own, enumerable data property, whatever its name (`__proto__` included).
fn define(target: &Object, key: &str, value: &JsValue) {
    let descriptor = Object::new();
    for (name, v) in [
        ("value", value.clone()),
        ("enumerable", JsValue::TRUE),
        ("writable", JsValue::TRUE),
        ("configurable", JsValue::TRUE),
    ] {
        set(&descriptor, name, &v);
    }
    let _ = Reflect::define_property(target, &JsValue::from_str(key), &descriptor);
}

/// The core's error as a JavaScript `Error` with `name` "CocobaseError" and the
/// fields of JS-API.md.
pub fn js_error(e: &Error) -> JsValue {
    let error = js_sys::Error::new(&e.message);
    let target: &JsValue = error.as_ref();
    set(target, "name", &JsValue::from_str("CocobaseError"));
    set(target, "code", &JsValue::from_str(e.code.as_str()));
    set(target, "status", &JsValue::from(e.status));
    set(target, "retryable", &JsValue::from_bool(e.retryable()));
    if let Some(detail) = &e.detail {
        set(target, "detail", &to_js(detail));
    }
    if let Some(seconds) = e.retry_after {
        set(target, "retryAfter", &JsValue::from_f64(seconds));
    }
    if let Some(fields) = &e.field_errors {
        let map = Object::new();
        for (field, issues) in fields {
            let list = js_sys::Array::new();
            for issue in issues {
                let item = Object::new();
                set(&item, "code", &JsValue::from_str(&issue.code));
                set(&item, "message", &JsValue::from_str(&issue.message));
                list.push(&item);
            }
            define(&map, field, &list);
        }
        set(target, "fieldErrors", &map);
    }
    error.into()
}
