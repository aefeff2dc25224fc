//! Signup, login, change-password and refresh.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use cocobase_auth::validate::{validate_email, validate_password, Issue, PasswordPolicy};
use serde_json::{json, Map, Value};

use super::two_factor::sign_in;
use super::{files, token_response};
use crate::db::UserRow;
use crate::error::ApiError;
use crate::extract::{ApiKey, BodyWithFiles, CurrentUser, Fields, JsonObject};
use crate::state::AppState;
use crate::{password, random, time};

/// Longest email accepted anywhere (RFC 5321's path limit).
pub const MAX_EMAIL: usize = 254;
/// Longest password accepted anywhere: beyond this is no password but a payload.
pub const MAX_PASSWORD: usize = 1024;

fn issues(f: &mut Fields<'_>, field: &str, errors: &[Issue]) {
    if let Some(first) = errors.first() {
        let msg = errors
            .iter()
            .map(|i| i.message())
            .collect::<Vec<_>>()
            .join(" ");
        f.add(field, msg, format!("value_error.{}", first.code()));
    }
}

/// Adds a 422 entry for `field` when `email` breaks the shared email rules.
pub fn check_email(f: &mut Fields<'_>, field: &str, email: &str) {
    let report = validate_email(email);
    if !report.valid {
        issues(f, field, &report.errors);
    }
}

pub(crate) fn check_password(f: &mut Fields<'_>, field: &str, password: &str, email: Option<&str>) {
    let report = validate_password(password, &PasswordPolicy::default(), email);
    if !report.valid {
        issues(f, field, &report.errors);
    }
}

/// `POST /signup`: JSON or multipart; answers a token response.
pub async fn signup(
    State(state): State<AppState>,
    _key: ApiKey,
    headers: HeaderMap,
    body: BodyWithFiles,
) -> Result<Json<Value>, ApiError> {
    let mut f = Fields::new(&body.fields);
    let email = f.required_str("email", MAX_EMAIL);
    let password = f.required_str("password", MAX_PASSWORD);
    let data = f.optional_object("data").cloned().unwrap_or_default();
    let roles = f.optional_str_list("roles").unwrap_or_default();
    if let Some(email) = email {
        check_email(&mut f, "email", email);
    }
    if let Some(password) = password {
        check_password(&mut f, "password", password, email);
    }
    f.finish()?;
    let (Some(email), Some(password)) = (email, password) else {
        return Err(ApiError::Internal("signup fields"));
    };
    // Checked before hashing so that a taken email costs no argon2 run; the insert
    // checks again inside its transaction.
    if let Some(existing) = state.db.user_by_email(email)? {
        return Err(ApiError::EmailTaken {
            provider: existing.oauth_provider,
        });
    }
    let mut user = UserRow {
        id: random::uuid_v4(),
        email: email.to_string(),
        password_hash: Some(password::hash(password.to_string()).await?),
        data,
        roles: allowed_roles(&state, roles),
        created_at: time::iso8601(state.clock.now_micros()),
        ..UserRow::default()
    };
    let stored = files::store_all(&state, &headers, &body.files).await?;
    user.data.extend(files::urls_by_field(&stored));
    if let Err(e) = state.db.insert_user(&user) {
        files::remove_all(&stored).await;
        return Err(e);
    }
    Ok(token_response(&user, &state))
}

fn allowed_roles(state: &AppState, requested: Vec<String>) -> Vec<String> {
    let mut roles: Vec<String> = Vec::new();
    for role in requested {
        let allowed = match &state.config.self_roles {
            Some(list) => list.contains(&role),
            None => true,
        };
        if allowed && !roles.contains(&role) {
            roles.push(role);
        }
    }
    roles
}

/// `POST /login`: 401 `Invalid email or password` for an unknown email and a wrong
/// password alike, after the same amount of hashing work; for a user with 2FA on, the
/// second-factor step instead of a token.
pub async fn login(
    State(state): State<AppState>,
    _key: ApiKey,
    JsonObject(body): JsonObject,
) -> Result<Json<Value>, ApiError> {
    let mut f = Fields::new(&body);
    let email = f.required_str("email", MAX_EMAIL);
    let password = f.required_str("password", MAX_PASSWORD);
    f.finish()?;
    let (Some(email), Some(password)) = (email, password) else {
        return Err(ApiError::Internal("login fields"));
    };
    let user = state.db.user_by_email(email)?;
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let matches = password::verify(password.to_string(), stored).await?;
    match user {
        Some(u) if matches => sign_in(&state, &u),
        Some(UserRow {
            password_hash: None,
            oauth_provider: Some(provider),
            ..
        }) => Err(ApiError::OAuthAccount { provider }),
        _ => Err(ApiError::InvalidCredentials),
    }
}

/// `POST /change-password`: checks the current password, stores the new one and bumps
/// the token version, so every older token of the user stops working; the answer's
/// fresh token keeps the caller signed in. Mails a `password_changed` notice.
pub async fn change_password(
    State(state): State<AppState>,
    _key: ApiKey,
    CurrentUser(user): CurrentUser,
    JsonObject(body): JsonObject,
) -> Result<Json<Value>, ApiError> {
    let mut f = Fields::new(&body);
    let present = |k: &str| body.get(k).is_some_and(|v| !v.is_null());
    let current_field = if !present("current_password") && present("old_password") {
        "old_password"
    } else {
        "current_password"
    };
    let current = f.required_str(current_field, MAX_PASSWORD);
    let new = f.required_str("new_password", MAX_PASSWORD);
    if let Some(new) = new {
        check_password(&mut f, "new_password", new, Some(&user.email));
    }
    f.finish()?;
    let (Some(current), Some(new)) = (current, new) else {
        return Err(ApiError::Internal("change-password fields"));
    };
    if user.password_hash.is_none() {
        if let Some(provider) = user.oauth_provider {
            return Err(ApiError::OAuthAccount { provider });
        }
    }
    if !password::verify(current.to_string(), user.password_hash.clone()).await? {
        return Err(ApiError::WrongCurrentPassword);
    }
    let hash = password::hash(new.to_string()).await?;
    let updated = state
        .db
        .update_user(&user.id, |u| {
            u.password_hash = Some(hash);
            u.token_version += 1;
            Ok(())
        })?
        .ok_or(ApiError::Token(crate::error::TokenError::Invalid))?;
    state.mail(crate::mail::Draft::password_changed(&updated.email));
    Ok(Json(json!({
        "message": "Password changed successfully",
        "access_token": state.issue_token(&updated),
    })))
}

/// `POST /refresh-token`: a new token for a still-valid one. The old token keeps
/// working until its own `exp`, so concurrent refreshes never sign anyone out.
pub async fn refresh(
    State(state): State<AppState>,
    _key: ApiKey,
    CurrentUser(user): CurrentUser,
) -> Json<Value> {
    token_response(&user, &state)
}

/// The data keys a signup or OAuth account starts with.
pub fn oauth_profile(name: &str, picture: &str) -> Map<String, Value> {
    let mut data = Map::new();
    data.insert("name".into(), Value::String(name.to_string()));
    data.insert("picture".into(), Value::String(picture.to_string()));
    data
}
