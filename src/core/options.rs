//! The constructor's options (JS-API.md "Options"), checked and completed: bad options
//! are `config_invalid` at once, a secret key is `secret_key_in_browser`.

use super::error::{Error, ErrorCode};
use super::json::Value;
use crate::text::trim_end_byte;
use crate::unicode::is_whitespace;
use crate::validate::PasswordPolicy;

/// The hosted service's root.
pub const HOSTED: &str = "https://api.cocobase.buzz";
/// GitHub's own authorize page.
pub const GITHUB_AUTHORIZE: &str = "https://github.com/login/oauth/authorize";

/// Where the session lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageKind {
    Local,
    Session,
    Memory,
}

/// Building GitHub's authorize URL in the client (the hosted service's way).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Github {
    pub client_id: String,
    pub authorize_url: String,
}

/// The options, checked, with every default filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub api_key: String,
    /// Without a trailing slash.
    pub base_url: String,
    pub storage: StorageKind,
    pub storage_key: String,
    pub auto_refresh: bool,
    pub refresh_margin_ms: i64,
    pub request_timeout_ms: u32,
    pub password_policy: PasswordPolicy,
    pub github: Option<Github>,
}

/// JavaScript's `trim()`: white space and line terminators, U+FEFF included, U+0085 not
/// (Rust's `str::trim` is the other way round).
pub fn js_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c == '\u{feff}' || (c != '\u{85}' && is_whitespace(c)))
}

/// An absolute http(s) URL with a host and no white space or control characters.
pub fn is_http_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let host_starts = rest
        .and_then(|r| r.chars().next())
        .is_some_and(|c| !matches!(c, '/' | '?' | '#' | ':'));
    host_starts
        && !url
            .chars()
            .any(|c| is_whitespace(c) || matches!(c, '\0'..='\x1f' | '\x7f'..='\u{9f}'))
}

/// A number within `min..=max`, times 10^`shift`, truncated; `whole` refuses fractions.
pub fn number(v: &Value, min: f64, max: f64, whole: bool, shift: i32) -> Option<f64> {
    let n = v.as_f64()?;
    if !(n >= min && n <= max) || (whole && n.fract() != 0.0) {
        return None;
    }
    let scaled = n * 10f64.powi(shift);
    // 1.005 * 1000 is 1004.9999999999999 in binary, and means 1005: round to 15
    // significant digits (the JS core's `toPrecision(15)`) before truncating.
    Some(significant_15(scaled).trunc())
}

/// `x` rounded to 15 significant decimal digits, without formatting it as text (which
/// would bring the float printer and parser into the wasm).
pub fn significant_15(x: f64) -> f64 {
    let magnitude = x.abs();
    if magnitude == 0.0 || !magnitude.is_finite() {
        return x;
    }
    // The power of ten of the leading digit.
    let mut exponent = 0i32;
    let mut power = 1.0;
    while power * 10.0 <= magnitude {
        power *= 10.0;
        exponent += 1;
    }
    while power > magnitude {
        power /= 10.0;
        exponent -= 1;
    }
    let shift = 14 - exponent;
    if shift >= 0 {
        let scale = 10f64.powi(shift);
        (x * scale).round() / scale
    } else {
        let scale = 10f64.powi(-shift);
        (x / scale).round() * scale
    }
}

fn opt_str<'a>(o: &'a Value, key: &str, what: &str) -> Result<Option<&'a str>, Error> {
    match o.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Error::config(what)),
    }
}

fn opt_bool(o: &Value, key: &str, what: &str) -> Result<Option<bool>, Error> {
    match o.get(key) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(Error::config(what)),
    }
}

fn opt_number(
    o: &Value,
    key: &str,
    (min, max, shift): (f64, f64, i32),
    what: &str,
) -> Result<Option<f64>, Error> {
    match o.get(key) {
        None => Ok(None),
        Some(v) => number(v, min, max, false, shift)
            .map(Some)
            .ok_or_else(|| Error::config(what)),
    }
}

