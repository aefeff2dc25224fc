//! `validateEmail` and `validatePassword`: the same rules the emulator runs.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::core::json::Value;
use crate::core::options::password_policy;
use crate::validate::{validate_email as email_rules, validate_password as password_rules, Issue};

use super::convert::{from_js, js_error, to_js};

#[derive(Serialize)]
struct Reason {
    code: &'static str,
    message: &'static str,
}

/// `{ valid, errors }` of an email, or `{ valid, score, errors }` of a password.
#[derive(Serialize)]
struct Report {
    valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<u8>,
    errors: Vec<Reason>,
}

fn reasons(issues: &[Issue]) -> Vec<Reason> {
    issues
        .iter()
        .map(|i| Reason {
            code: i.code(),
            message: i.message(),
        })
        .collect()
}

/// Checks an email address locally (no network).
#[wasm_bindgen(js_name = validateEmail, unchecked_return_type = "EmailValidation")]
pub fn validate_email(#[wasm_bindgen(unchecked_param_type = "string")] email: JsValue) -> JsValue {
    let report = email_rules(&email.as_string().unwrap_or_default());
    to_js(&Report {
        valid: report.valid,
        score: None,
        errors: reasons(&report.errors),
    })
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
    let policy = password_policy(from_js(policy).as_ref()).map_err(|e| js_error(&e))?;
    let context = from_js(context).unwrap_or(Value::Null);
    let email = context.str_at("email").filter(|e| !e.is_empty());
    let report = password_rules(&password.as_string().unwrap_or_default(), &policy, email);
    Ok(to_js(&Report {
        valid: report.valid,
        score: Some(report.score),
        errors: reasons(&report.errors),
    }))
}
