//! Per-project rate limiting: a fixed one-minute window shared by the project's
//! publishable and secret keys. The window arithmetic is a pure function of the time,
//! so tests cross windows with a manual clock instead of sleeping.

use std::sync::Mutex;

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::extract::ApiKey;
use crate::state::AppState;

const WINDOW_SECS: i64 = 60;

/// The counter of the current window.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Start of the window, in seconds since the epoch.
    pub start: i64,
    /// Requests let through in it.
    pub count: u32,
}

/// The verdict on one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request may proceed.
    pub allowed: bool,
    /// The per-minute limit.
    pub limit: u32,
    /// Requests left in this window after this one.
    pub remaining: u32,
    /// Seconds until the window resets (at least 1).
    pub reset_secs: i64,
}

/// Counts one request at `now` (seconds) against `limit` per minute.
pub fn check(window: &mut Window, now: i64, limit: u32) -> Decision {
    let start = now - now.rem_euclid(WINDOW_SECS);
    if start != window.start {
        *window = Window { start, count: 0 };
    }
    let allowed = window.count < limit;
    if allowed {
        window.count += 1;
    }
    Decision {
        allowed,
        limit,
        remaining: limit - window.count,
        reset_secs: (start + WINDOW_SECS - now).max(1),
    }
}

/// The project's limiter; `None` limit means unlimited (nothing is counted).
#[derive(Debug)]
pub struct Limiter {
    limit: Option<u32>,
    window: Mutex<Window>,
}

impl Limiter {
    /// A limiter allowing `limit` requests per minute.
    pub fn new(limit: Option<u32>) -> Self {
        Self {
            limit,
            window: Mutex::new(Window::default()),
        }
    }

    /// Counts one request at `now`; `None` when unlimited.
    pub fn check(&self, now: i64) -> Option<Decision> {
        let limit = self.limit?;
        let mut w = self.window.lock().unwrap_or_else(|p| p.into_inner());
        Some(check(&mut w, now, limit))
    }
}

/// Middleware over `/auth-collections`: refuses requests without a valid project key
/// (401, not counted), then counts the request, answering 429 past the limit, and puts
/// the `X-RateLimit-*` headers on every counted answer.
pub async fn guard(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let key = match ApiKey::from_headers(req.headers(), &state) {
        Ok(k) => k,
        Err(e) => return e.into_response(),
    };
    req.extensions_mut().insert(key);
    let Some(d) = state.limiter.check(state.clock.now_secs()) else {
        return next.run(req).await;
    };
    let mut res = if d.allowed {
        next.run(req).await
    } else {
        let mut res = ApiError::RateLimited { limit: d.limit }.into_response();
        res.headers_mut()
            .insert("retry-after", HeaderValue::from(d.reset_secs));
        res
    };
    let h = res.headers_mut();
    h.insert("x-ratelimit-limit", HeaderValue::from(d.limit));
    h.insert("x-ratelimit-remaining", HeaderValue::from(d.remaining));
    h.insert("x-ratelimit-reset", HeaderValue::from(d.reset_secs));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_window() {
        let mut w = Window::default();
        let d = check(&mut w, 120, 2);
        assert_eq!((d.allowed, d.remaining, d.reset_secs), (true, 1, 60));
        let d = check(&mut w, 150, 2);
        assert_eq!((d.allowed, d.remaining, d.reset_secs), (true, 0, 30));
        let d = check(&mut w, 179, 2);
        assert_eq!((d.allowed, d.remaining, d.reset_secs), (false, 0, 1));
        let d = check(&mut w, 180, 2);
        assert_eq!((d.allowed, d.remaining), (true, 1));
    }
}
