//! `google-verify` with the stand-in's ID tokens, `github-verify` with the stand-in's
//! consent page, and both with the second factor.

mod common;

use axum::body::Body;
use axum::http::Request;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use common::*;
use serde_json::{json, Value};

const CALLBACK: &str = "http://localhost:5173/auth/github";

/// `POST /__emulator/google/id-token` (no key).
async fn mint(app: &TestApp, body: Value) -> Resp {
    let req = Request::post("/__emulator/google/id-token")
        .header("host", "127.0.0.1:8787")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    app.send(req).await
}

async fn id_token(app: &TestApp, email: &str, name: Option<&str>) -> String {
    let r = mint(app, json!({"email": email, "name": name})).await;
    r.assert(200);
    r.json()["id_token"].as_str().unwrap().to_string()
}

async fn google_verify(app: &TestApp, token: &str) -> Resp {
    app.call(
        "POST",
        "/auth-collections/google-verify",
        None,
        Some(json!({"id_token": token, "platform": "web"})),
    )
    .await
}

fn payload(token: &str) -> Value {
    let part = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&B64.decode(part).unwrap()).unwrap()
}

#[tokio::test]
async fn google_id_tokens_sign_in_and_create_the_account() {
    let app = TestApp::new();
    let token = id_token(&app, "Ada@Example.com", Some("Ada Lovelace")).await;
    let claims = payload(&token);
    assert_eq!(claims["iss"], "https://accounts.google.com");
    assert_eq!(claims["aud"], "emulator.apps.googleusercontent.com");
    assert_eq!(claims["email"], "Ada@Example.com");
    assert_eq!(claims["email_verified"], true);
    assert_eq!(claims["given_name"], "Ada");
    assert_eq!(claims["family_name"], "Lovelace");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600
    );

    let r = google_verify(&app, &token).await;
    r.assert(200);
    let v = r.json();
    let user = &v["user"];
    assert_eq!(user["oauth_provider"], "google");
    assert_eq!(user["email_verified"], true);
    let data = user["data"].as_object().unwrap();
    let mut keys: Vec<&str> = data.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        ["family_name", "given_name", "name", "picture", "username"]
    );
    assert_eq!(data["name"], "Ada Lovelace");
    assert_eq!(data["username"], "adalovelace");
    let access = v["access_token"].as_str().unwrap();
    app.call("GET", "/auth-collections/user", Some(access), None)
        .await
        .assert(200);
    // The same token (valid an hour) signs in the same account again.
    let again = google_verify(&app, &token).await.json();
    assert_eq!(again["user"]["id"], user["id"]);
    // Without a name, the username is the email's local part.
    let token = id_token(&app, "grace.h@example.com", None).await;
    let v = google_verify(&app, &token).await.json();
    assert_eq!(v["user"]["data"]["username"], "grace.h");
}

