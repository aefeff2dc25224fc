//! The one error type of the client, and the decoding of every error shape a Cocobase
//! server (ours or the hosted one) or a proxy in front of it can answer with.

use super::json::{Json, Writer};
use crate::prelude::*;
use crate::validate::Issue;

/// The stable error codes of JS-API.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
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
    OAuthDenied,
    OAuthStateMismatch,
    OAuthInvalidCallback,
}

/// Each code's name and the sentence used when the server gave none of its own, in
/// the enum's order (so that `code as usize` is its row).
const CODES: [(ErrorCode, &str, &str); 19] = [
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
        ErrorCode::OAuthDenied,
        "oauth_denied",
        "Sign-in was cancelled or denied.",
    ),
    (
        ErrorCode::OAuthStateMismatch,
        "oauth_state_mismatch",
        "The sign-in answer does not match a sign-in started here.",
    ),
    (
        ErrorCode::OAuthInvalidCallback,
        "oauth_invalid_callback",
        "The sign-in answer is invalid or has expired.",
    ),
];

impl ErrorCode {
    /// The code named `name` (`"network_error"`), if any.
    pub fn from_name(name: &str) -> Option<ErrorCode> {
        CODES
            .iter()
            .find(|(_, n, _)| *n == name)
            .map(|(c, _, _)| *c)
    }

    pub fn as_str(self) -> &'static str {
        CODES[self as usize].1
    }

    fn default_message(self) -> &'static str {
        CODES[self as usize].2
    }
}

/// Every failure of the client: what JS receives as a `CocobaseError`.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthError {
    pub code: ErrorCode,
    /// HTTP status, 0 when there was no answer.
    pub status: u16,
    pub message: String,
    /// The server's own `detail` (string or list) or `error` text, when there was one.
    pub detail: Option<Json>,
    /// Seconds to wait, on `rate_limited`.
    pub retry_after: Option<u64>,
    /// Per-field reasons, on `validation_failed`: the JSON text of the `fieldErrors`
    /// object (`{"email": [{"code", "message"}]}`), `""` when there are none.
    pub field_errors: String,
}

impl AuthError {
    pub fn new(code: ErrorCode) -> Self {
        AuthError::with_message(code, code.default_message())
    }

    pub fn with_message(code: ErrorCode, message: &str) -> Self {
        AuthError {
            code,
            status: 0,
            message: message.to_owned(),
            detail: None,
            retry_after: None,
            field_errors: String::new(),
        }
    }

    /// Worth trying again as is: the network, the server's health or its rate limit.
    pub fn retryable(&self) -> bool {
        matches!(
            self.code,
            ErrorCode::NetworkError
                | ErrorCode::Timeout
                | ErrorCode::ServerError
                | ErrorCode::RateLimited
        )
    }

    /// A `validation_failed` error from local checks: the fields whose rules failed
    /// (fields with no failed rule are left out), the first failure as the message.
    pub fn from_checks(checks: &[(&str, &[Issue])]) -> Option<Self> {
        let mut e = AuthError::new(ErrorCode::ValidationFailed);
        let mut w = Writer::new();
        w.open('{');
        let mut first = None;
        for (field, issues) in checks {
            if let Some(i) = issues.first() {
                first = first.or(Some(i.message));
                w.key(field).open('[');
                for i in *issues {
                    write_reason(&mut w, i.code, i.message);
                }
                w.close(']');
            }
        }
        w.close('}');
        e.message = first?.to_owned();
        e.field_errors = w.out;
        Some(e)
    }

    /// Writes the error object handed to JavaScript: `{code, status, message,
    /// retryable, detail?, retryAfter?, fieldErrors?}` (`fieldErrors` only on
    /// `validation_failed`).
    pub fn write_js(&self, w: &mut Writer) {
        w.open('{');
        w.key("code").str(self.code.as_str());
        w.key("status").int(i64::from(self.status));
        w.key("message").str(&self.message);
        w.key("retryable").bool(self.retryable());
        if let Some(d) = &self.detail {
            w.key("detail");
            d.write(w);
        }
        if let Some(s) = self.retry_after {
            w.key("retryAfter")
                .int(i64::try_from(s).unwrap_or(i64::MAX));
        }
        if self.code == ErrorCode::ValidationFailed {
            let fields = &self.field_errors;
            w.key("fieldErrors")
                .raw(if fields.is_empty() { "{}" } else { fields });
        }
        w.close('}');
    }

