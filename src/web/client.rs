//! The client's state and its one I/O path: the held session, storage, events, the
//! refresh timer and single-flight refresh. The exported class (`auth.rs`) forwards
//! every method here; the core decides what to send and what each answer means.

use std::cell::Cell;
use std::rc::{Rc, Weak};

use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::answer::{answer, Outcome, Received};
use crate::core::error::{Error, ErrorCode};
use crate::core::json::Value;
use crate::core::options::{Config, StorageKind};
use crate::core::refresh::{backoff_ms, RefreshPolicy};
use crate::core::request::{build, Op, Request};
use crate::core::session::{adopt, restore, Session, Shape};

use super::convert::{parse, stringify, to_js, BrowserJson};
use super::flight::Flight;
use super::send::send;
use super::slot::Slot;
use super::store::{global, member, Store};
use super::tabs;
use super::timer::Timer;

/// Where the official Cocobase JS SDK keeps its session (adopted once, then removed).
const LEGACY_TOKEN: &str = "cocobase-token";
const LEGACY_USER: &str = "cocobase-user";

/// What `onAuthStateChange` listeners hear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    InitialSession,
    SignedIn,
    SignedOut,
    TokenRefreshed,
    UserUpdated,
}

impl Event {
    fn name(self) -> &'static str {
        match self {
            Event::InitialSession => "INITIAL_SESSION",
            Event::SignedIn => "SIGNED_IN",
            Event::SignedOut => "SIGNED_OUT",
            Event::TokenRefreshed => "TOKEN_REFRESHED",
            Event::UserUpdated => "USER_UPDATED",
        }
    }
}

/// Why a session ended (`SIGNED_OUT`'s third argument).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Logout,
    Expired,
    Revoked,
    OtherTab,
}

impl Reason {
    fn name(self) -> &'static str {
        match self {
            Reason::Logout => "logout",
            Reason::Expired => "expired",
            Reason::Revoked => "revoked",
            Reason::OtherTab => "other_tab",
        }
    }
}

pub type RefreshOutcome = Result<Session, Error>;

/// The local clock, in epoch milliseconds.
pub fn now() -> i64 {
    js_sys::Date::now() as i64
}

pub fn err(code: ErrorCode) -> Error {
    Error::new(code)
}

/// What a window or document event does to the client.
/// (The event as a `JsValue`: the closure type the IndexedDB handlers use, one glue for both.)
type PageHandler = dyn Fn(&Rc<Client>, JsValue);

/// A window or document listener, removed when dropped.
struct Listener {
    target: web_sys::EventTarget,
    name: &'static str,
    callback: Closure<dyn FnMut(JsValue)>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self
            .target
            .remove_event_listener_with_callback(self.name, self.callback.as_ref().unchecked_ref());
    }
}

pub struct Client {
    pub config: Config,
    store: Store,
    /// Pending sign-ins by redirect (sessionStorage: per tab), opened on first use.
    flows: Slot<Option<Rc<Store>>>,
    pub session: Slot<Option<Session>>,
    listeners: Slot<Vec<(u32, Function)>>,
    next_listener: Cell<u32>,
    /// `initialize()` has settled: late listeners get INITIAL_SESSION on their own.
    pub ready: Cell<bool>,
    pub init: Slot<Option<js_sys::Promise>>,
    /// The server cannot refresh: the session lasts until it expires.
    unsupported: Cell<bool>,
    failures: Cell<u32>,
    /// See [`RefreshPolicy::not_before`]: set when a new token arrives while running.
    not_before: Cell<i64>,
    flight: Slot<Option<Rc<Flight<RefreshOutcome>>>>,
    timer: Slot<Option<Timer>>,
    window_listeners: Slot<Vec<Listener>>,
    gone: Cell<bool>,
    /// The email of the last sign-in that asked for a second factor.
    pub second_factor_email: Slot<Option<String>>,
}

