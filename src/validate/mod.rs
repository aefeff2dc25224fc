//! Email and password rules, shared by the browser client (`validateEmail`,
//! `validatePassword`) and the emulator, which depends on this crate so that the two
//! can never disagree.
//!
//! ```
//! use cocobase_auth::validate::{validate_email, validate_password, PasswordPolicy};
//! assert!(validate_email("ada@example.com").valid);
//! let report = validate_password("Tr0ub4dor&3x", &PasswordPolicy::default(), Some("ada@example.com"));
//! assert!(report.valid);
//! ```

use crate::prelude::*;

mod common;
mod email;
mod password;
#[cfg(test)]
mod tests;

pub use email::validate_email;
pub use password::{validate_password, PasswordPolicy};

/// One failed rule: a stable `code` (see JS-API.md) and an English sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Issue {
    pub code: &'static str,
    pub message: &'static str,
}

/// The outcome of [`validate_email`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailReport {
    pub valid: bool,
    pub errors: Vec<Issue>,
}

/// The outcome of [`validate_password`]: `score` runs from 0 (trivial) to 4 (strong).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordReport {
    pub valid: bool,
    pub score: u8,
    pub errors: Vec<Issue>,
}
