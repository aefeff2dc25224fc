//! The error decoder: whatever a server, a proxy or a captive portal answers,
//! `decode_error` yields one typed error for every endpoint and status, never panics,
//! and `answer` gives the same error for every op outside 2xx.
//!
//! Input: `<status>[ <Retry-After>]\n<body>`; the first line may be anything (no status
//! read: only the fixed ones are tried; no space: no Retry-After). The body is read by
//! serde_json (`None` when it is not JSON, as the glue hands it over).
#![no_main]

mod codec;

use cocobase_auth::core::answer::{answer, Received};
use cocobase_auth::core::error::{decode_error, Endpoint, ErrorCode};
use cocobase_auth::core::json::Codec;
use cocobase_auth::core::request::Op;
use codec::Json;
use libfuzzer_sys::fuzz_target;

const ENDPOINTS: [Endpoint; 7] = [
    Endpoint::Login,
    Endpoint::Refresh,
    Endpoint::OauthVerify,
    Endpoint::TwoFactorVerify,
    Endpoint::TwoFactorEnable,
    Endpoint::MailedToken,
    Endpoint::Other,
];

/// One status per arm of the mapping, and the edges of `u16`.
const STATUSES: [u16; 14] = [
    0, 301, 400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 502, 65535,
];

fuzz_target!(|data: &[u8]| {
    // Bodies come off the wire as bytes; the glue hands them over as text.
    let text = String::from_utf8_lossy(data);
    let (head, body) = text.split_once('\n').unwrap_or(("", &text));
    let (status, retry_after) = match head.split_once(' ') {
        Some((s, r)) => (s, Some(r)),
        None => (head, None),
    };
    let parsed: Option<u16> = status.parse().ok();
    let body = Json.parse(body);
    let statuses = STATUSES.iter().copied().chain(parsed);
    for status in statuses {
        for endpoint in ENDPOINTS {
            let e = decode_error(endpoint, status, body.as_ref(), retry_after);
            assert_eq!(e.status, status);
            assert!(!e.message.is_empty(), "an error always says something");
            let limited = e.code == ErrorCode::RateLimited;
            assert_eq!(limited, status == 429);
            assert_eq!(e.retry_after.is_some(), limited, "retry_after only on 429");
            if let Some(secs) = e.retry_after {
                assert!(secs.is_finite() && secs >= 0.0 && secs < 18_446_744_073_709_551_616.0);
                if retry_after.is_none() {
                    assert_eq!(secs, 1.0);
                }
            }
            if status >= 500 {
                assert_eq!(e.code, ErrorCode::ServerError);
                assert_eq!(e.message, e.code.default_message(), "no traceback shown");
            }
            assert_eq!(
                e.field_errors.is_some(),
                e.code == ErrorCode::ValidationFailed,
                "field errors only on validation"
            );
            let new_codes = [
                (ErrorCode::InvalidCode, Endpoint::TwoFactorVerify),
                (ErrorCode::InvalidToken, Endpoint::MailedToken),
                (ErrorCode::TwoFactorUnavailable, Endpoint::TwoFactorEnable),
                (ErrorCode::OauthInvalidCallback, Endpoint::OauthVerify),
                (ErrorCode::RefreshUnsupported, Endpoint::Refresh),
            ];
            for (code, only) in new_codes {
                if e.code == code {
                    assert_eq!(endpoint, only, "{code:?} only from its endpoint");
                }
            }
            // What JS receives must serialize.
            serde_json::to_string(&e.detail).expect("detail");
        }
        // (A few statuses only: every op and status would slow the target tenfold.)
        if (200..=299).contains(&status)
            || !matches!(status, 400 | 401 | 404 | 429) && Some(status) != parsed
        {
            continue;
        }
        // `answer` outside 2xx is `decode_error` of the op's endpoint.
        for op in Op::ALL {
            let received = Received {
                retry_after,
                date_ms: None,
                now_ms: 0,
            };
            let out = answer(op, status, body.as_ref(), received, None, &Json);
            assert_eq!(
                out,
                Err(decode_error(
                    op.endpoint(),
                    status,
                    body.as_ref(),
                    retry_after
                )),
                "{op:?} {status}"
            );
        }
    }
});
