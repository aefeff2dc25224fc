//! The one error type of the client: a stable code, the HTTP status, a sentence for
//! people, and what the server said. Every failure, local or remote, becomes one of
//! these, built here; the browser glue turns it into a JavaScript `Error` named
//! `CocobaseError`.

use super::json::Value;
use crate::text::{trim_end_byte, trim_start_byte};

/// The stable error codes of JS-API.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    ConfigInvalid,
    SecretKeyInBrowser,
    ValidationFailed,
    InvalidCredentials,
    EmailTaken,
    Unauthorized,
    SessionMissing,
    SessionExpired,
    Forbidden,
    NotFound,
    RateLimited,
    NetworkError,
    Timeout,
    ServerError,
    BadResponse,
    RefreshUnsupported,
    OauthDenied,
    OauthStateMismatch,
    OauthInvalidCallback,
    InvalidCode,
    InvalidToken,
    TwoFactorUnavailable,
}

/// Every code's name and default sentence, in the enum's order (a test checks).
const CODES: [(ErrorCode, &str, &str); 22] = [
    (
        ErrorCode::ConfigInvalid,
        "config_invalid",
        "The client options are invalid.",
    ),
    (
        ErrorCode::SecretKeyInBrowser,
        "secret_key_in_browser",
        "A secret API key must not be used in a browser.",
    ),
    (
        ErrorCode::ValidationFailed,
        "validation_failed",
        "Some fields are invalid.",
    ),
    (
        ErrorCode::InvalidCredentials,
        "invalid_credentials",
        "Invalid email or password.",
    ),
    (
        ErrorCode::EmailTaken,
        "email_taken",
        "An account with this email already exists.",
    ),
    (ErrorCode::Unauthorized, "unauthorized", "Not authorized."),
    (
        ErrorCode::SessionMissing,
        "session_missing",
        "Nobody is signed in.",
    ),
    (
        ErrorCode::SessionExpired,
        "session_expired",
        "The session has expired. Please sign in again.",
    ),
    (
        ErrorCode::Forbidden,
        "forbidden",
        "This action is not allowed.",
    ),
    (ErrorCode::NotFound, "not_found", "Not found."),
    (
        ErrorCode::RateLimited,
        "rate_limited",
        "Too many requests. Please wait and try again.",
    ),
    (
        ErrorCode::NetworkError,
        "network_error",
        "The server could not be reached.",
    ),
    (
        ErrorCode::Timeout,
        "timeout",
        "The server took too long to answer.",
    ),
    (
        ErrorCode::ServerError,
        "server_error",
        "The server had a problem. Please try again.",
    ),
    (
        ErrorCode::BadResponse,
        "bad_response",
        "The server sent an answer the client could not read.",
    ),
    (
        ErrorCode::RefreshUnsupported,
        "refresh_unsupported",
        "The server cannot refresh sessions.",
    ),
    (
        ErrorCode::OauthDenied,
        "oauth_denied",
        "Sign-in was cancelled or denied.",
    ),
    (
        ErrorCode::OauthStateMismatch,
        "oauth_state_mismatch",
        "The sign-in answer does not match a sign-in started here.",
    ),
    (
        ErrorCode::OauthInvalidCallback,
        "oauth_invalid_callback",
        "The sign-in answer is invalid or has expired.",
    ),
    (
        ErrorCode::InvalidCode,
        "invalid_code",
        "The code is wrong, expired or already used.",
    ),
    (
        ErrorCode::InvalidToken,
        "invalid_token",
        "The link is invalid, expired or already used.",
    ),
    (
        ErrorCode::TwoFactorUnavailable,
        "two_factor_unavailable",
        "Two-factor sign-in is not available.",
    ),
];

impl ErrorCode {
    /// The stable name, such as `invalid_credentials`.
    pub fn as_str(self) -> &'static str {
        CODES[self as usize].1
    }

    /// The sentence used when the server gave none worth showing.
    pub fn default_message(self) -> &'static str {
        CODES[self as usize].2
    }

    /// Worth trying again as it is: the network, the clock or the server's load.
    pub fn retryable(self) -> bool {
        matches!(
            self,
            ErrorCode::NetworkError
                | ErrorCode::Timeout
                | ErrorCode::ServerError
                | ErrorCode::RateLimited
        )
    }
}

/// One reason a field was refused (`validation_failed`).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldIssue {
    pub code: String,
    pub message: String,
}

/// A failure, as JavaScript sees it (`code`, `status`, `message`, `detail`,
/// `retryable`, `retryAfter`, `fieldErrors`).
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    pub code: ErrorCode,
    /// The HTTP status, 0 when there was no answer.
    pub status: u16,
    pub message: String,
    /// The server's own `detail` (a string or a list), or its `error` text.
    pub detail: Option<Value>,
    /// Seconds to wait, on `rate_limited`.
    pub retry_after: Option<f64>,
    /// On `validation_failed`: each refused field with its reasons, in order.
    pub field_errors: Option<Vec<(String, Vec<FieldIssue>)>>,
}

