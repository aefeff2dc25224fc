//! `validateEmail` and `validatePassword`: the same rules the client applies before
//! `signup`/`changePassword`, and the emulator applies on the server.

use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;

use super::convert::{get, set};
use super::options::policy_from_js;
use crate::validate::{validate_email, validate_password, Issue, PasswordPolicy};

fn issues(list: &[Issue]) -> Array {
    let out = Array::new();
    for i in list {
        let o = Object::new();
        set(&o, "code", &JsValue::from_str(i.code));
        set(&o, "message", &JsValue::from_str(i.message));
        out.push(&o);
    }
    out
}

/// Checks an email address: `{ valid, errors: [{ code, message }] }`.
#[wasm_bindgen(js_name = validateEmail, unchecked_return_type = "EmailValidation")]
pub fn validate_email_js(
    #[wasm_bindgen(unchecked_param_type = "string")] email: JsValue,
) -> JsValue {
    let report = validate_email(&email.as_string().unwrap_or_default());
    let o = Object::new();
    set(&o, "valid", &JsValue::from_bool(report.valid));
    set(&o, "errors", &issues(&report.errors));
    o.into()
}

/// Checks a password against a policy (defaults merged in): `{ valid, score, errors }`.
/// Throws `config_invalid` for a malformed policy.
// Declared in types.rs: optional trailing parameters need a hand-written signature.
#[wasm_bindgen(js_name = validatePassword, skip_typescript)]
pub fn validate_password_js(
    password: JsValue,
    policy: JsValue,
    context: JsValue,
) -> Result<JsValue, JsValue> {
    let policy = policy_from_js(&policy, PasswordPolicy::default())?;
    let email = get(&context, "email").as_string();
    let report = validate_password(
        &password.as_string().unwrap_or_default(),
        &policy,
        email.as_deref(),
    );
    let o = Object::new();
    set(&o, "valid", &JsValue::from_bool(report.valid));
    set(&o, "score", &JsValue::from_f64(f64::from(report.score)));
    set(&o, "errors", &issues(&report.errors));
    Ok(o.into())
}
