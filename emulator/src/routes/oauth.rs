//! Sign-in by redirect with a built-in stand-in provider for `google` and `apple`:
//! the start URL and the code exchange (the consent page is in [`super::consent`]).

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Json;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::auth::oauth_profile;
use super::{request_origin, token_response};
use crate::db::UserRow;
use crate::error::{ApiError, FieldError};
use crate::extract::{ApiKey, Fields, JsonObject};
use crate::state::AppState;
use crate::url::{encode_component, is_loopback_origin, origin_of};
use crate::{random, time};

/// The providers the stand-in plays.
pub const PROVIDERS: &[&str] = &["google", "apple"];
/// How long a code lives.
pub const CODE_TTL_SECS: i64 = 600;
const MAX_REDIRECT: usize = 2048;

/// The provider named by a path segment (a segment that is not even UTF-8 names none).
pub(crate) fn provider_in(
    name: Result<Path<String>, PathRejection>,
) -> Result<&'static str, ApiError> {
    let Ok(Path(name)) = name else {
        return Err(ApiError::UnknownProvider);
    };
    provider(&name)
}

fn provider(name: &str) -> Result<&'static str, ApiError> {
    PROVIDERS
        .iter()
        .copied()
        .find(|p| *p == name)
        .ok_or(ApiError::UnknownProvider)
}

/// Whether the emulator may send a browser to `uri`: absolute http(s), and its origin
/// allowed by `--allowed-redirect` (any loopback origin by default).
pub fn check_redirect(state: &AppState, uri: &str) -> Result<(), ApiError> {
    if uri.len() > MAX_REDIRECT {
        return Err(ApiError::BadRedirect("too long"));
    }
    let origin =
        origin_of(uri).ok_or(ApiError::BadRedirect("it must be an absolute http(s) URL"))?;
    let allowed = if state.config.allowed_redirects.is_empty() {
        is_loopback_origin(&origin)
    } else {
        state.config.allowed_redirects.contains(&origin)
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::BadRedirect(
            "its origin is not allowed (see the emulator's --allowed-redirect)",
        ))
    }
}

pub(crate) fn last<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

pub(crate) fn code_hash(code: &str) -> String {
    random::hex(&Sha256::digest(code.as_bytes()))
}

/// `GET /oauth/{provider}?redirect_uri=`: `{url}` of the consent page. The client adds
/// its own `&state=...`.
pub async fn start(
    State(state): State<AppState>,
    _key: ApiKey,
    headers: HeaderMap,
    name: Result<Path<String>, PathRejection>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let provider = provider_in(name)?;
    let Query(params) = query.map_err(|_| {
        ApiError::Validation(vec![FieldError::at(
            &["query"],
            "Malformed query string",
            "query_invalid",
        )])
    })?;
    let redirect_uri = last(&params, "redirect_uri")
        .filter(|r| !r.is_empty())
        .ok_or_else(|| {
            ApiError::Validation(vec![FieldError::at(
                &["query", "redirect_uri"],
                "Field required",
                "missing",
            )])
        })?;
    check_redirect(&state, redirect_uri)?;
    let url = format!(
        "{}/__emulator/oauth/{provider}/authorize?redirect_uri={}",
        request_origin(&headers),
        encode_component(redirect_uri)
    );
    Ok(Json(json!({ "url": url })))
}

/// `POST /verify-google-login`.
pub async fn verify_google(
    state: State<AppState>,
    key: ApiKey,
    headers: HeaderMap,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    verify("google", state, key, headers, body).await
}

/// `POST /verify-apple-login`.
pub async fn verify_apple(
    state: State<AppState>,
    key: ApiKey,
    headers: HeaderMap,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    verify("apple", state, key, headers, body).await
}

/// `POST /verify-{provider}-login` with `{code, redirect_uri}`: a token response. The
/// first sign-in creates the account. (Other providers have no route, hence 404.)
async fn verify(
    provider: &'static str,
    State(state): State<AppState>,
    _key: ApiKey,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> Result<Json<Value>, ApiError> {
    let mut f = Fields::new(&body);
    let code = f.required_str("code", 512);
    let redirect_uri = f.required_str("redirect_uri", MAX_REDIRECT);
    f.finish()?;
    let (Some(code), Some(redirect_uri)) = (code, redirect_uri) else {
        return Err(ApiError::Internal("verify fields"));
    };
    // Looked up by hash: the database never holds a usable code, and the lookup's
    // timing says nothing about the code itself.
    let grant = state
        .db
        .take_code(&code_hash(code))?
        .ok_or(ApiError::InvalidCode)?;
    let valid = grant.provider == provider
        && grant.redirect_uri == redirect_uri
        && state.clock.now_secs() < grant.expires_at;
    if !valid {
        return Err(ApiError::InvalidCode);
    }
    let user = match state.db.user_by_email(&grant.email)? {
        Some(u) if u.oauth_provider.as_deref() == Some(provider) => u,
        Some(u) => {
            return Err(ApiError::EmailTaken {
                provider: u.oauth_provider,
            })
        }
        None => {
            let picture = format!(
                "{}/__emulator/avatar?name={}",
                request_origin(&headers),
                encode_component(&grant.name)
            );
            let user = UserRow {
                id: random::uuid_v4(),
                email: grant.email.clone(),
                password_hash: None,
                data: oauth_profile(&grant.name, &picture),
                roles: Vec::new(),
                created_at: time::iso8601(state.clock.now_micros()),
                oauth_provider: Some(provider.to_string()),
                token_version: 0,
            };
            state.db.insert_user(&user)?;
            user
        }
    };
    Ok(token_response(&user, &state))
}
