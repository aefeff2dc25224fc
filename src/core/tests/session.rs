//! The stored record (`restore`), the official SDK's session (`adopt`) and the shapes
//! JavaScript sees.
//!
//! Dropped or changed JS checks:
//! - `restore` took the record's text; it takes the parsed value (`None` for text that is
//!   not JSON), so "", "{not json" and "undefined" reach it as `None`. The record is
//!   compared as a session, not as text (`s.r`).
//! - "JSON too deep to write back": the JS core refused what `JSON.stringify` could not
//!   write; `Value` refuses nesting past `json::MAX_DEPTH` (100) when it is read, so the
//!   deep user is unreadable one step earlier. The outcomes checked are the same.
//! - New, by design: a record (and an SDK token) whose token is not three base64url
//!   parts is unreadable (`is_jwt`).

use super::json;
use super::support::*;
use crate::core::answer::Outcome;
use crate::core::json::{Map, Value};
use crate::core::request::Op;
use crate::core::session::{adopt, is_user, restore, PublicUser, Session, User};
use crate::core::tests::SerdeJson;

fn adopt_text(token: &str, user: &str) -> Option<Session> {
    adopt(token, user, &SerdeJson)
}

#[test]
fn restore_reads_only_well_formed_records() {
    let s = record();
    let back = restore(Some(&s.record())).expect("the record reads back");
    assert_eq!(back, s);
    assert_eq!(back.user_id(), "u1");
    for junk in ["", "{not json", "null", r#"{"v":1}"#, "[1]", "undefined"] {
        assert_eq!(restore_text(junk), None, "{junk}");
    }
    assert_eq!(restore(None), None);
    let v2 = text(&s.record()).replace(r#""v":1"#, r#""v":2"#);
    assert_ne!(v2, text(&s.record()));
    assert_eq!(restore_text(&v2), None);
    // A record as the Rust core wrote it before the JS one still reads.
    let tok = jwt(T0, 3600);
    let rust = format!(
        r#"{{"v":1,"access_token":"{tok}","user":{{"id":"u1","email":"ada@example.com","data":{{"n":1.5}},"roles":["a"],"created_at":"t","extra":true}},"expires_at":{}}}"#,
        (T0 + 3600) * 1000
    );
    let s = restore_text(&rust).expect("an older record");
    assert_eq!(
        s,
        Session {
            access_token: tok.clone(),
            user: json(
                r#"{"id":"u1","email":"ada@example.com","data":{"n":1.5},"roles":["a"],"created_at":"t","extra":true}"#
            ),
            expires_at: (T0 + 3600) * 1000,
        }
    );
    let view = s.view();
    assert_eq!(
        view.user,
        User {
            id: "u1".into(),
            email: "ada@example.com".into(),
            data: json(r#"{"n":1.5}"#),
            roles: vec!["a".into()],
            created_at: "t".into(),
            email_verified: None,
            oauth_provider: None,
        }
    );
    assert_eq!(view.access_token, tok);
    assert_eq!(view.expires_at, ((T0 + 3600) * 1000) as f64);
    // The record text the glue writes (JSON.stringify) is this one, member for member.
    assert_eq!(text(&s.record()), rust);
}

#[test]
fn restore_needs_a_jwt() {
    let good = record();
    let with_token = |t: &str| {
        let mut r = good.record().as_object().unwrap().clone();
        r.insert("access_token", Value::from(t));
        restore(Some(&Value::Object(r)))
    };
    assert!(with_token(&good.access_token).is_some());
    for bad in [
        "",
        "not-a-jwt",
        "a.b",
        "a.b.c.d",
        "x.!!!.y",
        ".eyJleHAiOjF9.c2ln",
        "eyJhbGciOiJIUzI1NiJ9..c2ln",
        "a b.c.d",
        "é.é.é",
        "..",
    ] {
        assert_eq!(with_token(bad), None, "{bad:?}");
    }
    // The shape only: the claims are not read, an empty signature is a JWT's
    // (`alg: none`), and padding is tolerated.
    for shaped in ["aGk.aGk.c2ln", "aGk.aGk.", "aGk=.aGk=.c2ln", "a+/.b-_.c"] {
        assert!(with_token(shaped).is_some(), "{shaped:?}");
    }
    // The same for the official SDK's token.
    assert_eq!(adopt_text("a.b", r#"{"id":"u9"}"#), None);
}

#[test]
fn adopt_takes_the_official_sdk_session() {
    let t = token(&format!(r#"{{"userId":"u9","exp":{}}}"#, T0 + 3600));
    let s = adopt_text(&t, r#"{"id":"u9","email":"z@x.io","data":{}}"#).expect("adopted");
    assert_eq!(s.user_id(), "u9");
    assert_eq!(s.access_token, t);
    assert_eq!(s.expires_at, (T0 + 3600) * 1000);
    // The SDK may have stored the token JSON-quoted.
    assert_eq!(
        adopt_text(&format!("\"{t}\""), r#"{"id":"u9"}"#),
        adopt_text(&t, r#"{"id":"u9"}"#)
    );
    assert!(adopt_text(&format!(" \"{t}\"\n"), r#"{"id":"u9"}"#).is_some());
    // Added: trimmed as JavaScript's `trim()` does (U+FEFF is white space there, U+0085
    // is not).
    assert!(adopt_text(&format!("\u{feff}{t}\u{2028}"), r#"{"id":"u9"}"#).is_some());
    assert_eq!(adopt_text(&format!("\u{85}{t}"), r#"{"id":"u9"}"#), None);
    assert!(adopt_text(&t, r#"{"id":"u9"}"#).is_some());
    assert_eq!(adopt_text(&t, ""), None);
    assert_eq!(adopt_text(&t, "not json"), None);
    assert_eq!(adopt_text("x", r#"{"id":"u9"}"#), None);
    // Added: no user id, or a token whose expiry cannot be read.
    assert_eq!(adopt_text(&t, r#"{"id":""}"#), None);
    assert_eq!(adopt_text(&token(r#"{"iat":1}"#), r#"{"id":"u9"}"#), None);
    assert_eq!(adopt_text("\"\"", r#"{"id":"u9"}"#), None);
}

// ===== session.rs =====

/// A token answer of session.rs: every field of a hosted user, and a `requires_2fa: null`.
fn session_answer(tok: &str) -> String {
    format!(
        r#"{{"user":{{"id":"u1","email":"a@b.co","data":{{"x":1}},"roles":["admin"],"created_at":"2026-01-01T00:00:00Z","client_id":"p","email_verified":false,"oauth_provider":null,"extra":true}},"requires_2fa":null,"access_token":{}}}"#,
        quote(tok)
    )
}

#[test]
fn session_record_round_trip() {
    let t = token(r#"{"exp":1700000100,"iat":1700000000}"#);
    let s = session(answer_at(
        Op::Login,
        200,
        &session_answer(&t),
        None,
        None,
        5_000,
        None,
    ));
    assert_eq!(s.expires_at, 105_000);
    assert_eq!(s.user_id(), "u1");
    assert_eq!(restore(Some(&s.record())), Some(s.clone()));
    round_trips(&s);
}

#[test]
fn session_unreadable_records_are_none() {
    let t = token(r#"{"exp":1700000100,"iat":1700000000}"#);
    let good = text(
        &session(answer_at(
            Op::Login,
            200,
            &session_answer(&t),
            None,
            None,
            0,
            None,
        ))
        .record(),
    );
    assert!(restore_text(&good).is_some());
    let edited = |from: &str, to: &str| {
        let t = good.replace(from, to);
        assert_ne!(t, good, "no {from} in {good}");
        t
    };
    let bad = [
        String::new(),
        "{".into(),
        "null".into(),
        "[]".into(),
        edited(r#""v":1"#, r#""v":2"#),
        edited(r#""v":1,"#, ""),
        edited(r#""id":"u1""#, r#""id":7"#),
        edited(r#""expires_at":"#, r#""expires_at":"x","y":"#),
        r#"{"v":1,"access_token":"","user":{"id":"u"},"expires_at":1}"#.into(),
        "undefined".into(),
        // Added: an expiry past 64 bits, a user that is not an object.
        edited(r#""expires_at":"#, r#""expires_at":1e19,"y":"#),
        edited(r#""user":"#, r#""user":"u1","y":"#),
    ];
    for text in bad {
        assert_eq!(restore_text(&text), None, "{text}");
    }
    // Added: what JavaScript's numbers allow is read as they read it: a fractional version
    // or expiry is truncated.
    let r = edited(r#""v":1"#, r#""v":1.5"#);
    assert!(restore_text(&r).is_some());
}

#[test]
fn session_token_answers_need_a_token_and_a_user() {
    let t = token(r#"{"exp":1700000100}"#);
    session(answer_at(
        Op::Login,
        200,
        &session_answer(&t),
        None,
        None,
        0,
        None,
    ));
    let mut no_user = json(&session_answer(&t)).as_object().unwrap().clone();
    no_user.insert("user", Value::Null);
    let no_user = text(&Value::Object(no_user));
    assert_eq!(
        code(answer_at(Op::Login, 200, &no_user, None, None, 0, None)),
        "bad_response"
    );
    // (A second-factor answer is no session: for a sign-in it is `SecondFactor`, see
    // a_second_factor_stores_nothing; for a refresh it is unreadable.)
    let two_fa = r#"{"requires_2fa":true,"message":"Code sent"}"#;
    assert_eq!(
        code(answer_at(Op::Refresh, 200, two_fa, None, None, 0, None)),
        "bad_response"
    );
    assert_eq!(
        code(answer_at(
            Op::Login,
            200,
            &session_answer("garbage"),
            None,
            None,
            0,
            None
        )),
        "bad_response"
    );
}

#[test]
fn session_adopts_the_official_sdk_session() {
    let t = token(r#"{"userId":"u1","email":"a@b.co","exp":1700000100}"#);
    let s = adopt_text(&t, r#"{"id":"u1","email":"a@b.co","data":{}}"#).unwrap();
    assert_eq!(s.expires_at, 1_700_000_100_000);
    // With an iat too (our emulator's tokens): still exp on the local clock.
    let t = token(r#"{"exp":1700000100,"iat":1699000000}"#);
    let s = adopt_text(&t, r#"{"id":"u1"}"#).unwrap();
    assert_eq!(s.expires_at, 1_700_000_100_000);
    assert_eq!(adopt_text(&t, "not json"), None);
    assert_eq!(adopt_text("x", r#"{"id":"u1"}"#), None);
}

// `User::from_server` through a user answer (`CurrentUser`), `PublicUser::from_server`
// through `GetUser`.
#[test]
fn session_shapes_for_javascript() {
    // An OAuth answer of the hosted service: no roles, client_id, email_verified; null created_at.
    let u = r#"{"id":"u","email":"e@x.io","data":{"name":"N"},"oauth_provider":"google","created_at":null}"#;
    let Ok(Outcome::User { user, .. }) = ans(Op::CurrentUser, 200, u) else {
        panic!("no user");
    };
    assert_eq!(
        user,
        User {
            id: "u".into(),
            email: "e@x.io".into(),
            data: json(r#"{"name":"N"}"#),
            roles: vec![],
            created_at: "".into(),
            email_verified: None,
            oauth_provider: Some(Some("google".into())),
        }
    );
    // Added: what JavaScript sees of it (camelCase, absent members left out).
    assert_eq!(
        serde_json::to_string(&user).unwrap(),
        r#"{"id":"u","email":"e@x.io","data":{"name":"N"},"roles":[],"createdAt":"","oauthProvider":"google"}"#
    );
    let u = r#"{"id":"u","email":"e@x.io","data":[1],"roles":["a",3],"created_at":"t","email_verified":true}"#;
    let Ok(Outcome::User { user, .. }) = ans(Op::CurrentUser, 200, u) else {
        panic!("no user");
    };
    assert_eq!(
        user,
        User {
            id: "u".into(),
            email: "e@x.io".into(),
            data: json("{}"),
            roles: vec!["a".into()],
            created_at: "t".into(),
            email_verified: Some(true),
            oauth_provider: None,
        }
    );
    assert_eq!(
        ans(Op::GetUser, 200, u),
        Ok(Outcome::Public(PublicUser {
            id: "u".into(),
            data: json("{}"),
            roles: vec!["a".into()],
            created_at: "t".into(),
        }))
    );
    // Added: `oauth_provider: null` is said, and kept as `null`.
    let user = User::from_server(&json(
        r#"{"id":"u","oauth_provider":null,"email_verified":"yes"}"#,
    ));
    assert_eq!(user.oauth_provider, Some(None));
    assert_eq!(user.email_verified, None);
    assert_eq!(
        serde_json::to_string(&user).unwrap(),
        r#"{"id":"u","email":"","data":{},"roles":[],"createdAt":"","oauthProvider":null}"#
    );
    // Added: the session's shape, and the helpers the glue uses.
    let s = record();
    assert_eq!(
        serde_json::to_value(s.view()).unwrap(),
        serde_json::json!({
            "user": {"id": "u1", "email": "ada@example.com", "data": {}, "roles": [], "createdAt": ""},
            "accessToken": s.access_token,
            "expiresAt": ((T0 + 3600) * 1000) as f64,
        })
    );
    assert_eq!(s.email(), "ada@example.com");
    assert_eq!(s.with_user(super::support::user("u7")).user_id(), "u7");
    assert!(is_user(&super::support::user("x")));
    assert!(!is_user(&Value::Object(Map::from([(
        "id",
        Value::Number(1.0)
    )]))));
}

// ----- found in review, after the port -------------------------------------------------

#[test]
fn added_json_too_deep_to_write_back_is_unreadable_not_an_exception() {
    let deep = format!("{}{}", "[".repeat(20000), "]".repeat(20000));
    let user = format!(r#"{{"id":"u1","email":"a@b.co","data":{{"x":{deep}}}}}"#);
    let tok = jwt(T0, 3600);
    let record = format!(
        r#"{{"v":1,"access_token":"{tok}","user":{user},"expires_at":{}}}"#,
        NOW + 3_600_000
    );
    assert_eq!(restore_text(&record), None);
    assert_eq!(adopt_text(&tok, &user), None);
    assert_eq!(
        code(ans(
            Op::Login,
            200,
            &format!(r#"{{"access_token":"{tok}","user":{user}}}"#)
        )),
        "bad_response"
    );
    assert_eq!(code(ans(Op::CurrentUser, 200, &user)), "bad_response");
    // Added: at the limit it still reads (the glue can write back what it read).
    let limit = crate::core::json::MAX_DEPTH as usize - 3;
    let nested = format!("{}{}", "[".repeat(limit), "]".repeat(limit));
    let user = format!(r#"{{"id":"u1","data":{{"x":{nested}}}}}"#);
    let s = adopt_text(&tok, &user).expect("deep but readable");
    round_trips(&s);
}
