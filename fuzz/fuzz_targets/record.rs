//! The stored session: `session::restore` and `session::adopt` never panic, and any
//! session read is written and read again unchanged.
//!
//! Input: a stored record's text (`cocobase.auth.session`), and for `adopt` the official
//! SDK's two keys as `<cocobase-token>\n<cocobase-user>` (without a newline: the whole
//! input as the token, no user).
#![no_main]

mod codec;

use cocobase_auth::core::json::Codec;
use cocobase_auth::core::session::{adopt, restore};
use codec::{round_trips, Json};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(s) = restore(Json.parse(text).as_ref()) {
        round_trips(&s, "record");
    }
    let (token, user) = text.split_once('\n').unwrap_or((text, ""));
    if let Some(s) = adopt(token, user, &Json) {
        assert_eq!(s.access_token, token.trim().trim_matches('"'));
        round_trips(&s, "adopt");
    }
});
