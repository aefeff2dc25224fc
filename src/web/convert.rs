//! Between the core's [`Json`] and JavaScript values, through the browser's own JSON
//! (smaller than carrying a serializer in the wasm), and errors as real `Error`s.

use js_sys::{Object, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};

use crate::core::error::{AuthError, ErrorCode};
use crate::core::json::Json;

/// A JS value built from JSON; `null` if the browser refuses the text (cannot happen
/// for text our serializer wrote).
pub fn to_js(json: &Json) -> JsValue {
    JSON::parse(&json.to_json()).unwrap_or(JsValue::NULL)
}

/// A JS value as JSON; `None` for `undefined`, functions, cycles and the like.
pub fn from_js(value: &JsValue) -> Option<Json> {
    if value.is_undefined() {
        return None;
    }
    let text = JSON::stringify(value).ok()?.as_string()?;
    Json::parse(&text)
}

pub fn set(target: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

pub fn get(source: &JsValue, key: &str) -> JsValue {
    if !source.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(source, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `CocobaseError`: an `Error` with `name`, `code`, `status`, `message`, `detail`,
/// `retryable`, `retryAfter` and `fieldErrors`.
pub fn error_to_js(e: &AuthError) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    err.set_name("CocobaseError");
    let o: &Object = err.unchecked_ref();
    set(o, "code", &JsValue::from_str(e.code.as_str()));
    set(o, "status", &JsValue::from_f64(f64::from(e.status)));
    set(
        o,
        "detail",
        &e.detail.as_ref().map_or(JsValue::UNDEFINED, to_js),
    );
    set(o, "retryable", &JsValue::from_bool(e.retryable()));
    if let Some(s) = e.retry_after {
        set(o, "retryAfter", &JsValue::from_f64(s as f64));
    }
    if e.code == ErrorCode::ValidationFailed {
        let fields = Object::new();
        for (field, reasons) in &e.field_errors {
            let list = js_sys::Array::new();
            for r in reasons {
                let item = Object::new();
                set(&item, "code", &JsValue::from_str(&r.code));
                set(&item, "message", &JsValue::from_str(&r.message));
                list.push(&item);
            }
            set(&fields, field, &list);
        }
        set(o, "fieldErrors", &fields);
    }
    err.into()
}

/// Shorthand for a `config_invalid` error value.
pub fn config_error(message: &str) -> JsValue {
    error_to_js(&crate::core::config::invalid(message))
}
