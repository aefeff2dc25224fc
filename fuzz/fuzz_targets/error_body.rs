//! The error-body decoder: whatever a server, a proxy or a captive portal answers,
//! `decode_error` yields a typed error for every endpoint and status, and never panics.
//!
//! Input: the response body (FastAPI JSON, an HTML page, nothing, bytes).
#![no_main]

use cocobase_auth::core::error::{decode_error, Endpoint, ErrorCode};
use libfuzzer_sys::fuzz_target;

const ENDPOINTS: [Endpoint; 8] = [
    Endpoint::Signup,
    Endpoint::Login,
    Endpoint::User,
    Endpoint::ChangePassword,
    Endpoint::Refresh,
    Endpoint::OAuthUrl,
    Endpoint::OAuthVerify,
    Endpoint::Public,
];

/// One status per arm of the mapping, and the edges of `u16`.
const STATUSES: [u16; 13] = [
    0, 301, 400, 401, 403, 404, 405, 409, 413, 422, 429, 502, 65535,
];

fuzz_target!(|data: &[u8]| {
    // Bodies come off the wire as bytes; the web layer hands them over as text.
    let body = String::from_utf8_lossy(data);
    for (i, endpoint) in ENDPOINTS.into_iter().enumerate() {
        for status in STATUSES {
            // Each call parses the body again: one `Retry-After` per endpoint halves that.
            for retry_after in [[None, Some(u64::MAX)][i % 2]] {
                let e = decode_error(endpoint, status, &body, retry_after);
                assert_eq!(e.status, status);
                assert!(!e.message.is_empty(), "an error always says something");
                let limited = e.code == ErrorCode::RateLimited;
                assert_eq!(limited, status == 429);
                assert_eq!(e.retry_after.is_some(), limited, "retry_after only on 429");
                if limited {
                    assert_eq!(e.retry_after, Some(retry_after.unwrap_or(1)));
                }
                if status >= 500 {
                    assert_eq!(e.code, ErrorCode::ServerError);
                }
                if e.code != ErrorCode::ValidationFailed {
                    assert!(e.field_errors.is_empty(), "field errors only on validation");
                }
                // What JS receives must be printable.
                let _ = (
                    e.code.as_str(),
                    e.retryable(),
                    e.detail.map(|d| d.to_json()),
                );
            }
        }
    }
});
