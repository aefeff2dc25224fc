//! The pure protocol: no `JsValue`, no async, no clock of its own. Every function takes
//! what it needs (the options, the parsed answer, the time) and says what to do; the
//! browser glue (`web`) does the I/O. Tested on the host with `cargo test`.
//!
//! - [`options`]: the constructor's options, checked.
//! - [`request`]: each method's local checks and the request to send.
//! - [`answer`]: what an answer means, for both servers.
//! - [`error`]: the error codes and the decoding of error answers.
//! - [`session`]: the session, its stored record, and the shapes JavaScript sees.
//! - [`token`]: token timing.
//! - [`oauth`]: sign-in by redirect.
//! - [`refresh`]: when to refresh, and the backoff after a failure.
//! - [`json`]: the JSON value every other module reads.

pub mod answer;
pub mod error;
pub mod json;
pub mod oauth;
pub mod options;
pub mod refresh;
pub mod request;
pub mod session;
pub mod token;

#[cfg(test)]
mod tests;
