//! Password reset and email verification by mailed link.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::*;
use serde_json::{json, Value};

const NEW_PASSWORD: &str = "Brand-New-Passw0rd";

async fn forgot(app: &TestApp, email: &str) -> Resp {
    app.call(
        "POST",
        "/auth-collections/forgot-password",
        None,
        Some(json!({"email": email})),
    )
    .await
}

/// `POST /reset-password` without any key.
async fn reset(app: &TestApp, body: Value) -> Resp {
    let req = Request::post("/auth-collections/reset-password")
        .header("host", "127.0.0.1:8787")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    app.send(req).await
}

async fn reset_token(app: &TestApp, email: &str) -> String {
    let m = app.last_mail(email, "password_reset").await;
    let token = m["token"].as_str().unwrap().to_string();
    assert_eq!(token.len(), 43);
    assert!(m["text"]
        .as_str()
        .unwrap()
        .contains(m["link"].as_str().unwrap()));
    token
}

async fn login_with(app: &TestApp, email: &str, password: &str) -> Resp {
    app.call(
        "POST",
        "/auth-collections/login",
        None,
        Some(json!({"email": email, "password": password})),
    )
    .await
}

#[tokio::test]
async fn forgot_password_mails_a_link_and_reset_changes_the_password() {
    let app = TestApp::new();
    let (old_token, _) = app.signup("reset@example.com").await;
    let r = forgot(&app, "RESET@example.com").await;
    r.assert(200);
    assert_eq!(
        r.json(),
        json!({"message": "If that email exists, a reset link has been sent"})
    );
    let m = app.last_mail("reset@example.com", "password_reset").await;
    let token = reset_token(&app, "reset@example.com").await;
    assert_eq!(
        m["link"],
        format!("http://127.0.0.1:8787/auth-collections/reset-password-page?token={token}")
    );

    let r = reset(&app, json!({"token": token, "new_password": NEW_PASSWORD})).await;
    r.assert(200);
    assert_eq!(r.json(), json!({"message": "Password successfully reset"}));
    // Older sessions end; the new password works, the old one not.
    app.call("GET", "/auth-collections/user", Some(&old_token), None)
        .await
        .assert(401);
    login_with(&app, "reset@example.com", PASSWORD)
        .await
        .assert(401);
    login_with(&app, "reset@example.com", NEW_PASSWORD)
        .await
        .assert(200);
    app.last_mail("reset@example.com", "password_changed").await;
    // Single use.
    let r = reset(
        &app,
        json!({"token": token, "new_password": "Third-Passw0rd!"}),
    )
    .await;
    r.assert(400);
    assert_eq!(r.detail(), "Invalid or expired reset token");
}

#[tokio::test]
async fn unknown_emails_get_the_same_answer_and_no_mail() {
    let app = TestApp::new();
    app.signup("known@example.com").await;
    let a = forgot(&app, "known@example.com").await;
    let b = forgot(&app, "unknown@example.com").await;
    assert_eq!((a.status, a.body.clone()), (b.status, b.body.clone()));
    assert_eq!(app.outbox(None).await.len(), 1);
    assert!(app.outbox(Some("unknown@example.com")).await.is_empty());
}

#[tokio::test]
async fn reset_tokens_expire_after_an_hour_and_a_new_request_spends_older_ones() {
    let app = TestApp::new();
    app.signup("hour@example.com").await;
    forgot(&app, "hour@example.com").await.assert(200);
    let first = reset_token(&app, "hour@example.com").await;
    forgot(&app, "hour@example.com").await.assert(200);
    let second = reset_token(&app, "hour@example.com").await;
    assert_ne!(first, second);
    reset(&app, json!({"token": first, "new_password": NEW_PASSWORD}))
        .await
        .assert(400);
    app.advance(3599);
    forgot(&app, "hour@example.com").await.assert(200);
    let third = reset_token(&app, "hour@example.com").await;
    app.advance(3600);
    let r = reset(&app, json!({"token": third, "new_password": NEW_PASSWORD})).await;
    r.assert(400);
    assert_eq!(r.detail(), "Invalid or expired reset token");
    login_with(&app, "hour@example.com", PASSWORD)
        .await
        .assert(200);
}

#[tokio::test]
async fn token_is_checked_before_the_password_and_survives_a_weak_one() {
    let app = TestApp::new();
    app.signup("weak@example.com").await;
    // A bad token with a weak password: the token's 400 comes first.
    let r = reset(&app, json!({"token": "nope", "new_password": "x"})).await;
    r.assert(400);
    assert_eq!(r.detail(), "Invalid or expired reset token");
    forgot(&app, "weak@example.com").await.assert(200);
    let token = reset_token(&app, "weak@example.com").await;
    for weak in ["short", "alllowercase1", "weak@example.com"] {
        let r = reset(&app, json!({"token": token, "new_password": weak})).await;
        r.assert(422);
        assert_eq!(
            r.json()["detail"][0]["loc"],
            json!(["body", "new_password"])
        );
    }
    let r = reset(&app, json!({"token": token})).await;
    r.assert(422);
    assert_eq!(
        r.json()["detail"][0]["loc"],
        json!(["body", "new_password"])
    );
    reset(&app, json!({"token": token, "new_password": NEW_PASSWORD}))
        .await
        .assert(200);
}

