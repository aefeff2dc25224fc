//! The one error type of the client, and the decoding of every error shape a Cocobase
//! server (ours or the hosted one) or a proxy in front of it can answer with.

use super::json::Json;
use crate::validate::Issue;

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
    OAuthDenied,
    OAuthStateMismatch,
    OAuthInvalidCallback,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        use ErrorCode::*;
        match self {
            ConfigInvalid => "config_invalid",
            SecretKeyInBrowser => "secret_key_in_browser",
            ValidationFailed => "validation_failed",
            InvalidCredentials => "invalid_credentials",
            EmailTaken => "email_taken",
            Unauthorized => "unauthorized",
            SessionMissing => "session_missing",
            SessionExpired => "session_expired",
            Forbidden => "forbidden",
            NotFound => "not_found",
            RateLimited => "rate_limited",
            NetworkError => "network_error",
            Timeout => "timeout",
            ServerError => "server_error",
            BadResponse => "bad_response",
            RefreshUnsupported => "refresh_unsupported",
            OAuthDenied => "oauth_denied",
            OAuthStateMismatch => "oauth_state_mismatch",
            OAuthInvalidCallback => "oauth_invalid_callback",
        }
    }

    /// The sentence used when the server gave none of its own.
    fn default_message(self) -> &'static str {
        use ErrorCode::*;
        match self {
            ConfigInvalid => "The client options are invalid.",
            SecretKeyInBrowser => "A secret API key must not be used in a browser.",
            ValidationFailed => "Some fields are invalid.",
            InvalidCredentials => "Invalid email or password.",
            EmailTaken => "An account with this email already exists.",
            Unauthorized => "Not authorized.",
            SessionMissing => "Nobody is signed in.",
            SessionExpired => "The session has expired. Please sign in again.",
            Forbidden => "This action is not allowed.",
            NotFound => "Not found.",
            RateLimited => "Too many requests. Please wait and try again.",
            NetworkError => "The server could not be reached.",
            Timeout => "The server took too long to answer.",
            ServerError => "The server had a problem. Please try again.",
            BadResponse => "The server sent an answer the client could not read.",
            RefreshUnsupported => "The server cannot refresh sessions.",
            OAuthDenied => "Sign-in was cancelled or denied.",
            OAuthStateMismatch => "The sign-in answer does not match a sign-in started here.",
            OAuthInvalidCallback => "The sign-in answer is invalid or has expired.",
        }
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
    /// Per-field reasons, on `validation_failed`.
    pub field_errors: Vec<(String, Vec<FieldError>)>,
}

/// One reason a field was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub code: String,
    pub message: String,
}

impl From<Issue> for FieldError {
    fn from(i: Issue) -> Self {
        FieldError {
            code: i.code.to_owned(),
            message: i.message.to_owned(),
        }
    }
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
            field_errors: Vec::new(),
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
    /// (fields with no failed rule are left out).
    pub fn from_checks(checks: Vec<(&str, Vec<Issue>)>) -> Option<Self> {
        let fields: Vec<(String, Vec<FieldError>)> = checks
            .into_iter()
            .filter(|(_, issues)| !issues.is_empty())
            .map(|(f, issues)| {
                (
                    f.to_owned(),
                    issues.into_iter().map(FieldError::from).collect(),
                )
            })
            .collect();
        (!fields.is_empty()).then(|| AuthError::fields(fields))
    }