impl Client {
    pub fn new(config: Config) -> Rc<Client> {
        let store = Store::open(config.storage);
        let client = Rc::new(Client {
            config,
            store,
            flows: Slot::default(),
            session: Slot::default(),
            listeners: Slot::default(),
            next_listener: Cell::new(0),
            ready: Cell::new(false),
            init: Slot::default(),
            unsupported: Cell::new(false),
            failures: Cell::new(0),
            not_before: Cell::new(i64::MIN),
            flight: Slot::default(),
            timer: Slot::default(),
            window_listeners: Slot::default(),
            gone: Cell::new(false),
            second_factor_email: Slot::default(),
        });
        client.listen_to_the_page();
        client
    }

    fn listen_to_the_page(self: &Rc<Self>) {
        let window = global("window").map(JsCast::unchecked_into::<web_sys::EventTarget>);
        let document = global("document").map(JsCast::unchecked_into::<web_sys::EventTarget>);
        let mut listeners = Vec::new();
        let mut on = |target: &Option<web_sys::EventTarget>,
                      name: &'static str,
                      handler: Box<PageHandler>| {
            let Some(target) = target else { return };
            let weak: Weak<Client> = Rc::downgrade(self);
            let callback = Closure::<dyn FnMut(JsValue)>::new(move |event| {
                if let Some(client) = weak.upgrade() {
                    handler(&client, event);
                }
            });
            if target
                .add_event_listener_with_callback(name, callback.as_ref().unchecked_ref())
                .is_ok()
            {
                listeners.push(Listener {
                    target: target.clone(),
                    name,
                    callback,
                });
            }
        };
        let wake = |client: &Rc<Client>, _: JsValue| {
            let hidden = global("document")
                .and_then(|d| member(&d, "hidden"))
                .is_some_and(|h| h.is_truthy());
            if !hidden {
                client.wake();
            }
        };
        on(&window, "focus", Box::new(wake));
        on(&window, "online", Box::new(wake));
        on(&document, "visibilitychange", Box::new(wake));
        if self.config.storage == StorageKind::Local && self.store.persistent() {
            on(
                &window,
                "storage",
                Box::new(|client, event| {
                    // A `StorageEvent`'s members, read as the page's other values are
                    // (no binding of their own): `key` is a string, or null after
                    // `localStorage.clear()` in another tab; an event without one (not
                    // a `StorageEvent`) is ignored.
                    // (`null` and `undefined` differ here: `member` would merge them.)
                    let key = js_sys::Reflect::get(&event, &"key".into()).unwrap_or_default();
                    if key.is_null() {
                        client.follow(None);
                    } else if key.as_string().as_ref() == Some(&client.config.storage_key) {
                        client.follow(member(&event, "newValue").and_then(|v| v.as_string()));
                    }
                }),
            );
        }
        self.window_listeners.set(listeners);
    }

    // ----- state and events ------------------------------------------------------

    pub fn held(&self) -> Option<Session> {
        self.session.get()
    }

    fn policy(&self) -> RefreshPolicy {
        RefreshPolicy {
            auto_refresh: self.config.auto_refresh,
            margin_ms: self.config.refresh_margin_ms,
            unsupported: self.unsupported.get(),
            not_before: self.not_before.get(),
        }
    }

    fn emit(self: &Rc<Self>, event: Event, reason: Option<Reason>) {
        let view = self.held().map(|s| s.view().to_value());
        let listeners: Vec<Function> = self
            .listeners
            .with(|listeners| listeners.iter().map(|(_, f)| f.clone()).collect());
        for listener in listeners {
            // Each listener gets its own copy: nothing it changes reaches the client.
            let session = view.as_ref().map_or(JsValue::NULL, to_js);
            let reason = reason.map_or(JsValue::UNDEFINED, |r| JsValue::from_str(r.name()));
            call_listener(&listener, event, &session, &reason);
        }
        if matches!(event, Event::SignedIn | Event::TokenRefreshed) {
            self.failures.set(0);
        }
        self.arm();
    }

    /// Keeps `session` (memory and storage) and tells the listeners.
    pub fn save(self: &Rc<Self>, session: Session, event: Event) -> Session {
        self.store
            .set(&self.config.storage_key, &stringify(&session.record()));
        self.hold(session.clone());
        self.emit(event, None);
        session
    }

