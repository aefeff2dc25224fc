//! Signup, login, the current user, tokens, change-password and refresh.

mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use cocobase_emulator::token::Claims;
use common::*;
use serde_json::{json, Value};

fn assert_user_shape(u: &Value, email: &str) {
    let keys: Vec<&str> = u.as_object().unwrap().keys().map(String::as_str).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            "client_id",
            "created_at",
            "data",
            "email",
            "email_verified",
            "id",
            "oauth_provider",
            "roles"
        ]
    );
    assert_eq!(u["email"], email);
    assert_eq!(u["email_verified"], false);
    assert!(u["oauth_provider"].is_null());
    assert!(u["roles"].is_array());
    assert_eq!(u["created_at"], "2026-11-27T16:00:00.000000Z");
    let id = u["id"].as_str().unwrap();
    assert_eq!((id.len(), &id[14..15]), (36, "4"));
}

fn claims_of(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn signup_login_and_current_user() {
    let app = TestApp::new();
    let r = app
        .call(
            "POST",
            "/auth-collections/signup",
            None,
            Some(
                json!({"email": "Ada@Example.com", "password": PASSWORD, "data": {"name": "Ada"},
                        "roles": ["admin", "admin", "editor"], "unknown_field": 1}),
            ),
        )
        .await;
    r.assert(200);
    let v = r.json();
    assert_user_shape(&v["user"], "Ada@Example.com");
    assert_eq!(v["user"]["data"], json!({"name": "Ada"}));
    assert_eq!(v["user"]["roles"], json!(["admin", "editor"]));
    assert!(!r.text().contains("argon2"), "no hash in answers");

    let token = v["access_token"].as_str().unwrap();
    let c = claims_of(token);
    assert_eq!(c["userId"], v["user"]["id"]);
    assert_eq!(c["sub"], v["user"]["id"]);
    assert_eq!(c["email"], "Ada@Example.com");
    assert_eq!(
        c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(),
        172_800
    );
    assert_eq!(c["tv"], 0);

    // Login matches the email without regard to case.
    let r = app
        .call(
            "POST",
            "/auth-collections/login",
            None,
            Some(json!({"email": "ada@EXAMPLE.com", "password": PASSWORD})),
        )
        .await;
    r.assert(200);
    assert_eq!(r.json()["user"]["id"], v["user"]["id"]);
    assert!(!r.text().contains("argon2"));

    let r = app
        .call("GET", "/auth-collections/user", Some(token), None)
        .await;
    r.assert(200);
    assert_user_shape(&r.json(), "Ada@Example.com");
}

#[tokio::test]
async fn signup_refusals() {
    let app = TestApp::new();
    app.signup("taken@example.com").await;
    let r = app
        .call(
            "POST",
            "/auth-collections/signup",
            None,
            Some(json!({"email": "TAKEN@example.com", "password": PASSWORD})),
        )
        .await;
    r.assert(409);
    assert!(
        r.detail()
            .starts_with("User with this email already exists"),
        "{}",
        r.detail()
    );

    // Weak password and bad email: one 422 naming both fields, in the shared rules' words.
    let r = app
        .call(
            "POST",
            "/auth-collections/signup",
            None,
            Some(json!({"email": "nope", "password": "short"})),
        )
        .await;
    r.assert(422);
    let d = r.json()["detail"].clone();
    assert_eq!(d[0]["loc"], json!(["body", "email"]));
    assert_eq!(d[0]["type"], "value_error.missing_at");
    assert_eq!(d[1]["loc"], json!(["body", "password"]));
    assert!(d[1]["type"].as_str().unwrap().starts_with("value_error."));
    assert!(d[1]["msg"].as_str().unwrap().contains("too short"));

    // Missing field.
    let r = app
        .call(
            "POST",
            "/auth-collections/signup",
            None,
            Some(json!({"password": PASSWORD})),
        )
        .await;
    r.assert(422);
    assert_eq!(
        r.json(),
        json!({"detail": [{"loc": ["body", "email"], "msg": "Field required", "type": "missing"}]})
    );

    // Wrong types.
    let r = app
        .call(
            "POST",
            "/auth-collections/signup",
            None,
            Some(json!({"email": 5, "password": PASSWORD, "data": [1], "roles": "admin"})),
        )
        .await;
    r.assert(422);
    let types: Vec<Value> = r.json()["detail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].clone())
        .collect();
    assert_eq!(
        types,
        [json!("string_type"), json!("dict_type"), json!("list_type")]
    );

    // Absurdly long strings.
    let long_email = format!("{}@example.com", "a".repeat(300));
    let r = app
        .call(
            "POST",
            "/auth-collections/signup",
            None,
            Some(json!({"email": long_email, "password": "x".repeat(2000)})),
        )
        .await;
    r.assert(422);
    assert_eq!(r.json()["detail"][0]["type"], "string_too_long");
    assert_eq!(r.json()["detail"][1]["type"], "string_too_long");

    // Malformed JSON and non-objects.
    for body in ["{not json", "[1,2]", ""] {
        let req = Request::post("/auth-collections/signup")
            .header("x-api-key", KEY)
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap();
        let r = app.send(req).await;
        r.assert(422);
        assert_eq!(r.json()["detail"][0]["loc"], json!(["body"]));
    }

    // Wrong content type.
    let req = Request::post("/auth-collections/signup")
        .header("x-api-key", KEY)
        .header("content-type", "text/plain")
        .body(Body::from("email=a"))
        .unwrap();
    app.send(req).await.assert(415);

    // JSON over 1 MiB.
    let big = json!({"email": "big@example.com", "password": PASSWORD, "data": {"blob": "x".repeat(1_100_000)}});
    let r = app
        .call("POST", "/auth-collections/signup", None, Some(big))
        .await;
    r.assert(413);
    assert!(r.detail().contains("1 MiB"));
}

#[tokio::test]
async fn self_roles_limit_claimed_roles() {
    let app = TestApp::with(|c| c.self_roles = Some(vec!["reader".into()]));
    let r = app
        .call("POST", "/auth-collections/signup", None,
              Some(json!({"email": "r@example.com", "password": PASSWORD, "roles": ["admin", "reader"]})))
        .await;
    r.assert(200);
    assert_eq!(r.json()["user"]["roles"], json!(["reader"]));
}

#[tokio::test]
async fn login_refusals_look_the_same() {
    let app = TestApp::new();
    app.signup("user@example.com").await;
    let wrong = app
        .call(
            "POST",
            "/auth-collections/login",
            None,
            Some(json!({"email": "user@example.com", "password": "Wrong-pass1"})),
        )
        .await;
    let unknown = app
        .call(
            "POST",
            "/auth-collections/login",
            None,
            Some(json!({"email": "ghost@example.com", "password": "Wrong-pass1"})),
        )
        .await;
    wrong.assert(401);
    unknown.assert(401);
    assert_eq!(wrong.json(), json!({"detail": "Invalid email or password"}));
    assert_eq!(wrong.body, unknown.body);

    // Login checks presence and sanity, not strength.
    let r = app
        .call(
            "POST",
            "/auth-collections/login",
            None,
            Some(json!({"email": "user@example.com"})),
        )
        .await;
    r.assert(422);
    assert_eq!(r.json()["detail"][0]["loc"], json!(["body", "password"]));
    let r = app
        .call(
            "POST",
            "/auth-collections/login",
            None,
            Some(json!({"email": "user@example.com", "password": "p".repeat(1025)})),
        )
        .await;
    r.assert(422);
    let r = app
        .call(
            "POST",
            "/auth-collections/login",
            None,
            Some(json!({"email": "x", "password": "weak"})),
        )
        .await;
    r.assert(401);
}

#[tokio::test]
async fn user_token_errors() {
    let app = TestApp::new();
    let (token, user) = app.signup("tok@example.com").await;

    let r = app.call("GET", "/auth-collections/user", None, None).await;
    r.assert(401);
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    assert_eq!(r.detail(), "Not authenticated");

    for bad in ["garbage", "a.b.c", &token[..token.len() - 2]] {
        let r = app
            .call("GET", "/auth-collections/user", Some(bad), None)
            .await;
        r.assert(401);
        assert_eq!(r.header("www-authenticate"), Some("Bearer"));
        assert_eq!(r.detail(), "Invalid token");
    }

    // A token signed with another secret.
    let foreign = cocobase_emulator::token::sign(
        &Claims {
            user_id: user["id"].as_str().unwrap().into(),
            email: "tok@example.com".into(),
            sub: user["id"].as_str().unwrap().into(),
            iat: 0,
            exp: i64::MAX,
            tv: 0,
        },
        b"not the secret",
    );
    app.call("GET", "/auth-collections/user", Some(&foreign), None)
        .await
        .assert(401);

    // Expiry, crossed with the manual clock.
    app.clock.advance(Duration::from_secs(172_800));
    let r = app
        .call("GET", "/auth-collections/user", Some(&token), None)
        .await;
    r.assert(401);
    assert_eq!(r.detail(), "Token has expired");
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
}

#[tokio::test]
async fn short_token_ttl_and_crafted_expired_token() {
    let app = TestApp::with(|c| c.token_ttl = 1);
    let (token, user) = app.signup("ttl@example.com").await;
    app.call("GET", "/auth-collections/user", Some(&token), None)
        .await
        .assert(200);
    app.clock.advance(Duration::from_secs(1));
    assert_eq!(
        app.call("GET", "/auth-collections/user", Some(&token), None)
            .await
            .detail(),
        "Token has expired"
    );

    let id = user["id"].as_str().unwrap().to_string();
    let crafted = app.state.sign(&Claims {
        user_id: id.clone(),
        email: "ttl@example.com".into(),
        sub: id,
        iat: 0,
        exp: 10,
        tv: 0,
    });
    assert_eq!(
        app.call("GET", "/auth-collections/user", Some(&crafted), None)
            .await
            .detail(),
        "Token has expired"
    );
}

#[tokio::test]
async fn change_password_revokes_older_tokens() {
    let app = TestApp::new();
    let (old, _) = app.signup("cp@example.com").await;
    let r = app
        .call(
            "POST",
            "/auth-collections/login",
            None,
            Some(json!({"email": "cp@example.com", "password": PASSWORD})),
        )
        .await;
    let other_tab = r.json()["access_token"].as_str().unwrap().to_string();

    // Wrong current password: 400, never 401.
    let r = app
        .call(
            "POST",
            "/auth-collections/change-password",
            Some(&old),
            Some(json!({"current_password": "Not-the-one1", "new_password": "Brand-New-Pass9"})),
        )
        .await;
    r.assert(400);
    assert_eq!(r.detail(), "Current password is incorrect");

    // A weak new password is a 422 on new_password.
    let r = app
        .call(
            "POST",
            "/auth-collections/change-password",
            Some(&old),
            Some(json!({"current_password": PASSWORD, "new_password": "weak"})),
        )
        .await;
    r.assert(422);
    assert_eq!(
        r.json()["detail"][0]["loc"],
        json!(["body", "new_password"])
    );

    let r = app
        .call(
            "POST",
            "/auth-collections/change-password",
            Some(&old),
            Some(json!({"new_password": "Brand-New-Pass9"})),
        )
        .await;
    r.assert(422);
    assert_eq!(
        r.json()["detail"][0]["loc"],
        json!(["body", "current_password"])
    );

    // old_password is accepted as an alias.
    let r = app
        .call(
            "POST",
            "/auth-collections/change-password",
            Some(&old),
            Some(json!({"old_password": PASSWORD, "new_password": "Brand-New-Pass9"})),
        )
        .await;
    r.assert(200);
    let v = r.json();
    assert!(v["message"].is_string());
    let fresh = v["access_token"].as_str().unwrap().to_string();
    assert_eq!(claims_of(&fresh)["tv"], 1);

    for stale in [&old, &other_tab] {
        let r = app
            .call("GET", "/auth-collections/user", Some(stale), None)
            .await;
        r.assert(401);
        assert!(r.detail().contains("revoked"), "{}", r.detail());
        assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    }
    app.call("GET", "/auth-collections/user", Some(&fresh), None)
        .await
        .assert(200);

    app.call(
        "POST",
        "/auth-collections/login",
        None,
        Some(json!({"email": "cp@example.com", "password": PASSWORD})),
    )
    .await
    .assert(401);
    app.call(
        "POST",
        "/auth-collections/login",
        None,
        Some(json!({"email": "cp@example.com", "password": "Brand-New-Pass9"})),
    )
    .await
    .assert(200);
}

#[tokio::test]
async fn refresh_issues_a_new_token_without_revoking_the_old_one() {
    let app = TestApp::new();
    let (old, user) = app.signup("rf@example.com").await;
    app.clock.advance(Duration::from_secs(100));
    let r = app
        .call("POST", "/auth-collections/refresh-token", Some(&old), None)
        .await;
    r.assert(200);
    let v = r.json();
    assert_eq!(v["user"]["id"], user["id"]);
    let new = v["access_token"].as_str().unwrap();
    assert_ne!(new, old);
    assert_eq!(
        claims_of(new)["exp"].as_i64().unwrap(),
        claims_of(&old)["exp"].as_i64().unwrap() + 100
    );
    app.call("GET", "/auth-collections/user", Some(&old), None)
        .await
        .assert(200);
    app.call("GET", "/auth-collections/user", Some(new), None)
        .await
        .assert(200);

    // Needs a user token that is still valid.
    app.call("POST", "/auth-collections/refresh-token", None, None)
        .await
        .assert(401);
    app.clock.advance(Duration::from_secs(172_800));
    let r = app
        .call("POST", "/auth-collections/refresh-token", Some(&old), None)
        .await;
    r.assert(401);
    assert_eq!(r.detail(), "Token has expired");
}

#[tokio::test]
async fn api_keys() {
    let app = TestApp::new();
    // Missing or unknown key.
    let r = app
        .send(
            Request::get("/auth-collections/users")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    r.assert(401);
    assert_eq!(r.json(), json!({"detail": "Invalid API key"}));
    let r = app
        .send(
            Request::get("/auth-collections/users")
                .header("x-api-key", "pk_test_other")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    r.assert(401);
    assert_eq!(r.detail(), "Invalid API key");

    // The secret key, and the key as a bearer token where no user is needed.
    app.send(
        Request::get("/auth-collections/users")
            .header("x-api-key", SECRET_KEY)
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .assert(200);
    app.send(
        Request::get("/auth-collections/users")
            .header("authorization", format!("Bearer {KEY}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .assert(200);

    // A user request needs x-api-key beside the user token.
    let (token, _) = app.signup("key@example.com").await;
    let r = app
        .send(
            Request::get("/auth-collections/user")
                .header("authorization", format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    r.assert(401);
    assert_eq!(r.detail(), "Invalid API key");
}
