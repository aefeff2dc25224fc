//! The pure core: every rule of the client, with no browser API, no clock and no I/O
//! of its own. [`ops`] is its face to JavaScript.

pub mod config;
pub mod error;
pub mod json;
pub mod oauth;
pub mod ops;
pub mod session;
pub mod token;
