//! What a successful answer means (`answer` in JS and Rust).
//!
//! Dropped or changed JS checks:
//! - `s.r.startsWith('{"v":1,')`: the record is a value now (the glue writes it with
//!   `JSON.stringify`); its members and their order are checked instead.
//! - The held record was text (`""`, `"garbage"` for none); it is `Option<&Session>`,
//!   the session `restore` read, so "garbage" is `None` like "".
//! - `s.u` and `s.js`: `Session::user_id()` and `Session::view()`.
//! - `out.s === undefined` for `user`: a public profile is `Outcome::Public`, which has
//!   no session to carry.
//! - Unknown ops answered (`ans("nope", ...)`): see requests.rs.

use super::json;
use super::support::*;
use crate::core::answer::{Outcome, UserList};
use crate::core::json::Value;
use crate::core::request::Op;
use crate::core::session::{restore, PublicUser, User};

fn plain_user(id: &str, email: &str, data: &str, roles: &[&str], created_at: &str) -> User {
    User {
        id: id.into(),
        email: email.into(),
        data: json(data),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        created_at: created_at.into(),
        email_verified: None,
        oauth_provider: None,
    }
}

#[test]
fn token_answers_become_sessions() {
    let tok = jwt(T0, 3600);
    for op in [
        Op::Signup,
        Op::SignupWithFiles,
        Op::Login,
        Op::OauthVerify,
        Op::ChangePasswordLogin,
        Op::Verify2fa,
        Op::IdToken,
    ] {
        let s = session(ans(op, 200, &token_answer(&tok, "u1")));
        assert_eq!(s.access_token, tok, "{op:?}");
        assert_eq!(s.expires_at, (T0 + 3600) * 1000);
        assert_eq!(s.user_id(), "u1");
        let view = s.view();
        assert_eq!(
            view.user,
            plain_user("u1", "ada@example.com", "{}", &[], "")
        );
        assert_eq!(view.access_token, tok);
        assert_eq!(view.expires_at, ((T0 + 3600) * 1000) as f64);
        // The record reads back as the same session.
        let r = s.record();
        let keys: Vec<&str> = r.as_object().unwrap().iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["v", "access_token", "user", "expires_at"]);
        assert_eq!(r.get("v"), Some(&Value::Number(1.0)));
        assert_eq!(restore(Some(&r)), Some(s.clone()));
        round_trips(&s);
    }
    // Status 201 is a success too.
    session(ans(Op::Signup, 201, &token_answer(&tok, "u1")));
}

