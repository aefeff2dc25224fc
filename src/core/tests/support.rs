//! Tokens, users, answers and the small readers the tests share.

use std::fmt::Debug;

use super::{json, SerdeJson};
use crate::core::answer::{answer, Outcome, Received};
use crate::core::error::Error;
use crate::core::json::{Codec, Value};
use crate::core::options::{config, Config};
use crate::core::request::{build, Method, Op, Request};
use crate::core::session::{restore, Session};

/// Seconds of the tests' epoch: the server and the device agree unless a test says otherwise.
pub const T0: i64 = 1_700_000_000;
pub const NOW: i64 = T0 * 1000;

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

/// Standard base64 with padding.
pub fn b64_std(bytes: &[u8]) -> String {
    let mut s: String = b64(bytes)
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    while s.len() % 4 != 0 {
        s.push('=');
    }
    s
}

/// A token with the given payload JSON (the signature is junk: the client never checks it).
pub fn token(payload: &str) -> String {
    format!(
        "{}.{}.c2ln",
        b64(br#"{"alg":"HS256","typ":"JWT"}"#),
        b64(payload.as_bytes())
    )
}

/// A token issued at `iat` (seconds) that lives `ttl` seconds.
pub fn jwt(iat: i64, ttl: i64) -> String {
    token(&format!(
        r#"{{"userId":"u1","iat":{iat},"exp":{}}}"#,
        iat + ttl
    ))
}

/// A JSON string literal.
pub fn quote(s: &str) -> String {
    serde_json::to_string(s).expect("a string")
}

/// A token answer for user `user_id` (email ada@example.com).
pub fn token_answer(token: &str, user_id: &str) -> String {
    format!(
        r#"{{"access_token":{},"user":{{"id":{},"email":"ada@example.com","data":{{}},"roles":[]}}}}"#,
        quote(token),
        quote(user_id)
    )
}

/// A user object as the emulator sends it.
pub fn user(id: &str) -> Value {
    json(&format!(
        r#"{{"id":"{id}","email":"{id}@example.com","data":{{}},"roles":[],"created_at":"2026-01-01T00:00:00Z"}}"#
    ))
}

/// JSON text as the core gets it from the caller: `None` when it is not JSON.
pub fn parse(text: &str) -> Option<Value> {
    SerdeJson.parse(text)
}

/// A value as `JSON.stringify` writes it (whole numbers without a fraction), member
/// order kept.
pub fn text(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format!("{n}"),
        Value::String(s) => quote(s),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(text).collect();
            format!("[{}]", items.join(","))
        }
        Value::Object(m) => {
            let members: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}:{}", quote(k), text(v)))
                .collect();
            format!("{{{}}}", members.join(","))
        }
    }
}

