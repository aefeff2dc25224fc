//! Refresh: one request per token in this tab (single flight) and across tabs (the
//! cross-tab lock and shared record), and the scheduler's tick.

use super::{Client, Fut};
use crate::core::error::{AuthError, Endpoint, ErrorCode};
use crate::core::ports::{
    AuthEvent, Body, Clock, CrossTab, Events, Method, SignOutReason, Store, Transport,
};
use crate::core::session::{is_user, Session};

impl<T: Transport, S: Store, C: Clock, E: Events, X: CrossTab> Client<T, S, C, E, X> {
    // ----- refresh -----------------------------------------------------------------

    /// `POST /refresh-token`, shared by every concurrent caller in this client.
    ///
    /// Failures never drop a session that is still valid: network errors, 5xx and 429
    /// leave it in place; 404/405 mark the server as unable to refresh (the session
    /// then lasts until `exp`); only a 401 ends it.
    pub fn refresh_session(&self) -> Fut<'_, Result<Session, AuthError>> {
        Box::pin(async move {
            if self.session().is_none() {
                return Err(AuthError::new(ErrorCode::SessionMissing));
            }
            if self.refresh_unsupported() {
                return Err(AuthError::new(ErrorCode::RefreshUnsupported));
            }
            self.refresh_flight.run(|| self.refresh_once()).await
        })
    }

    async fn refresh_once(&self) -> Result<Session, AuthError> {
        let Some(s) = self.session() else {
            return Err(AuthError::new(ErrorCode::SessionMissing));
        };
        let _guard = self.tabs.lock().await;
        // While we waited for the lock and read the shared record, another tab may have
        // refreshed this session: its write reaching us here is the refresh.
        let shared = self.tabs.read().await;
        match self.session() {
            Some(now) if now.access_token != s.access_token => return Ok(now),
            None => return Err(AuthError::new(ErrorCode::SessionMissing)),
            Some(_) => {}
        }
        if let Some(theirs) = shared.as_deref().and_then(Session::from_record) {
            let newer = theirs.user_id() == s.user_id()
                && theirs.access_token != s.access_token
                && theirs.expires_at > s.expires_at
                && !theirs.is_expired(self.clock.now_ms());
            if newer {
                return Ok(self.save(theirs, AuthEvent::TokenRefreshed));
            }
        }
        self.refreshes_sent.set(self.refreshes_sent.get() + 1);
        let req = self.request(
            Method::Post,
            "/refresh-token",
            Some(&s.access_token),
            Body::Empty,
        );
        match self.call(Endpoint::Refresh, req).await {
            Ok((j, res)) => {
                let mut fresh = self.session_from(&j, &res)?;
                // The session may have ended or changed hands while we waited.
                let current = self.session();
                if current.as_ref().map(|c| c.user_id()) != Some(s.user_id()) {
                    return current.ok_or_else(|| AuthError::new(ErrorCode::SessionMissing));
                }
                if !is_user(&fresh.user) {
                    fresh.user = s.user.clone();
                }
                // Published before the lock is released, for the tabs waiting on it.
                self.tabs.publish(&fresh.to_record()).await;
                Ok(self.save(fresh, AuthEvent::TokenRefreshed))
            }
            Err(e) => {
                match e.code {
                    ErrorCode::RefreshUnsupported => {
                        self.state.borrow_mut().refresh_unsupported = true
                    }
                    ErrorCode::SessionExpired => {
                        self.end_if_current(&s.access_token, SignOutReason::Expired)
                    }
                    _ if e.status == 401 => {
                        self.end_if_current(&s.access_token, SignOutReason::Revoked)
                    }
                    _ => {}
                }
                Err(e)
            }
        }
    }

    /// Called by the scheduler (timer, focus, `online`): refresh when due, and end a
    /// session that can no longer be refreshed once it has expired.
    ///
    /// An `Err` is a failed refresh that left the (still valid) session in place: the
    /// caller schedules a retry with [`retry_delay_ms`].
    pub async fn tick(&self) -> Result<(), AuthError> {
        let now = self.clock.now_ms();
        let Some(s) = self.session() else {
            return Ok(());
        };
        if s.is_expired(now) {
            self.end_session(SignOutReason::Expired);
        } else if self.refresh_due(now) {
            if let Err(e) = self.refresh_session().await {
                if self.session().is_some() && !self.refresh_unsupported() {
                    return Err(e);
                }
            }
        }
        Ok(())
    }
}

/// How long to wait before retrying a failed refresh: exponential from 1 s, capped at
/// 60 s, with jitter (`jitter_permille` in 0..=1000 scales the upper half), and never
/// sooner than the server's `Retry-After`.
pub fn retry_delay_ms(failures: u32, retry_after_s: Option<u64>, jitter_permille: u32) -> i64 {
    let base: i64 = 1000i64.saturating_mul(1i64 << failures.min(6)).min(60_000);
    let jittered = base / 2 + base / 2 * i64::from(jitter_permille.min(1000)) / 1000;
    let floor = retry_after_s.map_or(0, |s| {
        i64::try_from(s.saturating_mul(1000)).unwrap_or(i64::MAX)
    });
    jittered.max(floor)
}