#[test]
fn expiry_follows_the_local_clock() {
    // The device is an hour ahead of the server: iat measures the lifetime.
    let tok = jwt(T0, 3600);
    let ahead = NOW + 3_600_000;
    let s = session(answer_at(
        Op::Login,
        200,
        &token_answer(&tok, "u1"),
        None,
        None,
        ahead,
        None,
    ));
    assert_eq!(s.expires_at, (T0 + 7200) * 1000);
    // No iat: the Date header gives the server's clock.
    let tok = token(&format!(r#"{{"exp":{}}}"#, T0 + 100));
    let s = session(answer_at(
        Op::Login,
        200,
        &token_answer(&tok, "u1"),
        None,
        Some(NOW),
        ahead,
        None,
    ));
    assert_eq!(s.expires_at, (T0 + 3600 + 100) * 1000);
    // Neither: exp on the local clock.
    let s = session(answer_at(
        Op::Login,
        200,
        &token_answer(&tok, "u1"),
        None,
        None,
        ahead,
        None,
    ));
    assert_eq!(s.expires_at, (T0 + 100) * 1000);
}

#[test]
fn a_second_factor_stores_nothing() {
    let body = r#"{"requires_2fa":true,"message":"Code sent to your email"}"#;
    for op in [Op::Signup, Op::SignupWithFiles, Op::Login, Op::OauthVerify] {
        assert_eq!(
            ans(op, 200, body),
            Ok(Outcome::SecondFactor {
                message: "Code sent to your email".into(),
                email: None
            }),
            "{op:?}"
        );
    }
    assert_eq!(
        ans(Op::Login, 200, r#"{"requires_2fa":true}"#),
        Ok(Outcome::SecondFactor {
            message: "A second factor is required.".into(),
            email: None
        })
    );
    // `requires_2fa: false` (or null) with a token is a normal sign-in.
    let tok = jwt(T0, 3600);
    for flag in ["null", "false"] {
        let with = format!(
            r#"{{"requires_2fa":{flag},{}"#,
            &token_answer(&tok, "u1")[1..]
        );
        session(ans(Op::Login, 200, &with));
    }
    // Only sign-ins know about a second factor.
    assert_eq!(
        code(ans(Op::Refresh, 200, r#"{"requires_2fa":true}"#)),
        "bad_response"
    );
}

#[test]
fn user_answers_update_the_held_session() {
    let held = record();
    let body = r#"{"id":"u1","email":"ada@example.com","data":{"bio":"hi"},"roles":[],"created_at":"t","extra":1}"#;
    for op in [Op::CurrentUser, Op::Update, Op::Follow, Op::Unfollow] {
        let Ok(Outcome::User { user, session }) = ans_held(op, 200, body, &held) else {
            panic!("{op:?}: no user");
        };
        assert_eq!(
            user,
            plain_user("u1", "ada@example.com", r#"{"bio":"hi"}"#, &[], "t"),
            "{op:?}"
        );
        let s = session.unwrap_or_else(|| panic!("{op:?}: no session"));
        assert_eq!(s.access_token, held.access_token);
        assert_eq!(s.expires_at, held.expires_at);
        assert_eq!(s.user_id(), "u1");
        // The raw user is stored, unknown fields included.
        assert_eq!(s.record().get("user"), Some(&json(body)));
        assert_eq!(s.view().user, user, "the session's user is the answer's");
    }
    // Another user, or no session: the user only.
    assert_eq!(
        ans_held(
            Op::CurrentUser,
            200,
            r#"{"id":"u2","email":"b@x.io"}"#,
            &held
        ),
        Ok(Outcome::User {
            user: plain_user("u2", "b@x.io", "{}", &[], ""),
            session: None
        })
    );
    let Ok(Outcome::User { session, .. }) = ans(Op::CurrentUser, 200, body) else {
        panic!("no user");
    };
    assert_eq!(session, None);
    // Not a user.
    for bad in [
        r#"{"detail":"x"}"#,
        r#"{"id":""}"#,
        r#"{"id":5}"#,
        "[]",
        "null",
    ] {
        assert_eq!(
            code(ans(Op::CurrentUser, 200, bad)),
            "bad_response",
            "{bad}"
        );
    }
}

#[test]
fn refresh_keeps_the_held_user_when_the_answer_has_none() {
    let held = record();
    let fresh = jwt(T0 + 60, 3600);
    // With a user: that one.
    let body = token_answer(&fresh, "u1").replace("ada@example.com", "new@example.com");
    let s = session(ans_held(Op::Refresh, 200, &body, &held));
    assert_eq!(s.access_token, fresh);
    // Its lifetime (exp - iat) counts from now on the local clock.
    assert_eq!(s.expires_at, (T0 + 3600) * 1000);
    assert_eq!(s.view().user.email, "new@example.com");
    // Without one (or an unusable one): the held user.
    for body in [
        format!(r#"{{"access_token":"{fresh}"}}"#),
        format!(r#"{{"access_token":"{fresh}","user":null}}"#),
        format!(r#"{{"access_token":"{fresh}","user":{{"id":""}}}}"#),
    ] {
        let s = session(ans_held(Op::Refresh, 200, &body, &held));
        assert_eq!(s.access_token, fresh, "{body}");
        assert_eq!(s.user_id(), "u1");
        assert_eq!(s.view().user.email, "ada@example.com");
    }
    // Without one and nothing held: unreadable.
    assert_eq!(
        code(ans(
            Op::Refresh,
            200,
            &format!(r#"{{"access_token":"{fresh}"}}"#)
        )),
        "bad_response"
    );
    // Servers without refresh.
    for status in [404, 405] {
        assert_eq!(
            code(ans(Op::Refresh, status, r#"{"detail":"Not Found"}"#)),
            "refresh_unsupported"
        );
    }
}

#[test]
fn change_password_answers() {
    let held = record();
    let fresh = jwt(T0 + 5, 3600);
    let body = format!(r#"{{"message":"Password changed","access_token":"{fresh}"}}"#);
    let s = session(ans_held(Op::ChangePassword, 200, &body, &held));
    assert_eq!(s.access_token, fresh);
    assert_eq!(s.expires_at, (T0 + 3600) * 1000);
    assert_eq!(s.view().user, held.view().user);
    // No token, an empty one, or no session held.
    for b in [r#"{"message":"ok"}"#, r#"{"access_token":""}"#] {
        assert_eq!(
            code(ans_held(Op::ChangePassword, 200, b, &held)),
            "bad_response",
            "{b}"
        );
    }
    assert_eq!(code(ans(Op::ChangePassword, 200, &body)), "session_missing");
    // The errors the glue acts on.
    assert_eq!(
        code(ans(
            Op::ChangePassword,
            400,
            r#"{"detail":"Current password is incorrect"}"#
        )),
        "invalid_credentials"
    );
    for status in [404, 405] {
        assert_eq!(
            error(ans(Op::ChangePassword, status, r#"{"detail":"Not Found"}"#)).status,
            status
        );
    }
    // The fallback: a login, then a patch whose answer only needs to be JSON.
    let login = session(ans_held(
        Op::ChangePasswordLogin,
        200,
        &token_answer(&fresh, "u1"),
        &held,
    ));
    assert_eq!(login.access_token, fresh);
    assert_eq!(
        code(ans(
            Op::ChangePasswordLogin,
            400,
            r#"{"detail":"An error occured 400: Invalid password value"}"#
        )),
        "invalid_credentials"
    );
    assert_eq!(
        ans(Op::ChangePasswordPatch, 200, r#"{"id":"u1"}"#),
        Ok(Outcome::Done)
    );
    assert_eq!(ans(Op::ChangePasswordPatch, 200, "[]"), Ok(Outcome::Done));
    assert_eq!(code(ans(Op::ChangePasswordPatch, 200, "")), "bad_response");
    assert_eq!(
        code(ans(
            Op::ChangePasswordPatch,
            400,
            r#"{"detail":"Use change-password to change a password"}"#
        )),
        "validation_failed"
    );
}

#[test]
fn lists_and_public_users() {
    let out = ans(
        Op::ListUsers,
        200,
        r#"{"data":[{"id":"u1","email":"a@x.io","data":{},"roles":["r"],"created_at":"t"},{"nope":1}],"total":3,"limit":1,"offset":0,"has_more":true}"#,
    );
    assert_eq!(
        out,
        Ok(Outcome::List(UserList {
            users: vec![plain_user("u1", "a@x.io", "{}", &["r"], "t")],
            total: 3.0,
            limit: 1.0,
            offset: 0.0,
            has_more: true,
        }))
    );
    // The other server's key, and missing counts.
    let Ok(Outcome::List(v)) = ans(Op::ListUsers, 200, r#"{"users":[{"id":"a"},{"id":"b"}]}"#)
    else {
        panic!("no list");
    };
    assert_eq!(v.total, 2.0);
    assert_eq!(v.limit, 0.0);
    assert!(!v.has_more);
    for bad in ["{}", r#"{"data":{}}"#, "[]", r#"{"data":null,"users":[]}"#] {
        assert_eq!(code(ans(Op::ListUsers, 200, bad)), "bad_response", "{bad}");
    }
    assert_eq!(
        ans(
            Op::GetUser,
            200,
            r#"{"id":"u/2","data":{"n":1},"created_at":"t","roles":[],"email":"leak@x.io"}"#
        ),
        Ok(Outcome::Public(PublicUser {
            id: "u/2".into(),
            data: json(r#"{"n":1}"#),
            roles: vec![],
            created_at: "t".into(),
        }))
    );
    // A public profile never updates the session, even for the same user.
    let out = ans_held(Op::GetUser, 200, r#"{"id":"u1"}"#, &record());
    assert!(matches!(out, Ok(Outcome::Public(_))), "{out:?}");
    assert_eq!(
        code(ans(Op::GetUser, 200, r#"{"name":"x"}"#)),
        "bad_response"
    );
    assert_eq!(
        code(ans(Op::GetUser, 404, r#"{"detail":"User not found"}"#)),
        "not_found"
    );
    // Added: the JS shape of a list.
    let Ok(Outcome::List(v)) = ans(Op::ListUsers, 200, r#"{"users":[{"id":"a"}],"total":1.9}"#)
    else {
        panic!("no list");
    };
    assert_eq!(
        serde_json::to_string(&v).unwrap(),
        r#"{"users":[{"id":"a","email":"","data":{},"roles":[],"createdAt":""}],"total":1.0,"limit":0.0,"offset":0.0,"hasMore":false}"#
    );
}

#[test]
fn oauth_url_answers() {
    assert_eq!(
        ans(
            Op::OauthUrl,
            200,
            r#"{"url":"https://accounts.example/auth?x=1"}"#
        ),
        Ok(Outcome::Url("https://accounts.example/auth?x=1".into()))
    );
    for bad in [r#"{"url":"javascript:alert(1)"}"#, r#"{"url":5}"#, "{}"] {
        assert_eq!(code(ans(Op::OauthUrl, 200, bad)), "bad_response", "{bad}");
    }
    assert_eq!(
        code(ans(Op::OauthUrl, 404, r#"{"detail":"Unknown provider"}"#)),
        "not_found"
    );
    assert_eq!(
        code(ans(
            Op::OauthVerify,
            400,
            r#"{"detail":"Invalid or expired code"}"#
        )),
        "oauth_invalid_callback"
    );
}
