//! Second-factor codes and mailed tokens (password reset, email verification). Only
//! their SHA-256 hashes are stored; a used, replaced or expired one is kept (spent) for
//! a day so that the "already used" answer and the per-user limits can see it.

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use subtle::ConstantTimeEq;

use super::{email_key, update_user_in, user_from_row, Db, UserRow, USER_COLUMNS};
use crate::error::ApiError;

/// How long a second-factor code is valid.
pub const CODE_TTL_SECS: i64 = 600;
/// A sign-in this soon after an unused code mails no new one.
pub const CODE_RESEND_SECS: i64 = 120;
/// The window of [`MAX_CODES_PER_WINDOW`].
pub const CODE_WINDOW_SECS: i64 = 900;
/// Codes one user may be sent per window.
pub const MAX_CODES_PER_WINDOW: i64 = 10;
/// The wrong try that spends a code.
pub const MAX_CODE_FAILURES: i64 = 5;
/// Spent codes and tokens are forgotten after this long.
const KEEP_SECS: i64 = 86_400;

/// What asking for a second-factor code did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Challenge {
    /// A new code was stored (and is to be mailed).
    Sent,
    /// An unused code went out less than [`CODE_RESEND_SECS`] ago; nothing new.
    AlreadySent,
    /// The user had [`MAX_CODES_PER_WINDOW`] codes in the window; try again then.
    TooMany {
        /// Seconds until the oldest code of the window leaves it.
        retry_after: i64,
    },
}

/// The verdict on a submitted second-factor code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// The user's live code: now spent.
    Valid,
    /// One of the user's codes, but used, replaced, spent by failures or expired.
    Stale,
    /// None of the user's codes; counted against the live one.
    Wrong,
}

/// What a mailed token is for; a token of one purpose never serves the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    /// `reset-password`, valid an hour.
    Reset,
    /// `verify-email`, valid a day.
    Verify,
}

impl TokenPurpose {
    fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::Reset => "reset",
            TokenPurpose::Verify => "verify",
        }
    }

    /// How long a token of this purpose is valid.
    pub fn ttl_secs(self) -> i64 {
        match self {
            TokenPurpose::Reset => 3600,
            TokenPurpose::Verify => 86_400,
        }
    }
}

