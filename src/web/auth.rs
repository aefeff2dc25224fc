//! The exported `CocobaseAuth` class: a synchronous constructor, async methods that
//! return promises, and cheap getters. Each method clones an `Rc` into its future, so
//! no borrow of the wasm object is held across an `await`.

use std::future::Future;
use std::rc::Rc;

use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::convert::{error_to_js, from_js, get, to_js};
use super::events::{session_js, JsEvents};
use super::options;
use super::scheduler::Scheduler;
use super::storage::{Kind, WebStore};
use super::tabs::WebTabs;
use super::transport::{files_from_js, FetchTransport};
use crate::core::client::{Client, Fut, ListQuery, UserUpdate};
use crate::core::error::{AuthError, FieldError};
use crate::core::json::Json;
use crate::core::oauth;
use crate::core::ports::{AuthEvent, Clock};
use crate::core::session::user_shape;

/// `Date.now()`.
pub struct JsClock;

impl Clock for JsClock {
    fn now_ms(&self) -> i64 {
        js_sys::Date::now() as i64
    }
}

pub type Core = Client<FetchTransport, WebStore, JsClock, JsEvents, WebTabs>;

pub struct Inner {
    pub core: Core,
    pub scheduler: Scheduler,
    /// Pending sign-ins by redirect, in `sessionStorage` (this tab only).
    pub flows: WebStore,
}

/// The Cocobase auth client (see JS-API.md).
#[wasm_bindgen]
pub struct CocobaseAuth {
    inner: Rc<Inner>,
}

/// A method's future as a promise. Boxed first, so that `future_to_promise` and the
/// error conversion are compiled once for all methods, not once per method.
fn promise<F>(fut: F) -> Promise
where
    F: Future<Output = Result<JsValue, AuthError>> + 'static,
{
    to_promise(Box::pin(fut))
}

fn to_promise(fut: Fut<'static, Result<JsValue, AuthError>>) -> Promise {
    future_to_promise(async move { fut.await.map_err(|e| error_to_js(&e)) })
}

fn string_field(params: &JsValue, key: &str) -> String {
    get(params, key).as_string().unwrap_or_default()
}

fn bad_field(field: &str, message: &str) -> AuthError {
    AuthError::fields(vec![(
        field.to_owned(),
        vec![FieldError {
            code: "invalid".into(),
            message: message.into(),
        }],
    )])
}

