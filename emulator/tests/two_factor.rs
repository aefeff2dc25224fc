//! The second factor: enable/disable, codes on every sign-in, send-code, verify, and
//! the limits (2 minutes, 10 minutes, 5 wrong tries, 10 codes per 15 minutes).

mod common;

use common::*;
use serde_json::json;

async fn verify(app: &TestApp, email: &str, code: &str) -> Resp {
    app.call(
        "POST",
        "/auth-collections/2fa/verify",
        None,
        Some(json!({"email": email, "code": code})),
    )
    .await
}

async fn send_code(app: &TestApp, email: &str) -> Resp {
    app.call(
        "POST",
        "/auth-collections/2fa/send-code",
        None,
        Some(json!({"email": email})),
    )
    .await
}

async fn code_of(app: &TestApp, email: &str) -> String {
    let m = app.last_mail(email, "two_factor_code").await;
    let code = m["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 6);
    assert!(code.bytes().all(|b| b.is_ascii_digit()));
    assert!(m["text"].as_str().unwrap().contains(&code));
    code
}

/// A 6-digit code that is not `code`.
fn other_than(code: &str) -> String {
    if code == "000000" { "000001" } else { "000000" }.to_string()
}

#[tokio::test]
async fn login_asks_for_a_mailed_code_and_verify_signs_in() {
    let app = TestApp::new();
    let (token, user) = app.signup("two@example.com").await;
    let r = app
        .call(
            "POST",
            "/auth-collections/2fa/enable",
            Some(&token),
            Some(json!({})),
        )
        .await;
    r.assert(200);
    assert_eq!(r.json(), json!({"message": "2FA enabled successfully"}));

    let r = app.login("TWO@example.com").await;
    r.assert(200);
    assert_eq!(
        r.json(),
        json!({"requires_2fa": true, "message": "2FA code sent to your email"})
    );
    let mails = app.outbox(Some("two@EXAMPLE.com")).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0]["to"], "two@example.com");
    assert!(mails[0]["id"].is_string());
    assert!(mails[0].get("token").is_none());
    let code = code_of(&app, "two@example.com").await;

    let r = verify(&app, "two@example.com", &code).await;
    r.assert(200);
    let v = r.json();
    assert_eq!(v["message"], "2FA verification successful");
    assert_eq!(v["user"]["id"], user["id"]);
    assert_eq!(v["user"]["email_verified"], false);
    let fresh = v["access_token"].as_str().unwrap();
    app.call("GET", "/auth-collections/user", Some(fresh), None)
        .await
        .assert(200);

    // Single use.
    let r = verify(&app, "two@example.com", &code).await;
    r.assert(400);
    assert_eq!(r.detail(), "Code expired or already used");
}

#[tokio::test]
async fn a_second_sign_in_within_two_minutes_mails_nothing() {
    let app = TestApp::new();
    app.signup_with_2fa("again@example.com").await;
    app.login("again@example.com").await.assert(200);
    let first = code_of(&app, "again@example.com").await;
    app.advance(119);
    let r = app.login("again@example.com").await;
    r.assert(200);
    assert_eq!(
        r.json(),
        json!({"requires_2fa": true, "message": "2FA code already sent. Please check your email."})
    );
    assert_eq!(app.outbox(Some("again@example.com")).await.len(), 1);
    // After 2 minutes a new code goes out and the first one is spent.
    app.advance(1);
    let r = app.login("again@example.com").await;
    assert_eq!(r.json()["message"], "2FA code sent to your email");
    assert_eq!(app.outbox(Some("again@example.com")).await.len(), 2);
    let second = code_of(&app, "again@example.com").await;
    if first != second {
        assert_eq!(
            verify(&app, "again@example.com", &first).await.detail(),
            "Code expired or already used"
        );
    }
    verify(&app, "again@example.com", &second).await.assert(200);
    // A used code does not block the next sign-in.
    let r = app.login("again@example.com").await;
    assert_eq!(r.json()["message"], "2FA code sent to your email");
}

#[tokio::test]
async fn codes_expire_after_ten_minutes() {
    let app = TestApp::new();
    app.signup_with_2fa("late@example.com").await;
    app.login("late@example.com").await.assert(200);
    let code = code_of(&app, "late@example.com").await;
    app.advance(600);
    let r = verify(&app, "late@example.com", &code).await;
    r.assert(400);
    assert_eq!(r.detail(), "Code expired or already used");
    // Just before the end it still works.
    send_code(&app, "late@example.com").await.assert(200);
    let code = code_of(&app, "late@example.com").await;
    app.advance(599);
    verify(&app, "late@example.com", &code).await.assert(200);
}

