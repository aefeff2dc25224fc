//! The string ABI the JS shell calls (`core::ops`): whatever a server answers, whatever
//! the page stored or the address bar holds, every function returns well-formed JSON
//! (or `""` where that means "nothing") and never panics.
//!
//! Input: any text, used as a response body, request parameters, options, a stored
//! record, a callback URL and pending flows.
#![no_main]

use cocobase_auth::core::json::Json;
use cocobase_auth::core::ops::{
    adopt, answer, build, oauth_callback, oauth_start, options, restore, validate_password,
};
use libfuzzer_sys::fuzz_target;

const OPS: [&str; 16] = [
    "signup",
    "signupFiles",
    "login",
    "update",
    "follow",
    "unfollow",
    "changePassword",
    "changePasswordLogin",
    "changePasswordPatch",
    "list",
    "user",
    "me",
    "refresh",
    "oauthUrl",
    "verify",
    "nope",
];

/// One status per kind of answer.
const STATUSES: [u16; 6] = [200, 400, 401, 404, 429, 503];

fn json(out: &str, what: &str) {
    assert!(Json::parse(out).is_some(), "{what}: not JSON: {out:?}");
}

fn json_or_empty(out: &str, what: &str) {
    if !out.is_empty() {
        json(out, what);
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let now = 1_700_000_000_000.0;
    // A second part after a newline, for the arguments that come in pairs.
    let (first, second) = text.split_once('\n').unwrap_or((text, text));
    json(&options(text), "options");
    json(&validate_password(first, second, first), "validatePassword");
    json_or_empty(&restore(text), "restore");
    json_or_empty(&adopt(first, second), "adopt");
    json_or_empty(&oauth_callback(first, second, now), "oauthCallback");
    json(
        &oauth_start(second, "s", "google", first, now, first),
        "oauthStart",
    );
    for op in OPS {
        json(&build(op, text, "null", first), op);
        json(&build(op, first, second, ""), op);
        for (i, status) in STATUSES.into_iter().enumerate() {
            let date = [f64::NAN, 0.0][i % 2];
            json(&answer(op, status, text, first, date, now, second), op);
        }
    }
});
