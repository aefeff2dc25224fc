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

mod common;
mod email;
mod password;
#[cfg(test)]
mod tests;

pub use email::validate_email;
pub use password::{validate_password, PasswordPolicy};

/// One failed rule: a stable code (see JS-API.md) and an English sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Issue(u8);

/// Every rule's code and sentence, in the order reports list them (email, then
/// password).
pub const ISSUES: [(&str, &str); 14] = [
    ("empty", "Enter an email address."),
    ("whitespace", "The email address must not contain spaces."),
    ("missing_at", "The email address needs an @."),
    ("invalid_local_part", "The part before the @ is not valid."),
    (
        "invalid_domain",
        "The part after the @ is not a valid domain.",
    ),
    ("too_long", "The email address is too long."),
    ("too_short", "The password is too short."),
    ("too_long", "The password is too long."),
    ("missing_lowercase", "Add a lowercase letter."),
    ("missing_uppercase", "Add an uppercase letter."),
    ("missing_digit", "Add a digit."),
    ("missing_symbol", "Add a symbol, such as ! or #."),
    ("common_password", "This password is too common."),
    (
        "contains_email",
        "The password must not contain your email address.",
    ),
];

impl Issue {
    pub const EMAIL_EMPTY: Issue = Issue(0);
    pub const EMAIL_WHITESPACE: Issue = Issue(1);
    pub const EMAIL_MISSING_AT: Issue = Issue(2);
    pub const EMAIL_INVALID_LOCAL_PART: Issue = Issue(3);
    pub const EMAIL_INVALID_DOMAIN: Issue = Issue(4);
    pub const EMAIL_TOO_LONG: Issue = Issue(5);
    pub const PASSWORD_TOO_SHORT: Issue = Issue(6);
    pub const PASSWORD_TOO_LONG: Issue = Issue(7);
    pub const PASSWORD_MISSING_LOWERCASE: Issue = Issue(8);
    pub const PASSWORD_MISSING_UPPERCASE: Issue = Issue(9);
    pub const PASSWORD_MISSING_DIGIT: Issue = Issue(10);
    pub const PASSWORD_MISSING_SYMBOL: Issue = Issue(11);
    pub const PASSWORD_COMMON: Issue = Issue(12);
    pub const PASSWORD_CONTAINS_EMAIL: Issue = Issue(13);

    /// The stable code, such as `missing_at`.
    pub fn code(self) -> &'static str {
        ISSUES[usize::from(self.0)].0
    }

    /// The English sentence, such as "The email address needs an @.".
    pub fn message(self) -> &'static str {
        ISSUES[usize::from(self.0)].1
    }
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