/// The policy's flags, with their names in JavaScript.
fn flags(p: &mut PasswordPolicy) -> [(&'static str, &mut bool); 5] {
    [
        ("requireLowercase", &mut p.require_lowercase),
        ("requireUppercase", &mut p.require_uppercase),
        ("requireDigit", &mut p.require_digit),
        ("requireSymbol", &mut p.require_symbol),
        ("rejectCommon", &mut p.reject_common),
    ]
}

/// A partial password policy (`null` for none) merged over the defaults.
pub fn password_policy(p: Option<&Value>) -> Result<PasswordPolicy, Error> {
    let mut policy = PasswordPolicy::default();
    let Some(p) = p.filter(|p| !p.is_null()) else {
        return Ok(policy);
    };
    if p.as_object().is_none() {
        return Err(Error::config("passwordPolicy must be an object."));
    }
    const LENGTHS: &str = "passwordPolicy lengths must be whole numbers from 0 to 4096.";
    for (key, slot) in [
        ("minLength", &mut policy.min_length),
        ("maxLength", &mut policy.max_length),
    ] {
        if let Some(v) = p.get(key) {
            *slot =
                number(v, 0.0, 4096.0, false, 0).ok_or_else(|| Error::config(LENGTHS))? as usize;
        }
    }
    for (key, slot) in flags(&mut policy) {
        if let Some(b) = opt_bool(p, key, "passwordPolicy flags must be booleans.")? {
            *slot = b;
        }
    }
    Ok(policy)
}

fn github(o: &Value) -> Result<Option<Github>, Error> {
    const WHAT: &str = "github must be { clientId, authorizeUrl? } with an http(s) authorizeUrl.";
    let Some(g) = o.get("github") else {
        return Ok(None);
    };
    if g.as_object().is_none() {
        return Err(Error::config(WHAT));
    }
    let client_id = opt_str(g, "clientId", WHAT)?.unwrap_or("");
    let authorize_url = opt_str(g, "authorizeUrl", WHAT)?.unwrap_or(GITHUB_AUTHORIZE);
    if client_id.is_empty() || !is_http_url(authorize_url) {
        return Err(Error::config(WHAT));
    }
    Ok(Some(Github {
        client_id: client_id.to_owned(),
        authorize_url: authorize_url.to_owned(),
    }))
}

/// The constructor's options, checked.
pub fn config(o: &Value) -> Result<Config, Error> {
    if o.as_object().is_none() {
        return Err(Error::config(
            "new CocobaseAuth(options) needs an options object with apiKey.",
        ));
    }
    let key = opt_str(o, "apiKey", "apiKey must be a string.")?.unwrap_or("");
    let base = opt_str(o, "baseUrl", "baseUrl must be a string.")?.unwrap_or(HOSTED);
    let base = trim_end_byte(base, b'/');
    if key.is_empty() || key.chars().any(is_whitespace) {
        return Err(Error::config(
            "apiKey is required and must not contain spaces.",
        ));
    }
    if !is_http_url(base) {
        return Err(Error::config("baseUrl must be an absolute http(s) URL."));
    }
    let allow_secret = opt_bool(o, "allowSecretKey", "allowSecretKey must be a boolean.")?;
    let secret = key.starts_with("sk_live_") || key.starts_with("sk_test_");
    if secret && allow_secret != Some(true) {
        return Err(Error::new(ErrorCode::SecretKeyInBrowser));
    }
    const STORAGE: &str = r#"storage must be "local", "session" or "memory"."#;
    let storage = match opt_str(o, "storage", STORAGE)?.unwrap_or("local") {
        "local" => StorageKind::Local,
        "session" => StorageKind::Session,
        "memory" => StorageKind::Memory,
        _ => return Err(Error::config(STORAGE)),
    };
    let storage_key = opt_str(o, "storageKey", "storageKey must be a string.")?
        .unwrap_or("cocobase.auth.session");
    if storage_key.is_empty() {
        return Err(Error::config("storageKey must not be empty."));
    }
    // Checked in the JS core's order: autoRefresh, the margin, the timeout, the policy.
    let auto_refresh = opt_bool(o, "autoRefresh", "autoRefresh must be a boolean.")?;
    let margin = opt_number(
        o,
        "refreshMarginSeconds",
        (0.0, 86400.0, 3),
        "refreshMarginSeconds must be a number from 0 to 86400.",
    )?;
    let timeout = opt_number(
        o,
        "requestTimeoutMs",
        (1.0, 600000.0, 0),
        "requestTimeoutMs must be a number from 1 to 600000.",
    )?;
    Ok(Config {
        api_key: key.to_owned(),
        base_url: base.to_owned(),
        storage,
        storage_key: storage_key.to_owned(),
        auto_refresh: auto_refresh.unwrap_or(true),
        refresh_margin_ms: margin.map_or(60_000, |m| m as i64),
        request_timeout_ms: timeout.map_or(15_000, |t| t as u32),
        password_policy: password_policy(o.get("passwordPolicy"))?,
        github: github(o)?,
    })
}
