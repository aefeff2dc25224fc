//! User tokens: HS256 JWTs, signed and checked by hand with HMAC-SHA256.
//!
//! Claims: `userId` and `email` (what the hosted service sends), `sub` (= user id),
//! `iat`, `exp` (seconds) and `tv`, the user's token version: change-password bumps
//! it, which invalidates every older token of that user.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::error::TokenError;

type HmacSha256 = Hmac<Sha256>;

/// The payload of a user token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id, under the hosted service's name.
    #[serde(rename = "userId")]
    pub user_id: String,
    /// The email at the time of issue (informational only).
    pub email: String,
    /// The user id again, as JWT names it.
    pub sub: String,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Expires at, seconds since the epoch.
    pub exp: i64,
    /// The user's token version at the time of issue.
    pub tv: i64,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
}

// Tokens longer than this are garbage; refusing them early bounds the work per request.
const MAX_TOKEN_LEN: usize = 4096;

/// Signs `claims` with `secret`.
pub fn sign(claims: &Claims, secret: &[u8]) -> String {
    let header = B64.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = B64.encode(serde_json::to_vec(claims).unwrap_or_default());
    let signing_input = format!("{header}.{payload}");
    let signature = B64.encode(
        mac(secret, signing_input.as_bytes())
            .finalize()
            .into_bytes(),
    );
    format!("{signing_input}.{signature}")
}

fn mac(secret: &[u8], input: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length, so this cannot fail.
    let mut m = HmacSha256::new_from_slice(secret).expect("HMAC accepts any key length");
    m.update(input);
    m
}

/// Checks the signature (in constant time), the algorithm and `exp` against `now`
/// (seconds). The token version is checked by the caller against the stored user.
pub fn verify(token: &str, secret: &[u8], now: i64) -> Result<Claims, TokenError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(TokenError::Invalid);
    }
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Invalid);
    };
    let header: Header = B64
        .decode(header)
        .ok()
        .and_then(|h| serde_json::from_slice(&h).ok())
        .ok_or(TokenError::Invalid)?;
    if header.alg != "HS256" {
        return Err(TokenError::Invalid);
    }
    let signature = B64.decode(signature).map_err(|_| TokenError::Invalid)?;
    let signed_len = token.len() - signature_len(token);
    mac(secret, &token.as_bytes()[..signed_len])
        .verify_slice(&signature)
        .map_err(|_| TokenError::Invalid)?;
    let claims: Claims = B64
        .decode(payload)
        .ok()
        .and_then(|p| serde_json::from_slice(&p).ok())
        .ok_or(TokenError::Invalid)?;
    if claims.sub != claims.user_id {
        return Err(TokenError::Invalid);
    }
    if now >= claims.exp {
        return Err(TokenError::Expired);
    }
    Ok(claims)
}

/// Length of `.signature` at the end of the token.
fn signature_len(token: &str) -> usize {
    token.rfind('.').map(|i| token.len() - i).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> Claims {
        Claims {
            user_id: "u1".into(),
            email: "a@b.co".into(),
            sub: "u1".into(),
            iat: 100,
            exp,
            tv: 0,
        }
    }

    #[test]
    fn round_trip_and_expiry() {
        let t = sign(&claims(200), b"k");
        assert_eq!(verify(&t, b"k", 150), Ok(claims(200)));
        assert_eq!(verify(&t, b"k", 200), Err(TokenError::Expired));
        assert_eq!(verify(&t, b"other", 150), Err(TokenError::Invalid));
    }

    #[test]
    fn refuses_tampering_and_other_algorithms() {
        let t = sign(&claims(200), b"k");
        let parts: Vec<&str> = t.split('.').collect();
        let forged_payload = B64.encode(serde_json::to_vec(&claims(10_000)).unwrap());
        let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
        assert_eq!(verify(&forged, b"k", 150), Err(TokenError::Invalid));
        let none_header = B64.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let none = format!("{none_header}.{}.", parts[1]);
        assert_eq!(verify(&none, b"k", 150), Err(TokenError::Invalid));
        for garbage in ["", "a.b", "a.b.c.d", "...", "x.y.z"] {
            assert_eq!(verify(garbage, b"k", 150), Err(TokenError::Invalid));
        }
    }
}
