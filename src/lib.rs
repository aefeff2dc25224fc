//! # cocobase-auth
//!
//! A browser client for the Cocobase authentication API, in Rust compiled to
//! WebAssembly. JavaScript gets one class, `CocobaseAuth`, exported by wasm-bindgen
//! (`web`, wasm32 only), plus `validateEmail` and `validatePassword`.
//!
//! - [`core`]: the protocol, pure and synchronous: options, requests and their local
//!   checks, answers and errors of both servers, the stored record, token timing,
//!   sign-in by redirect, the refresh policy. Tested on the host with `cargo test`.
//! - [`validate`]: the email and password rules, shared with `cocobase-emulator`.
//! - `web` (wasm32 only): the exported class and the browser glue (gloo-net requests,
//!   storage, timers, Web Locks, events), one async path for all I/O.
//!
//! ```
//! use cocobase_auth::core::{json::{Map, Value}, options::config};
//! use cocobase_auth::validate::validate_email;
//!
//! let options = Value::Object(Map::from([
//!     ("apiKey", Value::from("pk_test_emulator")),
//!     ("baseUrl", Value::from("http://127.0.0.1:8787/")),
//! ]));
//! let config = config(&options).unwrap();
//! assert_eq!(config.base_url, "http://127.0.0.1:8787");
//! assert_eq!(config.storage_key, "cocobase.auth.session");
//! assert!(!validate_email(" ada@example.com").valid);
//! ```

pub mod core;
mod text;
mod unicode;
pub mod validate;

#[cfg(target_arch = "wasm32")]
mod web;