impl Db {
    /// Stores a new code (by `code_hash`) for the user, spending older ones, unless the
    /// user was sent [`MAX_CODES_PER_WINDOW`] codes in the window or, with
    /// `reuse_recent`, an unused code went out less than [`CODE_RESEND_SECS`] ago.
    pub fn issue_code(
        &self,
        user_id: &str,
        code_hash: &str,
        now: i64,
        reuse_recent: bool,
    ) -> Result<Challenge, ApiError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "DELETE FROM two_factor_codes WHERE created_at <= ?1",
            params![now - KEEP_SECS],
        )?;
        if reuse_recent {
            let pending: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM two_factor_codes WHERE user_id = ?1 AND spent = 0
                                AND created_at > ?2 AND expires_at > ?3)",
                params![user_id, now - CODE_RESEND_SECS, now],
                |r| r.get(0),
            )?;
            if pending {
                return Ok(Challenge::AlreadySent);
            }
        }
        let (count, oldest): (i64, Option<i64>) = tx.query_row(
            "SELECT COUNT(*), MIN(created_at) FROM two_factor_codes
             WHERE user_id = ?1 AND created_at > ?2",
            params![user_id, now - CODE_WINDOW_SECS],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if count >= MAX_CODES_PER_WINDOW {
            let retry_after = (oldest.unwrap_or(now) + CODE_WINDOW_SECS - now).max(1);
            return Ok(Challenge::TooMany { retry_after });
        }
        spend_codes(&tx, user_id)?;
        tx.execute(
            "INSERT INTO two_factor_codes (user_id, code_hash, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![user_id, code_hash, now, now + CODE_TTL_SECS],
        )?;
        tx.commit()?;
        Ok(Challenge::Sent)
    }

    /// Checks a submitted code (by its hash) against every stored code of the user, in
    /// constant time per code. The live one is spent when it matches; a miss counts as
    /// a failure of the live one, and the [`MAX_CODE_FAILURES`]th spends it.
    pub fn check_code(
        &self,
        user_id: &str,
        code_hash: &str,
        now: i64,
    ) -> Result<CodeCheck, ApiError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let rows = {
            let mut stmt = tx.prepare_cached(
                "SELECT id, code_hash, expires_at, spent FROM two_factor_codes WHERE user_id = ?1",
            )?;
            let rows = stmt
                .query_map(params![user_id], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, bool>(3)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows
        };
        let mut matched: Option<(i64, bool)> = None;
        for (id, stored, expires_at, spent) in rows {
            let same: bool = stored.as_bytes().ct_eq(code_hash.as_bytes()).into();
            let live = !spent && now < expires_at;
            if same && !matches!(matched, Some((_, true))) {
                matched = Some((id, live));
            }
        }
        let verdict = match matched {
            Some((id, true)) => {
                tx.execute(
                    "UPDATE two_factor_codes SET spent = 1 WHERE id = ?1",
                    params![id],
                )?;
                CodeCheck::Valid
            }
            Some((_, false)) => CodeCheck::Stale,
            None => {
                tx.execute(
                    "UPDATE two_factor_codes
                     SET failures = failures + 1,
                         spent = CASE WHEN failures + 1 >= ?3 THEN 1 ELSE 0 END
                     WHERE user_id = ?1 AND spent = 0 AND expires_at > ?2",
                    params![user_id, now, MAX_CODE_FAILURES],
                )?;
                CodeCheck::Wrong
            }
        };
        tx.commit()?;
        Ok(verdict)
    }

    /// Spends every unused code of the user (2FA turned off).
    pub fn spend_codes(&self, user_id: &str) -> Result<(), ApiError> {
        let conn = self.lock();
        spend_codes(&conn, user_id)?;
        Ok(())
    }

    /// Stores a token (by `token_hash`) of `purpose` for the user's current address,
    /// spending the user's older ones of that purpose. With `quiet_secs`, stores nothing
    /// and answers false when an unused one went out within that many seconds.
    pub fn issue_token(
        &self,
        purpose: TokenPurpose,
        user: &UserRow,
        token_hash: &str,
        now: i64,
        quiet_secs: Option<i64>,
    ) -> Result<bool, ApiError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "DELETE FROM email_tokens WHERE expires_at <= ?1",
            params![now - KEEP_SECS],
        )?;
        if let Some(quiet) = quiet_secs {
            let recent: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM email_tokens WHERE user_id = ?1 AND purpose = ?2
                                AND spent = 0 AND created_at > ?3 AND expires_at > ?4)",
                params![user.id, purpose.as_str(), now - quiet, now],
                |r| r.get(0),
            )?;
            if recent {
                return Ok(false);
            }
        }
        tx.execute(
            "UPDATE email_tokens SET spent = 1 WHERE user_id = ?1 AND purpose = ?2",
            params![user.id, purpose.as_str()],
        )?;
        tx.execute(
            "INSERT INTO email_tokens (token_hash, purpose, user_id, email_key, created_at,
                                       expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                token_hash,
                purpose.as_str(),
                user.id,
                email_key(&user.email),
                now,
                now + purpose.ttl_secs()
            ],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// The user of a live token of `purpose`, spending nothing. A token mailed to an
    /// address the user has since changed is not live.
    pub fn token_user(
        &self,
        purpose: TokenPurpose,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<UserRow>, ApiError> {
        let conn = self.lock();
        Ok(live_token_user(&conn, purpose, token_hash, now)?)
    }

    /// Spends a live token of `purpose` and lets `change` edit its user, in one
    /// transaction: of two concurrent uses, one wins. `None` when the token is not live.
    pub fn use_token<F>(
        &self,
        purpose: TokenPurpose,
        token_hash: &str,
        now: i64,
        change: F,
    ) -> Result<Option<UserRow>, ApiError>
    where
        F: FnOnce(&mut UserRow) -> Result<(), ApiError>,
    {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let Some(user) = live_token_user(&tx, purpose, token_hash, now)? else {
            return Ok(None);
        };
        tx.execute(
            "UPDATE email_tokens SET spent = 1 WHERE token_hash = ?1",
            params![token_hash],
        )?;
        let updated = update_user_in(&tx, &user.id, change)?;
        tx.commit()?;
        Ok(updated)
    }
}

fn spend_codes(conn: &Connection, user_id: &str) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE two_factor_codes SET spent = 1 WHERE user_id = ?1 AND spent = 0",
        params![user_id],
    )
}

/// Tokens are looked up by their SHA-256 (the primary key), never compared as text:
/// the lookup's timing depends on a hash the caller cannot steer, not on how much of a
/// stored token a guess matches. (Codes, six digits, are compared in constant time in
/// [`Db::check_code`], each user's few at a time.)
fn live_token_user(
    conn: &Connection,
    purpose: TokenPurpose,
    token_hash: &str,
    now: i64,
) -> rusqlite::Result<Option<UserRow>> {
    let owner: Option<(String, String)> = conn
        .query_row(
            "SELECT user_id, email_key FROM email_tokens
             WHERE token_hash = ?1 AND purpose = ?2 AND spent = 0 AND expires_at > ?3",
            params![token_hash, purpose.as_str(), now],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((user_id, key)) = owner else {
        return Ok(None);
    };
    conn.query_row(
        &format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1 AND email_key = ?2"),
        params![user_id, key],
        user_from_row,
    )
    .optional()
}
