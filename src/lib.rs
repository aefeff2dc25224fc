//! # cocobase-auth
//!
//! A browser client for the Cocobase authentication API. The rules live here, in Rust
//! compiled to WebAssembly; a small hand-written JavaScript shell (`js/index.js`) does
//! all the I/O (fetch, storage, timers, locks, events) and asks the core what to send
//! and what each answer means.
//!
//! - [`core`]: every rule, pure and synchronous. [`core::ops`] is what JavaScript
//!   calls: string-in, string-out functions (JSON text), tested on the host with plain
//!   `cargo test`.
//! - [`validate`]: the email and password rules, shared with `cocobase-emulator`.
//! - `wasm` (wasm32 only): one-line `wasm_bindgen` exports of [`core::ops`]. The wasm
//!   build is `no_std` + `alloc`.
//!
//! ```
//! use cocobase_auth::core::ops;
//! use cocobase_auth::validate::validate_email;
//!
//! let config = ops::options(r#"{"apiKey":"pk_test_emulator","baseUrl":"http://127.0.0.1:8787/"}"#);
//! assert!(config.contains(r#""storageKey":"cocobase.auth.session""#));
//! assert!(!validate_email(" ada@example.com").valid);
//! ```

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

pub mod core;
mod prelude;
mod text;
mod unicode;
pub mod validate;

#[cfg(target_arch = "wasm32")]
mod wasm;