/// An optional plain-object field (`data`, `append`, `remove`).
fn object_field(params: &JsValue, key: &str) -> Result<Option<Json>, AuthError> {
    let v = get(params, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    match from_js(&v) {
        Some(j) if j.is_object() => Ok(Some(j)),
        _ => Err(bad_field(key, "Expected a plain object.")),
    }
}

fn roles_field(params: &JsValue) -> Result<Option<Vec<String>>, AuthError> {
    let v = get(params, "roles");
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    if !Array::is_array(&v) {
        return Err(bad_field("roles", "Expected a list of strings."));
    }
    Array::from(&v)
        .iter()
        .map(|r| {
            r.as_string()
                .ok_or_else(|| bad_field("roles", "Expected a list of strings."))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn update_from_js(params: &JsValue) -> Result<UserUpdate, AuthError> {
    let email = get(params, "email");
    let email = if email.is_undefined() || email.is_null() {
        None
    } else {
        Some(
            email
                .as_string()
                .ok_or_else(|| bad_field("email", "Expected a string."))?,
        )
    };
    Ok(UserUpdate {
        data: object_field(params, "data")?,
        email,
        append: object_field(params, "append")?,
        remove: object_field(params, "remove")?,
    })
}

fn opt_u32(params: &JsValue, key: &str) -> Result<Option<u32>, AuthError> {
    let v = get(params, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    match v.as_f64() {
        Some(n) if n.is_finite() && n >= 0.0 && n <= f64::from(u32::MAX) && n.fract() == 0.0 => {
            Ok(Some(n as u32))
        }
        _ => Err(bad_field(key, "Expected a whole number of 0 or more.")),
    }
}

/// Random `state`: 256 bits from `crypto.getRandomValues`.
fn random_state() -> Result<String, AuthError> {
    let mut bytes = [0u8; 32];
    let crypto = web_sys::window().and_then(|w| w.crypto().ok());
    match crypto.map(|c| c.get_random_values_with_u8_array(&mut bytes)) {
        Some(Ok(_)) => Ok(oauth::state_from_bytes(&bytes)),
        _ => Err(AuthError::with_message(
            crate::core::error::ErrorCode::ConfigInvalid,
            "crypto.getRandomValues is needed for sign-in by redirect.",
        )),
    }
}

async fn oauth_url(inner: &Inner, params: &JsValue) -> Result<String, AuthError> {
    let provider = string_field(params, "provider");
    let redirect_uri = string_field(params, "redirectUri");
    let state = random_state()?;
    inner
        .core
        .oauth_url(&provider, &redirect_uri, &state, &inner.flows)
        .await
}

#[wasm_bindgen]
impl CocobaseAuth {
    /// Checks the options and opens the storage; nothing is fetched until `initialize`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "CocobaseAuthOptions")] options: JsValue,
    ) -> Result<CocobaseAuth, JsValue> {
        let opts = options::parse(&options)?;
        let store = WebStore::open(opts.storage);
        let follow_other_tabs = opts.storage == Kind::Local && store.is_persistent();
        let transport = FetchTransport {
            timeout_ms: opts.config.request_timeout_ms,
        };
        let mut name = String::from("cocobase-auth:refresh:");
        name.push_str(&opts.config.storage_key);
        // The holder's refresh is bounded by the request timeout; waiting longer than
        // that plus a little would only mean a stuck tab.
        let lock_timeout_ms = opts.config.request_timeout_ms.saturating_add(5_000);
        let tabs = WebTabs {
            name,
            lock_timeout_ms,
        };
        let core = Client::new(
            opts.config,
            transport,
            store,
            JsClock,
            JsEvents::default(),
            tabs,
        );
        let inner = Rc::new(Inner {
            core,
            scheduler: Scheduler::default(),
            flows: WebStore::open(Kind::Session),
        });
        *inner.core.events.owner.borrow_mut() = Rc::downgrade(&inner);
        inner.scheduler.listen(&inner, follow_other_tabs);
        Ok(CocobaseAuth { inner })
    }

    /// Restores the stored session (refreshing it if due) and emits `INITIAL_SESSION` once.
    #[wasm_bindgen(unchecked_return_type = "Promise<Session | null>")]
    pub fn initialize(&self) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let s = inner.core.initialize().await;
            Ok(session_js(s.as_ref()))
        })
    }

    /// Creates an account; the email and password are checked locally first.
    #[wasm_bindgen(unchecked_return_type = "Promise<AuthResult>")]
    pub fn signup(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SignupParams")] params: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let data = object_field(&params, "data")?;
            let roles = roles_field(&params)?;
            let (email, password) = (
                string_field(&params, "email"),
                string_field(&params, "password"),
            );
            let r = inner.core.signup(&email, &password, data, roles).await?;
            Ok(to_js(&r.to_js_shape()))
        })
    }

    /// Creates an account with files, sent as `multipart/form-data`.
    #[wasm_bindgen(js_name = signupWithFiles, unchecked_return_type = "Promise<AuthResult>")]
    pub fn signup_with_files(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SignupWithFilesParams")] params: JsValue,
        #[wasm_bindgen(unchecked_param_type = "FileMap")] files: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let data = object_field(&params, "data")?;
            let files = files_from_js(&files);
            let (email, password) = (
                string_field(&params, "email"),
                string_field(&params, "password"),
            );
            let r = inner
                .core
                .signup_with_files(&email, &password, data, files)
                .await?;
            Ok(to_js(&r.to_js_shape()))
        })
    }

    #[wasm_bindgen(unchecked_return_type = "Promise<AuthResult>")]
    pub fn login(
        &self,
        #[wasm_bindgen(unchecked_param_type = "LoginParams")] params: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let (email, password) = (
                string_field(&params, "email"),
                string_field(&params, "password"),
            );
            let r = inner.core.login(&email, &password).await?;
            Ok(to_js(&r.to_js_shape()))
        })
    }

    /// Signs out here and in the other tabs.
    pub fn logout(&self) {
        self.inner.core.logout();
    }

    #[wasm_bindgen(js_name = getCurrentUser, unchecked_return_type = "Promise<User>")]
    pub fn get_current_user(&self) -> Promise {
        let inner = self.inner.clone();
        promise(async move { Ok(to_js(&inner.core.get_current_user().await?)) })
    }

    #[wasm_bindgen(js_name = updateUser, unchecked_return_type = "Promise<User>")]
    pub fn update_user(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UserUpdate")] update: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let u = update_from_js(&update)?;
            Ok(to_js(&inner.core.update_user(u).await?))
        })
    }

    #[wasm_bindgen(js_name = updateUserWithFiles, unchecked_return_type = "Promise<User>")]
    pub fn update_user_with_files(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UserUpdate")] update: JsValue,
        #[wasm_bindgen(unchecked_param_type = "FileMap")] files: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let u = update_from_js(&update)?;
            Ok(to_js(
                &inner
                    .core
                    .update_user_with_files(u, files_from_js(&files))
                    .await?,
            ))
        })
    }

    /// Adds `userId` to `data.following_ids` (atomically, on the server).
    #[wasm_bindgen(unchecked_return_type = "Promise<User>")]
    pub fn follow(&self, #[wasm_bindgen(js_name = userId)] user_id: String) -> Promise {
        let inner = self.inner.clone();
        promise(async move { Ok(to_js(&inner.core.follow(&user_id).await?)) })
    }

    #[wasm_bindgen(unchecked_return_type = "Promise<User>")]
    pub fn unfollow(&self, #[wasm_bindgen(js_name = userId)] user_id: String) -> Promise {
        let inner = self.inner.clone();
        promise(async move { Ok(to_js(&inner.core.unfollow(&user_id).await?)) })
    }

    #[wasm_bindgen(js_name = changePassword, unchecked_return_type = "Promise<void>")]
    pub fn change_password(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ChangePasswordParams")] params: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let current = string_field(&params, "currentPassword");
            inner
                .core
                .change_password(&current, &string_field(&params, "newPassword"))
                .await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    #[wasm_bindgen(js_name = listUsers, unchecked_return_type = "Promise<UserList>")]
    pub fn list_users(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ListUsersParams")] params: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let text = |k: &str| get(&params, k).as_string();
            let q = ListQuery {
                limit: opt_u32(&params, "limit")?,
                offset: opt_u32(&params, "offset")?,
                role: text("role"),
                email_contains: text("emailContains"),
            };
            Ok(to_js(&inner.core.list_users(&q).await?))
        })
    }

    #[wasm_bindgen(js_name = getUserById, unchecked_return_type = "Promise<PublicUser>")]
    pub fn get_user_by_id(&self, id: String) -> Promise {
        let inner = self.inner.clone();
        promise(async move { Ok(to_js(&inner.core.get_user_by_id(&id).await?)) })
    }

    /// The provider's sign-in URL, carrying a fresh `state` remembered in this tab.
    #[wasm_bindgen(js_name = getOAuthUrl, unchecked_return_type = "Promise<string>")]
    pub fn get_oauth_url(
        &self,
        #[wasm_bindgen(unchecked_param_type = "OAuthParams")] params: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        promise(async move { Ok(JsValue::from_str(&oauth_url(&inner, &params).await?)) })
    }

    /// Sends the browser to the provider (the promise settles only on failure, or
    /// just before the page unloads).
    #[wasm_bindgen(js_name = signInWithOAuth, unchecked_return_type = "Promise<void>")]
    pub fn sign_in_with_oauth(
        &self,
        #[wasm_bindgen(unchecked_param_type = "OAuthParams")] params: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let url = oauth_url(&inner, &params).await?;
            let location = web_sys::window().map(|w| w.location());
            match location.map(|l| l.assign(&url)) {
                Some(Ok(())) => Ok(JsValue::UNDEFINED),
                _ => Err(AuthError::with_message(
                    crate::core::error::ErrorCode::ConfigInvalid,
                    "No page to redirect.",
                )),
            }
        })
    }

    /// On the callback page: verifies the provider's answer (`url` defaults to the
    /// address bar), then removes `code`, `state`, `error` and `error_description`
    /// from the address bar, whatever the outcome. `null` when there is no answer.
    #[wasm_bindgen(js_name = handleRedirectCallback, unchecked_return_type = "Promise<AuthResult | null>")]
    pub fn handle_redirect_callback(&self, url: Option<String>) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            if !inner.core.is_initialized() {
                inner.core.initialize().await;
            }
            let window = web_sys::window();
            let here = window.as_ref().and_then(|w| w.location().href().ok());
            let url = url.or_else(|| here.clone()).unwrap_or_default();
            if here.as_deref() == Some(url.as_str()) && oauth::parse_callback(&url).is_some() {
                if let Some(history) = window.as_ref().and_then(|w| w.history().ok()) {
                    let cleaned = oauth::clean_url(&url);
                    let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&cleaned));
                }
            }
            let result = inner.core.handle_callback(&url, &inner.flows).await?;
            Ok(result.map_or(JsValue::NULL, |r| to_js(&r.to_js_shape())))
        })
    }

    /// Refreshes the token now: one request however many callers wait on it.
    #[wasm_bindgen(js_name = refreshSession, unchecked_return_type = "Promise<Session>")]
    pub fn refresh_session(&self) -> Promise {
        let inner = self.inner.clone();
        promise(async move { Ok(to_js(&inner.core.refresh_session().await?.to_js_shape())) })
    }

    /// Subscribes to auth events; returns the function that unsubscribes.
    ///
    /// A listener added after `initialize` settled receives `INITIAL_SESSION` with the
    /// current session on the next microtask.
    #[wasm_bindgen(js_name = onAuthStateChange, unchecked_return_type = "() => void")]
    pub fn on_auth_state_change(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AuthStateListener")] callback: Function,
    ) -> JsValue {
        let events = &self.inner.core.events;
        let id = events.add(callback.clone());
        if self.inner.core.is_initialized() {
            let inner = self.inner.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if inner.core.events.contains(id) {
                    let ev = JsValue::from_str(AuthEvent::InitialSession.as_str());
                    let s = session_js(inner.core.session().as_ref());
                    JsEvents::call(&callback, &ev, &s, &JsValue::UNDEFINED);
                }
            });
        }
        let weak = Rc::downgrade(&self.inner);
        Closure::<dyn FnMut()>::new(move || {
            if let Some(inner) = weak.upgrade() {
                inner.core.events.remove(id);
            }
        })
        .into_js_value()
    }

    /// The signed-in user, or `null`.
    #[wasm_bindgen(getter, unchecked_return_type = "User | null")]
    pub fn user(&self) -> JsValue {
        self.inner
            .core
            .session()
            .map_or(JsValue::NULL, |s| to_js(&user_shape(&s.user)))
    }

    /// The current token, or `null`.
    #[wasm_bindgen(getter, js_name = accessToken, unchecked_return_type = "string | null")]
    pub fn access_token(&self) -> JsValue {
        self.inner
            .core
            .session()
            .map_or(JsValue::NULL, |s| JsValue::from_str(&s.access_token))
    }

    /// Epoch milliseconds (local clock) when the token expires, or `null`.
    #[wasm_bindgen(getter, js_name = expiresAt, unchecked_return_type = "number | null")]
    pub fn expires_at(&self) -> JsValue {
        self.inner
            .core
            .session()
            .map_or(JsValue::NULL, |s| JsValue::from_f64(s.expires_at as f64))
    }

    /// A session is held and its token has not expired.
    #[wasm_bindgen(getter, js_name = isAuthenticated)]
    pub fn is_authenticated(&self) -> bool {
        let now = self.inner.core.clock.now_ms();
        self.inner
            .core
            .session()
            .is_some_and(|s| !s.is_expired(now))
    }

    /// Stops timers and listeners; the client then makes no request by itself.
    pub fn dispose(&self) {
        self.inner.scheduler.dispose();
        self.inner.core.events.clear();
    }
}

impl Drop for CocobaseAuth {
    fn drop(&mut self) {
        self.dispose();
    }
}
