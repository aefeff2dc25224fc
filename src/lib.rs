//! # cocobase-auth
//!
//! A browser client for the Cocobase authentication API. This crate holds the email and
//! password rules, compiled to WebAssembly for the browser and shared with
//! `cocobase-emulator`, so that the client and the server can never disagree. The rest
//! of the client is JavaScript (`js/`): a pure core (`js/core.js`: options, requests,
//! answers and errors, the stored session, the redirect sign-in), tested on the host
//! with Node, and a shell (`js/index.js`) that does the I/O.
//!
//! - [`validate`]: the rules, tested here with plain `cargo test`.
//! - `wasm` (wasm32 only): the exports, as bit masks. The wasm build is `no_std` +
//!   `alloc`.
//!
//! ```
//! use cocobase_auth::validate::{validate_email, validate_password, PasswordPolicy};
//!
//! assert!(!validate_email(" ada@example.com").valid);
//! let report = validate_password("password", &PasswordPolicy::default(), None);
//! assert_eq!(report.errors[0].code(), "missing_uppercase");
//! ```

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

mod prelude;
mod text;
mod unicode;
pub mod validate;

#[cfg(target_arch = "wasm32")]
mod wasm;
