//! One error type for every handler, answered in FastAPI's shapes:
//! `{"detail": "message"}` or, for a malformed request, 422 with a `detail` list.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::json;

/// One entry of a 422 `detail` list, e.g. `{"loc":["body","email"],"msg":"Field required","type":"missing"}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldError {
    /// Where: `["body", "email"]`, `["query", "limit"]`.
    pub loc: Vec<String>,
    /// A human sentence.
    pub msg: String,
    /// A machine code in pydantic's style (`missing`, `string_type`, `value_error.<code>`).
    #[serde(rename = "type")]
    pub kind: String,
}

impl FieldError {
    /// An error about a field of the JSON body.
    pub fn body(field: &str, msg: impl Into<String>, kind: impl Into<String>) -> Self {
        Self::at(&["body", field], msg, kind)
    }

    /// An error at an arbitrary location.
    pub fn at(loc: &[&str], msg: impl Into<String>, kind: impl Into<String>) -> Self {
        Self {
            loc: loc.iter().map(|s| s.to_string()).collect(),
            msg: msg.into(),
            kind: kind.into(),
        }
    }
}

/// Why a user token was refused (always 401 with `WWW-Authenticate: Bearer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    /// No `Authorization: Bearer` header.
    Missing,
    /// Not a token of ours, tampered with, or for a user that no longer exists.
    Invalid,
    /// Past its `exp`.
    Expired,
    /// Issued before the user's last password change.
    Revoked,
}

