//! `validateEmail` and `validatePassword`: the same rules the emulator runs.

use wasm_bindgen::prelude::*;

use crate::core::json::{Map, Value};
use crate::core::options::password_policy;
use crate::validate::{validate_email as email_rules, validate_password as password_rules, Issue};

use super::convert::{js_error, options, to_js};

/// `{ valid, errors }` of an email, or `{ valid, score, errors }` of a password.
fn report(valid: bool, score: Option<u8>, issues: &[Issue]) -> JsValue {
    let errors = issues
        .iter()
        .map(|i| {
            Value::Object(Map::from([
                ("code", Value::from(i.code())),
                ("message", Value::from(i.message())),
            ]))
        })
        .collect();
    let mut out = Map::from([("valid", Value::Bool(valid))]);
    if let Some(score) = score {
        out.insert("score", Value::Number(f64::from(score)));
    }
    out.insert("errors", Value::Array(errors));
    to_js(&Value::Object(out))
}

/// Checks an email address locally (no network).
#[wasm_bindgen(js_name = validateEmail, unchecked_return_type = "EmailValidation")]
pub fn validate_email(#[wasm_bindgen(unchecked_param_type = "string")] email: JsValue) -> JsValue {
    let outcome = email_rules(&email.as_string().unwrap_or_default());
    report(outcome.valid, None, &outcome.errors)
}

/// Checks a password against a policy (merged over the defaults) and scores it 0-4;
/// `context.email` adds the `contains_email` rule. A bad policy throws `config_invalid`.
#[wasm_bindgen(js_name = validatePassword, unchecked_return_type = "PasswordValidation")]
pub fn validate_password(
    #[wasm_bindgen(unchecked_param_type = "string")] password: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Partial<PasswordPolicy> | null | undefined")]
    policy: JsValue,
    #[wasm_bindgen(unchecked_param_type = "{ email?: string } | null | undefined")]
    context: JsValue,
) -> Result<JsValue, JsValue> {
    let policy = password_policy(Some(&options(&policy))).map_err(|e| js_error(&e))?;
    let context = options(&context);
    let email = context.str_at("email").filter(|e| !e.is_empty());
    let outcome = password_rules(&password.as_string().unwrap_or_default(), &policy, email);
    Ok(report(outcome.valid, Some(outcome.score), &outcome.errors))
}