#[tokio::test]
async fn send_code_always_mails_a_new_code_and_spends_older_ones() {
    let app = TestApp::new();
    app.signup_with_2fa("resend@example.com").await;
    app.login("resend@example.com").await.assert(200);
    let first = code_of(&app, "resend@example.com").await;
    let r = send_code(&app, "resend@example.com").await;
    r.assert(200);
    assert_eq!(r.json(), json!({"message": "2FA code sent"}));
    assert_eq!(app.outbox(Some("resend@example.com")).await.len(), 2);
    let second = code_of(&app, "resend@example.com").await;
    if first != second {
        verify(&app, "resend@example.com", &first).await.assert(400);
    }
    verify(&app, "resend@example.com", &second)
        .await
        .assert(200);
}

#[tokio::test]
async fn the_fifth_wrong_try_spends_the_code() {
    let app = TestApp::new();
    app.signup_with_2fa("guess@example.com").await;
    app.login("guess@example.com").await.assert(200);
    let code = code_of(&app, "guess@example.com").await;
    let wrong = other_than(&code);
    for _ in 0..4 {
        let r = verify(&app, "guess@example.com", &wrong).await;
        r.assert(400);
        assert_eq!(r.detail(), "Invalid email or code");
    }
    // Four misses leave the code usable...
    verify(&app, "guess@example.com", &code).await.assert(200);

    // ...the fifth spends it.
    send_code(&app, "guess@example.com").await.assert(200);
    let code = code_of(&app, "guess@example.com").await;
    let wrong = other_than(&code);
    for _ in 0..5 {
        verify(&app, "guess@example.com", &wrong).await.assert(400);
    }
    let r = verify(&app, "guess@example.com", &code).await;
    r.assert(400);
    assert_eq!(r.detail(), "Code expired or already used");
}

#[tokio::test]
async fn an_eleventh_code_in_fifteen_minutes_is_429() {
    let app = TestApp::new();
    app.signup_with_2fa("flood@example.com").await;
    // Ten codes, from both endpoints, a minute apart.
    app.login("flood@example.com").await.assert(200);
    for _ in 0..9 {
        app.advance(60);
        send_code(&app, "flood@example.com").await.assert(200);
    }
    assert_eq!(app.outbox(Some("flood@example.com")).await.len(), 10);
    app.advance(121);
    for r in [
        send_code(&app, "flood@example.com").await,
        app.login("flood@example.com").await,
    ] {
        r.assert(429);
        assert_eq!(
            r.detail(),
            "Too many verification attempts. Please try again later."
        );
        // The first code was sent 9*60+121 = 661 s ago; it leaves the window at 900.
        assert_eq!(r.header("retry-after"), Some("239"));
    }
    assert_eq!(app.outbox(Some("flood@example.com")).await.len(), 10);
    // The last code still works; once the first leaves the window, codes flow again.
    verify(
        &app,
        "flood@example.com",
        &code_of(&app, "flood@example.com").await,
    )
    .await
    .assert(200);
    app.advance(239);
    send_code(&app, "flood@example.com").await.assert(200);
    assert_eq!(app.outbox(Some("flood@example.com")).await.len(), 11);
}

#[tokio::test]
async fn unknown_emails_and_users_without_2fa_leak_nothing() {
    let app = TestApp::new();
    app.signup("plain@example.com").await;
    let known_without = send_code(&app, "plain@example.com").await;
    let unknown = send_code(&app, "nobody@example.com").await;
    known_without.assert(200);
    unknown.assert(200);
    assert_eq!(known_without.body, unknown.body);
    assert!(app.outbox(None).await.is_empty());
    // Verify answers an unknown email like a wrong code.
    let a = verify(&app, "nobody@example.com", "123456").await;
    let b = verify(&app, "plain@example.com", "123456").await;
    a.assert(400);
    b.assert(400);
    assert_eq!(a.body, b.body);
    assert_eq!(a.detail(), "Invalid email or code");
    // No 429 ever for an unknown address.
    for _ in 0..15 {
        send_code(&app, "nobody@example.com").await.assert(200);
    }
    // Login without 2FA is unchanged.
    let r = app.login("plain@example.com").await;
    r.assert(200);
    assert!(r.json()["access_token"].is_string());
}

#[tokio::test]
async fn a_code_of_one_user_never_signs_in_another() {
    let app = TestApp::new();
    app.signup_with_2fa("alice@example.com").await;
    app.signup_with_2fa("bob@example.com").await;
    app.login("alice@example.com").await.assert(200);
    app.login("bob@example.com").await.assert(200);
    let alice = code_of(&app, "alice@example.com").await;
    let bob = code_of(&app, "bob@example.com").await;
    if alice != bob {
        verify(&app, "bob@example.com", &alice).await.assert(400);
    }
    let r = verify(&app, "alice@example.com", &alice).await;
    r.assert(200);
    assert_eq!(r.json()["user"]["email"], "alice@example.com");
}

