//! The client's rules, free of any browser API: every endpoint, the session's life,
//! and the events. All I/O goes through [`ports`](super::ports) so that every branch
//! is tested on the host with fakes.
//!
//! No `RefCell` borrow is ever held across an `.await`.

use core::cell::{Cell, RefCell};
use core::future::Future;
use core::pin::Pin;

use super::config::Config;
use super::error::{decode_error, AuthError, Endpoint, ErrorCode, FieldError};
use super::json::Json;
use super::oauth::{self, Flow, FLOW_KEY};
use super::ports::{
    encode_component, AuthEvent, Body, Clock, CrossTab, Events, Method, Request, Response,
    SignOutReason, Store, Transport, TransportError,
};
use super::session::{
    is_user, public_user_shape, user_shape, Session, LEGACY_TOKEN_KEY, LEGACY_USER_KEY,
};
use super::single_flight::SingleFlight;
use crate::validate::{validate_email, validate_password};

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

    // ----- account -----------------------------------------------------------------

    fn check_credentials(&self, email: &str, password: &str) -> Result<(), AuthError> {
        let mut fields = Vec::new();
        let e = validate_email(email);
        if !e.valid {
            fields.push((
                "email".to_owned(),
                e.errors.into_iter().map(FieldError::from).collect(),
            ));
        }
        let p = validate_password(password, &self.config.password_policy, Some(email));
        if !p.valid {
            fields.push((
                "password".to_owned(),
                p.errors.into_iter().map(FieldError::from).collect(),
            ));
        }
        if fields.is_empty() {
            Ok(())
        } else {
            Err(AuthError::fields(fields))
        }
    }

    fn signup_body(
        email: &str,
        password: &str,
        data: Option<Json>,
        roles: Option<Vec<String>>,
    ) -> Json {
        let mut members = vec![
            ("email", Json::str(email)),
            ("password", Json::str(password)),
        ];
        if let Some(d) = data {
            members.push(("data", d));
        }
        if let Some(r) = roles {
            members.push(("roles", Json::Arr(r.iter().map(|x| Json::str(x)).collect())));
        }
        obj(members)
    }

    /// `POST /signup`; nothing is sent when the email or password fails local checks.
    pub async fn signup(
        &self,
        email: &str,
        password: &str,
        data: Option<Json>,
        roles: Option<Vec<String>>,
    ) -> Result<AuthResult, AuthError> {
        self.check_credentials(email, password)?;
        let body = Body::Json(Self::signup_body(email, password, data, roles).to_json());
        let (j, res) = self
            .call(
                Endpoint::Signup,
                self.request(Method::Post, "/signup", None, body),
            )
            .await?;
        self.auth_result(&j, &res)
    }

    /// Multipart `POST /signup`: field `data` carries the JSON, then the files.
    pub async fn signup_with_files(
        &self,
        email: &str,
        password: &str,
        data: Option<Json>,
        files: Vec<(String, T::File)>,
    ) -> Result<AuthResult, AuthError> {
        self.check_credentials(email, password)?;
        let body = Body::Multipart {
            data: Self::signup_body(email, password, data, None).to_json(),
            files,
        };
        let (j, res) = self
            .call(
                Endpoint::Signup,
                self.request(Method::Post, "/signup", None, body),
            )
            .await?;
        self.auth_result(&j, &res)
    }

    pub async fn login(&self, email: &str, password: &str) -> Result<AuthResult, AuthError> {
        if email.is_empty() || password.is_empty() {
            let mut fields = Vec::new();
            for (name, value) in [("email", email), ("password", password)] {
                if value.is_empty() {
                    let reason = FieldError {
                        code: "empty".into(),
                        message: "This field is required.".into(),
                    };
                    fields.push((name.to_owned(), vec![reason]));
                }
            }
            return Err(AuthError::fields(fields));
        }
        let body = obj(vec![
            ("email", Json::str(email)),
            ("password", Json::str(password)),
        ]);
        let req = self.request(Method::Post, "/login", None, Body::Json(body.to_json()));
        let (j, res) = self.call(Endpoint::Login, req).await?;
        self.auth_result(&j, &res)
    }

    /// Signs out locally (the API has no server-side logout).
    pub fn logout(&self) {
        self.store.remove(&self.config.storage_key);
        self.end_session(SignOutReason::Logout);
    }

    // ----- the user ----------------------------------------------------------------

    /// Replaces the cached user; `USER_UPDATED` when it changed (or when `always`).
    fn adopt_user(&self, user: Json, always: bool) -> Result<Json, AuthError> {
        if !is_user(&user) {
            return Err(AuthError::new(ErrorCode::BadResponse));
        }
        let shape = user_shape(&user);
        let Some(mut s) = self.session() else {
            return Ok(shape);
        };
        if s.user_id() != user.str_at("id").unwrap_or("") {
            return Ok(shape);
        }
        if always || s.user != user {
            s.user = user;
            self.save(s, AuthEvent::UserUpdated);
        }
        Ok(shape)
    }

    /// `GET /user`: the user in the `User` shape; refreshes the cached copy.
    pub async fn get_current_user(&self) -> Result<Json, AuthError> {
        let (j, _) = self
            .user_call(Endpoint::User, Method::Get, "/user", Body::Empty)
            .await?;
        self.adopt_user(j, false)
    }

    fn update_body(update: UserUpdate) -> Json {
        let mut data = match update.data {
            Some(Json::Obj(m)) => Json::Obj(m),
            _ => Json::Obj(Vec::new()),
        };
        if let Some(a) = update.append {
            data.set("$append", a);
        }
        if let Some(r) = update.remove {
            data.set("$remove", r);
        }
        let mut members = Vec::new();
        if !matches!(&data, Json::Obj(m) if m.is_empty()) {
            members.push(("data", data));
        }
        if let Some(e) = update.email {
            members.push(("email", Json::Str(e)));
        }
        obj(members)
    }

    /// `PATCH /user` (JSON). `append`/`remove` are applied atomically by the server.
    pub async fn update_user(&self, update: UserUpdate) -> Result<Json, AuthError> {
        self.check_new_email(update.email.as_deref())?;
        let body = Body::Json(Self::update_body(update).to_json());
        let (j, _) = self
            .user_call(Endpoint::User, Method::Patch, "/user", body)
            .await?;
        self.adopt_user(j, true)
    }

    /// `PATCH /user` as multipart: field `data` holds the same JSON as `update_user`.
    pub async fn update_user_with_files(
        &self,
        update: UserUpdate,
        files: Vec<(String, T::File)>,
    ) -> Result<Json, AuthError> {
        self.check_new_email(update.email.as_deref())?;
        let body = Body::Multipart {
            data: Self::update_body(update).to_json(),
            files,
        };
        let (j, _) = self
            .user_call(Endpoint::User, Method::Patch, "/user", body)
            .await?;
        self.adopt_user(j, true)
    }

    fn check_new_email(&self, email: Option<&str>) -> Result<(), AuthError> {
        match email.map(validate_email) {
            Some(r) if !r.valid => Err(AuthError::fields(vec![(
                "email".into(),
                r.errors.into_iter().map(FieldError::from).collect(),
            )])),
            _ => Ok(()),
        }
    }

    fn follow_update(user_id: &str, add: bool) -> UserUpdate {
        let op = Some(obj(vec![("following_ids", Json::str(user_id))]));
        if add {
            UserUpdate {
                append: op,
                ..UserUpdate::default()
            }
        } else {
            UserUpdate {
                remove: op,
                ..UserUpdate::default()
            }
        }
    }

    pub async fn follow(&self, user_id: &str) -> Result<Json, AuthError> {
        self.update_user(Self::follow_update(user_id, true)).await
    }

    pub async fn unfollow(&self, user_id: &str) -> Result<Json, AuthError> {
        self.update_user(Self::follow_update(user_id, false)).await
    }

    /// `POST /change-password`, adopting the fresh token it returns. Against a server
    /// without that endpoint: checks the current password with `login`, then
    /// `PATCH /user {password}` (API.md "Rules that hold everywhere").
    pub async fn change_password(&self, current: &str, new: &str) -> Result<(), AuthError> {
        let Some(s) = self.session() else {
            return Err(AuthError::new(ErrorCode::SessionMissing));
        };
        let email = s.user.str_at("email").unwrap_or("").to_owned();
        let report = validate_password(new, &self.config.password_policy, Some(&email));
        if !report.valid {
            let reasons = report.errors.into_iter().map(FieldError::from).collect();
            return Err(AuthError::fields(vec![("newPassword".into(), reasons)]));
        }
        let body = obj(vec![
            ("current_password", Json::str(current)),
            ("new_password", Json::str(new)),
        ]);
        let result = self
            .user_call(
                Endpoint::ChangePassword,
                Method::Post,
                "/change-password",
                Body::Json(body.to_json()),
            )
            .await;
        match result {
            Ok((j, res)) => {
                let token = j.str_at("access_token").filter(|t| !t.is_empty());
                let Some(token) = token else {
                    return Err(AuthError::new(ErrorCode::BadResponse));
                };
                let answer = obj(vec![
                    ("access_token", Json::str(token)),
                    ("user", s.user.clone()),
                ]);
                let fresh = self.session_from(&answer, &res)?;
                self.save(fresh, AuthEvent::TokenRefreshed);
                Ok(())
            }
            Err(e) if e.status == 404 || e.status == 405 => {
                self.change_password_by_patch(&email, current, new).await
            }
            Err(e) => Err(e),
        }
    }

    async fn change_password_by_patch(
        &self,
        email: &str,
        current: &str,
        new: &str,
    ) -> Result<(), AuthError> {
        let body = obj(vec![
            ("email", Json::str(email)),
            ("password", Json::str(current)),
        ]);
        let req = self.request(Method::Post, "/login", None, Body::Json(body.to_json()));
        let (j, res) = self.call(Endpoint::Login, req).await?;
        let checked = self.session_from(&j, &res)?;
        let body = obj(vec![("password", Json::str(new))]).to_json();
        let req = self.request(
            Method::Patch,
            "/user",
            Some(&checked.access_token),
            Body::Json(body),
        );
        self.call(Endpoint::User, req).await?;
        self.save(checked, AuthEvent::TokenRefreshed);
        Ok(())
    }

    // ----- other users -------------------------------------------------------------

    /// `GET /users`: `{ users, total, limit, offset, hasMore }`.
    pub async fn list_users(&self, q: &ListQuery) -> Result<Json, AuthError> {
        let mut path = String::from("/users");
        let mut sep = '?';
        let mut add = |name: &str, value: &str| {
            path.push(sep);
            sep = '&';
            path.push_str(name);
            path.push('=');
            path.push_str(&encode_component(value));
        };
        if let Some(l) = q.limit {
            add("limit", &super::json::itoa(i64::from(l)));
        }
        if let Some(o) = q.offset {
            add("offset", &super::json::itoa(i64::from(o)));
        }
        if let Some(r) = &q.role {
            add("role", r);
        }
        if let Some(e) = &q.email_contains {
            add("email_contains", e);
        }
        let (j, _) = self
            .call(
                Endpoint::Public,
                self.request(Method::Get, &path, None, Body::Empty),
            )
            .await?;
        let users = j
            .get("data")
            .or_else(|| j.get("users"))
            .and_then(Json::as_array);
        let Some(users) = users else {
            return Err(AuthError::new(ErrorCode::BadResponse));
        };
        let int = |k: &str| j.get(k).and_then(Json::as_i64).unwrap_or(0);
        let count = users.len() as i64;
        Ok(obj(vec![
            (
                "users",
                Json::Arr(
                    users
                        .iter()
                        .filter(|u| is_user(u))
                        .map(user_shape)
                        .collect(),
                ),
            ),
            ("total", Json::int(int("total").max(count))),
            ("limit", Json::int(int("limit"))),
            ("offset", Json::int(int("offset"))),
            (
                "hasMore",
                Json::Bool(j.get("has_more").and_then(Json::as_bool).unwrap_or(false)),
            ),
        ]))
    }

    /// `GET /users/{id}`: the public profile.
    pub async fn get_user_by_id(&self, id: &str) -> Result<Json, AuthError> {
        if id.is_empty() {
            return Err(AuthError::new(ErrorCode::NotFound));
        }
        let mut path = String::from("/users/");
        path.push_str(&encode_component(id));
        let (j, _) = self
            .call(
                Endpoint::Public,
                self.request(Method::Get, &path, None, Body::Empty),
            )
            .await?;
        if !is_user(&j) {
            return Err(AuthError::new(ErrorCode::BadResponse));
        }
        Ok(public_user_shape(&j))
    }

    // ----- sign-in by redirect ------------------------------------------------------

    /// Asks the server for the provider's URL, adds `state`, and remembers the flow in
    /// `flows` (the tab's `sessionStorage`) for the callback to check.
    pub async fn oauth_url(
        &self,
        provider: &str,
        redirect_uri: &str,
        state: &str,
        flows: &impl Store,
    ) -> Result<String, AuthError> {
        if !oauth::PROVIDERS.contains(&provider) {
            return Err(super::config::invalid(
                "provider must be \"google\" or \"apple\".",
            ));
        }
        if !super::config::is_http_url(redirect_uri) {
            return Err(super::config::invalid(
                "redirectUri must be an absolute http(s) URL.",
            ));
        }
        let mut path = String::from("/oauth/");
        path.push_str(provider);
        path.push_str("?redirect_uri=");
        path.push_str(&encode_component(redirect_uri));
        let (j, _) = self
            .call(
                Endpoint::OAuthUrl,
                self.request(Method::Get, &path, None, Body::Empty),
            )
            .await?;
        let url = j.str_at("url").filter(|u| super::config::is_http_url(u));
        let Some(url) = url else {
            return Err(AuthError::new(ErrorCode::BadResponse));
        };
        let flow = Flow {
            state: state.to_owned(),
            provider: provider.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            created_at: self.clock.now_ms(),
        };
        let list = oauth::push_flow(oauth::read_flows(flows.get(FLOW_KEY).as_deref()), flow);
        flows.set(FLOW_KEY, &oauth::write_flows(&list));
        Ok(oauth::with_state(url, state))
    }

    /// Finishes a redirect sign-in from the callback URL: `None` when the URL carries no
    /// OAuth answer. The `state` must name a flow started in this tab within 10 minutes,
    /// and is used up either way. A failure leaves the session already held untouched.
    pub async fn handle_callback(
        &self,
        url: &str,
        flows: &impl Store,
    ) -> Result<Option<AuthResult>, AuthError> {
        let Some(cb) = oauth::parse_callback(url) else {
            return Ok(None);
        };
        let stored = oauth::read_flows(flows.get(FLOW_KEY).as_deref());
        let (flow, rest) = oauth::take_flow(stored, cb.state.as_deref(), self.clock.now_ms());
        if rest.is_empty() {
            flows.remove(FLOW_KEY);
        } else {
            flows.set(FLOW_KEY, &oauth::write_flows(&rest));
        }
        let Some(flow) = flow else {
            return Err(AuthError::new(ErrorCode::OAuthStateMismatch));
        };
        if let Some(error) = cb.error {
            let mut e = match cb.error_description.as_deref().filter(|d| !d.is_empty()) {
                Some(d) => AuthError::with_message(ErrorCode::OAuthDenied, d),
                None => AuthError::new(ErrorCode::OAuthDenied),
            };
            e.detail = Some(Json::Str(error));
            return Err(e);
        }
        let Some(code) = cb.code.filter(|c| !c.is_empty()) else {
            return Err(AuthError::new(ErrorCode::OAuthInvalidCallback));
        };
        let mut path = String::from("/verify-");
        path.push_str(&flow.provider);
        path.push_str("-login");
        let body = obj(vec![
            ("code", Json::Str(code)),
            ("redirect_uri", Json::Str(flow.redirect_uri)),
        ]);
        let req = self.request(Method::Post, &path, None, Body::Json(body.to_json()));
        let (j, res) = self.call(Endpoint::OAuthVerify, req).await?;
        self.auth_result(&j, &res).map(Some)
    }

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
        let before = self.session().map(|s| s.access_token);
        let _guard = self.tabs.lock().await;
        let Some(s) = self.session() else {
            return Err(AuthError::new(ErrorCode::SessionMissing));
        };
        if before.as_deref() != Some(s.access_token.as_str()) {
            // Replaced while we waited (another tab's write reached us): that is the refresh.
            return Ok(s);
        }
        // While we waited for the lock another tab may have refreshed this session.
        let shared = self.tabs.read().await;
        match self.session() {
            // Another tab's write reached us during the read: that is the refresh.
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
