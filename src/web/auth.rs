//! `CocobaseAuth`, the class JavaScript sees. Each method is a few lines: it reads its
//! argument, asks the core for the request, awaits the one I/O path, and hands the
//! answer to the client's state. Async methods return Promises
//! (wasm-bindgen-futures) that reject with a `CocobaseError`.

use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;

use crate::core::answer::Outcome;
use crate::core::error::{Error, ErrorCode};
use crate::core::json::{Map, Value};
use crate::core::oauth::{self, github_url};
use crate::core::options::config;
use crate::core::request::{oauth_params, Op, Request};
use crate::core::session::{Session, Shape};
use crate::core::token::payload;

use super::client::{call_listener, err, now, Client, Event};
use super::convert::{
    js_error, options as read_options, params, parse, stringify, to_js, BrowserJson,
};
use super::store::global;

/// The sessionStorage key of the pending sign-ins by redirect.
const FLOWS: &str = "cocobase.auth.oauth";

/// `AuthResult` (JS-API.md) of a session.
fn session_result(session: &Session) -> Value {
    Value::Object(Map::from([
        ("requires2fa", Value::Bool(false)),
        ("session", session.view().to_value()),
    ]))
}

/// `AuthResult` (JS-API.md) of a sign-in that needs its second factor.
fn second_factor_result(message: String, email: Option<String>) -> Value {
    Value::Object(Map::from([
        ("requires2fa", Value::Bool(true)),
        ("message", Value::String(message)),
        ("email", email.map_or(Value::Null, Value::String)),
    ]))
}

/// One call of an async method, as data. Every async method becomes one of these and
/// runs through [`run`], so the wasm holds one Promise adapter and one dispatch instead
/// of a state machine and an adapter per method.
enum Call {
    Initialize,
    /// One request of `op` with `params` (and files), its answer read by [`finish`].
    Op(Op, JsValue, Option<JsValue>),
    ChangePassword(JsValue),
    /// The provider's URL; `true` also sends the browser there.
    OauthUrl(JsValue, bool),
    /// The callback page's URL, after the given `initialize()`.
    Callback(JsValue, Promise),
    Refresh,
}

/// The Promise of a call, rejected with a `CocobaseError` on failure.
fn start(client: &Rc<Client>, call: Call) -> Promise {
    let client = client.clone();
    future_to_promise(async move { run(client, call).await.map_err(|e| js_error(&e)) })
}

async fn run(client: Rc<Client>, call: Call) -> Result<JsValue, Error> {
    match call {
        Call::Initialize => {
            let session = client.start().await;
            Ok(session.map_or(JsValue::NULL, |s| to_js(&s.view().to_value())))
        }
        Call::Op(op, p, files) => {
            let p = params(p)?;
            // The pending second factor's email: `verify2fa` and `send2faCode` default
            // to it (no other request reads it).
            let email = client.second_factor_email.get().unwrap_or_default();
            let request = client.build(op, &p, &email)?;
            let result =
                exchange(&client, op, &request, files.as_ref(), sign_in_email(op, &p)).await?;
            // The answer does not say whose address it verified: when signed in, the
            // cached user follows the server's (USER_UPDATED when it changed). The
            // verification itself succeeded even if that read fails.
            if op == Op::VerifyEmail && client.held().is_some() {
                let request = client.build(Op::CurrentUser, &Value::Null, "")?;
                let _ = exchange(&client, Op::CurrentUser, &request, None, None).await;
            }
            Ok(result)
        }
        Call::ChangePassword(p) => change_password(client, params(p)?).await,
        Call::OauthUrl(p, go) => {
            let url = oauth_url(client, params(p)?).await?;
            if !go {
                return Ok(JsValue::from_str(&url));
            }
            let location = global("location").map(JsCast::unchecked_into::<web_sys::Location>);
            match location.map(|l| l.assign(&url)) {
                Some(Ok(())) => Ok(JsValue::UNDEFINED),
                _ => Err(Error::config("No page to redirect.")),
            }
        }
        Call::Callback(url, started) => {
            let _ = wasm_bindgen_futures::JsFuture::from(started).await;
            callback(client, url).await
        }
        Call::Refresh => Ok(to_js(&client.refresh().await?.view().to_value())),
    }
}

