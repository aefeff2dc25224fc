//! Injected faults and latency for testing clients on a bad network (`--fault-rate`,
//! `--latency`). Off by default; when on, it wraps only the API routes under
//! `/auth-collections`, so static files, `/files/*` and `/__emulator/*` stay reliable.
//!
//! A fault is decided *before* the rate limiter and the handler run: a faulted request
//! changes nothing on the server (it is not even counted against the rate limit). So
//! the server's state is exactly what the successful answers said, which is what fault
//! tests check.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http_body_util::{Full, Limited};
use serde_json::json;

use crate::state::AppState;

/// The header every injected answer carries (`500`, `502` or `429`), so tests and
/// people can tell an injected failure from a real one. A dropped connection has none.
pub const FAULT_HEADER: &str = "x-emulator-fault";

/// Longest `--latency` accepted, in milliseconds.
pub const MAX_LATENCY_MS: u64 = 60_000;

/// One kind of injected failure, each drawn with the same probability.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 500 with a JSON `{"detail": ...}`.
    ServerError,
    /// 502 with an HTML page, as a proxy would answer.
    BadGateway,
    /// The connection is closed without an answer.
    Drop,
    /// 429 with `Retry-After: 1`.
    TooManyRequests,
}

impl Fault {
    /// Every kind, in the order [`draw`] indexes them.
    pub const ALL: [Fault; 4] = [
        Fault::ServerError,
        Fault::BadGateway,
        Fault::Drop,
        Fault::TooManyRequests,
    ];
}

/// Fault settings from the command line.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FaultConfig {
    /// Share of API requests that fail, 0..=1.
    pub rate: f64,
    /// Delay before every API request, a random number of milliseconds in `min..=max`.
    pub latency_ms: Option<(u64, u64)>,
}

impl FaultConfig {
    /// Whether anything is injected at all (the layer is not installed otherwise).
    pub fn enabled(&self) -> bool {
        self.rate > 0.0 || self.latency_ms.is_some_and(|(_, max)| max > 0)
    }
}

/// Parses `--fault-rate`: a number from 0 to 1.
pub fn parse_rate(v: &str) -> Result<f64, String> {
    v.trim()
        .parse::<f64>()
        .ok()
        .filter(|p| (0.0..=1.0).contains(p))
        .ok_or_else(|| format!("--fault-rate must be a number from 0 to 1, not {v:?}"))
}

/// Parses `--latency`: `MS` or `MIN-MAX` (milliseconds, at most [`MAX_LATENCY_MS`]).
pub fn parse_latency(v: &str) -> Result<(u64, u64), String> {
    let err = || {
        format!(
            "--latency must be MS or MIN-MAX in milliseconds (at most {MAX_LATENCY_MS}), not {v:?}"
        )
    };
    let num = |s: &str| -> Result<u64, String> {
        let s = s.trim();
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        s.parse::<u64>()
            .ok()
            .filter(|n| *n <= MAX_LATENCY_MS)
            .ok_or_else(err)
    };
    let (min, max) = match v.split_once('-') {
        Some((a, b)) => (num(a)?, num(b)?),
        None => {
            let n = num(v)?;
            (n, n)
        }
    };
    if min > max {
        return Err(err());
    }
    Ok((min, max))
}

fn random_u64() -> u64 {
    u64::from_le_bytes(crate::random::bytes::<8>())
}

/// Whether this request fails, and how: `None` with probability `1 - rate`.
pub fn draw(rate: f64) -> Option<Fault> {
    if rate <= 0.0 {
        return None;
    }
    // A uniform number in [0, 1) with 53 bits of precision.
    let u = (random_u64() >> 11) as f64 / (1u64 << 53) as f64;
    if u >= rate {
        return None;
    }
    Some(Fault::ALL[(random_u64() % Fault::ALL.len() as u64) as usize])
}

/// A delay in `min..=max` milliseconds.
pub fn delay(min: u64, max: u64) -> Duration {
    let span = max.saturating_sub(min);
    let ms = if span == 0 {
        min
    } else {
        min + random_u64() % (span + 1)
    };
    Duration::from_millis(ms)
}

const BAD_GATEWAY_HTML: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n\
<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n\
<hr><center>cocobase-emulator (injected fault)</center>\r\n</body>\r\n</html>\r\n";

/// The answer for an injected fault.
pub fn respond(fault: Fault) -> Response {
    let mut res = match fault {
        Fault::ServerError => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"detail": "Internal server error (injected fault)"})),
        )
            .into_response(),
        Fault::BadGateway => (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/html")],
            BAD_GATEWAY_HTML,
        )
            .into_response(),
        Fault::TooManyRequests => {
            let mut res = (
                StatusCode::TOO_MANY_REQUESTS,
                Json(json!({"detail": "Rate limit exceeded (injected fault)"})),
            )
                .into_response();
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            res
        }
        Fault::Drop => {
            // A body that fails on its first read: hyper has only buffered the head at
            // that point, so it closes the connection without sending a byte, and the
            // client sees the connection drop. (`Limited` at 1 byte over a 2-byte body
            // is simply the smallest failing body the existing crates offer.)
            let failing = Limited::new(Full::new(Bytes::from_static(b"..")), 1);
            return Response::new(Body::new(failing));
        }
    };
    let code = match fault {
        Fault::ServerError => "500",
        Fault::BadGateway => "502",
        Fault::TooManyRequests => "429",
        Fault::Drop => "drop",
    };
    res.headers_mut()
        .insert(FAULT_HEADER, HeaderValue::from_static(code));
    res
}

/// Middleware over the API routes: waits the configured latency, then either answers
/// with an injected fault (the handler never runs) or passes the request on.
pub async fn inject(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let faults = state.config.faults;
    if let Some((min, max)) = faults.latency_ms {
        let d = delay(min, max);
        if !d.is_zero() {
            tokio::time::sleep(d).await;
        }
    }
    match draw(faults.rate) {
        Some(fault) => respond(fault),
        None => next.run(req).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_flags() {
        assert_eq!(parse_rate("0"), Ok(0.0));
        assert_eq!(parse_rate("0.2"), Ok(0.2));
        assert_eq!(parse_rate("1"), Ok(1.0));
        for bad in ["", "-0.1", "1.5", "x", "NaN", "inf"] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_latency("15"), Ok((15, 15)));
        assert_eq!(parse_latency("0-20"), Ok((0, 20)));
        for bad in [
            "", "-", "5-", "-5", "20-10", "1.5", "x-y", "60001", "+3", "1-2-3",
        ] {
            assert!(parse_latency(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn draws_every_kind_and_respects_the_rate() {
        assert_eq!(draw(0.0), None);
        let mut seen = [0usize; 4];
        for _ in 0..400 {
            let f = draw(1.0).expect("rate 1 always faults");
            seen[Fault::ALL.iter().position(|k| *k == f).unwrap()] += 1;
        }
        assert!(seen.iter().all(|n| *n > 0), "{seen:?}");
        let faulted = (0..10_000).filter(|_| draw(0.2).is_some()).count();
        assert!((1_500..2_500).contains(&faulted), "{faulted}");
        for _ in 0..100 {
            let d = delay(3, 7).as_millis();
            assert!((3..=7).contains(&d), "{d}");
        }
        assert_eq!(delay(5, 5), Duration::from_millis(5));
    }
}
