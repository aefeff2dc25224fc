//! Sign-in by redirect with the stand-in provider.

mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use common::*;
use serde_json::json;

const CALLBACK: &str = "http://localhost:5173/callback?from=app";

async fn start_url(app: &TestApp, provider: &str, redirect: &str) -> Resp {
    let enc = cocobase_emulator::url::encode_component(redirect);
    app.call(
        "GET",
        &format!("/auth-collections/oauth/{provider}?redirect_uri={enc}"),
        None,
        None,
    )
    .await
}

/// Submits the consent form; answers the `Location` it redirects to.
async fn consent(app: &TestApp, provider: &str, fields: &[(&str, &str)]) -> Resp {
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{k}={}", cocobase_emulator::url::encode_component(v)))
        .collect();
    let req = Request::post(format!("/__emulator/oauth/{provider}/authorize"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body.join("&")))
        .unwrap();
    app.send(req).await
}

fn query_param(url: &str, key: &str) -> Option<String> {
    let q = url.split_once('?')?.1;
    q.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == key).then(|| v.to_string())
    })
}

async fn code_for(app: &TestApp, provider: &str, email: &str, name: &str) -> String {
    let r = consent(
        app,
        provider,
        &[
            ("redirect_uri", CALLBACK),
            ("state", "s1"),
            ("email", email),
            ("name", name),
            ("decision", "allow"),
        ],
    )
    .await;
    r.assert(303);
    let loc = r.header("location").unwrap().to_string();
    assert!(
        loc.starts_with("http://localhost:5173/callback?from=app&code="),
        "{loc}"
    );
    assert_eq!(query_param(&loc, "state").as_deref(), Some("s1"));
    query_param(&loc, "code").unwrap()
}

async fn verify(app: &TestApp, provider: &str, code: &str, redirect: &str) -> Resp {
    app.call(
        "POST",
        &format!("/auth-collections/verify-{provider}-login"),
        None,
        Some(json!({"code": code, "redirect_uri": redirect})),
    )
    .await
}

