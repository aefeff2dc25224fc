//! The hosted service's own sign-ins: `google-verify` with a Google ID token and
//! `github-verify` with a GitHub code, plus the stand-in that mints ID tokens
//! (`POST /__emulator/google/id-token`).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use cocobase_auth::validate::validate_email;
use serde_json::{json, Map, Value};

use super::auth::MAX_EMAIL;
use super::oauth::{exchange, find_or_create, username};
use super::request_origin;
use super::two_factor::sign_in;
use crate::error::ApiError;
use crate::extract::{ApiKey, Fields, JsonObject};
use crate::google::{self, Profile};
use crate::random;
use crate::state::AppState;
use crate::url::encode_component;

const MAX_NAME: usize = 200;
const MAX_ID_TOKEN: usize = 8192;
const MAX_REDIRECT: usize = 2048;

/// `POST /__emulator/google/id-token` `{email, name?}` (no key): `{id_token}`, a
/// Google-shaped ID token for the configured client id, valid an hour.
pub async fn mint_id_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> Result<Json<Value>, ApiError> {
    let mut f = Fields::new(&body);
    let email = f.required_str("email", MAX_EMAIL);
    let name = f.optional_str("name", MAX_NAME);
    if let Some(email) = email {
        super::auth::check_email(&mut f, "email", email);
    }
    f.finish()?;
    let email = email.unwrap_or_default().trim();
    let name = match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => n.to_string(),
        None => email.split('@').next().unwrap_or("").to_string(),
    };
    let (given_name, family_name) = match name.split_once(' ') {
        Some((g, f)) => (g.to_string(), f.trim().to_string()),
        None => (name.clone(), String::new()),
    };
    // A stable, Google-like numeric account id derived from the address.
    let digest = random::sha256_hex(crate::db::email_key(email).as_bytes());
    let sub = u64::from_str_radix(&digest[..15], 16)
        .unwrap_or(0)
        .to_string();
    let profile = Profile {
        sub,
        email: email.to_string(),
        picture: format!(
            "{}/__emulator/avatar?name={}",
            request_origin(&headers),
            encode_component(&name)
        ),
        name,
        given_name,
        family_name,
    };
    let claims = google::claims(
        &profile,
        &state.config.google_client_id,
        state.clock.now_secs(),
    );
    Ok(Json(
        json!({ "id_token": google::sign(&claims, state.google_secret()) }),
    ))
}

/// `POST /google-verify` `{id_token, platform?}`: a token response (or the second-factor
/// step) for a valid ID token of the stand-in; the first sign-in creates the account.
pub async fn google_verify(
    State(state): State<AppState>,
    _key: ApiKey,
    JsonObject(body): JsonObject,
) -> Result<Json<Value>, ApiError> {
    let mut f = Fields::new(&body);
    let id_token = f.required_str("id_token", MAX_ID_TOKEN);
    f.optional_str("platform", 64);
    f.finish()?;
    let profile = google::verify(
        id_token.unwrap_or_default(),
        state.google_secret(),
        &state.config.google_client_id,
        state.clock.now_secs(),
    )
    .map_err(ApiError::InvalidGoogleToken)?;
    if !validate_email(&profile.email).valid || profile.email.chars().count() > MAX_EMAIL {
        return Err(ApiError::InvalidGoogleToken("unusable email"));
    }
    let mut data = Map::new();
    data.insert("given_name".into(), profile.given_name.clone().into());
    data.insert("family_name".into(), profile.family_name.clone().into());
    data.insert("name".into(), profile.name.clone().into());
    data.insert("picture".into(), profile.picture.clone().into());
    data.insert(
        "username".into(),
        username(&profile.name, &profile.email).into(),
    );
    let user = find_or_create(&state, "google", &profile.email, data)?;
    sign_in(&state, &user)
}

/// `POST /github-verify` `{code, redirect_uri, platform?}` with a code of the stand-in's
/// consent page, or `{access_token}`, which the emulator cannot check (400).
pub async fn github_verify(
    State(state): State<AppState>,
    _key: ApiKey,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> Result<Json<Value>, ApiError> {
    let mut f = Fields::new(&body);
    let code = f.optional_str("code", 512);
    let redirect_uri = f.optional_str("redirect_uri", MAX_REDIRECT);
    let access_token = f.optional_str("access_token", 4096);
    f.optional_str("platform", 64);
    f.finish()?;
    let user = match (code, redirect_uri, access_token) {
        (Some(code), Some(redirect_uri), _) => {
            exchange("github", &state, &headers, code, redirect_uri)?
        }
        (Some(_), None, _) => {
            return Err(ApiError::GithubRequest(
                "'redirect_uri' is required when using 'code'",
            ))
        }
        (None, _, Some(_)) => return Err(ApiError::InvalidGithubToken),
        (None, _, None) => {
            return Err(ApiError::GithubRequest(
                "Either 'access_token' or 'code' must be provided",
            ))
        }
    };
    sign_in(&state, &user)
}
