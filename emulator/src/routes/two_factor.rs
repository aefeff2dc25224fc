//! The second factor (`/2fa/*`): turning it on and off, mailed 6-digit codes, and the
//! step every sign-in goes through ([`sign_in`]).

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use super::auth::MAX_EMAIL;
use super::{token_response, user_json};
use crate::db::{Challenge, CodeCheck, UserRow};
use crate::error::ApiError;
use crate::extract::{ApiKey, CurrentUser, Fields, JsonObject};
use crate::mail::Draft;
use crate::random;
use crate::state::AppState;

/// Digits in a code.
pub const CODE_DIGITS: usize = 6;

/// How a code is stored: salted with the user id, so equal codes of two users differ.
fn code_hash(user_id: &str, code: &str) -> String {
    random::sha256_hex(format!("{user_id}:{code}").as_bytes())
}

fn has_two_factor(state: &AppState, user: &UserRow) -> bool {
    state.config.two_factor && user.two_factor == Some(true)
}

/// Stores and mails a new code unless the limits say otherwise; 429 past
/// [`crate::db::codes::MAX_CODES_PER_WINDOW`].
fn issue(state: &AppState, user: &UserRow, reuse_recent: bool) -> Result<Challenge, ApiError> {
    let code = random::digits(CODE_DIGITS);
    let now = state.clock.now_secs();
    match state
        .db
        .issue_code(&user.id, &code_hash(&user.id, &code), now, reuse_recent)?
    {
        Challenge::TooMany { retry_after } => Err(ApiError::TooManyCodes { retry_after }),
        Challenge::Sent => {
            state.mail(Draft::two_factor_code(&user.email, &code));
            Ok(Challenge::Sent)
        }
        Challenge::AlreadySent => Ok(Challenge::AlreadySent),
    }
}

/// The answer to a successful first factor (password, OAuth code, ID token): a token
/// response, or, for a user with 2FA on, `{requires_2fa: true, message}` and a mailed
/// code (none while an unused one is less than 2 minutes old).
pub fn sign_in(state: &AppState, user: &UserRow) -> Result<Json<Value>, ApiError> {
    if !has_two_factor(state, user) {
        return Ok(token_response(user, state));
    }
    let message = match issue(state, user, true)? {
        Challenge::AlreadySent => "2FA code already sent. Please check your email.",
        _ => "2FA code sent to your email",
    };
    Ok(Json(json!({ "requires_2fa": true, "message": message })))
}

/// `POST /2fa/enable`: 400 when the project has 2FA off.
pub async fn enable(
    State(state): State<AppState>,
    _key: ApiKey,
    CurrentUser(user): CurrentUser,
) -> Result<Json<Value>, ApiError> {
    if !state.config.two_factor {
        return Err(ApiError::TwoFactorUnavailable);
    }
    state.db.update_user(&user.id, |u| {
        u.two_factor = Some(true);
        Ok(())
    })?;
    Ok(Json(json!({ "message": "2FA enabled successfully" })))
}

/// `POST /2fa/disable`: 404 for a user who never turned it on; spends pending codes.
pub async fn disable(
    State(state): State<AppState>,
    _key: ApiKey,
    CurrentUser(user): CurrentUser,
) -> Result<Json<Value>, ApiError> {
    if user.two_factor.is_none() {
        return Err(ApiError::TwoFactorNotFound);
    }
    state.db.update_user(&user.id, |u| {
        u.two_factor = Some(false);
        Ok(())
    })?;
    state.db.spend_codes(&user.id)?;
    Ok(Json(json!({ "message": "2FA disabled successfully" })))
}

/// `POST /2fa/send-code` `{email}`: a new code, spending older ones. The same answer,
/// and no mail, for an unknown email or a user without 2FA.
pub async fn send_code(
    State(state): State<AppState>,
    _key: ApiKey,
    JsonObject(body): JsonObject,
) -> Result<Json<Value>, ApiError> {
    let mut f = Fields::new(&body);
    let email = f.required_str("email", MAX_EMAIL);
    f.finish()?;
    if let Some(user) = email
        .map(|e| state.db.user_by_email(e))
        .transpose()?
        .flatten()
    {
        if has_two_factor(&state, &user) {
            issue(&state, &user, false)?;
        }
    }
    Ok(Json(json!({ "message": "2FA code sent" })))
}

/// `POST /2fa/verify` `{email, code}`: the token response for the user's live code.
pub async fn verify(
    State(state): State<AppState>,
    _key: ApiKey,
    JsonObject(body): JsonObject,
) -> Result<Json<Value>, ApiError> {
    let mut f = Fields::new(&body);
    let email = f.required_str("email", MAX_EMAIL);
    let code = f.required_str("code", 64);
    f.finish()?;
    let (Some(email), Some(code)) = (email, code) else {
        return Err(ApiError::Internal("2fa verify fields"));
    };
    let user = state
        .db
        .user_by_email(email)?
        .ok_or(ApiError::InvalidTwoFactorCode)?;
    let now = state.clock.now_secs();
    match state
        .db
        .check_code(&user.id, &code_hash(&user.id, code.trim()), now)?
    {
        CodeCheck::Valid => Ok(Json(json!({
            "access_token": state.issue_token(&user),
            "user": user_json(&user, &state),
            "message": "2FA verification successful",
        }))),
        CodeCheck::Stale => Err(ApiError::TwoFactorCodeStale),
        CodeCheck::Wrong => Err(ApiError::InvalidTwoFactorCode),
    }
}
