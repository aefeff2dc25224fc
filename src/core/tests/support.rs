//! Tokens and users for the tests.

use super::json;
use crate::core::json::Value;

/// URL-safe base64 without padding.
pub fn b64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |a, (i, b)| a | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// A token with the given payload JSON (the signature is junk: the client never checks it).
pub fn token(payload: &str) -> String {
    format!(
        "{}.{}.c2ln",
        b64(br#"{"alg":"HS256","typ":"JWT"}"#),
        b64(payload.as_bytes())
    )
}

/// A user object as the emulator sends it.
pub fn user(id: &str) -> Value {
    json(&format!(
        r#"{{"id":"{id}","email":"{id}@example.com","data":{{}},"roles":[],"created_at":"2026-01-01T00:00:00Z"}}"#
    ))
}

#[test]
fn tokens_are_jwts() {
    assert!(crate::core::token::is_jwt(&token(r#"{"exp":1}"#)));
}
