//! Two clients sharing the cross-tab lock and record, like two tabs of one browser.

use super::*;

#[test]
fn two_tabs_due_at_once_send_one_refresh() {
    let (a, b) = two_tabs();
    let s = a.signed_in(3600);
    b.store.set("cocobase.auth.session", &s.to_record());
    block_on(b.initialize());
    a.advance(3_560_000);
    b.advance(3_560_000);
    a.script(ok(&token_answer(&jwt(T0 + 3560, 3600), "u1")));
    // Both tabs' timers fire together; b's storage event has not arrived yet.
    let both = block_on(join_all(
        [a.refresh_session(), b.refresh_session()].into_iter(),
    ));
    let tokens: Vec<_> = both
        .iter()
        .map(|r| r.as_ref().unwrap().access_token.clone())
        .collect();
    assert_eq!(tokens[0], tokens[1]);
    assert_eq!(a.refreshes_sent() + b.refreshes_sent(), 1);
    assert!(b.transport.sent.borrow().is_empty());
    assert!(
        a.tabs.0.waits.get() > 0,
        "the second tab waited for the lock"
    );
    assert_eq!(b.events().last().unwrap(), "TOKEN_REFRESHED u1");
    // The storage event arriving afterwards changes nothing.
    b.sync_from_store(Some(&a.session().unwrap().to_record()));
    assert_eq!(
        b.events()
            .iter()
            .filter(|e| e.starts_with("TOKEN_REFRESHED"))
            .count(),
        1
    );
}

#[test]
fn a_stale_shared_record_is_not_adopted() {
    let (a, b) = two_tabs();
    // An old session of another user sits in the shared record.
    let old = a.signed_in(3600);
    a.tabs.publish_sync(&old.to_record());
    b.script(ok(&token_answer(&jwt(T0, 7200), "u2")));
    block_on(b.login("bob@example.com", "pw")).unwrap();
    b.script(ok(&token_answer(&jwt(T0 + 1, 7200), "u2")));
    block_on(b.refresh_session()).unwrap();
    assert_eq!(b.refreshes_sent(), 1);
    assert_eq!(b.session().unwrap().user_id(), "u2");
}

#[test]
fn a_storage_event_during_the_shared_read_is_the_refresh() {
    // Tab b holds the lock and reads the shared record; meanwhile tab a's write reaches
    // it through a storage event. b must not refresh the old token again.
    let (a, b) = two_tabs();
    let s = a.signed_in(3600);
    b.store.set("cocobase.auth.session", &s.to_record());
    block_on(b.initialize());
    a.script(ok(&token_answer(&jwt(T0 + 10, 3600), "u1")));
    block_on(a.refresh_session()).unwrap();
    let fresh = a.session().unwrap().to_record();
    let b = std::rc::Rc::new(b);
    let weak = std::rc::Rc::downgrade(&b);
    *b.tabs.0.during_read.borrow_mut() = Some(Box::new(move || {
        if let Some(b) = weak.upgrade() {
            b.sync_from_store(Some(&fresh));
        }
    }));
    let got = block_on(b.refresh_session()).unwrap();
    assert_eq!(got.access_token, a.session().unwrap().access_token);
    assert_eq!(b.refreshes_sent(), 0);
    assert!(b.transport.sent.borrow().is_empty());
    assert_eq!(
        b.events()
            .iter()
            .filter(|e| e.starts_with("TOKEN_REFRESHED"))
            .count(),
        1
    );
}