    /// The error object as JSON text (see [`AuthError::write_js`]).
    pub fn to_js_json(&self) -> String {
        let mut w = Writer::new();
        self.write_js(&mut w);
        w.out
    }
}

/// `{code, message}`: one reason a field was refused.
fn write_reason(w: &mut Writer, code: &str, message: &str) {
    w.open('{');
    w.key("code").str(code);
    w.key("message").str(message);
    w.close('}');
}

/// What the request was for: the same status means different things per endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Signup,
    Login,
    /// Any request made as the signed-in user.
    User,
    ChangePassword,
    Refresh,
    OAuthUrl,
    OAuthVerify,
    /// Key-only lookups (`/users`, `/users/{id}`).
    Public,
}

/// Decodes a non-2xx answer into an [`AuthError`].
///
/// Bodies are read in the order of API.md §2: `detail` string, `detail` list, `error`,
/// raw text (an HTML page from a proxy, or nothing). Both our emulator's statuses and
/// the hosted service's are mapped, so callers see the same code from either.
pub fn decode_error(
    endpoint: Endpoint,
    status: u16,
    body: &str,
    retry_after: Option<u64>,
) -> AuthError {
    let mut json = Json::parse(body).unwrap_or(Json::Null);
    let detail = json.get("detail");
    let error_text = json.str_at("error");
    let list = detail.and_then(Json::as_array);
    let text = match detail {
        Some(Json::Str(s)) => Some(s.as_str()),
        Some(Json::Arr(items)) => items.first().and_then(|i| i.str_at("msg")),
        _ => error_text,
    }
    .unwrap_or("");
    let says = |words: &str| contains_ignore_case(text, words);
    let header_refused = list.is_some_and(|items| {
        items
            .iter()
            .any(|i| loc(i).first().and_then(Json::as_str) == Some("header"))
    });

    use ErrorCode::*;
    let code = match status {
        429 => RateLimited,
        401 if matches!(endpoint, Endpoint::Login) => InvalidCredentials,
        401 if says("api key") => Unauthorized,
        401 if says("expired") => SessionExpired,
        401 => Unauthorized,
        403 => Forbidden,
        404 | 405 if endpoint == Endpoint::Refresh => RefreshUnsupported,
        409 => EmailTaken,
        400 if says("already exists") || says("already registered") => EmailTaken,
        400 if endpoint == Endpoint::Login => InvalidCredentials,
        400 if says("current password") => InvalidCredentials,
        400 if endpoint == Endpoint::OAuthVerify => OAuthInvalidCallback,
        404 => NotFound,
        422 if header_refused => Unauthorized,
        400 | 413 | 415 | 422 => ValidationFailed,
        s if s >= 500 => ServerError,
        _ => BadResponse,
    };
    let mut err = AuthError::new(code);
    err.status = status;
    if code == RateLimited {
        err.retry_after = Some(retry_after.unwrap_or(1));
    }
    // The hosted service wraps login failures as "An error occured 404: ...": our own
    // sentence reads better, and the server's text stays in `detail`.
    let quirky = text
        .as_bytes()
        .get(..16)
        .is_some_and(|start| start.eq_ignore_ascii_case(b"an error occured"));
    if !text.is_empty() && !quirky && code != ServerError {
        err.message = text.to_owned();
    }
    if code == ValidationFailed {
        if let Some(items) = list {
            err.field_errors = list_field_errors(items);
        }
    }
    err.detail = json
        .take("detail")
        .or_else(|| json.take("error").filter(|e| e.as_str().is_some()));
    err
}

/// Whether `text` contains `words` (lowercase ASCII), ignoring ASCII case.
fn contains_ignore_case(text: &str, words: &str) -> bool {
    text.as_bytes()
        .windows(words.len())
        .any(|w| w.eq_ignore_ascii_case(words.as_bytes()))
}

/// FastAPI's `loc` of a `detail` item (`["body", "email"]`).
fn loc(item: &Json) -> &[Json] {
    item.get("loc").and_then(Json::as_array).unwrap_or(&[])
}

/// The field an item of FastAPI's `detail` list is about: the last part of its `loc`.
fn field_of(item: &Json) -> &str {
    match loc(item).last() {
        Some(Json::Str(s) | Json::Num(s)) => s,
        _ => "",
    }
}

