//! Headers every answer carries: CORS (errors and 429s included) and `Date`.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;
use crate::time::http_date;

// DELETE is for the outbox (`DELETE /__emulator/outbox`), which test pages call too.
const ALLOW_METHODS: &str = "GET, POST, PATCH, DELETE, OPTIONS";
const ALLOW_HEADERS: &str = "Authorization, x-api-key, Content-Type";
const EXPOSE_HEADERS: &str =
    "Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Date";
const MAX_AGE: &str = "600";

/// Answers preflights (`OPTIONS`, 204, never counted) and adds the CORS headers and a
/// `Date` (from the app's clock, so it agrees with the tokens' `iat`) to every answer.
pub async fn cors_and_date(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let origin = req.headers().get(header::ORIGIN).cloned();
    let mut res = if req.method() == Method::OPTIONS {
        let mut res = StatusCode::NO_CONTENT.into_response();
        let h = res.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(ALLOW_METHODS),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(ALLOW_HEADERS),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static(MAX_AGE),
        );
        res
    } else {
        next.run(req).await
    };
    let h = res.headers_mut();
    if let Some(origin) = origin {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
    h.append(header::VARY, HeaderValue::from_static("Origin"));
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSE_HEADERS),
    );
    if let Ok(date) = HeaderValue::from_str(&http_date(state.clock.now_secs())) {
        h.insert(header::DATE, date);
    }
    res
}