#[tokio::test]
async fn google_verify_refuses_tokens_it_did_not_issue() {
    let app = TestApp::new();
    let good = id_token(&app, "eve@example.com", Some("Eve")).await;
    let parts: Vec<&str> = good.split('.').collect();
    let now = START_MICROS / 1_000_000;
    let mut claims = payload(&good);
    // Signature altered.
    let mut sig = B64.decode(parts[2]).unwrap();
    sig[0] ^= 1;
    let forged_sig = format!("{}.{}.{}", parts[0], parts[1], B64.encode(&sig));
    // Payload altered under the old signature (another email).
    claims["email"] = json!("victim@example.com");
    let forged_payload = format!(
        "{}.{}.{}",
        parts[0],
        B64.encode(claims.to_string()),
        parts[2]
    );
    // Signed with another key.
    let other_key = cocobase_emulator::google::sign(&payload(&good), b"not the emulator's key");
    // alg none.
    let none = format!(
        "{}.{}.",
        B64.encode(br#"{"alg":"none","typ":"JWT"}"#),
        parts[1]
    );
    // The emulator's own user token is no ID token.
    let (user_token, _) = app.signup("user@example.com").await;
    let secret = app.state.google_secret().to_vec();
    let signed = |change: &dyn Fn(&mut Value)| {
        let mut c = payload(&good);
        change(&mut c);
        cocobase_emulator::google::sign(&c, &secret)
    };
    let cases: Vec<(&str, String, &str)> = vec![
        ("signature altered", forged_sig, "signature"),
        ("payload altered", forged_payload, "signature"),
        ("other key", other_key, "signature"),
        ("alg none", none, "algorithm"),
        ("user token", user_token, "signature"),
        (
            "foreign audience",
            signed(&|c| c["aud"] = json!("someone-else.apps.googleusercontent.com")),
            "audience",
        ),
        (
            "foreign issuer",
            signed(&|c| c["iss"] = json!("https://evil.example")),
            "issuer",
        ),
        ("expired", signed(&|c| c["exp"] = json!(now)), "expired"),
        (
            "unverified email",
            signed(&|c| c["email_verified"] = json!(false)),
            "verified",
        ),
        ("garbage", "not-a-jwt".into(), "JWT"),
    ];
    for (what, token, why) in cases {
        let r = google_verify(&app, &token).await;
        assert_eq!(r.status.as_u16(), 400, "{what}: {}", r.text());
        let detail = r.detail();
        assert!(
            detail.starts_with("Invalid Google ID token: "),
            "{what}: {detail}"
        );
        assert!(detail.contains(why), "{what}: {detail}");
    }
    // Issued tokens expire after an hour.
    app.advance(3600);
    let r = google_verify(&app, &good).await;
    r.assert(400);
    assert!(r.detail().contains("expired"));
    assert!(app
        .state
        .db
        .user_by_email("victim@example.com")
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn google_client_id_sets_the_audience() {
    let app = TestApp::with(|c| c.google_client_id = "mine.apps.googleusercontent.com".into());
    let token = id_token(&app, "aud@example.com", None).await;
    assert_eq!(payload(&token)["aud"], "mine.apps.googleusercontent.com");
    google_verify(&app, &token).await.assert(200);
    // A token minted for the default audience by another emulator run would not do.
    let other = TestApp::new();
    let foreign = id_token(&other, "aud@example.com", None).await;
    google_verify(&app, &foreign).await.assert(400);
}

#[tokio::test]
async fn google_verify_conflicts_with_a_password_account() {
    let app = TestApp::new();
    app.signup("taken@example.com").await;
    let token = id_token(&app, "TAKEN@example.com", None).await;
    let r = google_verify(&app, &token).await;
    r.assert(409);
    assert!(r.detail().contains("email and password"), "{}", r.detail());
}

#[tokio::test]
async fn mint_and_verify_refuse_garbage_with_4xx() {
    let app = TestApp::new();
    for body in [
        json!({}),
        json!({"email": "not an email"}),
        json!({"email": 5}),
        json!({"email": "a@example.com", "name": ["x"]}),
        json!("x"),
    ] {
        let r = mint(&app, body.clone()).await;
        assert_eq!(r.status.as_u16(), 422, "{body}: {}", r.text());
    }
    for body in [
        json!({}),
        json!({"id_token": 5}),
        json!({"id_token": "x".repeat(9000)}),
        json!({"id_token": "a.b.c", "platform": {}}),
    ] {
        let r = app
            .call(
                "POST",
                "/auth-collections/google-verify",
                None,
                Some(body.clone()),
            )
            .await;
        assert_eq!(r.status.as_u16(), 422, "{body}: {}", r.text());
    }
    for token in [
        "",
        ".",
        "..",
        "a.b.c",
        "e30.e30.",
        "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.AAAA",
    ] {
        let r = google_verify(&app, token).await;
        assert!(r.status.is_client_error(), "{token}: {}", r.text());
    }
}

/// Submits the stand-in consent form for GitHub; answers the code.
async fn github_code(app: &TestApp, email: &str, name: &str) -> String {
    let enc = cocobase_emulator::url::encode_component;
    let body = format!(
        "redirect_uri={}&state=s1&email={}&name={}&decision=allow",
        enc(CALLBACK),
        enc(email),
        enc(name)
    );
    let r = app
        .send(
            Request::post("/__emulator/oauth/github/authorize")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    r.assert(303);
    let loc = r.header("location").unwrap();
    assert!(loc.starts_with(&format!("{CALLBACK}?code=")), "{loc}");
    loc.split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string()
}

async fn github_verify(app: &TestApp, body: Value) -> Resp {
    app.call("POST", "/auth-collections/github-verify", None, Some(body))
        .await
}

#[tokio::test]
async fn github_start_url_consent_and_verify() {
    let app = TestApp::new();
    let r = app
        .call(
            "GET",
            &format!(
                "/auth-collections/oauth/github?redirect_uri={}",
                cocobase_emulator::url::encode_component(CALLBACK)
            ),
            None,
            None,
        )
        .await;
    r.assert(200);
    let url = r.json()["url"].as_str().unwrap().to_string();
    assert_eq!(
        url,
        "http://127.0.0.1:8787/__emulator/oauth/github/authorize?client_id=cocobase-emulator&redirect_uri=http%3A%2F%2Flocalhost%3A5173%2Fauth%2Fgithub"
    );
    let page = app
        .send(
            Request::get(format!(
                "{}&state=abc",
                url.trim_start_matches("http://127.0.0.1:8787")
            ))
            .body(Body::empty())
            .unwrap(),
        )
        .await;
    page.assert(200);
    let html = page.text();
    for needle in [
        "Sign in with GitHub",
        r#"name="email""#,
        r#"name="name""#,
        r#"name="decision" value="allow""#,
        r#"name="decision" value="deny""#,
    ] {
        assert!(html.contains(needle), "missing {needle}");
    }

    let code = github_code(&app, "octo@example.com", "Octo Cat").await;
    let r = github_verify(
        &app,
        json!({"code": code, "redirect_uri": CALLBACK, "platform": "web"}),
    )
    .await;
    r.assert(200);
    let v = r.json();
    let user = &v["user"];
    assert_eq!(user["oauth_provider"], "github");
    assert_eq!(user["email_verified"], true);
    let data = user["data"].as_object().unwrap();
    let mut keys: Vec<&str> = data.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        ["bio", "company", "location", "name", "picture", "username"]
    );
    assert_eq!(data["username"], "octocat");
    assert_eq!(data["name"], "Octo Cat");
    assert!(v["access_token"].is_string());
    // Single use.
    let r = github_verify(&app, json!({"code": code, "redirect_uri": CALLBACK})).await;
    r.assert(400);
    assert_eq!(r.detail(), "Invalid or expired code");
    // Again through the consent page: the same account.
    let code = github_code(&app, "octo@example.com", "").await;
    let again = github_verify(&app, json!({"code": code, "redirect_uri": CALLBACK})).await;
    assert_eq!(again.json()["user"]["id"], user["id"]);
    // A GitHub code is no Google code, and needs its own redirect_uri.
    let code = github_code(&app, "octo@example.com", "").await;
    app.call(
        "POST",
        "/auth-collections/verify-google-login",
        None,
        Some(json!({"code": code, "redirect_uri": CALLBACK})),
    )
    .await
    .assert(400);
    let code = github_code(&app, "octo@example.com", "").await;
    github_verify(
        &app,
        json!({"code": code, "redirect_uri": "http://localhost:5173/other"}),
    )
    .await
    .assert(400);
    // Codes expire after 10 minutes.
    let code = github_code(&app, "octo@example.com", "").await;
    app.advance(600);
    github_verify(&app, json!({"code": code, "redirect_uri": CALLBACK}))
        .await
        .assert(400);
}

#[tokio::test]
async fn github_verify_messages() {
    let app = TestApp::new();
    let cases = [
        (
            json!({}),
            "Either 'access_token' or 'code' must be provided",
        ),
        (
            json!({"platform": "web"}),
            "Either 'access_token' or 'code' must be provided",
        ),
        (
            json!({"code": "abc"}),
            "'redirect_uri' is required when using 'code'",
        ),
        (
            json!({"access_token": "gho_x"}),
            "Invalid GitHub access token",
        ),
        (
            json!({"code": "abc", "redirect_uri": CALLBACK}),
            "Invalid or expired code",
        ),
    ];
    for (body, message) in cases {
        let r = github_verify(&app, body.clone()).await;
        r.assert(400);
        assert_eq!(r.detail(), message, "{body}");
    }
    for body in [json!({"code": 5}), json!({"access_token": []}), json!([])] {
        let r = github_verify(&app, body.clone()).await;
        assert_eq!(r.status.as_u16(), 422, "{body}: {}", r.text());
    }
    // A password account's email: 409.
    app.signup("pw@example.com").await;
    let code = github_code(&app, "pw@example.com", "").await;
    github_verify(&app, json!({"code": code, "redirect_uri": CALLBACK}))
        .await
        .assert(409);
}

#[tokio::test]
async fn every_sign_in_asks_for_the_second_factor() {
    let app = TestApp::new();
    // Google: enable 2FA as the Google user, then sign in again.
    let token = id_token(&app, "g2@example.com", None).await;
    let v = google_verify(&app, &token).await.json();
    app.call(
        "POST",
        "/auth-collections/2fa/enable",
        v["access_token"].as_str(),
        Some(json!({})),
    )
    .await
    .assert(200);
    let r = google_verify(&app, &token).await;
    r.assert(200);
    assert_eq!(
        r.json(),
        json!({"requires_2fa": true, "message": "2FA code sent to your email"})
    );
    app.last_mail("g2@example.com", "two_factor_code").await;

    // GitHub, and the redirect flow's verify-github-login.
    let code = github_code(&app, "gh2@example.com", "").await;
    let v = github_verify(&app, json!({"code": code, "redirect_uri": CALLBACK}))
        .await
        .json();
    app.call(
        "POST",
        "/auth-collections/2fa/enable",
        v["access_token"].as_str(),
        Some(json!({})),
    )
    .await
    .assert(200);
    let code = github_code(&app, "gh2@example.com", "").await;
    let r = github_verify(&app, json!({"code": code, "redirect_uri": CALLBACK})).await;
    assert_eq!(r.json()["requires_2fa"], true);
    let code = github_code(&app, "gh2@example.com", "").await;
    let r = app
        .call(
            "POST",
            "/auth-collections/verify-github-login",
            None,
            Some(json!({"code": code, "redirect_uri": CALLBACK})),
        )
        .await;
    assert_eq!(
        r.json(),
        json!({"requires_2fa": true, "message": "2FA code already sent. Please check your email."})
    );
    let mail = app.last_mail("gh2@example.com", "two_factor_code").await;
    let r = app
        .call(
            "POST",
            "/auth-collections/2fa/verify",
            None,
            Some(json!({"email": "gh2@example.com", "code": mail["code"]})),
        )
        .await;
    r.assert(200);
    assert_eq!(r.json()["user"]["oauth_provider"], "github");
}

#[tokio::test]
async fn the_new_routes_answer_browsers_on_other_origins() {
    let app = TestApp::new();
    for path in [
        "/auth-collections/2fa/verify",
        "/auth-collections/google-verify",
        "/auth-collections/github-verify",
        "/auth-collections/reset-password",
        "/auth-collections/verify-email/send",
        "/__emulator/outbox",
        "/__emulator/google/id-token",
    ] {
        let r = app
            .send(
                Request::options(path)
                    .header("origin", "http://localhost:5173")
                    .header("access-control-request-method", "POST")
                    .header("access-control-request-headers", "content-type, x-api-key")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        r.assert(204);
        assert_eq!(
            r.header("access-control-allow-origin"),
            Some("http://localhost:5173"),
            "{path}"
        );
    }
    let r = app
        .send(
            Request::post("/auth-collections/2fa/verify")
                .header("origin", "http://localhost:5173")
                .header("x-api-key", KEY)
                .header("content-type", "application/json")
                .body(Body::from(r#"{"email":"x@example.com","code":"1"}"#))
                .unwrap(),
        )
        .await;
    r.assert(400);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://localhost:5173")
    );
    assert!(r
        .header("access-control-expose-headers")
        .unwrap()
        .contains("Retry-After"));
}

#[tokio::test]
async fn the_outbox_filters_clears_and_needs_no_key() {
    let app = TestApp::new();
    app.signup("one@example.com").await;
    app.signup("two@example.com").await;
    for email in ["one@example.com", "two@example.com", "one@example.com"] {
        app.call(
            "POST",
            "/auth-collections/forgot-password",
            None,
            Some(json!({"email": email})),
        )
        .await
        .assert(200);
    }
    let all = app.outbox(None).await;
    assert_eq!(all.len(), 3);
    let ids: Vec<&str> = all.iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["1", "2", "3"]);
    for m in &all {
        for key in [
            "id", "to", "kind", "subject", "text", "token", "link", "sent_at",
        ] {
            assert!(m.get(key).is_some(), "{key} in {m}");
        }
    }
    assert_eq!(app.outbox(Some("ONE@example.com")).await.len(), 2);
    assert_eq!(app.outbox(Some("nobody@example.com")).await.len(), 0);
    let r = app
        .send(
            Request::delete("/__emulator/outbox")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(r.status.is_success());
    assert!(app.outbox(None).await.is_empty());
}

#[tokio::test]
async fn garbage_to_every_new_route_is_4xx_never_500() {
    let app = TestApp::new();
    let (token, _) = app.signup_with_2fa("garbage@example.com").await;
    let paths = [
        "/auth-collections/2fa/enable",
        "/auth-collections/2fa/disable",
        "/auth-collections/2fa/send-code",
        "/auth-collections/2fa/verify",
        "/auth-collections/forgot-password",
        "/auth-collections/reset-password",
        "/auth-collections/verify-email/send",
        "/auth-collections/verify-email/resend",
        "/auth-collections/verify-email/verify",
        "/auth-collections/google-verify",
        "/auth-collections/github-verify",
        "/auth-collections/verify-github-login",
        "/__emulator/google/id-token",
    ];
    let bodies: [(&str, &[u8]); 9] = [
        ("application/json", b"{not json"),
        ("application/json", b"[]"),
        ("application/json", b"null"),
        ("application/json", b"\xff\xfe\x00"),
        (
            "application/json",
            br#"{"email":{"$gt":""},"code":[1],"token":{},"id_token":1e999}"#,
        ),
        (
            "application/json",
            br#"{"email":"garbage@example.com","code":"\u0000"}"#,
        ),
        (
            "application/json",
            br#"{"token":"../../etc/passwd","new_password":"x"}"#,
        ),
        ("text/plain", b"email=x"),
        (
            "application/x-www-form-urlencoded",
            b"email=garbage%40example.com",
        ),
    ];
    for path in paths {
        for auth in [None, Some(token.as_str()), Some("x.y.z")] {
            for (ct, body) in bodies {
                let mut b = Request::post(path)
                    .header("host", "127.0.0.1:8787")
                    .header("x-api-key", KEY)
                    .header("content-type", ct);
                if let Some(t) = auth {
                    b = b.header("authorization", format!("Bearer {t}"));
                }
                let r = app.send(b.body(Body::from(body.to_vec())).unwrap()).await;
                assert!(
                    r.status.is_client_error() || r.status.is_success(),
                    "{path} {ct} {:?}: {} {}",
                    String::from_utf8_lossy(body),
                    r.status,
                    r.text()
                );
            }
        }
    }
    for path in [
        "/verify-email?token=%00%ff",
        "/verify-email?token=&token=",
        "/auth-collections/reset-password-page?token=%ff",
        "/__emulator/outbox?to=%ff%00",
    ] {
        let r = app
            .send(Request::get(path).body(Body::empty()).unwrap())
            .await;
        assert!(r.status.as_u16() < 500, "{path}: {}", r.status);
    }
}
