//! The SQLite store: embedded migrations, users, OAuth codes, second-factor codes,
//! mailed tokens (password reset, email verification) and the signing secrets.
//!
//! One connection behind a mutex: SQLite writes one transaction at a time anyway, and a
//! point lookup takes microseconds, so handlers call it directly. Every update runs in
//! one transaction, so concurrent `$append`s cannot overwrite each other.

use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};
use serde_json::{Map, Value};

use crate::error::ApiError;

pub mod codes;
pub use codes::{Challenge, CodeCheck, TokenPurpose};

/// Schema versions, applied in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[
    // 1: users, OAuth codes, and a key/value table for the signing secret.
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
     CREATE TABLE users (
         id TEXT PRIMARY KEY,
         email TEXT NOT NULL,
         email_key TEXT NOT NULL UNIQUE,
         password_hash TEXT,
         data TEXT NOT NULL DEFAULT '{}',
         roles TEXT NOT NULL DEFAULT '[]',
         created_at TEXT NOT NULL,
         oauth_provider TEXT,
         token_version INTEGER NOT NULL DEFAULT 0
     );
     CREATE INDEX users_created_at ON users (created_at);
     CREATE TABLE oauth_codes (
         code_hash TEXT PRIMARY KEY,
         provider TEXT NOT NULL,
         redirect_uri TEXT NOT NULL,
         email TEXT NOT NULL,
         name TEXT NOT NULL,
         expires_at INTEGER NOT NULL
     );",
    // 2: email verification, the second factor, and the codes and tokens they mail.
    // Added columns have defaults, so databases of version 1 keep their users.
    "ALTER TABLE users ADD COLUMN email_verified INTEGER NOT NULL DEFAULT 0;
     ALTER TABLE users ADD COLUMN email_verified_at TEXT;
     ALTER TABLE users ADD COLUMN two_factor INTEGER;
     CREATE TABLE two_factor_codes (
         id INTEGER PRIMARY KEY,
         user_id TEXT NOT NULL,
         code_hash TEXT NOT NULL,
         created_at INTEGER NOT NULL,
         expires_at INTEGER NOT NULL,
         failures INTEGER NOT NULL DEFAULT 0,
         spent INTEGER NOT NULL DEFAULT 0
     );
     CREATE INDEX two_factor_codes_user ON two_factor_codes (user_id, created_at);
     CREATE TABLE email_tokens (
         token_hash TEXT PRIMARY KEY,
         purpose TEXT NOT NULL,
         user_id TEXT NOT NULL,
         email_key TEXT NOT NULL,
         created_at INTEGER NOT NULL,
         expires_at INTEGER NOT NULL,
         spent INTEGER NOT NULL DEFAULT 0
     );
     CREATE INDEX email_tokens_user ON email_tokens (user_id, purpose, created_at);",
];

/// A stored user, password hash included: never serialize this directly
/// (see [`crate::routes::user_json`]).
#[derive(Debug, Clone, Default)]
pub struct UserRow {
    /// A UUIDv4.
    pub id: String,
    /// As the user gave it; unique without regard to case.
    pub email: String,
    /// argon2id PHC string; `None` for accounts made by OAuth.
    pub password_hash: Option<String>,
    /// The app's free-form profile data.
    pub data: Map<String, Value>,
    /// Role names.
    pub roles: Vec<String>,
    /// ISO-8601 with microseconds, UTC.
    pub created_at: String,
    /// `google`/`apple` for accounts made by OAuth.
    pub oauth_provider: Option<String>,
    /// Bumped by change-password and reset-password; tokens carry it as `tv`.
    pub token_version: i64,
    /// Whether the address was confirmed (by a mailed link, or by Google or GitHub).
    pub email_verified: bool,
    /// When it was confirmed, ISO-8601.
    pub email_verified_at: Option<String>,
    /// The second factor: `None` never set up, `Some(false)` disabled, `Some(true)` on.
    pub two_factor: Option<bool>,
}

/// A pending OAuth authorization, as the consent page left it.
#[derive(Debug, Clone)]
pub struct OAuthGrant {
    /// `google` or `apple`.
    pub provider: String,
    /// The redirect_uri the code was sent to; the exchange must name the same.
    pub redirect_uri: String,
    /// The account chosen on the consent page.
    pub email: String,
    /// The name typed or known for it.
    pub name: String,
    /// Seconds since the epoch.
    pub expires_at: i64,
}

/// Filters of `GET /users`.
#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    /// Page size.
    pub limit: u32,
    /// Users skipped.
    pub offset: u64,
    /// Only users with this role.
    pub role: Option<String>,
    /// Only emails containing this, without regard to case.
    pub email_contains: Option<String>,
    /// Sort by email instead of creation time.
    pub sort_by_email: bool,
    /// Ascending instead of descending.
    pub ascending: bool,
}

