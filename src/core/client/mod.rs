//! The client's rules, free of any browser API: every endpoint, the session's life,
//! and the events. All I/O goes through [`ports`](super::ports) so that every branch
//! is tested on the host with fakes.
//!
//! No `RefCell` borrow is ever held across an `.await`.

use core::cell::{Cell, RefCell};
use core::future::Future;
use core::pin::Pin;

use super::config::Config;
use super::error::{decode_error, AuthError, Endpoint, ErrorCode};
use super::json::Json;
use super::ports::{
    AuthEvent, Body, Clock, CrossTab, Events, Method, Request, Response, SignOutReason, Store,
    Transport, TransportError,
};
use super::session::{Session, LEGACY_TOKEN_KEY, LEGACY_USER_KEY};
use super::single_flight::SingleFlight;

mod account;
mod redirect;
mod refresh;

pub use refresh::retry_delay_ms;

/// What `signup`, `login` and OAuth sign-in give back.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthResult {
    Session(Session),
    /// The server wants a second factor; nothing was stored.
    Requires2fa {
        message: String,
    },
}

impl AuthResult {
    /// `{ requires2fa, session }` or `{ requires2fa, message }` for JavaScript.
    pub fn to_js_shape(&self) -> Json {
        match self {
            AuthResult::Session(s) => Json::Obj(vec![
                ("requires2fa".into(), Json::Bool(false)),
                ("session".into(), s.to_js_shape()),
            ]),
            AuthResult::Requires2fa { message } => Json::Obj(vec![
                ("requires2fa".into(), Json::Bool(true)),
                ("message".into(), Json::str(message)),
            ]),
        }
    }
}

/// A profile update (JS-API.md `updateUser`). `data`, `append` and `remove` are JSON
/// objects; `append`/`remove` travel as `data.$append` / `data.$remove`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserUpdate {
    pub data: Option<Json>,
    pub email: Option<String>,
    pub append: Option<Json>,
    pub remove: Option<Json>,
}

/// Filters of `listUsers`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    pub limit: Option<u32>,
    pub offset: Option<u32>,
    pub role: Option<String>,
    pub email_contains: Option<String>,
}

/// A boxed future. The choke points (`call`, `user_call`, `refresh_session`) return one
/// so that their state machines are compiled once, not inlined into every method's
/// future: in the wasm build that saves much of the code size.
pub type Fut<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

#[derive(Default)]
struct State {
    session: Option<Session>,
    initialized: bool,
    /// The server answered 404/405 on refresh: no further attempts in this session.
    refresh_unsupported: bool,
}

/// The client core, generic over its ports.
pub struct Client<T: Transport, S: Store, C: Clock, E: Events, X: CrossTab> {
    pub config: Config,
    pub transport: T,
    pub store: S,
    pub clock: C,
    pub events: E,
    pub tabs: X,
    state: RefCell<State>,
    refresh_flight: SingleFlight<Result<Session, AuthError>>,
    /// Counts refresh requests actually sent (for tests and the benchmark).
    refreshes_sent: Cell<u32>,
}