/// FastAPI's `[{loc, msg, type}]` grouped by field, in the order fields first appear,
/// as the JSON text of `fieldErrors`.
fn list_field_errors(items: &[Json]) -> String {
    let mut w = Writer::new();
    w.open('{');
    for (n, item) in items.iter().enumerate() {
        let field = field_of(item);
        if items[..n].iter().any(|i| field_of(i) == field) {
            continue;
        }
        w.key(field).open('[');
        for i in items[n..].iter().filter(|i| field_of(i) == field) {
            let code = i.str_at("type").unwrap_or("invalid");
            write_reason(&mut w, code, i.str_at("msg").unwrap_or("Invalid value."));
        }
        w.close(']');
    }
    w.close('}');
    w.out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ErrorCode::*;

    fn code(endpoint: Endpoint, status: u16, body: &str) -> ErrorCode {
        decode_error(endpoint, status, body, None).code
    }

    #[test]
    fn emulator_and_hosted_statuses_map_to_one_code() {
        let cases: &[(Endpoint, u16, &str, ErrorCode)] = &[
            (
                Endpoint::Login,
                401,
                r#"{"detail":"Invalid email or password"}"#,
                InvalidCredentials,
            ),
            (
                Endpoint::Login,
                400,
                r#"{"detail":"An error occured 400: Invalid password value"}"#,
                InvalidCredentials,
            ),
            (
                Endpoint::Login,
                400,
                r#"{"detail":"An error occured 404: Account with this email does not exist"}"#,
                InvalidCredentials,
            ),
            (
                Endpoint::Login,
                400,
                r#"{"detail":"This account signs in with Google"}"#,
                InvalidCredentials,
            ),
            (
                Endpoint::Signup,
                409,
                r#"{"detail":"User with this email already exists"}"#,
                EmailTaken,
            ),
            (
                Endpoint::Signup,
                400,
                r#"{"detail":"User with this email already exists"}"#,
                EmailTaken,
            ),
            (
                Endpoint::User,
                401,
                r#"{"detail":"Token has expired"}"#,
                SessionExpired,
            ),
            (
                Endpoint::User,
                401,
                r#"{"detail":"Token has been revoked"}"#,
                Unauthorized,
            ),
            (
                Endpoint::User,
                401,
                r#"{"detail":"Invalid API key"}"#,
                Unauthorized,
            ),
            (
                Endpoint::Public,
                422,
                r#"{"detail":[{"type":"missing","loc":["header","x-api-key"],"msg":"Field required"}]}"#,
                Unauthorized,
            ),
            (
                Endpoint::Public,
                404,
                r#"{"detail":"User not found"}"#,
                NotFound,
            ),
            (
                Endpoint::Public,
                500,
                r#"{"error":"'NoneType' object","traceback":"Traceback..."}"#,
                ServerError,
            ),
            (
                Endpoint::Signup,
                422,
                r#"{"detail":[{"loc":["body","email"],"msg":"Field required","type":"missing"}]}"#,
                ValidationFailed,
            ),
            (
                Endpoint::User,
                413,
                r#"{"detail":"Body too large"}"#,
                ValidationFailed,
            ),
            (
                Endpoint::User,
                400,
                r#"{"detail":"Use change-password to change a password"}"#,
                ValidationFailed,
            ),
            (
                Endpoint::ChangePassword,
                400,
                r#"{"detail":"Current password is incorrect"}"#,
                InvalidCredentials,
            ),
            (
                Endpoint::ChangePassword,
                404,
                r#"{"detail":"Not Found"}"#,
                NotFound,
            ),
            (
                Endpoint::Refresh,
                404,
                r#"{"detail":"Not Found"}"#,
                RefreshUnsupported,
            ),
            (Endpoint::Refresh, 405, "", RefreshUnsupported),
            (
                Endpoint::Refresh,
                401,
                r#"{"detail":"Token has expired"}"#,
                SessionExpired,
            ),
            (
                Endpoint::OAuthVerify,
                400,
                r#"{"detail":"Invalid or expired code"}"#,
                OAuthInvalidCallback,
            ),
            (
                Endpoint::OAuthUrl,
                404,
                r#"{"detail":"Unknown provider"}"#,
                NotFound,
            ),
            (
                Endpoint::User,
                403,
                r#"{"detail":"Request origin not allowed for this project"}"#,
                Forbidden,
            ),
            (
                Endpoint::User,
                429,
                r#"{"detail":"Rate limit exceeded"}"#,
                RateLimited,
            ),
            (
                Endpoint::User,
                502,
                "<html><body>Bad gateway</body></html>",
                ServerError,
            ),
            (Endpoint::User, 503, "", ServerError),
            (Endpoint::User, 418, "", BadResponse),
        ];
        for (endpoint, status, body, want) in cases {
            assert_eq!(
                code(*endpoint, *status, body),
                *want,
                "{endpoint:?} {status} {body}"
            );
        }
    }

    #[test]
    fn messages_and_details() {
        let e = decode_error(
            Endpoint::Signup,
            409,
            r#"{"detail":"User with this email already exists"}"#,
            None,
        );
        assert_eq!(e.message, "User with this email already exists");
        assert_eq!(
            e.detail,
            Some(Json::str("User with this email already exists"))
        );
        assert_eq!(e.status, 409);
        assert!(!e.retryable());

        let e = decode_error(
            Endpoint::Login,
            400,
            r#"{"detail":"An error occured 400: Invalid password value"}"#,
            None,
        );
        assert_eq!(e.message, "Invalid email or password.");
        assert!(e.detail.is_some());

        // A traceback is never shown as the message.
        let e = decode_error(
            Endpoint::User,
            500,
            r#"{"error":"boom","traceback":"File x"}"#,
            None,
        );
        assert_eq!(e.message, "The server had a problem. Please try again.");
        assert_eq!(e.detail, Some(Json::str("boom")));
        assert!(e.retryable());

        let e = decode_error(Endpoint::User, 502, "<html>proxy</html>", None);
        assert_eq!(e.detail, None);
        assert_eq!(e.code, ServerError);
    }

    #[test]
    fn rate_limits_carry_retry_after() {
        let e = decode_error(Endpoint::Login, 429, "", Some(17));
        assert_eq!(
            (e.code, e.retry_after, e.retryable()),
            (RateLimited, Some(17), true)
        );
        let e = decode_error(Endpoint::Login, 429, "", None);
        assert_eq!(e.retry_after, Some(1));
    }

    #[test]
    fn detail_lists_become_field_errors() {
        let body = r#"{"detail":[
            {"loc":["body","email"],"msg":"Field required","type":"missing"},
            {"loc":["body","password"],"msg":"Too short","type":"value_error.too_short"},
            {"loc":["body","password"],"msg":"No digit","type":"value_error.missing_digit"},
            {"msg":"odd"}]}"#;
        let e = decode_error(Endpoint::Signup, 422, body, None);
        assert_eq!(e.code, ValidationFailed);
        assert_eq!(e.message, "Field required");
        assert_eq!(
            e.field_errors,
            r#"{"email":[{"code":"missing","message":"Field required"}],"password":[{"code":"value_error.too_short","message":"Too short"},{"code":"value_error.missing_digit","message":"No digit"}],"":[{"code":"invalid","message":"odd"}]}"#
        );
        // A number in `loc` names a field too; fields keep the order they first appear in.
        let body = r#"{"detail":[{"loc":["body",0],"msg":"a"},{"loc":["x"],"msg":"b"},{"loc":["body",0],"msg":"c"}]}"#;
        let e = decode_error(Endpoint::Signup, 422, body, None);
        assert_eq!(
            e.field_errors,
            r#"{"0":[{"code":"invalid","message":"a"},{"code":"invalid","message":"c"}],"x":[{"code":"invalid","message":"b"}]}"#
        );
    }

    #[test]
    fn every_code_has_a_distinct_name() {
        // The table is in the enum's order, one row per code.
        for (i, (c, _, _)) in CODES.iter().enumerate() {
            assert_eq!(*c as usize, i);
        }
        let all: Vec<ErrorCode> = CODES.iter().map(|(c, _, _)| *c).collect();
        for &c in &all {
            assert_eq!(ErrorCode::from_name(c.as_str()), Some(c));
        }
        assert_eq!(ErrorCode::from_name("nope"), None);
        let mut names: Vec<_> = all.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 19);
        assert!(all.iter().all(|c| !c.default_message().is_empty()));
    }
}
