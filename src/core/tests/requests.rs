//! Requests and answers: every endpoint, errors from both servers, local checks.

use super::*;

#[test]
fn signup_sends_key_and_json_and_signs_in() {
    let c = client();
    c.script(ok(&token_answer(&jwt(T0, 3600), "u1")));
    let data = Json::parse(r#"{"name":"Ada"}"#);
    let r =
        block_on(c.signup("ada@example.com", GOOD_PW, data, Some(vec!["admin".into()]))).unwrap();
    assert!(matches!(r, AuthResult::Session(ref s) if s.expires_at == (T0 + 3600) * 1000));
    let sent = c.transport.sent.borrow();
    let req = &sent[0];
    assert_eq!(req.method, Method::Post);
    assert_eq!(req.url, "http://127.0.0.1:9/auth-collections/signup");
    assert!(req.headers.contains(&("x-api-key", "pk_test_x".into())));
    assert!(req
        .headers
        .contains(&("Content-Type", "application/json".into())));
    assert!(!req.headers.iter().any(|(h, _)| *h == "Authorization"));
    match &req.body {
        Body::Json(b) => assert_eq!(
            b,
            r#"{"email":"ada@example.com","password":"Correct-Horse-7","data":{"name":"Ada"},"roles":["admin"]}"#
        ),
        other => panic!("{other:?}"),
    }
    drop(sent);
    assert_eq!(c.events(), ["SIGNED_IN u1"]);
    assert!(c.stored().unwrap().contains("\"v\":1"));
}

#[test]
fn local_validation_failure_sends_nothing() {
    let c = client();
    let e = block_on(c.signup("not-an-email", "short", None, None)).unwrap_err();
    assert_eq!(e.code, ErrorCode::ValidationFailed);
    let fields: Vec<_> = e.field_errors.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(fields, ["email", "password"]);
    assert!(e.field_errors[1].1.iter().any(|r| r.code == "too_short"));
    assert!(c.transport.sent.borrow().is_empty());

    let e = block_on(c.login("", "")).unwrap_err();
    assert_eq!(e.field_errors.len(), 2);
    assert!(c.transport.sent.borrow().is_empty());
}

#[test]
fn signup_with_files_is_multipart() {
    let c = client();
    c.script(ok(&token_answer(&jwt(T0, 3600), "u1")));
    let files = vec![("avatar".to_owned(), "file-bytes")];
    block_on(c.signup_with_files("ada@example.com", GOOD_PW, None, files)).unwrap();
    let sent = c.transport.sent.borrow();
    match &sent[0].body {
        Body::Multipart { data, files } => {
            assert_eq!(
                data,
                r#"{"email":"ada@example.com","password":"Correct-Horse-7"}"#
            );
            assert_eq!(files, &[("avatar".to_owned(), "file-bytes")]);
        }
        other => panic!("{other:?}"),
    }
    assert!(!sent[0].headers.iter().any(|(h, _)| *h == "Content-Type"));
}

#[test]
fn login_errors_from_both_servers() {
    let c = client();
    c.script(status(401, r#"{"detail":"Invalid email or password"}"#));
    c.script(status(
        400,
        r#"{"detail":"An error occured 404: Account with this email does not exist"}"#,
    ));
    c.script(status(409, r#"{"detail":"x"}"#));
    for _ in 0..2 {
        let e = block_on(c.login("ada@example.com", "x")).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidCredentials);
    }
    let e = block_on(c.signup("ada@example.com", GOOD_PW, None, None)).unwrap_err();
    assert_eq!(e.code, ErrorCode::EmailTaken);
    assert!(c.events().is_empty());
    assert_eq!(c.stored(), None);
}

#[test]
fn login_may_require_a_second_factor() {
    let c = client();
    c.script(ok(
        r#"{"requires_2fa":true,"message":"Code sent to your email"}"#,
    ));
    let r = block_on(c.login("ada@example.com", "pw")).unwrap();
    assert_eq!(
        r,
        AuthResult::Requires2fa {
            message: "Code sent to your email".into()
        }
    );
    assert_eq!(
        r.to_js_shape().to_json(),
        r#"{"requires2fa":true,"message":"Code sent to your email"}"#
    );
    assert!(c.session().is_none());
    assert!(c.events().is_empty());
}

#[test]
fn bad_answers_are_typed() {
    let c = client();
    c.script(ok("<html>not json</html>"));
    c.script(ok(r#"{"access_token":null,"user":null}"#));
    c.script(Err(TransportError::Network));
    c.script(Err(TransportError::Timeout));
    c.script(status(502, "<html>bad gateway</html>"));
    let codes: Vec<_> = (0..5)
        .map(|_| block_on(c.login("a@b.co", "x")).unwrap_err())
        .collect();
    let got: Vec<_> = codes
        .iter()
        .map(|e| (e.code, e.status, e.retryable()))
        .collect();
    assert_eq!(
        got,
        [
            (ErrorCode::BadResponse, 200, false),
            (ErrorCode::BadResponse, 0, false),
            (ErrorCode::NetworkError, 0, true),
            (ErrorCode::Timeout, 0, true),
            (ErrorCode::ServerError, 502, true),
        ]
    );
}

#[test]
fn user_requests_carry_the_bearer_and_need_a_session() {
    let c = client();
    let e = block_on(c.get_current_user()).unwrap_err();
    assert_eq!(e.code, ErrorCode::SessionMissing);
    assert!(c.transport.sent.borrow().is_empty());

    let s = c.signed_in(3600);
    c.script(ok(
        r#"{"id":"u1","email":"ada@example.com","data":{"bio":"hi"},"roles":[],"created_at":"t"}"#,
    ));
    let u = block_on(c.get_current_user()).unwrap();
    assert_eq!(u.get("data").unwrap().str_at("bio"), Some("hi"));
    let sent = c.transport.sent.borrow();
    let auth = sent[1]
        .headers
        .iter()
        .find(|(h, _)| *h == "Authorization")
        .unwrap();
    assert_eq!(auth.1, format!("Bearer {}", s.access_token));
    assert!(sent[1].headers.contains(&("x-api-key", "pk_test_x".into())));
    drop(sent);
    assert_eq!(c.events(), ["SIGNED_IN u1", "USER_UPDATED u1"]);
    assert!(c.stored().unwrap().contains("\"bio\":\"hi\""));
}

#[test]
fn updates_nest_append_and_remove_in_data() {
    let c = client();
    c.signed_in(3600);
    c.script(ok(
        r#"{"id":"u1","email":"ada@example.com","data":{"following_ids":["u2"]}}"#,
    ));
    c.script(ok(
        r#"{"id":"u1","email":"ada@example.com","data":{"following_ids":[]}}"#,
    ));
    c.script(ok(
        r#"{"id":"u1","email":"new@example.com","data":{"a":1,"tags":["x"]}}"#,
    ));
    block_on(c.follow("u2")).unwrap();
    block_on(c.unfollow("u2")).unwrap();
    let update = UserUpdate {
        data: Json::parse(r#"{"a":1}"#),
        email: Some("new@example.com".into()),
        append: Json::parse(r#"{"tags":"x"}"#),
        remove: Json::parse(r#"{"tags":["y"]}"#),
    };
    let u = block_on(c.update_user(update)).unwrap();
    assert_eq!(u.str_at("email"), Some("new@example.com"));
    let bodies: Vec<String> = c
        .transport
        .sent
        .borrow()
        .iter()
        .skip(1)
        .map(|r| match &r.body {
            Body::Json(b) => b.clone(),
            _ => String::new(),
        })
        .collect();
    assert_eq!(
        bodies,
        [
            r#"{"data":{"$append":{"following_ids":"u2"}}}"#,
            r#"{"data":{"$remove":{"following_ids":"u2"}}}"#,
            r#"{"data":{"a":1,"$append":{"tags":"x"},"$remove":{"tags":["y"]}},"email":"new@example.com"}"#,
        ]
    );
    assert_eq!(
        c.events()
            .iter()
            .filter(|e| e.starts_with("USER_UPDATED"))
            .count(),
        3
    );
    assert_eq!(
        c.session().unwrap().user.str_at("email"),
        Some("new@example.com")
    );

    let bad = UserUpdate {
        email: Some("nope".into()),
        ..UserUpdate::default()
    };
    assert_eq!(
        block_on(c.update_user(bad)).unwrap_err().code,
        ErrorCode::ValidationFailed
    );
}

#[test]
fn a_dead_token_ends_the_session_with_a_reason() {
    let c = client();
    c.signed_in(3600);
    c.script(status(401, r#"{"detail":"Token has expired"}"#));
    let e = block_on(c.get_current_user()).unwrap_err();
    assert_eq!(e.code, ErrorCode::SessionExpired);
    assert_eq!(c.events().last().unwrap(), "SIGNED_OUT expired");
    assert_eq!(c.stored(), None);

    let c = client();
    c.signed_in(3600);
    c.script(status(401, r#"{"detail":"Token has been revoked"}"#));
    assert_eq!(
        block_on(c.get_current_user()).unwrap_err().code,
        ErrorCode::Unauthorized
    );
    assert_eq!(c.events().last().unwrap(), "SIGNED_OUT revoked");
}

#[test]
fn an_expired_token_is_never_sent() {
    let c = client();
    c.signed_in(100);
    c.advance(100_000);
    let e = block_on(c.get_current_user()).unwrap_err();
    assert_eq!(e.code, ErrorCode::SessionExpired);
    assert_eq!(c.transport.sent.borrow().len(), 1);
    assert_eq!(c.events(), ["SIGNED_IN u1", "SIGNED_OUT expired"]);
}

#[test]
fn rate_limits_and_server_errors_keep_the_session() {
    let c = client();
    c.signed_in(3600);
    c.script(Ok(Response {
        status: 429,
        body: "{}".into(),
        retry_after: Some(30),
        date_ms: None,
    }));
    c.script(status(500, r#"{"error":"boom","traceback":"..."}"#));
    let e = block_on(c.get_current_user()).unwrap_err();
    assert_eq!((e.code, e.retry_after), (ErrorCode::RateLimited, Some(30)));
    let e = block_on(c.get_current_user()).unwrap_err();
    assert_eq!(e.code, ErrorCode::ServerError);
    assert!(c.session().is_some());
    assert_eq!(c.events(), ["SIGNED_IN u1"]);
}

#[test]
fn change_password_adopts_the_fresh_token() {
    let c = client();
    let old = c.signed_in(3600);
    let fresh = jwt(T0 + 5, 3600);
    c.script(ok(&format!(
        r#"{{"message":"Password changed","access_token":"{fresh}"}}"#
    )));
    block_on(c.change_password("pw", GOOD_PW)).unwrap();
    let s = c.session().unwrap();
    assert_eq!(s.access_token, fresh);
    assert_eq!(s.user, old.user);
    assert_eq!(c.events().last().unwrap(), "TOKEN_REFRESHED u1");
    let sent = c.transport.sent.borrow();
    assert!(
        matches!(&sent[1].body, Body::Json(b) if b == r#"{"current_password":"pw","new_password":"Correct-Horse-7"}"#)
    );
}

#[test]
fn change_password_wrong_current_keeps_the_session() {
    let c = client();
    c.signed_in(3600);
    c.script(status(400, r#"{"detail":"Current password is incorrect"}"#));
    let e = block_on(c.change_password("wrong", GOOD_PW)).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidCredentials);
    assert!(c.session().is_some());

    let e = block_on(c.change_password("pw", "weak")).unwrap_err();
    assert_eq!(e.code, ErrorCode::ValidationFailed);
    assert_eq!(e.field_errors[0].0, "newPassword");
    assert_eq!(c.transport.sent.borrow().len(), 2);
}

#[test]
fn change_password_without_the_endpoint_uses_login_then_patch() {
    let c = client();
    c.signed_in(3600);
    let checked = jwt(T0 + 1, 3600);
    c.script(status(404, r#"{"detail":"Not Found"}"#));
    c.script(ok(&token_answer(&checked, "u1")));
    c.script(ok(r#"{"id":"u1","email":"ada@example.com","data":{}}"#));
    block_on(c.change_password("pw", GOOD_PW)).unwrap();
    assert_eq!(
        c.sent_paths(),
        ["/login", "/change-password", "/login", "/user"]
    );
    let sent = c.transport.sent.borrow();
    assert!(matches!(&sent[3].body, Body::Json(b) if b == r#"{"password":"Correct-Horse-7"}"#));
    assert_eq!(sent[3].method, Method::Patch);
    drop(sent);
    assert_eq!(c.session().unwrap().access_token, checked);

    // Wrong current password against such a server: refused by the login, session kept.
    c.script(status(404, ""));
    c.script(status(
        400,
        r#"{"detail":"An error occured 400: Invalid password value"}"#,
    ));
    let e = block_on(c.change_password("bad", GOOD_PW)).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidCredentials);
    assert!(c.session().is_some());
}

#[test]
fn list_and_lookup() {
    let c = client();
    c.script(ok(
        r#"{"data":[{"id":"u1","email":"a@x.io","data":{},"roles":["r"],"created_at":"t"}],"total":3,"limit":1,"offset":0,"has_more":true}"#,
    ));
    let q = ListQuery {
        limit: Some(1),
        offset: Some(0),
        role: Some("r w".into()),
        email_contains: Some("a&b".into()),
    };
    let list = block_on(c.list_users(&q)).unwrap();
    assert_eq!(
        list.to_json(),
        r#"{"users":[{"id":"u1","email":"a@x.io","data":{},"roles":["r"],"createdAt":"t"}],"total":3,"limit":1,"offset":0,"hasMore":true}"#
    );
    c.script(ok(
        r#"{"id":"u/2","data":{"n":1},"created_at":"t","roles":[],"email":"leak@x.io"}"#,
    ));
    let u = block_on(c.get_user_by_id("u/2")).unwrap();
    assert_eq!(
        u.to_json(),
        r#"{"id":"u/2","data":{"n":1},"roles":[],"createdAt":"t"}"#
    );
    assert_eq!(
        c.sent_paths(),
        [
            "/users?limit=1&offset=0&role=r%20w&email_contains=a%26b",
            "/users/u%2F2"
        ]
    );
    c.script(status(404, r#"{"detail":"User not found"}"#));
    assert_eq!(
        block_on(c.get_user_by_id("nope")).unwrap_err().code,
        ErrorCode::NotFound
    );
    assert!(!c.transport.sent.borrow()[0]
        .headers
        .iter()
        .any(|(h, _)| *h == "Authorization"));
}
