//! The wasm exports: one line each over [`crate::core::ops`]. Compiled for wasm32 only,
//! where the crate is `no_std`: this module also provides the allocator and the panic
//! handler.

use alloc::string::String;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::core::ops;

// wasm32-unknown-unknown without atomics runs on one thread, which is what
// `AssumeSingleThreaded` requires.
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

/// A trap. The message is never read, so no formatting code is linked in.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

#[wasm_bindgen(js_name = options)]
pub fn options(json: &str) -> String {
    ops::options(json)
}

#[wasm_bindgen(js_name = error)]
pub fn error(code: &str) -> String {
    ops::error(code)
}

#[wasm_bindgen(js_name = validateEmail)]
pub fn validate_email(email: &str) -> String {
    ops::validate_email(email)
}

#[wasm_bindgen(js_name = validatePassword)]
pub fn validate_password(password: &str, policy: &str, email: &str) -> String {
    ops::validate_password(password, policy, email)
}

#[wasm_bindgen(js_name = build)]
pub fn build(op: &str, params: &str, policy: &str, email: &str) -> String {
    ops::build(op, params, policy, email)
}

#[wasm_bindgen(js_name = answer)]
pub fn answer(
    op: &str,
    status: u16,
    body: &str,
    retry_after: &str,
    date_ms: f64,
    now_ms: f64,
    current: &str,
) -> String {
    ops::answer(op, status, body, retry_after, date_ms, now_ms, current)
}

#[wasm_bindgen(js_name = restore)]
pub fn restore(record: &str) -> String {
    ops::restore(record)
}

#[wasm_bindgen(js_name = adopt)]
pub fn adopt(token: &str, user: &str) -> String {
    ops::adopt(token, user)
}

#[wasm_bindgen(js_name = oauthStart)]
pub fn oauth_start(
    flows: &str,
    state: &str,
    provider: &str,
    redirect_uri: &str,
    now_ms: f64,
    url: &str,
) -> String {
    ops::oauth_start(flows, state, provider, redirect_uri, now_ms, url)
}

#[wasm_bindgen(js_name = oauthCallback)]
pub fn oauth_callback(url: &str, flows: &str, now_ms: f64) -> String {
    ops::oauth_callback(url, flows, now_ms)
}
