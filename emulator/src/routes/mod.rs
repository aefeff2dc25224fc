//! The HTTP surface, grouped by resource, and the JSON shapes shared between them.

pub mod auth;
pub mod consent;
pub mod files;
pub mod hosted_sign_in;
pub mod oauth;
pub mod outbox;
pub mod password_reset;
pub mod static_files;
pub mod two_factor;
pub mod users;
pub mod verify_email;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderMap};
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::db::UserRow;
use crate::error::ApiError;
use crate::extract::MAX_MULTIPART_BYTES;
use crate::state::AppState;

/// The whole application: the API under `/auth-collections`, the emulator's own pages
/// and outbox under `/__emulator`, the verification page `/verify-email`, uploaded
/// files under `/files`, and (with `--serve`) static files.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/signup", post(auth::signup))
        .route("/login", post(auth::login))
        .route("/change-password", post(auth::change_password))
        .route("/refresh-token", post(auth::refresh))
        .route("/user", get(users::me).patch(users::update_me))
        .route("/users", get(users::list))
        .route("/users/{id}", get(users::by_id))
        .route("/oauth/{provider}", get(oauth::start))
        .route("/verify-google-login", post(oauth::verify_google))
        .route("/verify-apple-login", post(oauth::verify_apple))
        .route("/verify-github-login", post(oauth::verify_github))
        .route("/google-verify", post(hosted_sign_in::google_verify))
        .route("/github-verify", post(hosted_sign_in::github_verify))
        .route("/2fa/enable", post(two_factor::enable))
        .route("/2fa/disable", post(two_factor::disable))
        .route("/2fa/send-code", post(two_factor::send_code))
        .route("/2fa/verify", post(two_factor::verify))
        .route("/forgot-password", post(password_reset::forgot))
        .route("/verify-email/send", post(verify_email::send))
        .route("/verify-email/resend", post(verify_email::send))
        .route("/verify-email/verify", post(verify_email::verify))
        .route_layer(from_fn_with_state(state.clone(), crate::ratelimit::guard));
    // Outside the rate limiter: a faulted request is neither handled nor counted.
    let api = if state.config.faults.enabled() {
        api.route_layer(from_fn_with_state(state.clone(), crate::fault::inject))
    } else {
        api
    }
    // The pages a mailed link opens need no key (the hosted service's too), so they are
    // added after the key check and the counting.
    .route("/reset-password", post(password_reset::reset))
    .route("/reset-password-page", get(password_reset::page))
    .layer(DefaultBodyLimit::max(MAX_MULTIPART_BYTES));
    Router::new()
        .nest("/auth-collections", api)
        .route("/__emulator/health", get(health))
        .route(
            "/__emulator/oauth/{provider}/authorize",
            get(consent::consent_page).post(consent::consent_submit),
        )
        .route("/__emulator/avatar", get(consent::avatar))
        .route(
            "/__emulator/google/id-token",
            post(hosted_sign_in::mint_id_token),
        )
        .route(
            "/__emulator/outbox",
            get(outbox::list).delete(outbox::clear),
        )
        .route("/verify-email", get(verify_email::page))
        .route("/files/{id}/{name}", get(files::serve))
        .fallback(static_files::serve)
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(from_fn_with_state(
            state.clone(),
            crate::headers::cors_and_date,
        ))
        .with_state(state)
}

/// `GET /__emulator/health`: no key needed; also reports the password-hashing cost,
/// which the benchmark script prints beside its figures.
async fn health() -> Json<Value> {
    use crate::password::{M_COST_KIB, P_COST, T_COST};
    Json(json!({
        "status": "ok",
        "password_hash": {"algorithm": "argon2id", "m_cost_kib": M_COST_KIB, "t_cost": T_COST, "p_cost": P_COST},
    }))
}

/// The user as the API shows it to the user and to key holders. The password hash is
/// never part of it.
pub fn user_json(user: &UserRow, state: &AppState) -> Value {
    json!({
        "id": user.id,
        "email": user.email,
        "data": user.data,
        "roles": user.roles,
        "created_at": user.created_at,
        "client_id": state.config.project_id,
        "email_verified": user.email_verified,
        "oauth_provider": user.oauth_provider,
    })
}

/// The public profile of `GET /users/{id}`: no email.
pub fn public_profile(user: &UserRow) -> Value {
    json!({
        "id": user.id,
        "data": user.data,
        "created_at": user.created_at,
        "roles": user.roles,
    })
}

/// `{access_token, user}` with a fresh token.
pub fn token_response(user: &UserRow, state: &AppState) -> Json<Value> {
    Json(json!({
        "access_token": state.issue_token(user),
        "user": user_json(user, state),
    }))
}

/// `http://<Host>` for building absolute URLs; a missing or odd Host falls back to
/// the loopback address.
pub fn request_origin(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]_".contains(&b))
        })
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}