/// The key under which emails are unique: case-insensitive, stored apart from the
/// email as given.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

const USER_COLUMNS: &str = "id, email, password_hash, data, roles, created_at, oauth_provider,
     token_version, email_verified, email_verified_at, two_factor";

fn user_from_row(row: &Row<'_>) -> rusqlite::Result<UserRow> {
    let data: String = row.get(3)?;
    let roles: String = row.get(4)?;
    Ok(UserRow {
        id: row.get(0)?,
        email: row.get(1)?,
        password_hash: row.get(2)?,
        data: serde_json::from_str(&data).unwrap_or_default(),
        roles: serde_json::from_str(&roles).unwrap_or_default(),
        created_at: row.get(5)?,
        oauth_provider: row.get(6)?,
        token_version: row.get(7)?,
        email_verified: row.get(8)?,
        email_verified_at: row.get(9)?,
        two_factor: row.get(10)?,
    })
}

/// The database.
pub struct Db {
    conn: Mutex<Connection>,
}

impl Db {
    /// Opens (creating if needed) and migrates the database at `path`, or a private
    /// in-memory one for `:memory:`.
    pub fn open(path: &str) -> rusqlite::Result<Self> {
        let conn = if path == ":memory:" {
            Connection::open_in_memory()?
        } else {
            let c = Connection::open(path)?;
            c.pragma_update(None, "journal_mode", "WAL")?;
            c.pragma_update(None, "synchronous", "NORMAL")?;
            c
        };
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let db = Self {
            conn: Mutex::new(conn),
        };
        db.migrate()?;
        Ok(db)
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a half-done transaction behind
        // (rusqlite rolls back on drop), so a poisoned lock is still usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn migrate(&self) -> rusqlite::Result<()> {
        let mut conn = self.lock();
        let done: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(done) {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i + 1)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// The token-signing secret, created on first use and kept in the database.
    pub fn signing_secret(&self) -> rusqlite::Result<[u8; 32]> {
        self.secret("jwt_secret")
    }

    /// The key of the stand-in Google's ID tokens: apart from the user tokens' key, so
    /// that neither kind of token can pass for the other.
    pub fn google_secret(&self) -> rusqlite::Result<[u8; 32]> {
        self.secret("google_id_token_secret")
    }

    fn secret(&self, name: &str) -> rusqlite::Result<[u8; 32]> {
        let conn = self.lock();
        let stored: Option<Vec<u8>> = conn
            .query_row(
                "SELECT value FROM meta WHERE key = ?1",
                params![name],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(Ok(secret)) = stored.map(<[u8; 32]>::try_from) {
            return Ok(secret);
        }
        let secret = crate::random::bytes::<32>();
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
            params![name, secret.to_vec()],
        )?;
        Ok(secret)
    }

    /// The user with this id.
    pub fn user_by_id(&self, id: &str) -> Result<Option<UserRow>, ApiError> {
        let conn = self.lock();
        let mut stmt =
            conn.prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"))?;
        Ok(stmt.query_row(params![id], user_from_row).optional()?)
    }

    /// The user with this email (case-insensitively).
    pub fn user_by_email(&self, email: &str) -> Result<Option<UserRow>, ApiError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE email_key = ?1"
        ))?;
        Ok(stmt
            .query_row(params![email_key(email)], user_from_row)
            .optional()?)
    }

    /// Stores a new user; 409 when the email is taken.
    pub fn insert_user(&self, u: &UserRow) -> Result<(), ApiError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if let Some(provider) = email_owner(&tx, &u.email, None)? {
            return Err(ApiError::EmailTaken { provider });
        }
        tx.execute(
            "INSERT INTO users (id, email, email_key, password_hash, data, roles, created_at,
                                oauth_provider, token_version, email_verified,
                                email_verified_at, two_factor)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                u.id,
                u.email,
                email_key(&u.email),
                u.password_hash,
                Value::Object(u.data.clone()).to_string(),
                serde_json::to_string(&u.roles).unwrap_or_else(|_| "[]".into()),
                u.created_at,
                u.oauth_provider,
                u.token_version,
                u.email_verified,
                u.email_verified_at,
                u.two_factor,
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Reads the user, lets `change` edit it, and writes it back, all in one
    /// transaction. `None` when the user does not exist; 409 when the new email belongs
    /// to someone else.
    pub fn update_user<F>(&self, id: &str, change: F) -> Result<Option<UserRow>, ApiError>
    where
        F: FnOnce(&mut UserRow) -> Result<(), ApiError>,
    {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let updated = update_user_in(&tx, id, change)?;
        tx.commit()?;
        Ok(updated)
    }

    /// One page of users and the number of all that match.
    pub fn list_users(&self, q: &UserQuery) -> Result<(Vec<UserRow>, u64), ApiError> {
        // The filters are fixed SQL with bound values; an absent filter binds NULL.
        const WHERE: &str = "WHERE (?1 IS NULL OR EXISTS (SELECT 1 FROM json_each(users.roles) WHERE json_each.value = ?1))
               AND (?2 IS NULL OR instr(lower(email), lower(?2)) > 0)";
        let order = match (q.sort_by_email, q.ascending) {
            (false, false) => "created_at DESC, rowid DESC",
            (false, true) => "created_at ASC, rowid ASC",
            (true, false) => "email_key DESC, rowid DESC",
            (true, true) => "email_key ASC, rowid ASC",
        };
        let conn = self.lock();
        let total: i64 = conn.query_row(
            &format!("SELECT COUNT(*) FROM users {WHERE}"),
            params![q.role, q.email_contains],
            |r| r.get(0),
        )?;
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {USER_COLUMNS} FROM users {WHERE} ORDER BY {order} LIMIT ?3 OFFSET ?4"
        ))?;
        let offset = i64::try_from(q.offset).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(
                params![q.role, q.email_contains, q.limit, offset],
                user_from_row,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok((rows, u64::try_from(total).unwrap_or(0)))
    }

    /// Emails of accounts that signed in with `provider`, newest first, for the consent
    /// page's one-click choices.
    pub fn oauth_accounts(&self, provider: &str, max: u32) -> Result<Vec<UserRow>, ApiError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE oauth_provider = ?1
             ORDER BY created_at DESC LIMIT ?2"
        ))?;
        let rows = stmt
            .query_map(params![provider, max], user_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Stores a code (by its hash) for a later `verify-*-login`, dropping expired ones.
    pub fn insert_code(&self, code_hash: &str, g: &OAuthGrant, now: i64) -> Result<(), ApiError> {
        let conn = self.lock();
        conn.execute(
            "DELETE FROM oauth_codes WHERE expires_at <= ?1",
            params![now],
        )?;
        conn.execute(
            "INSERT INTO oauth_codes (code_hash, provider, redirect_uri, email, name, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                code_hash,
                g.provider,
                g.redirect_uri,
                g.email,
                g.name,
                g.expires_at
            ],
        )?;
        Ok(())
    }

    /// Removes and returns the code's grant: a code works at most once, also when the
    /// attempt fails for another reason (wrong redirect_uri), as OAuth asks.
    pub fn take_code(&self, code_hash: &str) -> Result<Option<OAuthGrant>, ApiError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let grant = tx
            .query_row(
                "SELECT provider, redirect_uri, email, name, expires_at FROM oauth_codes
                 WHERE code_hash = ?1",
                params![code_hash],
                |r| {
                    Ok(OAuthGrant {
                        provider: r.get(0)?,
                        redirect_uri: r.get(1)?,
                        email: r.get(2)?,
                        name: r.get(3)?,
                        expires_at: r.get(4)?,
                    })
                },
            )
            .optional()?;
        tx.execute(
            "DELETE FROM oauth_codes WHERE code_hash = ?1",
            params![code_hash],
        )?;
        tx.commit()?;
        Ok(grant)
    }
}

