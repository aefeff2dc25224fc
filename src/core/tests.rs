//! Host tests of the core, with serde_json as the JSON reader (the browser's
//! `JSON.parse` in the wasm). Ported check for check from the JavaScript core's tests
//! (tests/core/core.test.mjs, tests/core/properties.test.mjs); each test keeps the JS
//! test's name. What a JS check meant in JavaScript only is listed at the top of the file
//! it would belong to.
//!
//! The shapes: the JS core took JSON text and gave `{m, p, b, a}`, `{s: SESS}`, `{v}`,
//! `{error: E}`; the Rust core takes a parsed [`Value`] (`None` for text that is not
//! JSON) and gives [`Request`](super::request::Request),
//! [`Outcome`](super::answer::Outcome) and [`Error`](super::error::Error). The JS
//! core's text ops are enum variants: `signupFiles` is `SignupWithFiles`, `list`
//! `ListUsers`, `user` `GetUser`, `me` `CurrentUser`, `verify` `OauthVerify`.

use super::json::{Codec, Value};

mod answers;
mod errors;
mod new_ops;
mod oauth;
mod options;
mod properties;
mod requests;
mod session;
mod support;
mod token;

/// serde_json as the core's JSON reader.
pub struct SerdeJson;

impl Codec for SerdeJson {
    fn parse(&self, text: &str) -> Option<Value> {
        serde_json::from_str(text).ok()
    }
}

/// JSON text as a value (test inputs are well-formed).
#[track_caller]
pub fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("test JSON")
}