/// Every way a request can fail.
#[derive(Debug)]
pub enum ApiError {
    /// 401: no project key, or not one of ours.
    InvalidApiKey,
    /// 401 with `WWW-Authenticate: Bearer`.
    Token(TokenError),
    /// 401: unknown email or wrong password (the same answer, so accounts can't be probed).
    InvalidCredentials,
    /// 422 with a `detail` list.
    Validation(Vec<FieldError>),
    /// 409: the email belongs to another account; `provider` says how that one signs in.
    EmailTaken {
        /// `None` for a password account.
        provider: Option<String>,
    },
    /// 400: password login to an account created by OAuth.
    OAuthAccount {
        /// `google` or `apple`.
        provider: String,
    },
    /// 400: change-password with a wrong current password.
    WrongCurrentPassword,
    /// 400: `PATCH /user` tried to set a password.
    PasswordViaPatch,
    /// 400: OAuth code unknown, used, expired or for another redirect_uri.
    InvalidCode,
    /// 400: a redirect_uri that is not absolute http(s) or not allowed.
    BadRedirect(&'static str),
    /// 404: unknown OAuth provider.
    UnknownProvider,
    /// 404: no user with that id.
    UserNotFound,
    /// 404: no such route or file.
    NotFound,
    /// 405.
    MethodNotAllowed,
    /// 413 with a message naming the limit.
    TooLarge(&'static str),
    /// 415.
    UnsupportedMediaType(&'static str),
    /// 429; the rate-limit headers are added by the limiter.
    RateLimited {
        /// Requests per minute.
        limit: u32,
    },
    /// 400: `2fa/enable` in a project with 2FA off (`--no-2fa`).
    TwoFactorUnavailable,
    /// 404: `2fa/disable` for a user who never turned 2FA on.
    TwoFactorNotFound,
    /// 400: `2fa/verify` with an unknown email or a wrong code (the same answer).
    InvalidTwoFactorCode,
    /// 400: `2fa/verify` with a used, replaced, spent or expired code.
    TwoFactorCodeStale,
    /// 429 with `Retry-After`: too many second-factor codes for one user.
    TooManyCodes {
        /// Seconds until another code may be sent.
        retry_after: i64,
    },
    /// 400: reset token unknown, used, replaced or expired.
    InvalidResetToken,
    /// 400: verification token unknown, used, replaced or expired.
    InvalidVerificationToken,
    /// 400: a Google ID token the emulator did not issue, or one it refuses.
    InvalidGoogleToken(&'static str),
    /// 400: `github-verify` without a usable `code` or `redirect_uri`.
    GithubRequest(&'static str),
    /// 400: `github-verify` with `access_token`, which the emulator cannot check.
    InvalidGithubToken,
    /// 500: something broke on our side. The cause is logged (without secrets), not sent.
    Internal(&'static str),
}

impl ApiError {
    /// A 422 for one field.
    pub fn field(field: &str, msg: impl Into<String>, kind: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::body(field, msg, kind)])
    }

    /// The status code of this error.
    pub fn status(&self) -> StatusCode {
        use ApiError::*;
        match self {
            InvalidApiKey | Token(_) | InvalidCredentials => StatusCode::UNAUTHORIZED,
            Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            EmailTaken { .. } => StatusCode::CONFLICT,
            OAuthAccount { .. }
            | WrongCurrentPassword
            | PasswordViaPatch
            | InvalidCode
            | BadRedirect(_)
            | TwoFactorUnavailable
            | InvalidTwoFactorCode
            | TwoFactorCodeStale
            | InvalidResetToken
            | InvalidVerificationToken
            | InvalidGoogleToken(_)
            | GithubRequest(_)
            | InvalidGithubToken => StatusCode::BAD_REQUEST,
            UnknownProvider | UserNotFound | NotFound | TwoFactorNotFound => StatusCode::NOT_FOUND,
            MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            RateLimited { .. } | TooManyCodes { .. } => StatusCode::TOO_MANY_REQUESTS,
            Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn message(&self) -> String {
        use ApiError::*;
        match self {
            InvalidApiKey => "Invalid API key".into(),
            Token(TokenError::Missing) => "Not authenticated".into(),
            Token(TokenError::Invalid) => "Invalid token".into(),
            Token(TokenError::Expired) => "Token has expired".into(),
            Token(TokenError::Revoked) => {
                "Token has been revoked (the password was changed); sign in again".into()
            }
            InvalidCredentials => "Invalid email or password".into(),
            Validation(_) => String::new(),
            EmailTaken { provider: None } => {
                "User with this email already exists (it signs in with email and password)".into()
            }
            EmailTaken { provider: Some(p) } => format!(
                "User with this email already exists (it signs in with {} Sign-In)",
                provider_label(p)
            ),
            OAuthAccount { provider } => format!(
                "This account was created with {0} Sign-In and has no password; sign in with {0}",
                provider_label(provider)
            ),
            WrongCurrentPassword => "Current password is incorrect".into(),
            PasswordViaPatch => {
                "The password cannot be changed here; use POST /auth-collections/change-password"
                    .into()
            }
            InvalidCode => "Invalid or expired code".into(),
            BadRedirect(why) => format!("Invalid redirect_uri: {why}"),
            UnknownProvider => "Unknown OAuth provider (use google, apple or github)".into(),
            UserNotFound => "User not found".into(),
            NotFound => "Not Found".into(),
            MethodNotAllowed => "Method Not Allowed".into(),
            TooLarge(what) => (*what).into(),
            UnsupportedMediaType(what) => (*what).into(),
            RateLimited { limit } => {
                format!("Rate limit exceeded: {limit} requests per minute")
            }
            TwoFactorUnavailable => "2FA is not enabled for this project".into(),
            TwoFactorNotFound => "2FA settings not found".into(),
            InvalidTwoFactorCode => "Invalid email or code".into(),
            TwoFactorCodeStale => "Code expired or already used".into(),
            TooManyCodes { .. } => "Too many verification attempts. Please try again later.".into(),
            InvalidResetToken => "Invalid or expired reset token".into(),
            InvalidVerificationToken => "Invalid or expired verification token".into(),
            InvalidGoogleToken(why) => format!("Invalid Google ID token: {why}"),
            GithubRequest(why) => (*why).into(),
            InvalidGithubToken => "Invalid GitHub access token".into(),
            Internal(_) => "Internal server error".into(),
        }
    }
}

/// `google` → `Google`, `github` → `GitHub`.
pub fn provider_label(provider: &str) -> String {
    if provider == "github" {
        return "GitHub".into();
    }
    let mut c = provider.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let ApiError::Internal(what) = &self {
            eprintln!("cocobase-emulator: internal error: {what}");
        }
        let body = match &self {
            ApiError::Validation(list) => json!({ "detail": list }),
            other => json!({ "detail": other.message() }),
        };
        let mut res = (status, Json(body)).into_response();
        if matches!(self, ApiError::Token(_)) {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let ApiError::TooManyCodes { retry_after } = self {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after.max(1)));
        }
        res
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        // rusqlite's messages carry no bound values, so they are safe to log.
        eprintln!("cocobase-emulator: database error: {e}");
        ApiError::Internal("database")
    }
}
