//! The state every handler shares.

use std::ops::Deref;
use std::sync::Arc;

use crate::config::Config;
use axum::http::HeaderMap;

use crate::db::{Db, UserRow};
use crate::mail::{Draft, Mail, Outbox};
use crate::ratelimit::Limiter;
use crate::time::Clock;
use crate::token::{self, Claims};

/// Shared, cheaply cloned handle on the configuration, database, clock and limiter.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// What [`AppState`] holds.
pub struct Inner {
    /// The command line.
    pub config: Config,
    /// The store.
    pub db: Db,
    /// Where "now" comes from.
    pub clock: Clock,
    /// The project's request budget.
    pub limiter: Limiter,
    /// The mails sent so far.
    pub outbox: Outbox,
    secret: [u8; 32],
    google_secret: [u8; 32],
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Opens the database (creating its folder) with the system clock.
    pub fn new(config: Config) -> std::io::Result<Self> {
        Self::with_clock(config, Clock::system())
    }

    /// Like [`AppState::new`], with a clock of the caller's choosing (tests).
    pub fn with_clock(config: Config, clock: Clock) -> std::io::Result<Self> {
        if config.db != ":memory:" {
            if let Some(parent) = std::path::Path::new(&config.db).parent() {
                if !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent)?;
                }
            }
        }
        let db = Db::open(&config.db).map_err(std::io::Error::other)?;
        let secret = db.signing_secret().map_err(std::io::Error::other)?;
        let google_secret = db.google_secret().map_err(std::io::Error::other)?;
        let limiter = Limiter::new(config.requests_per_minute());
        Ok(Self(Arc::new(Inner {
            config,
            db,
            clock,
            limiter,
            outbox: Outbox::default(),
            secret,
            google_secret,
        })))
    }

    /// A fresh token for `user`, valid for the configured lifetime from now.
    pub fn issue_token(&self, user: &UserRow) -> String {
        let now = self.clock.now_secs();
        let ttl = i64::try_from(self.config.token_ttl).unwrap_or(i64::MAX / 2);
        self.sign(&Claims {
            user_id: user.id.clone(),
            email: user.email.clone(),
            sub: user.id.clone(),
            iat: now,
            exp: now.saturating_add(ttl),
            tv: user.token_version,
        })
    }

    /// Signs arbitrary claims with the project's secret (tests craft tokens with it).
    pub fn sign(&self, claims: &Claims) -> String {
        token::sign(claims, &self.secret)
    }

    /// The key of the stand-in Google's ID tokens.
    pub fn google_secret(&self) -> &[u8] {
        &self.google_secret
    }

    /// Sends (keeps and prints) a mail, dated by the app's clock.
    pub fn mail(&self, draft: Draft) -> Mail {
        self.outbox.send(draft, self.clock.now_micros())
    }

    /// A mailed link: `base?token=...` (`&token=` when `base` has a query), where `base`
    /// is the configured URL or else `default_path` on the emulator's own base URL.
    pub fn link(
        &self,
        configured: Option<&str>,
        default_path: &str,
        headers: &HeaderMap,
        token: &str,
    ) -> String {
        let base = match configured {
            Some(url) => url.to_string(),
            None => {
                let origin = match &self.config.base_url {
                    Some(b) => b.trim_end_matches('/').to_string(),
                    None => crate::routes::request_origin(headers),
                };
                format!("{origin}{default_path}")
            }
        };
        let sep = if base.contains('?') { '&' } else { '?' };
        format!("{base}{sep}token={}", crate::url::encode_component(token))
    }

    /// Checks a token's signature and expiry.
    pub fn verify_token(&self, token: &str) -> Result<Claims, crate::error::TokenError> {
        token::verify(token, &self.secret, self.clock.now_secs())
    }
}
