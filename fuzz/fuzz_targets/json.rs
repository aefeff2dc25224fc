//! The JSON parser under everything above: never panics, and a parsed value written
//! back with `to_json` parses to an equal value (and writes to the same text).
//!
//! Input: JSON text, or anything.
#![no_main]

use cocobase_auth::core::json::Json;
use libfuzzer_sys::fuzz_target;

/// Every number is also read as an integer, as `exp`, `iat`, `v` and `created_at` are.
fn read_numbers(v: &Json) {
    match v {
        Json::Num(_) => {
            let _ = v.as_i64();
        }
        Json::Arr(items) => items.iter().for_each(read_numbers),
        Json::Obj(members) => members.iter().for_each(|(_, v)| read_numbers(v)),
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(v) = Json::parse(text) else {
        return;
    };
    let written = v.to_json();
    let back = Json::parse(&written);
    assert_eq!(back.as_ref(), Some(&v), "{text:?} -> {written:?}");
    assert_eq!(back.map(|b| b.to_json()).as_deref(), Some(written.as_str()));
    read_numbers(&v);
});
