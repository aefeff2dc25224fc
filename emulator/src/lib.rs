//! `cocobase-emulator`: a local, API-compatible Cocobase auth server on SQLite, with
//! stand-in providers for Google, Apple and GitHub sign-in and an outbox for the mails
//! (second-factor codes, password reset, email verification) it would send.
//!
//! It implements the contract in the project's `API.md` (§1-§3, and the command line
//! of §5). Email and password rules come from the client crate
//! ([`cocobase_auth::validate`]), so the two can never disagree.
//!
//! The library exposes the router, so tests drive it in-process:
//!
//! ```no_run
//! use cocobase_emulator::{app, AppState, Config};
//!
//! # async fn run() -> std::io::Result<()> {
//! let state = AppState::new(Config::for_tests("/tmp/cocobase-files"))?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! axum::serve(listener, app(state)).await
//! # }
//! ```

#![warn(missing_docs)]

pub mod config;
pub mod db;
pub mod error;
pub mod extract;
pub mod fault;
pub mod google;
pub mod headers;
pub mod mail;
pub mod password;
pub mod random;
pub mod ratelimit;
pub mod routes;
pub mod state;
pub mod time;
pub mod token;
pub mod update;
pub mod url;

pub use config::{Command, Config, Tier};
pub use error::ApiError;
pub use routes::app;
pub use state::AppState;
pub use time::Clock;