/// If another account (not `except`) has this email: `Some(its oauth_provider)`.
fn email_owner(
    conn: &Connection,
    email: &str,
    except: Option<&str>,
) -> rusqlite::Result<Option<Option<String>>> {
    conn.query_row(
        "SELECT oauth_provider FROM users WHERE email_key = ?1 AND (?2 IS NULL OR id <> ?2)",
        params![email_key(email), except],
        |r| r.get::<_, Option<String>>(0),
    )
    .optional()
}

/// The body of [`Db::update_user`], inside the caller's transaction.
fn update_user_in<F>(tx: &Connection, id: &str, change: F) -> Result<Option<UserRow>, ApiError>
where
    F: FnOnce(&mut UserRow) -> Result<(), ApiError>,
{
    let found = tx
        .query_row(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"),
            params![id],
            user_from_row,
        )
        .optional()?;
    let Some(mut user) = found else {
        return Ok(None);
    };
    let old_key = email_key(&user.email);
    change(&mut user)?;
    if email_key(&user.email) != old_key {
        if let Some(provider) = email_owner(tx, &user.email, Some(id))? {
            return Err(ApiError::EmailTaken { provider });
        }
    }
    tx.execute(
        "UPDATE users SET email = ?2, email_key = ?3, password_hash = ?4, data = ?5,
                          token_version = ?6, email_verified = ?7, email_verified_at = ?8,
                          two_factor = ?9
         WHERE id = ?1",
        params![
            id,
            user.email,
            email_key(&user.email),
            user.password_hash,
            Value::Object(user.data.clone()).to_string(),
            user.token_version,
            user.email_verified,
            user.email_verified_at,
            user.two_factor,
        ],
    )?;
    Ok(Some(user))
}
