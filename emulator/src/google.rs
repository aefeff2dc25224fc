//! The stand-in Google's ID tokens: JWTs with Google's claims (`iss`, `aud`, `sub`,
//! `email`, `email_verified`, names, `picture`, `iat`, `exp`). Google signs with RS256;
//! the stand-in signs with HS256 under a key that only the emulator holds (kept in its
//! database, apart from the user tokens' key), so `google-verify` accepts exactly the
//! tokens `POST /__emulator/google/id-token` issued and nothing else.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Map, Value};
use sha2::Sha256;

/// The issuer the stand-in writes; `accounts.google.com` is accepted as well.
pub const ISSUER: &str = "https://accounts.google.com";
/// How long a minted ID token is valid (Google's are valid an hour too).
pub const TTL_SECS: i64 = 3600;
const MAX_TOKEN_LEN: usize = 8192;

/// What `google-verify` takes from a valid token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// Google's stable account id.
    pub sub: String,
    /// The (verified) address.
    pub email: String,
    /// Full name, possibly empty.
    pub name: String,
    /// First name, possibly empty.
    pub given_name: String,
    /// Last name, possibly empty.
    pub family_name: String,
    /// A picture URL, possibly empty.
    pub picture: String,
}

fn mac(secret: &[u8], input: &[u8]) -> Hmac<Sha256> {
    let mut m = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts any key length");
    m.update(input);
    m
}

/// Signs any JSON payload as an ID token (tests craft odd tokens with it).
pub fn sign(payload: &Value, secret: &[u8]) -> String {
    let header = B64.encode(br#"{"alg":"HS256","kid":"cocobase-emulator","typ":"JWT"}"#);
    let body = B64.encode(payload.to_string());
    let input = format!("{header}.{body}");
    let signature = B64.encode(mac(secret, input.as_bytes()).finalize().into_bytes());
    format!("{input}.{signature}")
}

/// The claims of a fresh ID token for `profile`, audience `client_id`, issued `now`.
pub fn claims(profile: &Profile, client_id: &str, now: i64) -> Value {
    json!({
        "iss": ISSUER,
        "azp": client_id,
        "aud": client_id,
        "sub": profile.sub,
        "email": profile.email,
        "email_verified": true,
        "name": profile.name,
        "given_name": profile.given_name,
        "family_name": profile.family_name,
        "picture": profile.picture,
        "iat": now,
        "exp": now + TTL_SECS,
    })
}

/// Checks signature, algorithm, issuer, audience, expiry and `email_verified`; the
/// error says which failed (it becomes `Invalid Google ID token: <why>`).
pub fn verify(
    token: &str,
    secret: &[u8],
    client_id: &str,
    now: i64,
) -> Result<Profile, &'static str> {
    if token.len() > MAX_TOKEN_LEN {
        return Err("token too long");
    }
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("not a JWT");
    };
    let header: Map<String, Value> = decode_object(header).ok_or("malformed header")?;
    if header.get("alg").and_then(Value::as_str) != Some("HS256") {
        return Err("unsupported signing algorithm");
    }
    let signature = B64.decode(signature).map_err(|_| "malformed signature")?;
    let signed = &token[..header_len(token)];
    mac(secret, signed.as_bytes())
        .verify_slice(&signature)
        .map_err(|_| "signature verification failed")?;
    let claims = decode_object(payload).ok_or("malformed payload")?;
    let text = |k: &str| claims.get(k).and_then(Value::as_str).unwrap_or("");
    if !matches!(
        text("iss"),
        "https://accounts.google.com" | "accounts.google.com"
    ) {
        return Err("wrong issuer");
    }
    let audience_ok = match claims.get("aud") {
        Some(Value::String(a)) => a == client_id,
        Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(client_id)),
        _ => false,
    };
    if !audience_ok {
        return Err("wrong audience");
    }
    match claims.get("exp").and_then(Value::as_i64) {
        Some(exp) if now < exp => {}
        Some(_) => return Err("token expired"),
        None => return Err("no expiry"),
    }
    let verified = match claims.get("email_verified") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true",
        _ => false,
    };
    if text("email").is_empty() || !verified {
        return Err("email not verified");
    }
    Ok(Profile {
        sub: text("sub").to_string(),
        email: text("email").to_string(),
        name: text("name").to_string(),
        given_name: text("given_name").to_string(),
        family_name: text("family_name").to_string(),
        picture: text("picture").to_string(),
    })
}

fn decode_object(part: &str) -> Option<Map<String, Value>> {
    match serde_json::from_slice(&B64.decode(part).ok()?).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

/// Length of `header.payload`, the signed part.
fn header_len(token: &str) -> usize {
    token.rfind('.').unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> Profile {
        Profile {
            sub: "1".into(),
            email: "a@b.co".into(),
            name: "Ada L".into(),
            given_name: "Ada".into(),
            family_name: "L".into(),
            picture: String::new(),
        }
    }

    #[test]
    fn round_trip_and_refusals() {
        let c = claims(&profile(), "cid", 100);
        let t = sign(&c, b"k");
        assert_eq!(verify(&t, b"k", "cid", 150), Ok(profile()));
        assert_eq!(
            verify(&t, b"other", "cid", 150),
            Err("signature verification failed")
        );
        assert_eq!(verify(&t, b"k", "other", 150), Err("wrong audience"));
        assert_eq!(
            verify(&t, b"k", "cid", 100 + TTL_SECS),
            Err("token expired")
        );
        let mut c2 = c.clone();
        c2["iss"] = json!("https://evil.example");
        assert_eq!(
            verify(&sign(&c2, b"k"), b"k", "cid", 150),
            Err("wrong issuer")
        );
        let mut c3 = c.clone();
        c3["email_verified"] = json!(false);
        assert_eq!(
            verify(&sign(&c3, b"k"), b"k", "cid", 150),
            Err("email not verified")
        );
        for garbage in ["", "a.b", "a.b.c.d", "...", "x.y.z"] {
            assert!(verify(garbage, b"k", "cid", 150).is_err());
        }
        let parts: Vec<&str> = t.split('.').collect();
        let none = format!("{}.{}.", B64.encode(br#"{"alg":"none"}"#), parts[1]);
        assert!(verify(&none, b"k", "cid", 150).is_err());
    }
}
