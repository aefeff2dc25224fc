//! Token timing: `is_jwt`, `claims`, `local_expiry`, `local_expiry_of_exp` and
//! `base64url_decode` never panic (no overflow either: fuzz builds keep overflow checks
//! on), and agree with each other.
//!
//! Input: the token text, as a server or a stored record would hand it over.
#![no_main]

mod codec;

use cocobase_auth::core::token::{
    base64url_decode, claims, is_jwt, local_expiry, local_expiry_of_exp, to_ms,
};
use codec::Json;
use libfuzzer_sys::fuzz_target;

/// Receipt times and `Date` headers that reach every branch and every overflow edge.
const CLOCKS: [(i64, Option<i64>); 7] = [
    (0, None),
    (1_700_000_000_000, None),
    (1_700_000_000_000, Some(1_699_999_000_000)),
    (i64::MAX, Some(i64::MIN)),
    (i64::MIN, Some(i64::MAX)),
    (i64::MAX, Some(0)),
    (-1, Some(0)),
];

/// What a stored record can keep: a JavaScript number below 2^63.
fn storable(ms: i64) -> Option<i64> {
    ((ms as f64).abs() < 9.223_372_036_854_776e18).then_some(ms)
}

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let c = claims(token, &Json);
    let jwt = is_jwt(token);
    if jwt {
        assert_eq!(token.split('.').count(), 3, "a JWT has three parts");
    } else {
        assert_eq!(c, None, "claims of what is no JWT");
    }
    assert_eq!(
        local_expiry_of_exp(token, &Json),
        c.and_then(|c| to_ms(c.exp)),
        "exp on the local clock"
    );
    for (received, date) in CLOCKS {
        let expiry = local_expiry(token, received, date, &Json);
        let want = c.and_then(|c| {
            let exp = to_ms(c.exp)?;
            let server_now = match (c.iat, date) {
                (Some(iat), _) => to_ms(iat)?,
                (None, Some(date)) => date,
                // Without `iat` or `Date`, `exp` is read against the local clock.
                (None, None) => return Some(exp),
            };
            // Otherwise the lifetime measured by the server's clock, laid onto ours.
            storable(received.checked_add(exp.checked_sub(server_now)?)?)
        });
        assert_eq!(expiry, want, "{received} {date:?}");
        if let Some(e) = expiry {
            assert!(storable(e).is_some());
        }
    }
    // Each part, alone, through the decoder: 6 bits a symbol, whole bytes out.
    for part in token.split('.') {
        if let Some(bytes) = base64url_decode(part) {
            let symbols = part.trim_end_matches('=').len();
            assert_eq!(bytes.len(), symbols * 6 / 8, "decoded length of {part:?}");
            assert_ne!(symbols % 4, 1, "a lone symbol decodes to nothing");
        }
    }
});