/// The email a sign-in names, for `requires2fa`: the argument's, or the one the ID
/// token's claims name (`None` for every other method: [`finish`] reads it only for
/// sign-ins).
fn sign_in_email(op: Op, p: &Value) -> Option<String> {
    match op {
        Op::IdToken => p
            .str_at("idToken")
            .and_then(|t| payload(t, &BrowserJson))
            .and_then(|claims| claims.str_at("email").map(str::to_owned)),
        Op::Signup | Op::SignupWithFiles | Op::Login => p.str_at("email").map(str::to_owned),
        _ => None,
    }
}

/// Sends `request` (the one I/O path every method's request takes) and reads the
/// answer with [`finish`].
async fn exchange(
    client: &Rc<Client>,
    op: Op,
    request: &Request,
    files: Option<&JsValue>,
    email: Option<String>,
) -> Result<JsValue, Error> {
    let outcome = client.request(op, request, files).await?;
    finish(client, op, outcome, email)
}

/// What an answer means for the client's state, and what the method resolves with.
fn finish(
    client: &Rc<Client>,
    op: Op,
    outcome: Outcome,
    email: Option<String>,
) -> Result<JsValue, Error> {
    match op {
        // A sign-in's answer: a session (kept, SIGNED_IN) or the second factor's step.
        Op::Signup | Op::SignupWithFiles | Op::Login | Op::IdToken | Op::OauthVerify => {
            Ok(to_js(&match outcome {
                Outcome::SecondFactor {
                    message,
                    email: answered,
                } => {
                    let email = answered.or(email).filter(|e| !e.is_empty());
                    client.second_factor_email.set(email.clone());
                    second_factor_result(message, email)
                }
                Outcome::Session(session) => {
                    // A sign-in that completes ends any pending one: `verify2fa` and
                    // `send2faCode` no longer default to its email.
                    client.second_factor_email.take();
                    session_result(&client.save(session, Event::SignedIn))
                }
                _ => return Err(err(ErrorCode::BadResponse)),
            }))
        }
        // The second factor's answer finishes the sign-in: SIGNED_IN.
        Op::Verify2fa => match outcome {
            Outcome::Session(session) => {
                client.second_factor_email.take();
                Ok(to_js(
                    &client.save(session, Event::SignedIn).view().to_value(),
                ))
            }
            _ => Err(err(ErrorCode::BadResponse)),
        },
        // The user's own answer: the cached session follows (USER_UPDATED); anything
        // but `getCurrentUser` emits even when nothing changed (an update the caller
        // asked for).
        Op::CurrentUser | Op::Update | Op::Follow | Op::Unfollow => {
            let Outcome::User { user, session } = outcome else {
                return Err(err(ErrorCode::BadResponse));
            };
            if let Some(session) = session {
                if op != Op::CurrentUser || client.held().as_ref() != Some(&session) {
                    client.save(session, Event::UserUpdated);
                }
            }
            Ok(to_js(&user.to_value()))
        }
        // The new password's answer: its fresh token is adopted.
        Op::ChangePassword => match outcome {
            Outcome::Session(fresh) => {
                client.save(fresh, Event::TokenRefreshed);
                Ok(JsValue::UNDEFINED)
            }
            _ => Err(err(ErrorCode::BadResponse)),
        },
        // The provider's URL, to carry the flow's state.
        Op::OauthUrl => match outcome {
            Outcome::Url(url) => Ok(JsValue::from_str(&url)),
            _ => Err(err(ErrorCode::BadResponse)),
        },
        // An answer with nothing to keep, or a value handed back as it is.
        _ => Ok(match outcome {
            Outcome::Public(user) => to_js(&user.to_value()),
            Outcome::List(list) => to_js(&list.to_value()),
            _ => JsValue::UNDEFINED,
        }),
    }
}