fn obj(members: Vec<(&str, Json)>) -> Json {
    Json::Obj(
        members
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

impl<T: Transport, S: Store, C: Clock, E: Events, X: CrossTab> Client<T, S, C, E, X> {
    pub fn new(config: Config, transport: T, store: S, clock: C, events: E, tabs: X) -> Self {
        Client {
            config,
            transport,
            store,
            clock,
            events,
            tabs,
            state: RefCell::new(State::default()),
            refresh_flight: SingleFlight::default(),
            refreshes_sent: Cell::new(0),
        }
    }

    // ----- state -------------------------------------------------------------------

    /// The current session, if any (a copy: never a borrow held by the caller).
    pub fn session(&self) -> Option<Session> {
        self.state.borrow().session.clone()
    }

    pub fn is_initialized(&self) -> bool {
        self.state.borrow().initialized
    }

    pub fn refresh_unsupported(&self) -> bool {
        self.state.borrow().refresh_unsupported
    }

    pub fn refreshes_sent(&self) -> u32 {
        self.refreshes_sent.get()
    }

    /// When the scheduler should refresh next (epoch ms, local clock), if at all.
    pub fn next_refresh_at(&self) -> Option<i64> {
        let st = self.state.borrow();
        let s = st.session.as_ref()?;
        if !self.config.auto_refresh || st.refresh_unsupported {
            // Nothing to refresh: wake at expiry to sign out.
            return Some(s.expires_at);
        }
        Some(s.expires_at - self.config.refresh_margin_ms)
    }

    fn save(&self, session: Session, event: AuthEvent) -> Session {
        self.store
            .set(&self.config.storage_key, &session.to_record());
        self.state.borrow_mut().session = Some(session.clone());
        self.events.emit(event, Some(&session), None);
        session
    }

    /// Ends the session (if there is one) and tells listeners once.
    pub fn end_session(&self, reason: SignOutReason) {
        let had = self.state.borrow_mut().session.take().is_some();
        if had {
            self.state.borrow_mut().refresh_unsupported = false;
            if reason != SignOutReason::OtherTab {
                self.store.remove(&self.config.storage_key);
            }
            self.events.emit(AuthEvent::SignedOut, None, Some(reason));
        }
    }

    /// Ends the session only if it still holds `token` (an old answer must not end a
    /// newer session).
    fn end_if_current(&self, token: &str, reason: SignOutReason) {
        let current = self
            .state
            .borrow()
            .session
            .as_ref()
            .is_some_and(|s| s.access_token == token);
        if current {
            self.end_session(reason);
        }
    }

    // ----- start-up ----------------------------------------------------------------

    /// Restores the stored session and emits `INITIAL_SESSION` (once per client).
    pub async fn initialize(&self) -> Option<Session> {
        if self.is_initialized() {
            return self.session();
        }
        let now = self.clock.now_ms();
        let restored = self.restore();
        match restored {
            Some(s) if s.is_expired(now) => {
                self.store.remove(&self.config.storage_key);
                // Reported as a sign-out so the app learns why, before the initial state.
                self.state.borrow_mut().session = Some(s);
                self.end_session(SignOutReason::Expired);
            }
            Some(s) => self.state.borrow_mut().session = Some(s),
            None => {}
        }
        if self.session().is_some() && self.refresh_due(now) {
            // A failure keeps the still-valid session (see `refresh_session`).
            let _ = self.refresh_session().await;
        }
        self.state.borrow_mut().initialized = true;
        let session = self.session();
        self.events
            .emit(AuthEvent::InitialSession, session.as_ref(), None);
        session
    }

    /// Reads our record, or adopts the official SDK's session once. Anything
    /// unreadable under our key means "signed out" and is removed.
    fn restore(&self) -> Option<Session> {
        let key = &self.config.storage_key;
        if let Some(text) = self.store.get(key) {
            let s = Session::from_record(&text);
            if s.is_none() {
                self.store.remove(key);
            }
            return s;
        }
        let token = self.store.get(LEGACY_TOKEN_KEY)?;
        let user = self.store.get(LEGACY_USER_KEY).unwrap_or_default();
        let s = Session::from_legacy(&token, &user)?;
        self.store.set(key, &s.to_record());
        self.store.remove(LEGACY_TOKEN_KEY);
        self.store.remove(LEGACY_USER_KEY);
        Some(s)
    }

    /// Another tab wrote (or removed) the session record: follow it without writing.
    pub fn sync_from_store(&self, value: Option<&str>) {
        let Some(text) = value else {
            self.end_session(SignOutReason::OtherTab);
            return;
        };
        let Some(theirs) = Session::from_record(text) else {
            return;
        };
        let mine = self.session();
        let event = match &mine {
            Some(m) if m.access_token == theirs.access_token && m.user == theirs.user => return,
            Some(m) if m.access_token == theirs.access_token => AuthEvent::UserUpdated,
            Some(m) if m.user_id() == theirs.user_id() => AuthEvent::TokenRefreshed,
            _ => AuthEvent::SignedIn,
        };
        self.state.borrow_mut().session = Some(theirs.clone());
        self.events.emit(event, Some(&theirs), None);
    }

    // ----- transport ---------------------------------------------------------------

    fn request(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Body<T::File>,
    ) -> Request<T::File> {
        let mut url = String::with_capacity(self.config.base_url.len() + 20 + path.len());
        url.push_str(&self.config.base_url);
        url.push_str("/auth-collections");
        url.push_str(path);
        let mut headers = vec![("x-api-key", self.config.api_key.clone())];
        if let Some(token) = bearer {
            let mut h = String::from("Bearer ");
            h.push_str(token);
            headers.push(("Authorization", h));
        }
        if matches!(body, Body::Json(_)) {
            headers.push(("Content-Type", "application/json".to_owned()));
        }
        Request {
            method,
            url,
            headers,
            body,
        }
    }

    /// Sends and decodes: a 2xx answer with a JSON body, or a typed error.
    fn call(
        &self,
        endpoint: Endpoint,
        req: Request<T::File>,
    ) -> Fut<'_, Result<(Json, Response), AuthError>> {
        Box::pin(self.call_inner(endpoint, req))
    }

    async fn call_inner(
        &self,
        endpoint: Endpoint,
        req: Request<T::File>,
    ) -> Result<(Json, Response), AuthError> {
        let res = match self.transport.send(req).await {
            Ok(r) => r,
            Err(TransportError::Network) => return Err(AuthError::new(ErrorCode::NetworkError)),
            Err(TransportError::Timeout) => return Err(AuthError::new(ErrorCode::Timeout)),
        };
        if !(200..300).contains(&res.status) {
            return Err(decode_error(
                endpoint,
                res.status,
                &res.body,
                res.retry_after,
            ));
        }
        match Json::parse(&res.body) {
            Some(j) => Ok((j, res)),
            None => {
                let mut e = AuthError::new(ErrorCode::BadResponse);
                e.status = res.status;
                Err(e)
            }
        }
    }

    /// A request made as the signed-in user: refreshes first when the token is inside
    /// the margin, and ends the session when the server says the token is dead.
    fn user_call<'a>(
        &'a self,
        endpoint: Endpoint,
        method: Method,
        path: &'a str,
        body: Body<T::File>,
    ) -> Fut<'a, Result<(Json, Response), AuthError>> {
        Box::pin(self.user_call_inner(endpoint, method, path, body))
    }

    async fn user_call_inner(
        &self,
        endpoint: Endpoint,
        method: Method,
        path: &str,
        body: Body<T::File>,
    ) -> Result<(Json, Response), AuthError> {
        let token = self.usable_token().await?;
        let result = self
            .call(endpoint, self.request(method, path, Some(&token), body))
            .await;
        if let Err(e) = &result {
            if e.status == 401 {
                let reason = if e.code == ErrorCode::SessionExpired {
                    SignOutReason::Expired
                } else {
                    SignOutReason::Revoked
                };
                self.end_if_current(&token, reason);
            }
        }
        result
    }

    /// The token to send now: `session_missing` without a session; ends an expired
    /// one; refreshes first when due (a failed refresh still leaves a valid token).
    async fn usable_token(&self) -> Result<String, AuthError> {
        let now = self.clock.now_ms();
        let Some(s) = self.session() else {
            return Err(AuthError::new(ErrorCode::SessionMissing));
        };
        if s.is_expired(now) {
            self.end_session(SignOutReason::Expired);
            return Err(AuthError::new(ErrorCode::SessionExpired));
        }
        if self.refresh_due(now) {
            if let Ok(fresh) = self.refresh_session().await {
                return Ok(fresh.access_token);
            }
            // Still valid? Then use it; otherwise the refresh failure ended it.
            return match self.session() {
                Some(s) if !s.is_expired(self.clock.now_ms()) => Ok(s.access_token),
                _ => Err(AuthError::new(ErrorCode::SessionExpired)),
            };
        }
        Ok(s.access_token)
    }

    fn refresh_due(&self, now: i64) -> bool {
        let st = self.state.borrow();
        self.config.auto_refresh
            && !st.refresh_unsupported
            && st
                .session
                .as_ref()
                .is_some_and(|s| now >= s.expires_at - self.config.refresh_margin_ms)
    }

    fn session_from(&self, body: &Json, res: &Response) -> Result<Session, AuthError> {
        Session::from_token_response(body, self.clock.now_ms(), res.date_ms)
            .ok_or_else(|| AuthError::new(ErrorCode::BadResponse))
    }

    /// A token answer, or `requires_2fa`.
    fn auth_result(&self, body: &Json, res: &Response) -> Result<AuthResult, AuthError> {
        if body.get("requires_2fa").and_then(Json::as_bool) == Some(true) {
            let message = body
                .str_at("message")
                .unwrap_or("A second factor is required.");
            return Ok(AuthResult::Requires2fa {
                message: message.to_owned(),
            });
        }
        let s = self.session_from(body, res)?;
        Ok(AuthResult::Session(self.save(s, AuthEvent::SignedIn)))
    }
}
