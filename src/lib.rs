//! # cocobase-auth
//!
//! A browser client for the Cocobase authentication API, written in Rust and shipped
//! to JavaScript as WebAssembly. JavaScript sees one class, `CocobaseAuth`, and two
//! validators (see `JS-API.md` and the README).
//!
//! The crate has two halves:
//! - [`core`]: every rule (requests, error decoding, the stored session, refresh,
//!   events), generic over small traits for transport, storage, time and events, so
//!   it is tested on the host with plain `cargo test`;
//! - `web` (wasm32 only): fetch, Web Storage, timers, cross-tab sync and the exported
//!   class.
//!
//! [`validate`] holds the email and password rules, shared with `cocobase-emulator`.
//!
//! ```
//! use cocobase_auth::core::config::Config;
//! use cocobase_auth::validate::validate_email;
//!
//! let config = Config::new("pk_test_emulator", Some("http://127.0.0.1:8787")).unwrap();
//! assert_eq!(config.storage_key, "cocobase.auth.session");
//! assert!(!validate_email(" ada@example.com").valid);
//! ```

pub mod core;
pub mod validate;

#[cfg(target_arch = "wasm32")]
mod web;
#[cfg(target_arch = "wasm32")]
pub use web::{validate_email_js, validate_password_js, CocobaseAuth};