/// Adopts the fresh token the server returns; against a server without
/// change-password, checks the current password with a login first.
async fn change_password(client: Rc<Client>, p: Value) -> Result<JsValue, Error> {
    let email = client
        .held()
        .ok_or_else(|| err(ErrorCode::SessionMissing))?
        .email()
        .to_owned();
    let request = client.build(Op::ChangePassword, &p, &email)?;
    match exchange(&client, Op::ChangePassword, &request, None, None).await {
        Err(e) if e.status == 404 || e.status == 405 => {
            // A server without change-password: check the current password, then set
            // the new one.
            let login = client.build(Op::ChangePasswordLogin, &p, &email)?;
            let outcome = client
                .send(Op::ChangePasswordLogin, &login, None, None)
                .await?;
            let Outcome::Session(fresh) = &outcome else {
                return Err(err(ErrorCode::BadResponse));
            };
            let patch = client.build(Op::ChangePasswordPatch, &p, &email)?;
            client
                .send(
                    Op::ChangePasswordPatch,
                    &patch,
                    Some(&fresh.access_token),
                    None,
                )
                .await?;
            finish(&client, Op::ChangePassword, outcome, None)
        }
        other => other,
    }
}

/// The provider's URL with a fresh state, remembered in this tab.
async fn oauth_url(client: Rc<Client>, p: Value) -> Result<String, Error> {
    let mut random = [0u8; 32];
    let crypto = global("crypto").map(JsCast::unchecked_into::<web_sys::Crypto>);
    let filled = crypto.is_some_and(|c| c.get_random_values_with_u8_array(&mut random).is_ok());
    if !filled {
        return Err(Error::config(
            "crypto.getRandomValues is needed for sign-in by redirect.",
        ));
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut state = String::with_capacity(2 * random.len());
    for b in random {
        state.push(char::from(HEX[usize::from(b >> 4)]));
        state.push(char::from(HEX[usize::from(b & 15)]));
    }
    let (provider, redirect_uri) = oauth_params(&p)?;
    let url = match (&client.config.github, provider) {
        (Some(github), "github") => github_url(github, redirect_uri),
        _ => {
            let request = client.build(Op::OauthUrl, &p, "")?;
            let url = exchange(&client, Op::OauthUrl, &request, None, None).await?;
            url.as_string().ok_or_else(|| err(ErrorCode::BadResponse))?
        }
    };
    let flows = client.flows();
    let stored = flows.get(FLOWS).and_then(|t| parse(&t));
    let (kept, with_state) =
        oauth::start(stored.as_ref(), &state, provider, redirect_uri, now(), &url);
    flows.set(FLOWS, &stringify(&kept));
    Ok(with_state)
}

/// The callback page: `null` when the URL carries no OAuth answer; checks the state,
/// verifies the code and cleans the address bar.
async fn callback(client: Rc<Client>, url: JsValue) -> Result<JsValue, Error> {
    let location = global("location").map(JsCast::unchecked_into::<web_sys::Location>);
    let here = location.and_then(|l| l.href().ok());
    let url = url.as_string().or_else(|| here.clone()).unwrap_or_default();
    let flows = client.flows();
    let stored = flows.get(FLOWS).and_then(|t| parse(&t));
    let Some(callback) = oauth::callback(&url, stored.as_ref(), now()) else {
        return Ok(JsValue::NULL);
    };
    // Cleaned first: a reload can never verify the same code twice.
    if Some(&url) == here.as_ref() {
        if let Some(history) = global("history").map(JsCast::unchecked_into::<web_sys::History>) {
            let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&callback.cleaned));
        }
    }
    match &callback.flows {
        Some(rest) => flows.set(FLOWS, &stringify(rest)),
        None => flows.remove(FLOWS),
    }
    let request = callback.verify?;
    exchange(&client, Op::OauthVerify, &request, None, None).await
}