    /// Holds `session` in memory; a new token due as soon as it arrives waits for
    /// half its life ([`RefreshPolicy::not_before_of`]).
    fn hold(&self, session: Session) {
        let fresh = self
            .session
            .with(|held| held.as_ref().map(|s| &s.access_token) != Some(&session.access_token));
        if fresh {
            let not_before = self.policy().not_before_of(session.expires_at, now());
            self.not_before.set(not_before);
        }
        self.session.set(Some(session));
    }

    pub fn end(self: &Rc<Self>, reason: Reason) {
        if self.session.take().is_none() {
            return;
        }
        self.unsupported.set(false);
        if reason != Reason::OtherTab {
            self.store.remove(&self.config.storage_key);
        }
        self.emit(Event::SignedOut, Some(reason));
    }

    fn end_if(self: &Rc<Self>, token: &str, reason: Reason) {
        let same = self
            .session
            .with(|held| held.as_ref().is_some_and(|s| s.access_token == token));
        if same {
            self.end(reason);
        }
    }

    pub fn logout(self: &Rc<Self>) {
        self.store.remove(&self.config.storage_key);
        self.end(Reason::Logout);
    }

    /// Another tab wrote (or removed) the session: follow it, writing nothing.
    fn follow(self: &Rc<Self>, text: Option<String>) {
        let Some(text) = text else {
            return self.end(Reason::OtherTab);
        };
        let Some(theirs) = restore(parse(&text).as_ref()) else {
            return;
        };
        let mine = self.held();
        if mine.as_ref() == Some(&theirs) {
            return;
        }
        let event = match &mine {
            Some(m) if m.user_id() == theirs.user_id() => {
                if m.access_token == theirs.access_token {
                    Event::UserUpdated
                } else {
                    Event::TokenRefreshed
                }
            }
            _ => Event::SignedIn,
        };
        self.hold(theirs);
        self.emit(event, None);
    }

    pub fn add_listener(&self, callback: Function) -> u32 {
        let id = self.next_listener.get();
        self.next_listener.set(id + 1);
        self.listeners
            .with(|listeners| listeners.push((id, callback)));
        id
    }

    pub fn remove_listener(&self, id: u32) {
        self.listeners
            .with(|listeners| listeners.retain(|(n, _)| *n != id));
    }

    pub fn has_listener(&self, id: u32) -> bool {
        self.listeners
            .with(|listeners| listeners.iter().any(|(n, _)| *n == id))
    }

    pub fn dispose(&self) {
        self.gone.set(true);
        self.timer.take();
        self.window_listeners.take();
        self.listeners.take();
    }

    // ----- the refresh timer -----------------------------------------------------

    fn set_timer(self: &Rc<Self>, delay_ms: f64) {
        self.timer.take();
        if self.gone.get() {
            return;
        }
        let weak = Rc::downgrade(self);
        self.timer.set(Some(Timer::start(delay_ms, move || {
            if let Some(client) = weak.upgrade() {
                client.wake();
            }
        })));
    }

    fn arm(self: &Rc<Self>) {
        let Some(expires_at) = self
            .session
            .with(|held| held.as_ref().map(|s| s.expires_at))
        else {
            self.timer.take();
            return;
        };
        // After a failure, the retry is already scheduled.
        if self.failures.get() == 0 {
            self.set_timer(self.policy().wake_in(expires_at, now()) as f64);
        }
    }

    /// Timer, focus, `online`: refresh when due; end a session that has run out.
    fn wake(self: &Rc<Self>) {
        let client = self.clone();
        wasm_bindgen_futures::spawn_local(async move { client.wake_now().await });
    }

    async fn wake_now(self: &Rc<Self>) {
        let Some(session) = self.held() else { return };
        if self.gone.get() {
            return;
        }
        if now() >= session.expires_at {
            return self.end(Reason::Expired);
        }
        if !self.policy().due(session.expires_at, now()) {
            return self.arm();
        }
        // The event that stores the new session also resets the failures and re-arms.
        if let Err(e) = self.refresh().await {
            let Some(held) = self.held() else {
                return self.arm();
            };
            if self.unsupported.get() {
                // No retry is coming: the timer wakes at expiry instead, to sign out.
                self.failures.set(0);
                return self.arm();
            }
            let failures = self.failures.get();
            self.failures.set(failures + 1);
            let delay = backoff_ms(
                failures,
                js_sys::Math::random(),
                e.retry_after,
                held.expires_at - now(),
            );
            self.set_timer(delay);
        }
    }