#[tokio::test]
async fn disable_turns_it_off_and_spends_pending_codes() {
    let app = TestApp::new();
    let (token, _) = app.signup("off@example.com").await;
    let r = app
        .call(
            "POST",
            "/auth-collections/2fa/disable",
            Some(&token),
            Some(json!({})),
        )
        .await;
    r.assert(404);
    assert_eq!(r.detail(), "2FA settings not found");
    app.call(
        "POST",
        "/auth-collections/2fa/enable",
        Some(&token),
        Some(json!({})),
    )
    .await
    .assert(200);
    app.login("off@example.com").await.assert(200);
    let code = code_of(&app, "off@example.com").await;
    let r = app
        .call(
            "POST",
            "/auth-collections/2fa/disable",
            Some(&token),
            Some(json!({})),
        )
        .await;
    r.assert(200);
    assert_eq!(r.json(), json!({"message": "2FA disabled successfully"}));
    verify(&app, "off@example.com", &code).await.assert(400);
    let r = app.login("off@example.com").await;
    assert!(r.json()["access_token"].is_string());
    // Disabling again is fine; the settings exist.
    app.call(
        "POST",
        "/auth-collections/2fa/disable",
        Some(&token),
        Some(json!({})),
    )
    .await
    .assert(200);
}

#[tokio::test]
async fn enable_and_disable_need_a_user() {
    let app = TestApp::new();
    for path in [
        "/auth-collections/2fa/enable",
        "/auth-collections/2fa/disable",
    ] {
        app.call("POST", path, None, Some(json!({})))
            .await
            .assert(401);
        app.call("POST", path, Some("garbage"), Some(json!({})))
            .await
            .assert(401);
    }
}

#[tokio::test]
async fn no_2fa_projects_refuse_enable_and_never_ask_for_codes() {
    let app = TestApp::with(|c| c.two_factor = false);
    let (token, _) = app.signup("proj@example.com").await;
    let r = app
        .call(
            "POST",
            "/auth-collections/2fa/enable",
            Some(&token),
            Some(json!({})),
        )
        .await;
    r.assert(400);
    let r = app.login("proj@example.com").await;
    assert!(r.json()["access_token"].is_string());
    send_code(&app, "proj@example.com").await.assert(200);
    assert!(app.outbox(None).await.is_empty());
}

#[tokio::test]
async fn garbage_bodies_are_4xx() {
    let app = TestApp::new();
    app.signup_with_2fa("junk@example.com").await;
    for (path, body) in [
        ("/auth-collections/2fa/send-code", json!({})),
        ("/auth-collections/2fa/send-code", json!({"email": 5})),
        ("/auth-collections/2fa/send-code", json!([1, 2])),
        (
            "/auth-collections/2fa/verify",
            json!({"email": "junk@example.com"}),
        ),
        (
            "/auth-collections/2fa/verify",
            json!({"email": "junk@example.com", "code": 123456}),
        ),
        (
            "/auth-collections/2fa/verify",
            json!({"email": null, "code": "1"}),
        ),
        ("/auth-collections/2fa/verify", json!("x")),
    ] {
        let r = app.call("POST", path, None, Some(body.clone())).await;
        assert_eq!(r.status.as_u16(), 422, "{path} {body}: {}", r.text());
    }
    let r = verify(&app, "junk@example.com", &"9".repeat(64)).await;
    r.assert(400);
    let r = verify(&app, "junk@example.com", "' OR 1=1 --").await;
    r.assert(400);
}

#[tokio::test]
async fn guessing_stops_at_fifty_tries_per_fifteen_minutes() {
    let app = TestApp::new();
    app.signup_with_2fa("target@example.com").await;
    let mut tries = 0;
    for _ in 0..10 {
        send_code(&app, "target@example.com").await.assert(200);
        let live = code_of(&app, "target@example.com").await;
        // Five wrong guesses (the attacker cannot see the code) spend it.
        let guesses = (0..6)
            .map(|n| format!("{n:06}"))
            .filter(|g| *g != live)
            .take(5);
        for g in guesses {
            tries += 1;
            verify(&app, "target@example.com", &g).await.assert(400);
        }
        let r = verify(&app, "target@example.com", &live).await;
        assert_eq!(r.detail(), "Code expired or already used");
    }
    assert_eq!(tries, 50);
    // An eleventh code is refused, so no live code is left to guess.
    send_code(&app, "target@example.com").await.assert(429);
    app.login("target@example.com").await.assert(429);
    for n in 0..20 {
        let r = verify(&app, "target@example.com", &format!("{n:06}")).await;
        r.assert(400);
    }
    assert_eq!(app.outbox(Some("target@example.com")).await.len(), 10);
}