#[tokio::test]
async fn a_reset_token_of_one_user_never_acts_on_another() {
    let app = TestApp::new();
    app.signup("ann@example.com").await;
    app.signup("ben@example.com").await;
    forgot(&app, "ann@example.com").await.assert(200);
    let token = reset_token(&app, "ann@example.com").await;
    // Whatever else the body says, the token decides whose password changes.
    reset(
        &app,
        json!({"token": token, "new_password": NEW_PASSWORD, "email": "ben@example.com"}),
    )
    .await
    .assert(200);
    login_with(&app, "ben@example.com", PASSWORD)
        .await
        .assert(200);
    login_with(&app, "ann@example.com", NEW_PASSWORD)
        .await
        .assert(200);
    // A token mailed to an address the user has changed since is dead.
    forgot(&app, "ben@example.com").await.assert(200);
    let token = reset_token(&app, "ben@example.com").await;
    let ben = login_with(&app, "ben@example.com", PASSWORD).await.json();
    app.call(
        "PATCH",
        "/auth-collections/user",
        ben["access_token"].as_str(),
        Some(json!({"email": "benjamin@example.com"})),
    )
    .await
    .assert(200);
    reset(&app, json!({"token": token, "new_password": NEW_PASSWORD}))
        .await
        .assert(400);
}

#[tokio::test]
async fn change_password_mails_password_changed() {
    let app = TestApp::new();
    let (token, _) = app.signup("chg@example.com").await;
    app.call(
        "POST",
        "/auth-collections/change-password",
        Some(&token),
        Some(json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD})),
    )
    .await
    .assert(200);
    let m = app.last_mail("chg@example.com", "password_changed").await;
    assert!(m.get("code").is_none() && m.get("link").is_none());
}

