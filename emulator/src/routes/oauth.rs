//! Sign-in by redirect with a built-in stand-in provider for `google`, `apple` and
//! `github`: the start URL and the code exchange (the consent page is in
//! [`super::consent`]), and the account an OAuth sign-in finds or creates.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Json;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::auth::oauth_profile;
use super::request_origin;
use super::two_factor::sign_in;
use crate::db::UserRow;
use crate::error::{ApiError, FieldError};
use crate::extract::{ApiKey, Fields, JsonObject};
use crate::state::AppState;
use crate::url::{encode_component, is_loopback_origin, origin_of};
use crate::{random, time};

/// The providers the stand-in plays.
pub const PROVIDERS: &[&str] = &["google", "apple", "github"];
/// The `client_id` the GitHub start URL names (the stand-in accepts any).
pub const GITHUB_CLIENT_ID: &str = "cocobase-emulator";
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
    // GitHub's own authorize URL names the app's client id; the stand-in's does too.
    let client = if provider == "github" {
        format!("client_id={GITHUB_CLIENT_ID}&")
    } else {
        String::new()
    };
    let url = format!(
        "{}/__emulator/oauth/{provider}/authorize?{client}redirect_uri={}",
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

/// `POST /verify-github-login`.
pub async fn verify_github(
    state: State<AppState>,
    key: ApiKey,
    headers: HeaderMap,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    verify("github", state, key, headers, body).await
}

/// `POST /verify-{provider}-login` with `{code, redirect_uri}`: a token response (or the
/// second-factor step). The first sign-in creates the account.
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
    let user = exchange(provider, &state, &headers, code, redirect_uri)?;
    sign_in(&state, &user)
}

/// Spends `code` and answers the account it was granted for, created on first use.
/// 400 when the code is unknown, used, expired, of another provider or for another
/// `redirect_uri`.
pub(crate) fn exchange(
    provider: &'static str,
    state: &AppState,
    headers: &HeaderMap,
    code: &str,
    redirect_uri: &str,
) -> Result<UserRow, ApiError> {
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
    let picture = format!(
        "{}/__emulator/avatar?name={}",
        request_origin(headers),
        encode_component(&grant.name)
    );
    let data = if provider == "github" {
        let mut data = Map::new();
        data.insert(
            "username".into(),
            username(&grant.name, &grant.email).into(),
        );
        data.insert("name".into(), grant.name.clone().into());
        data.insert("picture".into(), picture.into());
        for key in ["bio", "location", "company"] {
            data.insert(key.into(), Value::Null);
        }
        data
    } else {
        oauth_profile(&grant.name, &picture)
    };
    find_or_create(state, provider, &grant.email, data)
}

/// `username` of new Google and GitHub accounts: the name without spaces in lower case,
/// or else the email's local part.
pub(crate) fn username(name: &str, email: &str) -> String {
    let squeezed: String = name
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    if squeezed.is_empty() {
        email.split('@').next().unwrap_or("").to_string()
    } else {
        squeezed
    }
}

/// The account of `email` if it signs in with `provider`; a new one (address verified,
/// no password, `data` as given) if none has that email; 409 when another kind of
/// account holds it.
pub(crate) fn find_or_create(
    state: &AppState,
    provider: &str,
    email: &str,
    data: Map<String, Value>,
) -> Result<UserRow, ApiError> {
    match state.db.user_by_email(email)? {
        Some(u) if u.oauth_provider.as_deref() == Some(provider) => Ok(u),
        Some(u) => Err(ApiError::EmailTaken {
            provider: u.oauth_provider,
        }),
        None => {
            let now = time::iso8601(state.clock.now_micros());
            let user = UserRow {
                id: random::uuid_v4(),
                email: email.to_string(),
                data,
                created_at: now.clone(),
                oauth_provider: Some(provider.to_string()),
                email_verified: true,
                email_verified_at: Some(now),
                ..UserRow::default()
            };
            state.db.insert_user(&user)?;
            Ok(user)
        }
    }
}
