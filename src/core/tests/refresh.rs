//! Refresh: single flight, the margin, failures, unsupported servers, backoff.

use super::*;

#[test]
fn concurrent_refreshes_share_one_request() {
    let c = client();
    c.signed_in(3600);
    c.script(ok(&token_answer(&jwt(T0 + 60, 3600), "u1")));
    let results = block_on(join_all((0..100).map(|_| c.refresh_session())));
    assert!(results
        .iter()
        .all(|r| r.as_ref().unwrap().expires_at == (T0 + 3600) * 1000));
    assert_eq!(c.refreshes_sent(), 1);
    assert_eq!(c.events(), ["SIGNED_IN u1", "TOKEN_REFRESHED u1"]);
}

#[test]
fn a_request_inside_the_margin_refreshes_first() {
    let c = client();
    c.signed_in(3600);
    c.advance(3_560_000); // 40 s left, margin is 60 s
    let fresh = jwt(T0 + 3560, 3600);
    c.script(ok(&token_answer(&fresh, "u1")));
    c.script(ok(r#"{"id":"u1","email":"ada@example.com","data":{}}"#));
    block_on(c.get_current_user()).unwrap();
    assert_eq!(c.sent_paths(), ["/login", "/refresh-token", "/user"]);
    let sent = c.transport.sent.borrow();
    assert!(sent[2]
        .headers
        .contains(&("Authorization", format!("Bearer {fresh}"))));
}

#[test]
fn a_failed_refresh_keeps_a_valid_session() {
    let c = client();
    let s = c.signed_in(3600);
    c.advance(3_560_000);
    c.script(Err(TransportError::Network));
    c.script(ok(r#"{"id":"u1","email":"ada@example.com","data":{}}"#));
    block_on(c.get_current_user()).unwrap();
    assert_eq!(c.session().unwrap().access_token, s.access_token);
    assert!(c.stored().is_some());
    let sent = c.transport.sent.borrow();
    assert!(sent[2]
        .headers
        .contains(&("Authorization", format!("Bearer {}", s.access_token))));
}

#[test]
fn refresh_unsupported_is_remembered_until_expiry() {
    let c = client();
    c.signed_in(3600);
    c.advance(3_560_000);
    c.script(status(404, r#"{"detail":"Not Found"}"#));
    let e = block_on(c.refresh_session()).unwrap_err();
    assert_eq!(e.code, ErrorCode::RefreshUnsupported);
    assert!(c.refresh_unsupported());
    // No second attempt.
    assert_eq!(
        block_on(c.refresh_session()).unwrap_err().code,
        ErrorCode::RefreshUnsupported
    );
    let _ = block_on(c.tick());
    assert_eq!(c.refreshes_sent(), 1);
    assert!(c.session().is_some());
    assert_eq!(c.next_refresh_at(), Some((T0 + 3600) * 1000));
    c.advance(40_000);
    let _ = block_on(c.tick());
    assert_eq!(c.events().last().unwrap(), "SIGNED_OUT expired");
}

#[test]
fn refresh_401_revokes() {
    let c = client();
    c.signed_in(3600);
    c.script(status(401, r#"{"detail":"Token has been revoked"}"#));
    assert_eq!(
        block_on(c.refresh_session()).unwrap_err().code,
        ErrorCode::Unauthorized
    );
    assert_eq!(c.events().last().unwrap(), "SIGNED_OUT revoked");
}

#[test]
fn a_clock_jump_past_expiry_signs_out_on_tick() {
    let c = client();
    c.signed_in(3600);
    c.advance(10 * 3_600_000); // the laptop slept
    let _ = block_on(c.tick());
    assert_eq!(c.events(), ["SIGNED_IN u1", "SIGNED_OUT expired"]);
    assert_eq!(c.refreshes_sent(), 0);
}

#[test]
fn backoff_is_bounded_and_honours_retry_after() {
    use crate::core::client::retry_delay_ms;
    assert_eq!(retry_delay_ms(0, None, 1000), 1000);
    assert_eq!(retry_delay_ms(0, None, 0), 500);
    assert_eq!(retry_delay_ms(3, None, 1000), 8000);
    for f in 0..100 {
        let d = retry_delay_ms(f, None, 1000);
        assert!((500..=60_000).contains(&d), "{f} {d}");
    }
    assert_eq!(retry_delay_ms(50, None, 1000), 60_000);
    assert_eq!(retry_delay_ms(0, Some(30), 0), 30_000);
    assert_eq!(retry_delay_ms(0, Some(u64::MAX), 0), i64::MAX);
}