impl Error {
    /// An error with the code's default sentence.
    pub fn new(code: ErrorCode) -> Error {
        Error {
            code,
            status: 0,
            message: code.default_message().to_owned(),
            detail: None,
            retry_after: None,
            field_errors: (code == ErrorCode::ValidationFailed).then(Vec::new),
        }
    }

    /// An error with its own sentence.
    pub fn with_message(code: ErrorCode, message: impl Into<String>) -> Error {
        Error {
            message: message.into(),
            ..Error::new(code)
        }
    }

    /// `config_invalid` saying what is wrong with the options.
    pub fn config(message: &str) -> Error {
        Error::with_message(ErrorCode::ConfigInvalid, message)
    }

    pub fn retryable(&self) -> bool {
        self.code.retryable()
    }

    /// The reasons of `field`, when it was refused.
    pub fn field(&self, field: &str) -> Option<&[FieldIssue]> {
        let list = self.field_errors.as_ref()?;
        list.iter()
            .find(|(name, _)| name == field)
            .map(|(_, issues)| issues.as_slice())
    }

    fn push_field(&mut self, field: String, issue: FieldIssue) {
        let list = self.field_errors.get_or_insert_with(Vec::new);
        match list.iter_mut().find(|(name, _)| *name == field) {
            Some((_, issues)) => issues.push(issue),
            None => list.push((field, vec![issue])),
        }
    }
}

/// `validation_failed` for the fields whose checks failed (`(field, [(code, message)])`),
/// with the first reason as its message; `Ok` when none did.
pub fn check_fields<'a, const N: usize>(
    fields: [(&'a str, Vec<(&'a str, &'a str)>); N],
) -> Result<(), Error> {
    check_list(Vec::from(fields))
}

/// The one body behind every number of fields.
fn check_list(fields: Vec<(&str, Vec<(&str, &str)>)>) -> Result<(), Error> {
    let mut e = Error::new(ErrorCode::ValidationFailed);
    let mut first = None;
    for (field, issues) in fields {
        for (code, message) in issues {
            first.get_or_insert(message);
            e.push_field(
                field.to_owned(),
                FieldIssue {
                    code: code.to_owned(),
                    message: message.to_owned(),
                },
            );
        }
    }
    match first {
        None => Ok(()),
        Some(message) => {
            e.message = message.to_owned();
            Err(e)
        }
    }
}

/// `validation_failed` for one field with the code `invalid`.
pub fn bad_field(field: &str, message: &str) -> Error {
    match check_fields([(field, vec![("invalid", message)])]) {
        Err(e) => e,
        Ok(()) => Error::new(ErrorCode::ValidationFailed),
    }
}

/// What a request was for, as far as its errors are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Login,
    Refresh,
    /// Verifying a redirect sign-in's code.
    OauthVerify,
    /// Verifying a second factor's code.
    TwoFactorVerify,
    TwoFactorEnable,
    /// Using a mailed token (password reset, email verification).
    MailedToken,
    Other,
}

