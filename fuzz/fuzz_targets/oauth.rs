//! The OAuth callback parser: `parse_callback`, `clean_url` and `read_flows` never
//! panic; cleaning a URL removes the provider's answer from it (so a reload cannot
//! replay it), and stored flows read back unchanged.
//!
//! Input: a callback URL (also tried as the `sessionStorage` text of pending flows).
#![no_main]

use cocobase_auth::core::json::Json;
use cocobase_auth::core::oauth::{clean_url, decode, parse_callback, read_flows, write_flows};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(url) = std::str::from_utf8(data) else {
        return;
    };
    let _ = decode(url);
    let answer = parse_callback(url);
    if let Some(cb) = &answer {
        assert!(cb.code.is_some() || cb.error.is_some());
    }
    let cleaned = clean_url(url);
    assert_eq!(
        parse_callback(&cleaned),
        None,
        "clean_url left an OAuth answer: {url:?} -> {cleaned:?}"
    );
    // Cleaning twice changes nothing more.
    assert_eq!(
        clean_url(&cleaned),
        cleaned,
        "clean_url is not idempotent on {url:?}"
    );
    // A URL with no answer is left exactly as it was.
    if answer.is_none() && !url.contains(['?', '#']) {
        assert_eq!(cleaned, url);
    }

    let list = Json::parse(url).unwrap_or(Json::Null);
    let flows = read_flows(&list);
    let written = Json::parse(&write_flows(&flows)).expect("flows are written as JSON");
    assert_eq!(read_flows(&written), flows);
});