#[tokio::test]
async fn full_flow_creates_then_signs_in_the_account() {
    let app = TestApp::new();
    let r = start_url(&app, "google", CALLBACK).await;
    r.assert(200);
    let url = r.json()["url"].as_str().unwrap().to_string();
    assert_eq!(
        url,
        "http://127.0.0.1:8787/__emulator/oauth/google/authorize?redirect_uri=http%3A%2F%2Flocalhost%3A5173%2Fcallback%3Ffrom%3Dapp"
    );

    // The consent page, as the client opens it (with its own state appended).
    let path = url.trim_start_matches("http://127.0.0.1:8787");
    let page = app
        .send(
            Request::get(format!("{path}&state=xyz%22%3E"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    page.assert(200);
    assert!(page
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    let html = page.text();
    for needle in [
        r#"name="email""#,
        r#"name="name""#,
        r#"<button type="submit" name="decision" value="allow">Continue</button>"#,
        r#"name="decision" value="deny" formnovalidate>Cancel</button>"#,
        r#"<input type="hidden" name="redirect_uri" value="http://localhost:5173/callback?from=app">"#,
        r#"<input type="hidden" name="state" value="xyz&quot;&gt;">"#,
        r#"method="post" action="/__emulator/oauth/google/authorize""#,
    ] {
        assert!(html.contains(needle), "missing {needle} in {html}");
    }

    let code = code_for(&app, "google", "Grace@Example.com", "Grace <b>H</b>").await;
    let r = verify(&app, "google", &code, CALLBACK).await;
    r.assert(200);
    let v = r.json();
    let user = &v["user"];
    assert_eq!(user["email"], "Grace@Example.com");
    assert_eq!(user["oauth_provider"], "google");
    assert_eq!(user["data"]["name"], "Grace <b>H</b>");
    assert!(user["data"]["picture"]
        .as_str()
        .unwrap()
        .contains("/__emulator/avatar?name="));
    let token = v["access_token"].as_str().unwrap();
    app.call("GET", "/auth-collections/user", Some(token), None)
        .await
        .assert(200);

    // The account is now a one-click choice, escaped, and the picture is served.
    let page = app
        .send(
            Request::get(format!("{path}&state=a"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .text();
    assert!(page.contains(r#"name="pick" value="Grace@Example.com""#));
    assert!(page.contains("Grace &lt;b&gt;H&lt;/b&gt;"));
    assert!(!page.contains("<b>H</b>"));
    let r = consent(
        &app,
        "google",
        &[
            ("redirect_uri", CALLBACK),
            ("state", "s"),
            ("pick", "Grace@Example.com"),
        ],
    )
    .await;
    r.assert(303);
    let code = query_param(r.header("location").unwrap(), "code").unwrap();
    let r = verify(&app, "google", &code, CALLBACK).await;
    r.assert(200);
    assert_eq!(
        r.json()["user"]["id"],
        user["id"],
        "second sign-in finds the same account"
    );
    let avatar = app
        .send(
            Request::get("/__emulator/avatar?name=Grace")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    avatar.assert(200);
    assert_eq!(avatar.header("content-type"), Some("image/svg+xml"));

    // Password login to an OAuth account names the provider.
    let r = app
        .call(
            "POST",
            "/auth-collections/login",
            None,
            Some(json!({"email": "grace@example.com", "password": PASSWORD})),
        )
        .await;
    r.assert(400);
    assert!(r.detail().contains("Google"), "{}", r.detail());
    // So does signing up with its email.
    let r = app
        .call(
            "POST",
            "/auth-collections/signup",
            None,
            Some(json!({"email": "grace@example.com", "password": PASSWORD})),
        )
        .await;
    r.assert(409);
    assert!(r.detail().contains("Google"), "{}", r.detail());
}

#[tokio::test]
async fn codes_are_single_use_bound_and_expiring() {
    let app = TestApp::new();
    let code = code_for(&app, "google", "once@example.com", "").await;
    verify(&app, "google", &code, CALLBACK).await.assert(200);
    let r = verify(&app, "google", &code, CALLBACK).await;
    r.assert(400);
    assert_eq!(r.json(), json!({"detail": "Invalid or expired code"}));

    let code = code_for(&app, "google", "bound@example.com", "").await;
    verify(&app, "google", &code, "http://localhost:5173/other")
        .await
        .assert(400);
    verify(&app, "google", &code, CALLBACK).await.assert(400);

    let code = code_for(&app, "google", "other-provider@example.com", "").await;
    verify(&app, "apple", &code, CALLBACK).await.assert(400);

    let code = code_for(&app, "google", "late@example.com", "").await;
    app.clock.advance(Duration::from_secs(600));
    verify(&app, "google", &code, CALLBACK).await.assert(400);

    verify(&app, "google", "made-up", CALLBACK)
        .await
        .assert(400);
    let r = app
        .call(
            "POST",
            "/auth-collections/verify-google-login",
            None,
            Some(json!({"code": "x"})),
        )
        .await;
    r.assert(422);
    assert_eq!(
        r.json()["detail"][0]["loc"],
        json!(["body", "redirect_uri"])
    );
}

#[tokio::test]
async fn accounts_of_other_kinds_are_409() {
    let app = TestApp::new();
    app.signup("pw@example.com").await;
    let code = code_for(&app, "google", "PW@example.com", "").await;
    let r = verify(&app, "google", &code, CALLBACK).await;
    r.assert(409);
    assert!(r.detail().contains("email and password"), "{}", r.detail());

    let code = code_for(&app, "apple", "fruit@example.com", "").await;
    verify(&app, "apple", &code, CALLBACK).await.assert(200);
    let code = code_for(&app, "google", "fruit@example.com", "").await;
    let r = verify(&app, "google", &code, CALLBACK).await;
    r.assert(409);
    assert!(r.detail().contains("Apple"), "{}", r.detail());
}

#[tokio::test]
async fn deny_unknown_providers_and_bad_redirects() {
    let app = TestApp::new();
    let r = consent(
        &app,
        "google",
        &[
            ("redirect_uri", "http://127.0.0.1:3000/cb#frag"),
            ("state", "st"),
            ("decision", "deny"),
        ],
    )
    .await;
    r.assert(303);
    assert_eq!(
        r.header("location"),
        Some("http://127.0.0.1:3000/cb?error=access_denied&state=st#frag")
    );

    // GitHub is a provider now; others are not.
    start_url(&app, "facebook", CALLBACK).await.assert(404);
    verify(&app, "facebook", "c", CALLBACK).await.assert(404);
    app.send(
        Request::get("/__emulator/oauth/facebook/authorize?redirect_uri=http%3A%2F%2Flocalhost%2F")
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .assert(404);

    for bad in [
        "https://evil.example/cb",
        "javascript:alert(1)",
        "/relative",
        "http://user@localhost/",
    ] {
        start_url(&app, "google", bad).await.assert(400);
        consent(
            &app,
            "google",
            &[
                ("redirect_uri", bad),
                ("email", "a@example.com"),
                ("decision", "allow"),
            ],
        )
        .await
        .assert(400);
    }
    let r = app
        .call("GET", "/auth-collections/oauth/google", None, None)
        .await;
    r.assert(422);
    assert_eq!(
        r.json()["detail"][0]["loc"],
        json!(["query", "redirect_uri"])
    );

    // An invalid email re-renders the form with the message.
    let r = consent(
        &app,
        "google",
        &[
            ("redirect_uri", CALLBACK),
            ("email", "nope"),
            ("decision", "allow"),
        ],
    )
    .await;
    r.assert(400);
    assert!(r.text().contains("role=\"alert\""));
}

#[tokio::test]
async fn allowed_redirect_flag_replaces_loopback_default() {
    let app = TestApp::with(|c| c.allowed_redirects = vec!["https://app.example".into()]);
    start_url(&app, "apple", "https://app.example/cb")
        .await
        .assert(200);
    start_url(&app, "apple", CALLBACK).await.assert(400);
}