/// An error answer, in any shape of API.md §2 (a `detail` string or list, `{error,
/// traceback}`, a proxy's HTML page, nothing: `body` is `None` when it was not JSON),
/// mapped to one code for both servers. `retry_after` is the header as sent.
pub fn decode_error(
    endpoint: Endpoint,
    status: u16,
    body: Option<&Value>,
    retry_after: Option<&str>,
) -> Error {
    let object = body.and_then(Value::as_object);
    let member = |k: &str| object.and_then(|o| o.get(k));
    let detail = member("detail");
    let list = detail.and_then(Value::as_array);
    let text = match (detail.and_then(Value::as_str), list) {
        (Some(s), _) => s,
        (None, Some(items)) => items.first().and_then(|i| i.str_at("msg")).unwrap_or(""),
        (None, None) => member("error").and_then(Value::as_str).unwrap_or(""),
    };
    // ASCII-only lower case: the servers' words are ASCII, and Unicode folding could
    // invent matches.
    let lower = text.to_ascii_lowercase();
    let says = |words: &str| crate::text::contains(&lower, words);
    use ErrorCode as C;
    let code = match status {
        429 => C::RateLimited,
        401 if endpoint == Endpoint::Login => C::InvalidCredentials,
        401 if says("api key") => C::Unauthorized,
        401 if says("expired") => C::SessionExpired,
        401 => C::Unauthorized,
        403 => C::Forbidden,
        404 | 405 if endpoint == Endpoint::Refresh => C::RefreshUnsupported,
        409 => C::EmailTaken,
        400 if says("already exists") || says("already registered") => C::EmailTaken,
        400 if endpoint == Endpoint::Login || says("current password") => C::InvalidCredentials,
        400 if endpoint == Endpoint::OauthVerify => C::OauthInvalidCallback,
        400 if endpoint == Endpoint::TwoFactorVerify => C::InvalidCode,
        400 if endpoint == Endpoint::MailedToken => C::InvalidToken,
        400 if endpoint == Endpoint::TwoFactorEnable => C::TwoFactorUnavailable,
        404 => C::NotFound,
        422 if list.is_some_and(|items| {
            items
                .iter()
                .any(|i| loc(i).first().and_then(Value::as_str) == Some("header"))
        }) =>
        {
            C::Unauthorized
        }
        400 | 413 | 415 | 422 => C::ValidationFailed,
        500.. => C::ServerError,
        _ => C::BadResponse,
    };
    let mut e = Error::new(code);
    e.status = status;
    if code == C::RateLimited {
        e.retry_after = Some(retry_after.and_then(seconds).unwrap_or(1.0));
    }
    // The hosted service wraps some answers as "An error occured 404: ...": not a
    // sentence for people.
    if !text.is_empty() && !lower.starts_with("an error occured") && code != C::ServerError {
        e.message = text.to_owned();
    }
    if code == C::ValidationFailed {
        for item in list.unwrap_or(&[]) {
            let field = match loc(item).last() {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => number_text(*n),
                _ => String::new(),
            };
            // An empty `type` or `msg` is none, as in the JS core (`||`).
            let text_or = |k: &str, default: &'static str| {
                item.str_at(k)
                    .filter(|s| !s.is_empty())
                    .unwrap_or(default)
                    .to_owned()
            };
            let issue = FieldIssue {
                code: text_or("type", "invalid"),
                message: text_or("msg", "Invalid value."),
            };
            e.push_field(field, issue);
        }
    }
    // `detail` when the body has one, `null` included; else an `error` text.
    e.detail = match (member("detail"), member("error")) {
        (Some(d), _) => Some(d.clone()),
        (None, Some(Value::String(s))) => Some(Value::String(s.clone())),
        _ => None,
    };
    e
}

/// A field error's `loc` (`["body", "email"]`), empty when it has none.
fn loc(item: &Value) -> &[Value] {
    item.get("loc").and_then(Value::as_array).unwrap_or(&[])
}

/// A `Retry-After` of whole seconds (an HTTP date is not read); what does not fit 64
/// bits is no delay.
fn seconds(header: &str) -> Option<f64> {
    let t = super::options::js_trim(header);
    let digits = t.strip_prefix('+').unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Exactly as an integer, then rounded once to a double as JavaScript's `+text`
    // does (`str::parse::<f64>` would bring the whole decimal parser).
    let mut n: u128 = 0;
    for b in digits.bytes() {
        n = n.checked_mul(10)?.checked_add(u128::from(b - b'0'))?;
    }
    let n = n as f64;
    (n < 18_446_744_073_709_551_616.0).then_some(n)
}

/// A number as JavaScript's `String(n)` writes the whole ones (field indexes).
fn number_text(n: f64) -> String {
    let a = n.abs();
    if a == 0.0 {
        // -0 too.
        return "0".to_owned();
    }
    // Rust writes the shortest digits that read back, never with an exponent, as
    // JavaScript does in this range.
    let plain = format!("{n}");
    if (1e-6..1e21).contains(&a) || !a.is_finite() {
        return plain;
    }
    // JavaScript's exponent form (1e+21, 1.5e-7), made of the same digits (`{:e}`
    // would link a second float printer).
    let (sign, unsigned) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain.as_str()),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let (digits, exponent) = if a >= 1.0 {
        (trim_end_byte(whole, b'0'), whole.len() as i64 - 1)
    } else {
        let significant = trim_start_byte(fraction, b'0');
        let zeros = fraction.len() - significant.len();
        (trim_end_byte(significant, b'0'), -(zeros as i64) - 1)
    };
    let mut text = String::from(sign);
    let mut rest = digits.chars();
    text.extend(rest.next());
    if !rest.as_str().is_empty() {
        text.push('.');
        text.push_str(rest.as_str());
    }
    text.push_str(if exponent < 0 { "e-" } else { "e+" });
    text.push_str(&exponent.unsigned_abs().to_string());
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_javascript_writes_them() {
        for (n, js) in [
            (0.0, "0"),
            (-0.0, "0"),
            (3.0, "3"),
            (-2.5, "-2.5"),
            (1e-6, "0.000001"),
            (1e21, "1e+21"),
            (1.5e24, "1.5e+24"),
            (-1.25e22, "-1.25e+22"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (1e-7, "1e-7"),
            (1.5e-7, "1.5e-7"),
            (-1.234e-10, "-1.234e-10"),
            (5e-324, "5e-324"),
            (123456789012345680000.0, "123456789012345680000"),
        ] {
            assert_eq!(number_text(n), js, "{n}");
        }
    }

    #[test]
    fn the_table_follows_the_enum() {
        for (i, (code, _, _)) in CODES.iter().enumerate() {
            assert_eq!(*code as usize, i);
        }
    }
}