    // ----- requests --------------------------------------------------------------

    /// The request of `op` with its local checks.
    pub fn build(&self, op: Op, params: &Value, email: &str) -> Result<Request, Error> {
        build(op, params, &self.config, email)
    }

    /// Sends `request` and reads the answer as `op`'s.
    pub async fn send(
        &self,
        op: Op,
        request: &Request,
        token: Option<&str>,
        files: Option<&JsValue>,
    ) -> Result<Outcome, Error> {
        let raw = send(&self.config, request, token, files).await?;
        let held = self.held();
        answer(
            op,
            raw.status,
            raw.body.as_ref(),
            Received {
                retry_after: raw.retry_after.as_deref(),
                date_ms: raw.date_ms,
                now_ms: now(),
            },
            held.as_ref(),
            &BrowserJson,
        )
    }

    /// Sends `request` as it asks (`Request::as_user`, decided by the core): with the
    /// signed-in user's token, refreshed first when due (`session_missing` without a
    /// request when nobody is signed in), or with the key alone.
    pub async fn request(
        self: &Rc<Self>,
        op: Op,
        request: &Request,
        files: Option<&JsValue>,
    ) -> Result<Outcome, Error> {
        let token = if request.as_user {
            Some(self.token().await?)
        } else {
            None
        };
        let outcome = self.send(op, request, token.as_deref(), files).await;
        if let (Err(e), Some(token)) = (&outcome, &token) {
            self.end_on_401(token, e);
        }
        outcome
    }

    /// A 401 on `token` ends its session if it is still the one held: `expired` when
    /// the server said so, else `revoked`.
    fn end_on_401(self: &Rc<Self>, token: &str, e: &Error) {
        if e.status == 401 {
            let reason = if e.code == ErrorCode::SessionExpired {
                Reason::Expired
            } else {
                Reason::Revoked
            };
            self.end_if(token, reason);
        }
    }

    async fn token(self: &Rc<Self>) -> Result<String, Error> {
        let session = self.held().ok_or_else(|| err(ErrorCode::SessionMissing))?;
        if now() >= session.expires_at {
            self.end(Reason::Expired);
            return Err(err(ErrorCode::SessionExpired));
        }
        if self.policy().due(session.expires_at, now()) {
            return match self.refresh().await {
                Ok(fresh) => Ok(fresh.access_token),
                // A failed refresh leaves a session that is still valid in place.
                Err(_) => match self.held() {
                    Some(held) if now() < held.expires_at => Ok(held.access_token),
                    _ => Err(err(ErrorCode::SessionExpired)),
                },
            };
        }
        Ok(session.access_token)
    }

    // ----- refresh ---------------------------------------------------------------

    /// One refresh per token: shared by the callers in this tab, locked across tabs.
    pub async fn refresh(self: &Rc<Self>) -> RefreshOutcome {
        if self.held().is_none() {
            return Err(err(ErrorCode::SessionMissing));
        }
        if self.unsupported.get() {
            return Err(err(ErrorCode::RefreshUnsupported));
        }
        let running = self.flight.get();
        let flight = match running {
            Some(flight) => flight,
            None => {
                let client = self.clone();
                let flight = Flight::start(async move {
                    let outcome = client.refresh_once().await;
                    client.flight.take();
                    outcome
                });
                // The run starts on a later microtask, so the slot is filled before it
                // can clear it.
                self.flight.set(Some(flight.clone()));
                flight
            }
        };
        flight.wait().await
    }

