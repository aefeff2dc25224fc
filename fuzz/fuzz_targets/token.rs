//! The token payload decoder: `claims`, `local_expiry` and `base64url_decode` never
//! panic (no overflow either: fuzz builds keep overflow checks on), and agree.
//!
//! Input: the token text, as a server or a stored record would hand it over.
#![no_main]

use cocobase_auth::core::token::{base64url_decode, claims, local_expiry};
use libfuzzer_sys::fuzz_target;

/// Receipt times and `Date` headers that reach every branch and every overflow edge.
const CLOCKS: [(i64, Option<i64>); 6] = [
    (0, None),
    (1_700_000_000_000, None),
    (1_700_000_000_000, Some(1_699_999_000_000)),
    (i64::MAX, Some(i64::MIN)),
    (i64::MIN, Some(i64::MAX)),
    (-1, Some(0)),
];

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let c = claims(token);
    for (received, date) in CLOCKS {
        let expiry = local_expiry(token, received, date);
        match c {
            // No claims, no expiry: callers read `None` as "expired".
            None => assert_eq!(expiry, None, "expiry without claims"),
            // Without `iat` or `Date`, `exp` is read against the local clock.
            Some(c) if c.iat.is_none() && date.is_none() => {
                assert_eq!(expiry, c.exp.checked_mul(1000), "exp on the local clock");
            }
            // Otherwise the lifetime measured by the server's clock, laid onto ours.
            Some(c) => {
                let server_now = match c.iat {
                    Some(iat) => iat.checked_mul(1000),
                    None => date,
                };
                let want = c.exp.checked_mul(1000).and_then(|exp| {
                    server_now
                        .and_then(|now| exp.checked_sub(now))
                        .and_then(|life| received.checked_add(life))
                });
                assert_eq!(expiry, want, "lifetime laid onto the local clock");
            }
        }
    }
    // Each part, alone, through the decoder: 6 bits a symbol, whole bytes out.
    for part in token.split('.') {
        if let Some(bytes) = base64url_decode(part) {
            let symbols = part.trim_end_matches('=').len();
            assert_eq!(bytes.len(), symbols * 6 / 8, "decoded length of {part:?}");
        }
    }
});
