//! Reading the timing claims of a user token.
//!
//! The client never verifies the signature (it has no key) and trusts the token for
//! timing only. Anything malformed yields `None`, which callers treat as "expired":
//! nothing here panics, whatever a server or a stored record holds.

use super::json::{Codec, Value};
use crate::text::{parts, trim_end_byte};

/// The claims the client uses, in seconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claims {
    pub exp: i64,
    pub iat: Option<i64>,
}

/// Three parts of base64url (the first two not empty): the shape of a JWT.
pub fn is_jwt(token: &str) -> bool {
    let mut parts = parts(token, b'.');
    let mut next = || parts.next().map(|p| trim_end_byte(p, b'='));
    let b64 = |p: &str| {
        p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'+' | b'/'))
    };
    matches!((next(), next(), next(), next()),
        (Some(h), Some(p), Some(s), None)
            if !h.is_empty() && !p.is_empty() && b64(h) && b64(p) && b64(s))
}

/// The payload of a JWT (`header.payload.signature`) as JSON; `None` for a token of
/// another shape (a stored record could not keep it: `session::restore` wants a JWT).
pub fn payload(token: &str, codec: &dyn Codec) -> Option<Value> {
    if !is_jwt(token) {
        return None;
    }
    let bytes = base64url_decode(parts(token, b'.').nth(1)?)?;
    let text = std::str::from_utf8(&bytes).ok()?;
    // A leading byte order mark is dropped, as the JS core's TextDecoder did.
    codec.parse(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// Reads `exp` / `iat` of a JWT's payload.
pub fn claims(token: &str, codec: &dyn Codec) -> Option<Claims> {
    let json = payload(token, codec)?;
    Some(Claims {
        exp: json.get("exp")?.as_i64()?,
        // As in the JS core: an `iat` that is no whole number of 64 bits is no `iat`.
        iat: json.get("iat").and_then(Value::as_i64),
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
    codec: &dyn Codec,
) -> Option<i64> {
    let c = claims(token, codec)?;
    let exp_ms = to_ms(c.exp)?;
    let server_now_ms = match (c.iat, server_date_ms) {
        (Some(iat), _) => to_ms(iat)?,
        (None, Some(date)) => date,
        (None, None) => return Some(exp_ms),
    };
    let expiry = received_local_ms.checked_add(exp_ms.checked_sub(server_now_ms)?)?;
    // The record keeps it as a JavaScript number: below 2^63 as one, as in the JS core.
    ((expiry as f64).abs() < 9.223_372_036_854_776e18).then_some(expiry)
}

/// `exp` read against the local clock, for a token whose moment of receipt is unknown.
pub fn local_expiry_of_exp(token: &str, codec: &dyn Codec) -> Option<i64> {
    to_ms(claims(token, codec)?.exp)
}

/// Seconds as milliseconds, `None` past `i64`.
pub fn to_ms(seconds: i64) -> Option<i64> {
    seconds.checked_mul(1000)
}

/// Standard or URL-safe base64, padded or not; `None` on any other byte.
pub fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    let s = trim_end_byte(s, b'=');
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
