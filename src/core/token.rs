//! Reading the timing claims of a user token.
//!
//! The client never verifies the signature (it has no key) and trusts the token for
//! timing only. Anything malformed yields `None`, which callers treat as "expired":
//! these functions never panic, whatever a server or a stored record holds.

use super::json::Json;
use crate::prelude::*;
use crate::text::{parts, trim_end};

/// The claims the client uses, in seconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claims {
    pub exp: i64,
    pub iat: Option<i64>,
}

/// Decodes the payload of a JWT (`header.payload.signature`) and reads `exp` / `iat`.
pub fn claims(token: &str) -> Option<Claims> {
    let mut parts = parts(token, b'.');
    let (_header, payload, _sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = base64url_decode(payload)?;
    let json = Json::parse(core::str::from_utf8(&bytes).ok()?)?;
    Some(Claims {
        exp: json.get("exp")?.as_i64()?,
        iat: json.get("iat").and_then(Json::as_i64),
    })
}

/// When the token expires, in epoch milliseconds of the *local* clock (API.md §1).
///
/// The token's lifetime is measured against the clock that issued it (its own `iat`,
/// or else the answer's `Date` header), then laid onto the local clock at the moment
/// of receipt, so a device whose clock is off neither ends nor extends sessions.
/// Without either, `exp` is read against the local clock.
pub fn local_expiry(
    token: &str,
    received_local_ms: i64,
    server_date_ms: Option<i64>,
) -> Option<i64> {
    let c = claims(token)?;
    let exp_ms = to_ms(c.exp)?;
    let server_now_ms = match (c.iat, server_date_ms) {
        (Some(iat), _) => to_ms(iat)?,
        (None, Some(date)) => date,
        (None, None) => return Some(exp_ms),
    };
    received_local_ms.checked_add(exp_ms.checked_sub(server_now_ms)?)
}

/// Seconds as milliseconds, `None` past `i64` (what `checked_mul(1000)` gives, without
/// its 128-bit multiplication on wasm32).
pub fn to_ms(seconds: i64) -> Option<i64> {
    (i64::MIN / 1000..=i64::MAX / 1000)
        .contains(&seconds)
        .then(|| seconds * 1000)
}

/// Standard or URL-safe base64, padded or not; `None` on any other byte.
pub fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    let s = trim_end(s, b'=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for b in s.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // A single leftover symbol cannot encode a byte.
    (bits < 6).then_some(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn b64(bytes: &[u8]) -> String {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |a, (i, b)| a | (u32::from(*b) << (16 - 8 * i)));
            for i in 0..=chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }

    /// A token with the given payload JSON (signature is junk: the client never checks it).
    pub(crate) fn token(payload: &str) -> String {
        let mut t = b64(br#"{"alg":"HS256","typ":"JWT"}"#);
        t.push('.');
        t.push_str(&b64(payload.as_bytes()));
        t.push_str(".c2ln");
        t
    }

    #[test]
    fn reads_exp_and_iat() {
        let t = token(r#"{"userId":"u1","exp":1700000100,"iat":1700000000}"#);
        assert_eq!(
            claims(&t),
            Some(Claims {
                exp: 1_700_000_100,
                iat: Some(1_700_000_000)
            })
        );
        let t = token(r#"{"exp":1700000100}"#);
        assert_eq!(
            claims(&t),
            Some(Claims {
                exp: 1_700_000_100,
                iat: None
            })
        );
    }

    #[test]
    fn garbage_is_none_never_a_panic() {
        let bad = [
            String::new(),
            "a.b".into(),
            "a.b.c.d".into(),
            "x.!!!.y".into(),
            token("not json"),
            token(r#"{"exp":"soon"}"#),
            token(r#"{"iat":1}"#),
            token("[1,2]"),
            token(r#"{"exp":1e400}"#),
            "é.é.é".into(),
            "..".into(),
        ];
        for t in &bad {
            assert_eq!(claims(t), None, "{t}");
        }
        assert_eq!(local_expiry("nope", 5, None), None);
        assert_eq!(
            local_expiry(&token(r#"{"exp":9223372036854775807}"#), 0, None),
            None
        );
    }

    #[test]
    fn expiry_follows_the_local_clock() {
        // The device clock is 1 hour ahead of the server.
        let local_now = 1_700_003_600_000;
        let t = token(r#"{"exp":1700000100,"iat":1700000000}"#);
        assert_eq!(local_expiry(&t, local_now, None), Some(local_now + 100_000));
        // No iat: the Date header gives the server's clock.
        let t = token(r#"{"exp":1700000100}"#);
        assert_eq!(
            local_expiry(&t, local_now, Some(1_700_000_000_000)),
            Some(local_now + 100_000)
        );
        // Neither: exp against the local clock.
        assert_eq!(local_expiry(&t, local_now, None), Some(1_700_000_100_000));
    }

    #[test]
    fn milliseconds_as_checked_mul_gives_them() {
        for s in [
            0,
            1,
            -1,
            i64::MAX / 1000,
            i64::MAX / 1000 + 1,
            i64::MIN / 1000,
            i64::MIN / 1000 - 1,
            i64::MAX,
            i64::MIN,
        ] {
            assert_eq!(to_ms(s), s.checked_mul(1000), "{s}");
        }
    }

    #[test]
    fn base64_variants() {
        assert_eq!(base64url_decode("aGk"), Some(b"hi".to_vec()));
        assert_eq!(base64url_decode("aGk="), Some(b"hi".to_vec()));
        assert_eq!(base64url_decode("-_-_"), Some(vec![0xfb, 0xff, 0xbf]));
        assert_eq!(base64url_decode("+/+/"), Some(vec![0xfb, 0xff, 0xbf]));
        assert_eq!(base64url_decode("a"), None);
        assert_eq!(base64url_decode("a b"), None);
        assert_eq!(b64(b"hello world"), "aGVsbG8gd29ybGQ");
    }
}