#[tokio::test]
async fn the_reset_page_is_a_form_and_needs_no_key() {
    let app = TestApp::new();
    let r = app
        .send(
            Request::get("/auth-collections/reset-password-page?token=%22%3E%3Cscript%3E")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    r.assert(200);
    let html = r.text();
    assert!(html.contains(r#"name="new_password""#));
    assert!(html.contains("/auth-collections/reset-password"));
    assert!(html.contains("&quot;&gt;&lt;script&gt;"));
    assert!(!html.contains("\"><script>"));
    let csp = r.header("content-security-policy").unwrap();
    assert!(csp.contains("script-src 'nonce-"), "{csp}");
}

#[tokio::test]
async fn configured_urls_get_token_after_their_query() {
    let app = TestApp::with(|c| {
        c.password_reset_url = Some("https://app.example/reset?lang=en".into());
        c.verification_url = Some("https://app.example/verify".into());
    });
    let (token, _) = app.signup("links@example.com").await;
    forgot(&app, "links@example.com").await.assert(200);
    let m = app.last_mail("links@example.com", "password_reset").await;
    assert_eq!(
        m["link"],
        format!(
            "https://app.example/reset?lang=en&token={}",
            m["token"].as_str().unwrap()
        )
    );
    app.call(
        "POST",
        "/auth-collections/verify-email/send",
        Some(&token),
        Some(json!({})),
    )
    .await
    .assert(200);
    let m = app
        .last_mail("links@example.com", "email_verification")
        .await;
    assert_eq!(
        m["link"],
        format!(
            "https://app.example/verify?token={}",
            m["token"].as_str().unwrap()
        )
    );
}

async fn send_verification(app: &TestApp, token: &str) -> Resp {
    app.call(
        "POST",
        "/auth-collections/verify-email/send",
        Some(token),
        Some(json!({})),
    )
    .await
}

async fn verify_email(app: &TestApp, token: &str) -> Resp {
    app.call(
        "POST",
        "/auth-collections/verify-email/verify",
        None,
        Some(json!({"token": token})),
    )
    .await
}

async fn me(app: &TestApp, token: &str) -> Value {
    let r = app
        .call("GET", "/auth-collections/user", Some(token), None)
        .await;
    r.assert(200);
    r.json()
}

#[tokio::test]
async fn verification_mail_and_verify() {
    let app = TestApp::new();
    let (token, user) = app.signup("verify@example.com").await;
    assert_eq!(user["email_verified"], false);
    let r = send_verification(&app, &token).await;
    r.assert(200);
    assert_eq!(
        r.json(),
        json!({"message": "Verification email sent successfully. Please check your inbox.", "expires_in_hours": 24})
    );
    let m = app
        .last_mail("verify@example.com", "email_verification")
        .await;
    let vtoken = m["token"].as_str().unwrap().to_string();
    assert_eq!(
        m["link"],
        format!("http://127.0.0.1:8787/verify-email?token={vtoken}")
    );
    // Within 5 minutes: nothing new (resend too).
    app.advance(299);
    for path in ["send", "resend"] {
        let r = app
            .call(
                "POST",
                &format!("/auth-collections/verify-email/{path}"),
                Some(&token),
                Some(json!({})),
            )
            .await;
        assert_eq!(
            r.json(),
            json!({"message": "Verification email already sent. Please check your inbox."})
        );
    }
    assert_eq!(app.outbox(None).await.len(), 1);

    let r = verify_email(&app, &vtoken).await;
    r.assert(200);
    let v = r.json();
    assert_eq!(v["message"], "Email verified successfully!");
    assert_eq!(v["email_verified"], true);
    assert!(v["verified_at"]
        .as_str()
        .unwrap()
        .starts_with("2026-11-27T16:04:59"));
    assert_eq!(me(&app, &token).await["email_verified"], true);
    // Single use, and a verified address gets no new mail.
    verify_email(&app, &vtoken).await.assert(400);
    let r = send_verification(&app, &token).await;
    assert_eq!(r.json(), json!({"message": "Email already verified"}));
    assert_eq!(app.outbox(None).await.len(), 1);
    // A new address is not verified.
    let r = app
        .call(
            "PATCH",
            "/auth-collections/user",
            Some(&token),
            Some(json!({"email": "verify2@example.com"})),
        )
        .await;
    assert_eq!(r.json()["email_verified"], false);
}

#[tokio::test]
async fn verification_tokens_live_24_hours_and_resend_after_5_minutes() {
    let app = TestApp::new();
    let (token, _) = app.signup("day@example.com").await;
    send_verification(&app, &token).await.assert(200);
    let first = app.last_mail("day@example.com", "email_verification").await["token"]
        .as_str()
        .unwrap()
        .to_string();
    app.advance(300);
    let r = app
        .call(
            "POST",
            "/auth-collections/verify-email/resend",
            Some(&token),
            Some(json!({})),
        )
        .await;
    assert_eq!(r.json()["expires_in_hours"], 24);
    let second = app.last_mail("day@example.com", "email_verification").await["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(first, second);
    verify_email(&app, &first).await.assert(400);
    app.advance(86_400);
    let r = verify_email(&app, &second).await;
    r.assert(400);
    assert_eq!(r.detail(), "Invalid or expired verification token");
    assert_eq!(me(&app, &token).await["email_verified"], false);
}

#[tokio::test]
async fn the_root_page_verifies_or_says_the_link_is_bad() {
    let app = TestApp::new();
    let (token, _) = app.signup("page@example.com").await;
    send_verification(&app, &token).await.assert(200);
    let vtoken = app
        .last_mail("page@example.com", "email_verification")
        .await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let get = |t: String| {
        let app = &app;
        async move {
            app.send(
                Request::get(format!("/verify-email?token={t}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
        }
    };
    let r = get(vtoken.clone()).await;
    r.assert(200);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert!(r.text().contains("page@example.com is verified"));
    assert_eq!(me(&app, &token).await["email_verified"], true);
    get(vtoken).await.assert(400);
    get("%3Cb%3Ebogus".into()).await.assert(400);
    app.send(Request::get("/verify-email").body(Body::empty()).unwrap())
        .await
        .assert(400);
}

#[tokio::test]
async fn tokens_of_one_kind_or_user_never_serve_another() {
    let app = TestApp::new();
    let (ta, _) = app.signup("a@example.com").await;
    let (tb, _) = app.signup("b@example.com").await;
    send_verification(&app, &ta).await.assert(200);
    forgot(&app, "b@example.com").await.assert(200);
    let verify_a = app.last_mail("a@example.com", "email_verification").await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let reset_b = reset_token(&app, "b@example.com").await;
    // A reset token does not verify, a verification token does not reset.
    verify_email(&app, &reset_b).await.assert(400);
    reset(
        &app,
        json!({"token": verify_a, "new_password": NEW_PASSWORD}),
    )
    .await
    .assert(400);
    // A's link verifies A only.
    verify_email(&app, &verify_a).await.assert(200);
    assert_eq!(me(&app, &ta).await["email_verified"], true);
    assert_eq!(me(&app, &tb).await["email_verified"], false);
}

#[tokio::test]
async fn send_needs_a_user_and_garbage_is_4xx() {
    let app = TestApp::new();
    app.call(
        "POST",
        "/auth-collections/verify-email/send",
        None,
        Some(json!({})),
    )
    .await
    .assert(401);
    for (path, body) in [
        ("/auth-collections/verify-email/verify", json!({})),
        ("/auth-collections/verify-email/verify", json!({"token": 1})),
        ("/auth-collections/forgot-password", json!({})),
        ("/auth-collections/forgot-password", json!({"email": ["x"]})),
    ] {
        let r = app.call("POST", path, None, Some(body.clone())).await;
        assert_eq!(r.status.as_u16(), 422, "{path} {body}: {}", r.text());
    }
    for body in [
        json!({}),
        json!({"token": 5}),
        json!([]),
        json!({"token": "x".repeat(600)}),
    ] {
        let r = reset(&app, body.clone()).await;
        assert!(r.status.is_client_error(), "{body}: {}", r.text());
    }
    let r = app
        .send(
            Request::post("/auth-collections/reset-password")
                .header("content-type", "application/json")
                .body(Body::from("{not json"))
                .unwrap(),
        )
        .await;
    r.assert(422);
}