    async fn refresh_once(self: &Rc<Self>) -> RefreshOutcome {
        let start = self.held().ok_or_else(|| err(ErrorCode::SessionMissing))?;
        let name = format!("cocobase-auth:refresh:{}", self.config.storage_key);
        let _lock = tabs::lock(&name, self.config.request_timeout_ms.saturating_add(5000)).await;
        // While we waited, another tab may have refreshed this token: its hand-over
        // is our answer.
        let handed = tabs::hand_over(&name, None).await;
        let held = self.held().ok_or_else(|| err(ErrorCode::SessionMissing))?;
        if held.access_token != start.access_token {
            return Ok(held);
        }
        if let Some(theirs) = handed.and_then(|text| restore(parse(&text).as_ref())) {
            let newer = theirs.user_id() == start.user_id()
                && theirs.access_token != start.access_token
                && theirs.expires_at > start.expires_at
                && now() < theirs.expires_at;
            if newer {
                return Ok(self.save(theirs, Event::TokenRefreshed));
            }
        }
        let request = self.build(Op::Refresh, &Value::Null, "")?;
        let fresh = match self
            .send(Op::Refresh, &request, Some(&start.access_token), None)
            .await
        {
            Ok(Outcome::Session(fresh)) => fresh,
            Ok(_) => return Err(err(ErrorCode::BadResponse)),
            Err(e) => {
                if e.code == ErrorCode::RefreshUnsupported {
                    self.unsupported.set(true);
                }
                self.end_on_401(&start.access_token, &e);
                return Err(e);
            }
        };
        // The session may have ended or changed hands meanwhile.
        match self.held() {
            None => return Err(err(ErrorCode::SessionMissing)),
            Some(current) if current.user_id() != start.user_id() => return Ok(current),
            Some(_) => {}
        }
        // Handed over before the lock is released, for the tabs waiting on it.
        tabs::hand_over(&name, Some(&stringify(&fresh.record()))).await;
        Ok(self.save(fresh, Event::TokenRefreshed))
    }

    // ----- start-up --------------------------------------------------------------

    /// Restores the stored session into memory: `initialize()` does it before it
    /// returns, as the JS client did (`auth.user` is there at once).
    pub fn restore_stored(&self) {
        let key = &self.config.storage_key;
        let mut session = match self.store.get(key) {
            Some(text) => {
                let restored = restore(parse(&text).as_ref());
                // Anything unreadable under our key means "signed out".
                if restored.is_none() {
                    self.store.remove(key);
                }
                restored
            }
            None => self.adopt_legacy(),
        };
        // A token that ran out while the page was closed: this page never held it, so
        // no SIGNED_OUT; INITIAL_SESSION says null.
        if session.as_ref().is_some_and(|s| now() >= s.expires_at) {
            self.store.remove(key);
            session = None;
        }
        self.session.set(session);
        // Restored: refreshed as soon as it is due.
        self.not_before.set(i64::MIN);
    }

    /// Refreshes the restored session when due, then emits `INITIAL_SESSION`.
    pub async fn start(self: &Rc<Self>) -> Option<Session> {
        let due = self
            .held()
            .is_some_and(|s| self.policy().due(s.expires_at, now()));
        if due {
            let _ = self.refresh().await;
        }
        self.ready.set(true);
        self.emit(Event::InitialSession, None);
        self.held()
    }

    fn adopt_legacy(&self) -> Option<Session> {
        let token = self.store.get(LEGACY_TOKEN)?;
        let user = self.store.get(LEGACY_USER).unwrap_or_default();
        let session = adopt(&token, &user, &BrowserJson)?;
        self.store
            .set(&self.config.storage_key, &stringify(&session.record()));
        self.store.remove(LEGACY_TOKEN);
        self.store.remove(LEGACY_USER);
        Some(session)
    }

    /// The per-tab store of pending sign-ins by redirect.
    pub fn flows(&self) -> Rc<Store> {
        if let Some(flows) = self.flows.get() {
            return flows;
        }
        // Opened outside the slot: opening reads the page's `sessionStorage`.
        let flows = Rc::new(Store::open(StorageKind::Session));
        self.flows.set(Some(flows.clone()));
        flows
    }
}

pub fn call_listener(listener: &Function, event: Event, session: &JsValue, reason: &JsValue) {
    let outcome = listener.call3(
        &JsValue::NULL,
        &JsValue::from_str(event.name()),
        session,
        reason,
    );
    if let Err(thrown) = outcome {
        web_sys::console::error_2(
            &JsValue::from_str("cocobase-auth: an onAuthStateChange listener threw"),
            &thrown,
        );
    }
}
