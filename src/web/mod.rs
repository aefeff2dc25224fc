//! The browser glue: the core's ports implemented with fetch, Web Storage and `Date`,
//! and the exported `CocobaseAuth` class. Compiled for wasm32 only.

mod auth;
mod convert;
mod events;
mod options;
mod scheduler;
mod storage;
mod transport;
mod types;
mod validate;

pub use auth::CocobaseAuth;
pub use validate::{validate_email_js, validate_password_js};