    /// A `validation_failed` error built from local checks.
    pub fn fields(fields: Vec<(String, Vec<FieldError>)>) -> Self {
        let mut e = AuthError::new(ErrorCode::ValidationFailed);
        if let Some((_, reasons)) = fields.first() {
            if let Some(first) = reasons.first() {
                e.message = first.message.clone();
            }
        }
        e.field_errors = fields;
        e
    }
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
    let json = Json::parse(body);
    let detail = json.as_ref().and_then(|j| j.get("detail")).cloned();
    let error_text = json
        .as_ref()
        .and_then(|j| j.str_at("error"))
        .map(str::to_owned);
    let text: Option<String> = match &detail {
        Some(Json::Str(s)) => Some(s.clone()),
        Some(Json::Arr(items)) => items
            .first()
            .and_then(|i| i.str_at("msg"))
            .map(str::to_owned),
        _ => error_text.clone(),
    };
    let lower = text.as_deref().unwrap_or("").to_ascii_lowercase();
    let field_errors = match &detail {
        Some(Json::Arr(items)) => list_field_errors(items),
        _ => Vec::new(),
    };
    let header_refused = matches!(&detail, Some(Json::Arr(items))
        if items.iter().any(|i| loc_of(i).first().map(String::as_str) == Some("header")));

    use ErrorCode::*;
    let code = match status {
        429 => RateLimited,
        401 if matches!(endpoint, Endpoint::Login) => InvalidCredentials,
        401 if lower.contains("api key") => Unauthorized,
        401 if lower.contains("expired") => SessionExpired,
        401 => Unauthorized,
        403 => Forbidden,
        404 | 405 if endpoint == Endpoint::Refresh => RefreshUnsupported,
        409 => EmailTaken,
        400 if lower.contains("already exists") || lower.contains("already registered") => {
            EmailTaken
        }
        400 if endpoint == Endpoint::Login => InvalidCredentials,
        400 if lower.contains("current password") => InvalidCredentials,
        400 if endpoint == Endpoint::OAuthVerify => OAuthInvalidCallback,
        404 => NotFound,
        422 if header_refused => Unauthorized,
        400 | 413 | 415 | 422 => ValidationFailed,
        s if s >= 500 => ServerError,
        _ => BadResponse,
    };
    let mut err = AuthError::new(code);
    err.status = status;
    err.retry_after = if code == RateLimited {
        Some(retry_after.unwrap_or(1))
    } else {
        None
    };
    // The hosted service wraps login failures as "An error occured 404: ...": our own
    // sentence reads better, and the server's text stays in `detail`.
    let quirky = lower.starts_with("an error occured");
    if let Some(t) = text.filter(|t| !t.is_empty() && !quirky && code != ServerError) {
        err.message = t;
    }
    err.detail = match detail {
        Some(d) => Some(d),
        None => error_text.map(Json::Str),
    };
    if code == ValidationFailed {
        err.field_errors = field_errors;
    }
    err
}

fn loc_of(item: &Json) -> Vec<String> {
    item.get("loc")
        .and_then(Json::as_array)
        .map(|l| {
            l.iter()
                .map(|p| match p {
                    Json::Str(s) => s.clone(),
                    Json::Num(n) => n.clone(),
                    _ => String::new(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// FastAPI's `[{loc, msg, type}]` grouped by field (the last part of `loc`).
fn list_field_errors(items: &[Json]) -> Vec<(String, Vec<FieldError>)> {
    let mut out: Vec<(String, Vec<FieldError>)> = Vec::new();
    for item in items {
        let field = loc_of(item).pop().unwrap_or_default();
        let reason = FieldError {
            code: item.str_at("type").unwrap_or("invalid").to_owned(),
            message: item.str_at("msg").unwrap_or("Invalid value.").to_owned(),
        };
        match out.iter_mut().find(|(f, _)| *f == field) {
            Some((_, list)) => list.push(reason),
            None => out.push((field, vec![reason])),
        }
    }
    out
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
        assert_eq!(e.field_errors.len(), 3);
        assert_eq!(e.field_errors[1].0, "password");
        assert_eq!(e.field_errors[1].1.len(), 2);
        assert_eq!(e.field_errors[1].1[1].code, "value_error.missing_digit");
        assert_eq!(e.field_errors[2].0, "");
    }

    #[test]
    fn every_code_has_a_distinct_name() {
        let all = [
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
        ];
        let mut names: Vec<_> = all.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 19);
        assert!(all.iter().all(|c| !c.default_message().is_empty()));
    }
}
