//! Password reset by mail: `forgot-password` mails a link, the link opens
//! `reset-password-page`, whose form posts to `reset-password`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::auth::{check_password, MAX_EMAIL, MAX_PASSWORD};
use super::consent::esc;
use super::oauth::last;
use crate::db::TokenPurpose;
use crate::error::ApiError;
use crate::extract::{ApiKey, Fields, JsonObject};
use crate::mail::Draft;
use crate::state::AppState;
use crate::{password, random};

/// Where the default reset link points, on the emulator's base URL.
pub const RESET_PAGE_PATH: &str = "/auth-collections/reset-password-page";
/// Longest token accepted (ours are 43 characters).
pub const MAX_TOKEN: usize = 512;

/// `POST /forgot-password` `{email}`: always the same answer; a known user is mailed a
/// link with a fresh token (older ones stop working).
pub async fn forgot(
    State(state): State<AppState>,
    _key: ApiKey,
    headers: HeaderMap,
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
        let token = random::url_token();
        let now = state.clock.now_secs();
        let hash = random::sha256_hex(token.as_bytes());
        state
            .db
            .issue_token(TokenPurpose::Reset, &user, &hash, now, None)?;
        let link = state.link(
            state.config.password_reset_url.as_deref(),
            RESET_PAGE_PATH,
            &headers,
            &token,
        );
        state.mail(Draft::password_reset(&user.email, &token, &link));
    }
    Ok(Json(
        json!({ "message": "If that email exists, a reset link has been sent" }),
    ))
}

/// `POST /reset-password` `{token, new_password}` (no key): the token is checked first
/// (400), then the password against the signup rules (422, the token stays usable).
/// The reset ends every older session of the user, like change-password.
pub async fn reset(
    State(state): State<AppState>,
    JsonObject(body): JsonObject,
) -> Result<Json<Value>, ApiError> {
    let mut f = Fields::new(&body);
    let token = f.required_str("token", MAX_TOKEN);
    f.finish()?;
    let hash = random::sha256_hex(token.unwrap_or_default().as_bytes());
    let user = state
        .db
        .token_user(TokenPurpose::Reset, &hash, state.clock.now_secs())?
        .ok_or(ApiError::InvalidResetToken)?;
    let mut f = Fields::new(&body);
    let new = f.required_str("new_password", MAX_PASSWORD);
    if let Some(new) = new {
        check_password(&mut f, "new_password", new, Some(&user.email));
    }
    f.finish()?;
    let new_hash = password::hash(new.unwrap_or_default().to_string()).await?;
    // Spent and applied in one transaction: of two concurrent resets, one wins.
    let updated = state
        .db
        .use_token(TokenPurpose::Reset, &hash, state.clock.now_secs(), |u| {
            u.password_hash = Some(new_hash);
            u.token_version += 1;
            Ok(())
        })?
        .ok_or(ApiError::InvalidResetToken)?;
    state.mail(Draft::password_changed(&updated.email));
    Ok(Json(json!({ "message": "Password successfully reset" })))
}

/// `GET /reset-password-page?token=` (no key): a form that posts the token and the new
/// password to `reset-password` and shows the answer.
pub async fn page(query: Result<Query<Vec<(String, String)>>, QueryRejection>) -> Response {
    let token = query
        .ok()
        .and_then(|Query(p)| last(&p, "token").map(String::from))
        .unwrap_or_default();
    let nonce = random::hex(&random::bytes::<16>());
    let body = format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Reset your password (Cocobase emulator)</title>
<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#222}}
label{{display:block;margin:.75rem 0}}input{{display:block;width:100%;padding:.5rem;box-sizing:border-box}}
button{{padding:.5rem 1rem}}.error{{color:#b00020}}.ok{{color:#1b5e20}}</style></head>
<body><h1>Reset your password</h1>
<form id="reset" method="post" action="/auth-collections/reset-password">
<input type="hidden" name="token" value="{token}">
<label>New password <input type="password" name="new_password" required autocomplete="new-password"></label>
<button type="submit">Set password</button>
</form>
<p id="result" role="status"></p>
<script nonce="{nonce}">
const form = document.getElementById("reset");
const result = document.getElementById("result");
form.addEventListener("submit", async (event) => {{
  event.preventDefault();
  const body = {{ token: form.token.value, new_password: form.new_password.value }};
  try {{
    const res = await fetch(form.action, {{
      method: "POST",
      headers: {{ "Content-Type": "application/json" }},
      body: JSON.stringify(body),
    }});
    const answer = await res.json().catch(() => ({{}}));
    const detail = Array.isArray(answer.detail)
      ? answer.detail.map((d) => d.msg).join(" ")
      : answer.detail;
    result.className = res.ok ? "ok" : "error";
    result.textContent = res.ok ? answer.message : detail || "The password was not changed.";
    if (res.ok) form.hidden = true;
  }} catch {{
    result.className = "error";
    result.textContent = "The emulator cannot be reached.";
  }}
}});
</script>
</body></html>"#,
        token = esc(&token),
    );
    let mut res = (StatusCode::OK, Html(body)).into_response();
    let csp = format!(
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-{nonce}'; \
         connect-src 'self'; form-action 'self'; frame-ancestors 'none'"
    );
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    res
}
