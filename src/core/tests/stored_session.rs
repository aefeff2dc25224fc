//! The stored session: restore, corrupt records, adoption, logout, other tabs.

use super::*;

#[test]
fn initialize_restores_and_emits_initial_session_once() {
    let c = client();
    let s = c.signed_in(3600);
    let c2 = client();
    c2.store.set("cocobase.auth.session", &s.to_record());
    let restored = block_on(c2.initialize()).unwrap();
    assert_eq!(restored, s);
    block_on(c2.initialize());
    assert_eq!(c2.events(), ["INITIAL_SESSION u1"]);
    assert!(c2.transport.sent.borrow().is_empty());
}

#[test]
fn corrupt_storage_means_signed_out() {
    for junk in ["{not json", "null", "{\"v\":1}", "[1]", ""] {
        let c = client();
        c.store.set("cocobase.auth.session", junk);
        assert_eq!(block_on(c.initialize()), None);
        assert_eq!(c.events(), ["INITIAL_SESSION"]);
        assert_eq!(c.stored(), None, "{junk}");
    }
}

#[test]
fn an_expired_stored_session_signs_out_at_initialize() {
    let c = client();
    let s = c.signed_in(100);
    let c2 = client();
    c2.store.set("cocobase.auth.session", &s.to_record());
    c2.advance(200_000);
    assert_eq!(block_on(c2.initialize()), None);
    assert_eq!(c2.events(), ["SIGNED_OUT expired", "INITIAL_SESSION"]);
    assert_eq!(c2.stored(), None);
}

#[test]
fn adopts_the_official_sdk_session_once() {
    let c = client();
    let t = token(&format!(r#"{{"userId":"u9","exp":{}}}"#, T0 + 3600));
    c.store.set("cocobase-token", &t);
    c.store
        .set("cocobase-user", r#"{"id":"u9","email":"z@x.io","data":{}}"#);
    let s = block_on(c.initialize()).unwrap();
    assert_eq!(s.user_id(), "u9");
    assert!(c.store.get("cocobase-token").is_none());
    assert!(c.stored().is_some());
}

#[test]
fn logout_clears_and_emits_once() {
    let c = client();
    c.signed_in(3600);
    c.logout();
    c.logout();
    assert_eq!(c.events(), ["SIGNED_IN u1", "SIGNED_OUT logout"]);
    assert_eq!(c.stored(), None);
}

#[test]
fn other_tabs_are_followed() {
    let c = client();
    let s = c.signed_in(3600);
    let mut refreshed = s.clone();
    refreshed.access_token = jwt(T0 + 10, 3600);
    c.sync_from_store(Some(&refreshed.to_record()));
    c.sync_from_store(Some(&refreshed.to_record()));
    c.sync_from_store(Some("garbage"));
    c.sync_from_store(None);
    c.sync_from_store(None);
    assert_eq!(
        c.events(),
        ["SIGNED_IN u1", "TOKEN_REFRESHED u1", "SIGNED_OUT other_tab"]
    );
}