#[wasm_bindgen]
extern "C" {
    /// `listUsers`' optional query (an optional argument needs a type of its own to be
    /// `params?:` in the `.d.ts`).
    #[wasm_bindgen(typescript_type = "ListUsersParams")]
    pub type ListUsersParams;
}

/// The Cocobase auth client.
#[wasm_bindgen]
pub struct CocobaseAuth {
    client: Rc<Client>,
}

impl Drop for CocobaseAuth {
    fn drop(&mut self) {
        self.client.dispose();
    }
}

impl CocobaseAuth {
    fn call(&self, call: Call) -> Promise {
        start(&self.client, call)
    }
}

#[wasm_bindgen]
impl CocobaseAuth {
    /// Checks the options (`config_invalid`, `secret_key_in_browser` are thrown).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "CocobaseAuthOptions")] options: JsValue,
    ) -> Result<CocobaseAuth, JsValue> {
        let config = config(&read_options(&options)).map_err(|e| js_error(&e))?;
        Ok(CocobaseAuth {
            client: Client::new(config),
        })
    }

    /// Restores the stored session, refreshes it when due, and emits
    /// `INITIAL_SESSION` once. Every call returns the same Promise.
    #[wasm_bindgen(unchecked_return_type = "Promise<Session | null>")]
    pub fn initialize(&self) -> Promise {
        if let Some(running) = self.client.init.get() {
            return running;
        }
        self.client.restore_stored();
        let started = self.call(Call::Initialize);
        self.client.init.set(Some(started.clone()));
        started
    }

    /// Creates an account; the email and password are checked locally first.
    #[wasm_bindgen(unchecked_return_type = "Promise<AuthResult>")]
    pub fn signup(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SignupParams")] params: JsValue,
    ) -> Promise {
        self.call(Call::Op(Op::Signup, params, None))
    }

    /// Creates an account with files, sent as `multipart/form-data`.
    #[wasm_bindgen(js_name = signupWithFiles, unchecked_return_type = "Promise<AuthResult>")]
    pub fn signup_with_files(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SignupWithFilesParams")] params: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Files")] files: JsValue,
    ) -> Promise {
        self.call(Call::Op(Op::SignupWithFiles, params, Some(files)))
    }

    #[wasm_bindgen(unchecked_return_type = "Promise<AuthResult>")]
    pub fn login(
        &self,
        #[wasm_bindgen(unchecked_param_type = "LoginParams")] params: JsValue,
    ) -> Promise {
        self.call(Call::Op(Op::Login, params, None))
    }

    /// Clears memory and storage and emits `SIGNED_OUT` ("logout"); other tabs follow.
    pub fn logout(&self) {
        self.client.logout();
    }

    #[wasm_bindgen(js_name = getCurrentUser, unchecked_return_type = "Promise<User>")]
    pub fn get_current_user(&self) -> Promise {
        self.call(Call::Op(Op::CurrentUser, JsValue::NULL, None))
    }

    /// `append`/`remove` become `data.$append`/`data.$remove`; emits `USER_UPDATED`.
    #[wasm_bindgen(js_name = updateUser, unchecked_return_type = "Promise<User>")]
    pub fn update_user(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UserUpdate")] update: JsValue,
    ) -> Promise {
        self.call(Call::Op(Op::Update, update, None))
    }

    #[wasm_bindgen(js_name = updateUserWithFiles, unchecked_return_type = "Promise<User>")]
    pub fn update_user_with_files(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UserUpdate")] update: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Files")] files: JsValue,
    ) -> Promise {
        self.call(Call::Op(Op::Update, update, Some(files)))
    }

    /// Adds `userId` to `data.following_ids` (atomically, on the server).
    #[wasm_bindgen(unchecked_return_type = "Promise<User>")]
    pub fn follow(
        &self,
        #[wasm_bindgen(js_name = userId, unchecked_param_type = "string")] user_id: JsValue,
    ) -> Promise {
        self.call(Call::Op(Op::Follow, user_id, None))
    }

    #[wasm_bindgen(unchecked_return_type = "Promise<User>")]
    pub fn unfollow(
        &self,
        #[wasm_bindgen(js_name = userId, unchecked_param_type = "string")] user_id: JsValue,
    ) -> Promise {
        self.call(Call::Op(Op::Unfollow, user_id, None))
    }

    /// Adopts the fresh token the server returns.
    #[wasm_bindgen(js_name = changePassword, unchecked_return_type = "Promise<void>")]
    pub fn change_password(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ChangePasswordParams")] params: JsValue,
    ) -> Promise {
        self.call(Call::ChangePassword(params))
    }

    #[wasm_bindgen(js_name = listUsers, unchecked_return_type = "Promise<UserList>")]
    pub fn list_users(&self, params: Option<ListUsersParams>) -> Promise {
        let params = params.map_or(JsValue::UNDEFINED, JsValue::from);
        self.call(Call::Op(Op::ListUsers, params, None))
    }

    #[wasm_bindgen(js_name = getUserById, unchecked_return_type = "Promise<PublicUser>")]
    pub fn get_user_by_id(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
    ) -> Promise {
        self.call(Call::Op(Op::GetUser, id, None))
    }

    /// The provider's sign-in URL, carrying a fresh `state` remembered in this tab.
    #[wasm_bindgen(js_name = getOAuthUrl, unchecked_return_type = "Promise<string>")]
    pub fn get_oauth_url(
        &self,
        #[wasm_bindgen(unchecked_param_type = "OAuthParams")] params: JsValue,
    ) -> Promise {
        self.call(Call::OauthUrl(params, false))
    }

    /// The same, then sends the browser there.
    #[wasm_bindgen(js_name = signInWithOAuth, unchecked_return_type = "Promise<void>")]
    pub fn sign_in_with_oauth(
        &self,
        #[wasm_bindgen(unchecked_param_type = "OAuthParams")] params: JsValue,
    ) -> Promise {
        self.call(Call::OauthUrl(params, true))
    }

    /// On the callback page (after `initialize()`, which it awaits): `null` when the
    /// URL carries no OAuth answer; checks the state, verifies the code and cleans the
    /// address bar.
    #[wasm_bindgen(js_name = handleRedirectCallback, unchecked_return_type = "Promise<AuthResult | null>")]
    pub fn handle_redirect_callback(&self, url: Option<String>) -> Promise {
        let url = url.map_or(JsValue::UNDEFINED, JsValue::from);
        let started = self.initialize();
        self.call(Call::Callback(url, started))
    }

    /// Finishes a sign-in that answered `requires2fa`; emits `SIGNED_IN`.
    #[wasm_bindgen(js_name = verify2fa, unchecked_return_type = "Promise<Session>")]
    pub fn verify_2fa(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Verify2faParams")] params: JsValue,
    ) -> Promise {
        self.call(Call::Op(Op::Verify2fa, params, None))
    }

    /// Mails a new second-factor code (to the last sign-in's email by default).
    #[wasm_bindgen(js_name = send2faCode, unchecked_return_type = "Promise<void>")]
    pub fn send_2fa_code(&self, email: Option<String>) -> Promise {
        let email = email.map_or(JsValue::UNDEFINED, JsValue::from);
        self.call(Call::Op(Op::Send2faCode, email, None))
    }

    #[wasm_bindgen(js_name = enable2fa, unchecked_return_type = "Promise<void>")]
    pub fn enable_2fa(&self) -> Promise {
        self.call(Call::Op(Op::Enable2fa, JsValue::NULL, None))
    }

    #[wasm_bindgen(js_name = disable2fa, unchecked_return_type = "Promise<void>")]
    pub fn disable_2fa(&self) -> Promise {
        self.call(Call::Op(Op::Disable2fa, JsValue::NULL, None))
    }

    /// Resolves the same whether the email exists or not.
    #[wasm_bindgen(js_name = requestPasswordReset, unchecked_return_type = "Promise<void>")]
    pub fn request_password_reset(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] email: JsValue,
    ) -> Promise {
        self.call(Call::Op(Op::RequestPasswordReset, email, None))
    }

    /// Checks the new password locally first; signs nobody in.
    #[wasm_bindgen(js_name = resetPassword, unchecked_return_type = "Promise<void>")]
    pub fn reset_password(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ResetPasswordParams")] params: JsValue,
    ) -> Promise {
        self.call(Call::Op(Op::ResetPassword, params, None))
    }

    #[wasm_bindgen(js_name = requestEmailVerification, unchecked_return_type = "Promise<void>")]
    pub fn request_email_verification(&self) -> Promise {
        self.call(Call::Op(Op::RequestEmailVerification, JsValue::NULL, None))
    }

    /// When signed in, the cached and stored user follow (`USER_UPDATED`).
    #[wasm_bindgen(js_name = verifyEmail, unchecked_return_type = "Promise<void>")]
    pub fn verify_email(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
    ) -> Promise {
        self.call(Call::Op(Op::VerifyEmail, token, None))
    }

    /// Signs in with a Google ID token (Google Identity Services' `credential`).
    #[wasm_bindgen(js_name = signInWithIdToken, unchecked_return_type = "Promise<AuthResult>")]
    pub fn sign_in_with_id_token(
        &self,
        #[wasm_bindgen(unchecked_param_type = "IdTokenParams")] params: JsValue,
    ) -> Promise {
        self.call(Call::Op(Op::IdToken, params, None))
    }

    /// Refreshes the token now: one request however many callers wait on it, in this
    /// tab and across tabs.
    #[wasm_bindgen(js_name = refreshSession, unchecked_return_type = "Promise<Session>")]
    pub fn refresh_session(&self) -> Promise {
        self.call(Call::Refresh)
    }

    /// `callback(event, session, reason?)`; returns the function that unsubscribes.
    #[wasm_bindgen(js_name = onAuthStateChange, unchecked_return_type = "() => void")]
    pub fn on_auth_state_change(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AuthStateListener")] callback: js_sys::Function,
    ) -> JsValue {
        let id = self.client.add_listener(callback.clone());
        if self.client.ready.get() {
            // A late listener still learns the starting state, once.
            let client = self.client.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if client.has_listener(id) {
                    let session = client
                        .held()
                        .map_or(JsValue::NULL, |s| to_js(&s.view().to_value()));
                    call_listener(
                        &callback,
                        Event::InitialSession,
                        &session,
                        &JsValue::UNDEFINED,
                    );
                }
            });
        }
        let weak = Rc::downgrade(&self.client);
        // `FnMut`, the timers' closure type: one glue for both.
        Closure::<dyn FnMut()>::new(move || {
            if let Some(client) = weak.upgrade() {
                client.remove_listener(id);
            }
        })
        .into_js_value()
    }

    #[wasm_bindgen(getter, unchecked_return_type = "User | null")]
    pub fn user(&self) -> JsValue {
        self.client
            .held()
            .map_or(JsValue::NULL, |s| to_js(&s.view().user.to_value()))
    }

    #[wasm_bindgen(getter, js_name = accessToken, unchecked_return_type = "string | null")]
    pub fn access_token(&self) -> JsValue {
        self.client
            .held()
            .map_or(JsValue::NULL, |s| JsValue::from_str(&s.access_token))
    }

    /// Epoch milliseconds of the local clock.
    #[wasm_bindgen(getter, js_name = expiresAt, unchecked_return_type = "number | null")]
    pub fn expires_at(&self) -> JsValue {
        self.client
            .held()
            .map_or(JsValue::NULL, |s| JsValue::from_f64(s.expires_at as f64))
    }

    #[wasm_bindgen(getter, js_name = isAuthenticated)]
    pub fn is_authenticated(&self) -> bool {
        self.client.held().is_some_and(|s| now() < s.expires_at)
    }

    /// Stops timers and listeners (also on `free()`).
    pub fn dispose(&self) {
        self.client.dispose();
    }
}
