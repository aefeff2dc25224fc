//! Sign-in by redirect: `oauth::callback`, `oauth::clean`, `oauth::decode`,
//! `oauth::flows` and `oauth::start` never panic; cleaning a URL removes the provider's
//! answer from it (so a reload cannot replay it) and cleaning twice changes nothing; a
//! matched flow is used up; stored flows read back as written.
//!
//! Input: `<url>\n<stored flows JSON>\n<now in ms>`; missing parts: no flows, a fixed
//! clock.
#![no_main]

mod codec;

use cocobase_auth::core::json::{Codec, Value};
use cocobase_auth::core::oauth::{callback, clean, decode, flows, flows_value, start, MAX_FLOWS};
use codec::Json;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.splitn(3, '\n');
    let url = lines.next().unwrap_or("");
    let stored = lines.next().and_then(|f| Json.parse(f));
    let now: i64 = lines
        .next()
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(1_767_225_600_500);

    let _ = decode(url);
    let cleaned = clean(url);
    assert_eq!(
        clean(&cleaned),
        cleaned,
        "clean is not idempotent on {url:?}"
    );
    assert_eq!(
        callback(&cleaned, stored.as_ref(), now),
        None,
        "clean left an OAuth answer: {url:?} -> {cleaned:?}"
    );
    // A URL without a query or a fragment is left as it was.
    if !url.contains(['?', '#']) {
        assert_eq!(cleaned, url);
    }

    let before = flows(stored.as_ref());
    if let Some(cb) = callback(url, stored.as_ref(), now) {
        assert_eq!(cb.cleaned, cleaned);
        let left = flows(cb.flows.as_ref());
        // Flows are written well-formed, and `None` rather than an empty list.
        assert_eq!(
            left.len(),
            cb.flows
                .as_ref()
                .and_then(Value::as_array)
                .map_or(0, <[Value]>::len)
        );
        assert!(cb.flows.is_none() || !left.is_empty());
        assert!(left.len() <= before.len());
        match &cb.verify {
            Ok(q) => {
                // The matched flow is used up.
                assert!(left.len() < before.len());
                assert!(q.path.starts_with('/'), "{q:?}");
                assert!(!q.as_user);
                let code = q.body.as_ref().and_then(|b| b.str_at("code"));
                assert!(code.is_some_and(|c| !c.is_empty()), "{q:?}");
                assert!(q
                    .body
                    .as_ref()
                    .and_then(|b| b.str_at("redirect_uri"))
                    .is_some());
            }
            Err(e) => assert!(matches!(
                e.code.as_str(),
                "oauth_state_mismatch" | "oauth_denied" | "oauth_invalid_callback"
            )),
        }
    }

    // Starting a sign-in keeps at most MAX_FLOWS, the new one last. (Its time is kept as
    // a JavaScript number: exactly up to 2^53 ms, the year 287,396; past that only
    // "no panic" is checked.)
    let (written, with_state) = start(stored.as_ref(), "st", "github", "http://app/cb", now, url);
    assert!(with_state.contains("state=st"), "{with_state}");
    assert_eq!(flows(Some(&flows_value(&before))), before);
    if now.unsigned_abs() > 1 << 53 {
        return;
    }
    let list = flows(Some(&written));
    assert!((1..=MAX_FLOWS).contains(&list.len()));
    assert_eq!(list.len(), written.as_array().map_or(0, <[Value]>::len));
    let last = list.last().unwrap();
    assert_eq!((last.state.as_str(), last.created_at), ("st", now));
    // Flows read back as they were written, through JSON text too.
    let text = serde_json::to_string(&written).expect("flows are JSON");
    assert_eq!(flows(Json.parse(&text).as_ref()), list);
});
