//! The constructor's options object, checked at once (`config_invalid`).

use wasm_bindgen::JsValue;

use super::convert::{config_error, error_to_js, get};
use super::storage::Kind;
use crate::core::config::{is_secret_key, Config};
use crate::core::error::{AuthError, ErrorCode};
use crate::validate::PasswordPolicy;

pub struct Options {
    pub config: Config,
    pub storage: Kind,
}

fn opt_string(o: &JsValue, key: &str, what: &str) -> Result<Option<String>, JsValue> {
    let v = get(o, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_string().map(Some).ok_or_else(|| config_error(what))
}

fn opt_bool(o: &JsValue, key: &str, what: &str) -> Result<Option<bool>, JsValue> {
    let v = get(o, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_bool().map(Some).ok_or_else(|| config_error(what))
}

/// A finite number within `min..=max`.
fn opt_number(
    o: &JsValue,
    key: &str,
    min: f64,
    max: f64,
    what: &str,
) -> Result<Option<f64>, JsValue> {
    let v = get(o, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    match v.as_f64() {
        Some(n) if n.is_finite() && n >= min && n <= max => Ok(Some(n)),
        _ => Err(config_error(what)),
    }
}

/// A partial policy merged with the defaults.
pub fn policy_from_js(p: &JsValue, base: PasswordPolicy) -> Result<PasswordPolicy, JsValue> {
    if p.is_undefined() || p.is_null() {
        return Ok(base);
    }
    if !p.is_object() {
        return Err(config_error("passwordPolicy must be an object."));
    }
    const LEN: &str = "passwordPolicy lengths must be whole numbers from 0 to 4096.";
    const FLAG: &str = "passwordPolicy flags must be booleans.";
    let mut policy = base;
    if let Some(n) = opt_number(p, "minLength", 0.0, 4096.0, LEN)? {
        policy.min_length = n as usize;
    }
    if let Some(n) = opt_number(p, "maxLength", 0.0, 4096.0, LEN)? {
        policy.max_length = n as usize;
    }
    let flags: [(&str, &mut bool); 5] = [
        ("requireLowercase", &mut policy.require_lowercase),
        ("requireUppercase", &mut policy.require_uppercase),
        ("requireDigit", &mut policy.require_digit),
        ("requireSymbol", &mut policy.require_symbol),
        ("rejectCommon", &mut policy.reject_common),
    ];
    for (key, slot) in flags {
        if let Some(b) = opt_bool(p, key, FLAG)? {
            *slot = b;
        }
    }
    Ok(policy)
}

pub fn parse(o: &JsValue) -> Result<Options, JsValue> {
    if !o.is_object() {
        return Err(config_error(
            "new CocobaseAuth(options) needs an options object with apiKey.",
        ));
    }
    let key = opt_string(o, "apiKey", "apiKey must be a string.")?.unwrap_or_default();
    let base = opt_string(o, "baseUrl", "baseUrl must be a string.")?;
    let mut config = Config::new(&key, base.as_deref()).map_err(|e| error_to_js(&e))?;
    let allow_secret =
        opt_bool(o, "allowSecretKey", "allowSecretKey must be a boolean.")?.unwrap_or(false);
    if is_secret_key(&key) && !allow_secret {
        return Err(error_to_js(&AuthError::new(ErrorCode::SecretKeyInBrowser)));
    }
    let storage = match opt_string(
        o,
        "storage",
        "storage must be \"local\", \"session\" or \"memory\".",
    )?
    .as_deref()
    {
        None | Some("local") => Kind::Local,
        Some("session") => Kind::Session,
        Some("memory") => Kind::Memory,
        Some(_) => {
            return Err(config_error(
                "storage must be \"local\", \"session\" or \"memory\".",
            ))
        }
    };
    if let Some(k) = opt_string(o, "storageKey", "storageKey must be a string.")? {
        if k.is_empty() {
            return Err(config_error("storageKey must not be empty."));
        }
        config.storage_key = k;
    }
    if let Some(b) = opt_bool(o, "autoRefresh", "autoRefresh must be a boolean.")? {
        config.auto_refresh = b;
    }
    const MARGIN: &str = "refreshMarginSeconds must be a number from 0 to 86400.";
    if let Some(s) = opt_number(o, "refreshMarginSeconds", 0.0, 86_400.0, MARGIN)? {
        config.refresh_margin_ms = (s * 1000.0) as i64;
    }
    const TIMEOUT: &str = "requestTimeoutMs must be a number from 1 to 600000.";
    if let Some(ms) = opt_number(o, "requestTimeoutMs", 1.0, 600_000.0, TIMEOUT)? {
        config.request_timeout_ms = ms as u32;
    }
    config.password_policy = policy_from_js(&get(o, "passwordPolicy"), PasswordPolicy::default())?;
    Ok(Options { config, storage })
}
