//! Email verification: `verify-email/send` (or `resend`) mails a link, and either
//! `verify-email/verify` or the root page `GET /verify-email?token=` confirms it.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use serde_json::{json, Value};

use super::consent::{esc, html_response};
use super::oauth::last;
use super::password_reset::MAX_TOKEN;
use crate::db::{TokenPurpose, UserRow};
use crate::error::ApiError;
use crate::extract::{ApiKey, CurrentUser, Fields, JsonObject};
use crate::mail::Draft;
use crate::state::AppState;
use crate::{random, time};

/// Where the default verification link points, on the emulator's base URL.
pub const VERIFY_PAGE_PATH: &str = "/verify-email";
/// A second request this soon after an unused link sends nothing.
pub const QUIET_SECS: i64 = 300;

/// `POST /verify-email/send` and `/verify-email/resend`: mails a link valid 24 hours,
/// unless the address is verified or a link went out in the last 5 minutes.
pub async fn send(
    State(state): State<AppState>,
    _key: ApiKey,
    headers: HeaderMap,
    CurrentUser(user): CurrentUser,
) -> Result<Json<Value>, ApiError> {
    if user.email_verified {
        return Ok(Json(json!({ "message": "Email already verified" })));
    }
    let token = random::url_token();
    let hash = random::sha256_hex(token.as_bytes());
    let now = state.clock.now_secs();
    let sent = state
        .db
        .issue_token(TokenPurpose::Verify, &user, &hash, now, Some(QUIET_SECS))?;
    if !sent {
        return Ok(Json(json!({
            "message": "Verification email already sent. Please check your inbox."
        })));
    }
    let link = state.link(
        state.config.verification_url.as_deref(),
        VERIFY_PAGE_PATH,
        &headers,
        &token,
    );
    state.mail(Draft::email_verification(&user.email, &token, &link));
    Ok(Json(json!({
        "message": "Verification email sent successfully. Please check your inbox.",
        "expires_in_hours": TokenPurpose::Verify.ttl_secs() / 3600,
    })))
}

/// Spends a live verification token and marks its user verified.
fn confirm(state: &AppState, token: &str) -> Result<UserRow, ApiError> {
    let hash = random::sha256_hex(token.as_bytes());
    let at = time::iso8601(state.clock.now_micros());
    state
        .db
        .use_token(TokenPurpose::Verify, &hash, state.clock.now_secs(), |u| {
            u.email_verified = true;
            u.email_verified_at = Some(at);
            Ok(())
        })?
        .ok_or(ApiError::InvalidVerificationToken)
}

/// `POST /verify-email/verify` `{token}`.
pub async fn verify(
    State(state): State<AppState>,
    _key: ApiKey,
    JsonObject(body): JsonObject,
) -> Result<Json<Value>, ApiError> {
    let mut f = Fields::new(&body);
    let token = f.required_str("token", MAX_TOKEN);
    f.finish()?;
    let user = confirm(&state, token.unwrap_or_default())?;
    Ok(Json(json!({
        "message": "Email verified successfully!",
        "email_verified": true,
        "verified_at": user.email_verified_at,
    })))
}

/// `GET /verify-email?token=` (root, no key): verifies, then a page saying so (200),
/// or that the link is invalid or expired (400).
pub async fn page(
    State(state): State<AppState>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let token = query
        .ok()
        .and_then(|Query(p)| last(&p, "token").map(String::from))
        .filter(|t| !t.is_empty() && t.len() <= MAX_TOKEN);
    let result = match token {
        Some(t) => confirm(&state, &t).map(Some),
        None => Ok(None),
    };
    let (status, title, text) = match result {
        Ok(Some(user)) => (
            StatusCode::OK,
            "Email verified",
            format!("{} is verified. You can close this page.", user.email),
        ),
        Ok(None) | Err(ApiError::InvalidVerificationToken) => (
            StatusCode::BAD_REQUEST,
            "Link invalid or expired",
            "This verification link is invalid, expired or already used. Ask for a new one."
                .to_string(),
        ),
        Err(e) => return Err(e),
    };
    let body = format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} (Cocobase emulator)</title>
<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#222}}</style></head>
<body><h1>{title}</h1><p>{text}</p></body></html>"#,
        text = esc(&text),
    );
    Ok(html_response(status, body))
}
