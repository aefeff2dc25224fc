//! Sign-in by redirect through the client.

use super::*;

fn oauth_client() -> (TestClient, MapStore) {
    let c = client();
    (c, MapStore::default())
}

fn start_flow(c: &TestClient, flows: &MapStore, provider: &str, state: &str) -> String {
    c.script(ok(r#"{"url":"http://127.0.0.1:9/__emulator/oauth/google/authorize?redirect_uri=http%3A%2F%2Fapp%2Fcb"}"#));
    block_on(c.oauth_url(provider, "http://app/cb", state, flows)).unwrap()
}

#[test]
fn oauth_url_adds_state_and_remembers_the_flow() {
    let (c, flows) = oauth_client();
    let url = start_flow(&c, &flows, "google", "s1");
    assert!(url.ends_with("&state=s1"), "{url}");
    assert_eq!(
        c.sent_paths(),
        ["/oauth/google?redirect_uri=http%3A%2F%2Fapp%2Fcb"]
    );
    assert!(flows
        .get(crate::core::oauth::FLOW_KEY)
        .unwrap()
        .contains("\"s1\""));
    for (provider, redirect) in [
        ("github", "http://app/cb"),
        ("google", "javascript:alert(1)"),
        ("apple", "/cb"),
    ] {
        let e = block_on(c.oauth_url(provider, redirect, "s", &flows)).unwrap_err();
        assert_eq!(e.code, ErrorCode::ConfigInvalid, "{provider} {redirect}");
    }
    assert_eq!(
        c.transport.sent.borrow().len(),
        1,
        "nothing sent for bad input"
    );
}

#[test]
fn oauth_callback_signs_in_once() {
    let (c, flows) = oauth_client();
    start_flow(&c, &flows, "apple", "s1");
    c.script(ok(&token_answer(&jwt(T0, 3600), "u7")));
    let r = block_on(c.handle_callback("http://app/cb?code=c1&state=s1", &flows)).unwrap();
    assert!(matches!(r, Some(AuthResult::Session(ref s)) if s.user_id() == "u7"));
    let sent = c.transport.sent.borrow();
    assert!(sent[1].url.ends_with("/verify-apple-login"));
    assert!(
        matches!(&sent[1].body, Body::Json(b) if b == r#"{"code":"c1","redirect_uri":"http://app/cb"}"#)
    );
    drop(sent);
    // Reloading the same callback URL: the state is used up.
    let e = block_on(c.handle_callback("http://app/cb?code=c1&state=s1", &flows)).unwrap_err();
    assert_eq!(e.code, ErrorCode::OAuthStateMismatch);
    assert_eq!(c.transport.sent.borrow().len(), 2);
    assert_eq!(
        block_on(c.handle_callback("http://app/cb", &flows)).unwrap(),
        None
    );
}

#[test]
fn oauth_failures_keep_the_existing_session() {
    let (c, flows) = oauth_client();
    let before = c.signed_in(3600);
    start_flow(&c, &flows, "google", "good");
    // Tampered state.
    let e = block_on(c.handle_callback("http://app/cb?code=x&state=evil", &flows)).unwrap_err();
    assert_eq!(e.code, ErrorCode::OAuthStateMismatch);
    // Denied at the provider.
    start_flow(&c, &flows, "google", "s2");
    let e = block_on(c.handle_callback(
        "http://app/cb?error=access_denied&error_description=No%20thanks&state=s2",
        &flows,
    ))
    .unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        (ErrorCode::OAuthDenied, "No thanks")
    );
    // A code the server refuses.
    start_flow(&c, &flows, "google", "s3");
    c.script(status(400, r#"{"detail":"Invalid or expired code"}"#));
    let e = block_on(c.handle_callback("http://app/cb#code=used&state=s3", &flows)).unwrap_err();
    assert_eq!(e.code, ErrorCode::OAuthInvalidCallback);
    // Expired flow.
    start_flow(&c, &flows, "google", "s4");
    c.advance(crate::core::oauth::FLOW_TTL_MS + 1);
    let e = block_on(c.handle_callback("http://app/cb?code=x&state=s4", &flows)).unwrap_err();
    assert_eq!(e.code, ErrorCode::OAuthStateMismatch);
    assert_eq!(c.session().unwrap().access_token, before.access_token);
    assert_eq!(c.events(), ["SIGNED_IN u1"]);
}
