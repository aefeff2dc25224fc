//! serde_json as the core's JSON reader (the browser's `JSON.parse` in the wasm), shared
//! by the targets.

use cocobase_auth::core::json::{Codec, Value};

pub struct Json;

impl Codec for Json {
    fn parse(&self, text: &str) -> Option<Value> {
        serde_json::from_str(text).ok()
    }
}

/// A session written to its record, through JSON text, reads back as the same session
/// (its expiry as a JavaScript number holds it: exactly up to 2^53), and its JS shape
/// serializes. (Not every target uses it.)
#[allow(dead_code)]
pub fn round_trips(s: &cocobase_auth::core::session::Session, from: &str) {
    use cocobase_auth::core::session::restore;
    use cocobase_auth::core::token::is_jwt;
    assert!(is_jwt(&s.access_token), "{from}: {s:?}");
    assert!(!s.user_id().is_empty(), "{from}: {s:?}");
    let written = serde_json::to_string(&s.record()).expect("a record is JSON");
    let back = restore(Json.parse(&written).as_ref())
        .unwrap_or_else(|| panic!("{from}: {s:?} -> {written}"));
    assert_eq!(back.access_token, s.access_token);
    assert_eq!(back.user, s.user);
    assert_eq!(
        back.expires_at, s.expires_at as f64 as i64,
        "{from}: {written}"
    );
    assert_eq!(restore(Some(&back.record())).as_ref(), Some(&back));
    let view = s.view();
    assert_eq!(view.user.id, s.user_id());
    serde_json::to_string(&view).expect("the JS shape serializes");
}