/// The client's options with only an API key.
pub fn cfg() -> Config {
    config(&json(r#"{"apiKey":"pk_test_x"}"#)).expect("default options")
}

/// `build` with the default options and nobody signed in.
pub fn b(op: Op, params: &Value) -> Result<Request, Error> {
    build(op, params, &cfg(), "")
}

/// A request as a test expects it (`body` as JSON text, members in order).
pub fn rq(method: Method, path: &str, body: Option<&str>, as_user: bool) -> Request {
    Request {
        method,
        path: path.to_owned(),
        body: body.map(json),
        as_user,
    }
}

/// `answer` with every header and clock given.
pub fn answer_at(
    op: Op,
    status: u16,
    body: &str,
    retry_after: Option<&str>,
    date_ms: Option<i64>,
    now_ms: i64,
    held: Option<&Session>,
) -> Result<Outcome, Error> {
    let received = Received {
        retry_after,
        date_ms,
        now_ms,
    };
    answer(op, status, parse(body).as_ref(), received, held, &SerdeJson)
}

/// `answer` at `NOW`, without headers or a held session.
pub fn ans(op: Op, status: u16, body: &str) -> Result<Outcome, Error> {
    answer_at(op, status, body, None, None, NOW, None)
}

/// `answer` at `NOW` with a held session.
pub fn ans_held(op: Op, status: u16, body: &str, held: &Session) -> Result<Outcome, Error> {
    answer_at(op, status, body, None, None, NOW, Some(held))
}

/// The session of an outcome (fails when there is none).
#[track_caller]
pub fn session(out: Result<Outcome, Error>) -> Session {
    match out {
        Ok(Outcome::Session(s)) => s,
        other => panic!("no session: {other:?}"),
    }
}

/// The session of user `u1` with a one-hour token, as a login gives it.
pub fn record() -> Session {
    session(ans(Op::Login, 200, &token_answer(&jwt(T0, 3600), "u1")))
}

/// The error of a result (fails when there is none).
#[track_caller]
pub fn error<T: Debug>(out: Result<T, Error>) -> Error {
    match out {
        Err(e) => e,
        Ok(v) => panic!("no error: {v:?}"),
    }
}

/// The error code's name of a result.
#[track_caller]
pub fn code<T: Debug>(out: Result<T, Error>) -> &'static str {
    error(out).code.as_str()
}

/// `(field, [codes])` of a `validation_failed` error, in order.
#[track_caller]
pub fn field_codes(e: &Error) -> Vec<(String, Vec<String>)> {
    assert_eq!(e.code.as_str(), "validation_failed", "{e:?}");
    let list = e.field_errors.as_ref().expect("fieldErrors");
    list.iter()
        .map(|(f, issues)| (f.clone(), issues.iter().map(|i| i.code.clone()).collect()))
        .collect()
}

/// The refused fields of a `validation_failed` error.
#[track_caller]
pub fn fields(e: &Error) -> Vec<String> {
    field_codes(e).into_iter().map(|(f, _)| f).collect()
}

/// `[(field, [codes])]` from literals, to compare with [`field_codes`].
pub fn want(list: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
    list.iter()
        .map(|(f, codes)| (f.to_string(), codes.iter().map(|c| c.to_string()).collect()))
        .collect()
}

/// A stored record's text read back, as the glue does after `JSON.parse`.
pub fn restore_text(text: &str) -> Option<Session> {
    restore(parse(text).as_ref())
}

/// A session written to its record, through text, and read back is the same session
/// (its expiry as a JavaScript number holds it: exactly up to 2^53).
#[track_caller]
pub fn round_trips(s: &Session) {
    assert!(!s.access_token.is_empty(), "{s:?}");
    assert!(!s.user_id().is_empty(), "{s:?}");
    let view = s.view();
    assert_eq!(view.access_token, s.access_token);
    assert_eq!(view.expires_at, s.expires_at as f64);
    assert_eq!(view.user.id, s.user_id());
    // Written as `JSON.stringify` writes it (serde_json would write `1e17` as
    // `100000000000000000.0`, which it reads back a unit in the last place off).
    let written = text(&s.record());
    let back = restore_text(&written).unwrap_or_else(|| panic!("{s:?} -> {written}"));
    assert_eq!(back.access_token, s.access_token);
    assert_eq!(back.user, s.user);
    assert_eq!(back.expires_at, s.expires_at as f64 as i64, "{written}");
    assert_eq!(restore(Some(&back.record())).as_ref(), Some(&back));
    serde_json::to_string(&view).expect("the JS shape serializes");
}

#[test]
fn tokens_are_jwts() {
    assert!(crate::core::token::is_jwt(&token(r#"{"exp":1}"#)));
    // The helpers themselves.
    assert_eq!(b64(b"hello world"), "aGVsbG8gd29ybGQ");
    assert_eq!(b64_std(b"hello world"), "aGVsbG8gd29ybGQ=");
    assert_eq!(
        text(&json(r#"{"a":[1,1.5,"x",null,true]}"#)),
        r#"{"a":[1,1.5,"x",null,true]}"#
    );
    assert_eq!(user("u1").str_at("email"), Some("u1@example.com"));
}
