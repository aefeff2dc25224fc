//! The stored-session parser: `Session::from_record` and `Session::from_legacy` never
//! panic, and any session read back is written and read again unchanged.
//!
//! Input: a stored record (`cocobase.auth.session`), or for `from_legacy` the official
//! SDK's two keys as `<token text>\n<user JSON>` (the whole input is also tried as a
//! record).
#![no_main]

use cocobase_auth::core::json::Writer;
use cocobase_auth::core::session::Session;
use libfuzzer_sys::fuzz_target;

fn round_trips(s: &Session, from: &str) {
    let record = s.to_record();
    assert_eq!(
        Session::from_record(&record).as_ref(),
        Some(s),
        "{from} -> {record}"
    );
    // The JS shape is built from the same data, and must not panic either.
    let mut w = Writer::new();
    s.write_js(&mut w);
    let _ = s.user_id();
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(s) = Session::from_record(text) {
        round_trips(&s, "record");
    }
    let (token, user) = text.split_once('\n').unwrap_or((text, ""));
    if let Some(s) = Session::from_legacy(token, user) {
        round_trips(&s, "legacy");
    }
});
