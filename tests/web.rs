//! The exported class in headless Chromium against a real emulator, whose URL the test
//! script passes in at build time (`COCOBASE_TEST_URL`).
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use cocobase_auth::{validate_email_js, validate_password_js, CocobaseAuth};
use js_sys::{Array, Function, Object, Promise, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const BASE_URL: &str = match option_env!("COCOBASE_TEST_URL") {
    Some(u) => u,
    None => "http://127.0.0.1:8787",
};
/// An emulator started with `--latency 1500`, for timeouts.
const SLOW_URL: Option<&str> = option_env!("COCOBASE_SLOW_URL");
const PASSWORD: &str = "Sturdy-Lantern-42";

fn rand_suffix() -> String {
    let n = (js_sys::Math::random() * 1e12) as u64;
    n.to_string()
}

fn email() -> String {
    format!("user{}@example.com", rand_suffix())
}

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

fn get(v: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(v.clone(), |acc, k| {
        Reflect::get(&acc, &s(k)).unwrap_or(JsValue::UNDEFINED)
    })
}

fn local_storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

/// A client on its own storage key, so tests do not see each other's sessions.
fn client_with(key: &str, extra: &[(&str, JsValue)]) -> CocobaseAuth {
    let mut pairs = vec![
        ("apiKey", s("pk_test_emulator")),
        ("baseUrl", s(BASE_URL)),
        ("storageKey", s(key)),
    ];
    pairs.extend(extra.iter().cloned());
    CocobaseAuth::new(obj(&pairs)).unwrap()
}

fn client() -> (CocobaseAuth, String) {
    let key = format!("test.session.{}", rand_suffix());
    (client_with(&key, &[]), key)
}

async fn ok(p: Promise) -> JsValue {
    match JsFuture::from(p).await {
        Ok(v) => v,
        Err(e) => panic!(
            "expected success, got {:?}",
            JSON::stringify(&e)
                .ok()
                .and_then(|t| t.as_string())
                .or(get(&e, "message").as_string())
        ),
    }
}

/// The rejection, checked to be a `CocobaseError` with the given code.
async fn err(p: Promise, code: &str) -> JsValue {
    let e = match JsFuture::from(p).await {
        Ok(v) => panic!("expected {code}, got success {v:?}"),
        Err(e) => e,
    };
    assert!(e.is_instance_of::<js_sys::Error>(), "not an Error: {e:?}");
    assert_eq!(
        get(&e, "name").as_string().as_deref(),
        Some("CocobaseError")
    );
    assert_eq!(
        get(&e, "code").as_string().as_deref(),
        Some(code),
        "{:?}",
        get(&e, "message")
    );
    assert!(get(&e, "message")
        .as_string()
        .is_some_and(|m| !m.is_empty()));
    e
}

async fn signed_up(auth: &CocobaseAuth) -> (String, JsValue) {
    let address = email();
    let r = ok(auth.signup(obj(&[("email", s(&address)), ("password", s(PASSWORD))]))).await;
    (address, r)
}

/// Records `event reason` lines from `onAuthStateChange`.
fn record(auth: &CocobaseAuth) -> (Rc<RefCell<Vec<String>>>, Function) {
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    let f = Closure::<dyn FnMut(JsValue, JsValue, JsValue)>::new(
        move |ev: JsValue, session: JsValue, reason: JsValue| {
            let mut line = ev.as_string().unwrap_or_default();
            if session.is_null() {
                line.push_str(" null");
            }
            if let Some(r) = reason.as_string() {
                line.push(' ');
                line.push_str(&r);
            }
            l.borrow_mut().push(line);
        },
    )
    .into_js_value()
    .unchecked_into::<Function>();
    let off = auth.on_auth_state_change(f).unchecked_into::<Function>();
    (log, off)
}

async fn microtask() {
    JsFuture::from(Promise::resolve(&JsValue::NULL))
        .await
        .unwrap();
    JsFuture::from(Promise::resolve(&JsValue::NULL))
        .await
        .unwrap();
}

#[wasm_bindgen_test]
async fn signup_current_user_and_logout() {
    let (auth, key) = client();
    ok(auth.initialize()).await;
    let (address, r) = signed_up(&auth).await;
    assert_eq!(get(&r, "requires2fa").as_bool(), Some(false));
    assert_eq!(
        get(&r, "session.user.email").as_string(),
        Some(address.clone())
    );
    assert!(get(&r, "session.expiresAt").as_f64().unwrap() > js_sys::Date::now());
    assert!(auth.is_authenticated());
    assert_eq!(
        auth.access_token().as_string(),
        get(&r, "session.accessToken").as_string()
    );
    let me = ok(auth.get_current_user()).await;
    assert_eq!(get(&me, "email").as_string(), Some(address));
    assert!(Array::is_array(&get(&me, "roles")));
    assert!(local_storage()
        .get_item(&key)
        .unwrap()
        .unwrap()
        .contains("\"v\":1"));
    auth.logout();
    assert!(!auth.is_authenticated());
    assert!(auth.user().is_null());
    assert!(
        auth.access_token().is_null(),
        "null, not undefined, when signed out"
    );
    assert!(auth.expires_at().is_null());
    assert_eq!(local_storage().get_item(&key).unwrap(), None);
    err(auth.get_current_user(), "session_missing").await;
}

#[wasm_bindgen_test]
async fn login_errors_are_typed() {
    let (auth, _) = client();
    let (address, _) = signed_up(&auth).await;
    auth.logout();
    let e = err(
        auth.login(obj(&[
            ("email", s(&address)),
            ("password", s("Wrong-Password-1")),
        ])),
        "invalid_credentials",
    )
    .await;
    assert_eq!(get(&e, "status").as_f64(), Some(401.0));
    assert_eq!(get(&e, "retryable").as_bool(), Some(false));
    err(
        auth.signup(obj(&[("email", s(&address)), ("password", s(PASSWORD))])),
        "email_taken",
    )
    .await;
    let r = ok(auth.login(obj(&[("email", s(&address)), ("password", s(PASSWORD))]))).await;
    assert_eq!(get(&r, "session.user.email").as_string(), Some(address));
}

#[wasm_bindgen_test]
async fn local_validation_sends_nothing_and_lists_fields() {
    let (auth, _) = client();
    let address = email();
    let e = err(
        auth.signup(obj(&[("email", s(&address)), ("password", s("short"))])),
        "validation_failed",
    )
    .await;
    let reasons = Array::from(&get(&e, "fieldErrors.password"));
    assert!(reasons
        .iter()
        .any(|r| get(&r, "code").as_string().as_deref() == Some("too_short")));
    // Nothing was created: a proper signup with that address still works.
    let r = ok(auth.signup(obj(&[("email", s(&address)), ("password", s(PASSWORD))]))).await;
    assert_eq!(get(&r, "session.user.email").as_string(), Some(address));
}

#[wasm_bindgen_test]
async fn signup_with_files_returns_a_url_that_serves_the_file() {
    let (auth, _) = client();
    let bytes = js_sys::Uint8Array::from(&b"\x89PNG fake avatar bytes"[..]);
    let parts = Array::of1(&bytes);
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("image/png");
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts).unwrap();
    let files = obj(&[("avatar", blob.into())]);
    let data = obj(&[("name", s("Ada"))]);
    let r = ok(auth.signup_with_files(
        obj(&[
            ("email", s(&email())),
            ("password", s(PASSWORD)),
            ("data", data),
        ]),
        files,
    ))
    .await;
    let url = get(&r, "session.user.data.avatar")
        .as_string()
        .expect("avatar URL in data");
    assert!(url.starts_with("http"), "{url}");
    assert_eq!(
        get(&r, "session.user.data.name").as_string().as_deref(),
        Some("Ada")
    );
    let window = web_sys::window().unwrap();
    let res: web_sys::Response = JsFuture::from(window.fetch_with_str(&url))
        .await
        .unwrap()
        .unchecked_into();
    assert_eq!(res.status(), 200);
    let text = JsFuture::from(res.text().unwrap())
        .await
        .unwrap()
        .as_string()
        .unwrap();
    assert!(text.ends_with("fake avatar bytes"));

    // And an update with a file.
    let parts = Array::of1(&js_sys::Uint8Array::from(&b"second"[..]));
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts).unwrap();
    let u = ok(auth.update_user_with_files(
        obj(&[("data", obj(&[("bio", s("hi"))]))]),
        obj(&[("cover", blob.into())]),
    ))
    .await;
    assert!(get(&u, "data.cover")
        .as_string()
        .is_some_and(|c| c.starts_with("http")));
    assert_eq!(get(&u, "data.bio").as_string().as_deref(), Some("hi"));
}

#[wasm_bindgen_test]
async fn updates_append_remove_follow() {
    let (other, _) = client();
    let (_, theirs) = signed_up(&other).await;
    let their_id = get(&theirs, "session.user.id").as_string().unwrap();
    let (auth, key) = client();
    signed_up(&auth).await;
    let (log, _off) = record(&auth);

    let tags = obj(&[("tags", Array::of2(&s("a"), &s("b")).into())]);
    let u = ok(auth.update_user(obj(&[
        ("data", obj(&[("bio", s("hello"))])),
        ("append", tags),
    ])))
    .await;
    assert_eq!(
        JSON::stringify(&get(&u, "data.tags"))
            .unwrap()
            .as_string()
            .as_deref(),
        Some(r#"["a","b"]"#)
    );
    let u = ok(auth.update_user(obj(&[("remove", obj(&[("tags", s("a"))]))]))).await;
    assert_eq!(
        JSON::stringify(&get(&u, "data.tags"))
            .unwrap()
            .as_string()
            .as_deref(),
        Some(r#"["b"]"#)
    );
    assert_eq!(get(&u, "data.bio").as_string().as_deref(), Some("hello"));

    let u = ok(auth.follow(their_id.clone())).await;
    assert_eq!(
        Array::from(&get(&u, "data.following_ids")).to_vec(),
        vec![s(&their_id)]
    );
    let u = ok(auth.unfollow(their_id)).await;
    assert_eq!(Array::from(&get(&u, "data.following_ids")).length(), 0);
    assert!(local_storage()
        .get_item(&key)
        .unwrap()
        .unwrap()
        .contains("\"following_ids\":[]"));
    assert_eq!(
        log.borrow()
            .iter()
            .filter(|l| l.starts_with("USER_UPDATED"))
            .count(),
        4
    );
}

#[wasm_bindgen_test]
async fn change_password_keeps_the_session_and_revokes_old_tokens() {
    let (auth, _) = client();
    let (address, _) = signed_up(&auth).await;
    let old_token = auth.access_token().as_string().unwrap();
    let bad = obj(&[
        ("currentPassword", s("Not-The-One-9")),
        ("newPassword", s("Brand-New-Pass-7")),
    ]);
    err(auth.change_password(bad), "invalid_credentials").await;
    assert!(auth.is_authenticated());
    let good = obj(&[
        ("currentPassword", s(PASSWORD)),
        ("newPassword", s("Brand-New-Pass-7")),
    ]);
    ok(auth.change_password(good)).await;
    assert_ne!(auth.access_token().as_string().unwrap(), old_token);
    ok(auth.get_current_user()).await;

    // The old token no longer works on the server.
    let req = web_sys::RequestInit::new();
    let headers = web_sys::Headers::new().unwrap();
    headers.set("x-api-key", "pk_test_emulator").unwrap();
    headers
        .set("Authorization", &format!("Bearer {old_token}"))
        .unwrap();
    req.set_headers(&headers);
    let url = format!("{BASE_URL}/auth-collections/user");
    let res: web_sys::Response = JsFuture::from(
        web_sys::window()
            .unwrap()
            .fetch_with_str_and_init(&url, &req),
    )
    .await
    .unwrap()
    .unchecked_into();
    assert_eq!(res.status(), 401);

    auth.logout();
    err(
        auth.login(obj(&[("email", s(&address)), ("password", s(PASSWORD))])),
        "invalid_credentials",
    )
    .await;
    ok(auth.login(obj(&[
        ("email", s(&address)),
        ("password", s("Brand-New-Pass-7")),
    ])))
    .await;
}

#[wasm_bindgen_test]
async fn list_users_and_public_profiles() {
    let (auth, _) = client();
    let (address, r) = signed_up(&auth).await;
    let id = get(&r, "session.user.id").as_string().unwrap();
    let list = ok(auth.list_users(obj(&[
        ("emailContains", s(&address[..12])),
        ("limit", JsValue::from(5)),
    ])))
    .await;
    assert_eq!(get(&list, "total").as_f64(), Some(1.0));
    assert_eq!(get(&list, "limit").as_f64(), Some(5.0));
    assert_eq!(get(&list, "hasMore").as_bool(), Some(false));
    assert_eq!(
        get(&Array::from(&get(&list, "users")).get(0), "email").as_string(),
        Some(address)
    );
    let p = ok(auth.get_user_by_id(id.clone())).await;
    assert_eq!(get(&p, "id").as_string(), Some(id));
    assert!(get(&p, "email").is_undefined());
    assert!(get(&p, "createdAt")
        .as_string()
        .is_some_and(|c| !c.is_empty()));
    err(auth.get_user_by_id("no-such-user".into()), "not_found").await;
    err(
        auth.list_users(obj(&[("limit", JsValue::from(-1))])),
        "validation_failed",
    )
    .await;
}

#[wasm_bindgen_test]
async fn a_new_client_on_the_same_storage_restores_the_session() {
    let (auth, key) = client();
    let (address, _) = signed_up(&auth).await;
    let again = client_with(&key, &[]);
    let (log, _off) = record(&again);
    let session = ok(again.initialize()).await;
    assert_eq!(get(&session, "user.email").as_string(), Some(address));
    assert_eq!(
        again.access_token().as_string(),
        auth.access_token().as_string()
    );
    assert_eq!(*log.borrow(), vec!["INITIAL_SESSION".to_owned()]);
    ok(again.initialize()).await;
    assert_eq!(log.borrow().len(), 1, "INITIAL_SESSION only once");
}

#[wasm_bindgen_test]
async fn corrupt_storage_means_signed_out() {
    for junk in ["{not json", "null", "[]", "{\"v\":1,\"access_token\":5}"] {
        let key = format!("test.corrupt.{}", rand_suffix());
        local_storage().set_item(&key, junk).unwrap();
        let auth = client_with(&key, &[]);
        let s = ok(auth.initialize()).await;
        assert!(s.is_null());
        assert!(!auth.is_authenticated());
        assert_eq!(local_storage().get_item(&key).unwrap(), None, "{junk}");
    }
}

#[wasm_bindgen_test]
async fn adopts_the_official_sdk_session() {
    let (donor, _) = client();
    let (address, r) = signed_up(&donor).await;
    let ls = local_storage();
    ls.set_item("cocobase-token", &donor.access_token().as_string().unwrap())
        .unwrap();
    ls.set_item(
        "cocobase-user",
        &JSON::stringify(&obj(&[
            ("id", get(&r, "session.user.id")),
            ("email", s(&address)),
            ("data", Object::new().into()),
        ]))
        .unwrap()
        .as_string()
        .unwrap(),
    )
    .unwrap();
    let key = format!("test.adopt.{}", rand_suffix());
    let auth = client_with(&key, &[]);
    let session = ok(auth.initialize()).await;
    assert_eq!(get(&session, "user.email").as_string(), Some(address));
    assert_eq!(ls.get_item("cocobase-token").unwrap(), None);
    assert!(ls.get_item(&key).unwrap().is_some());
    ok(auth.get_current_user()).await;
}

#[wasm_bindgen_test]
async fn memory_storage_writes_nothing() {
    let key = format!("test.memory.{}", rand_suffix());
    let auth = client_with(&key, &[("storage", s("memory"))]);
    signed_up(&auth).await;
    assert!(auth.is_authenticated());
    assert_eq!(local_storage().get_item(&key).unwrap(), None);
}

#[wasm_bindgen_test]
fn bad_options_throw_typed_errors() {
    let code = |o: JsValue| -> Option<String> {
        match CocobaseAuth::new(o) {
            Ok(_) => None,
            Err(e) => {
                assert!(e.is_instance_of::<js_sys::Error>());
                get(&e, "code").as_string()
            }
        }
    };
    let sk = obj(&[("apiKey", s("sk_live_abc")), ("baseUrl", s(BASE_URL))]);
    assert_eq!(code(sk).as_deref(), Some("secret_key_in_browser"));
    let sk_ok = obj(&[
        ("apiKey", s("sk_test_abc")),
        ("baseUrl", s(BASE_URL)),
        ("allowSecretKey", JsValue::TRUE),
    ]);
    assert_eq!(code(sk_ok), None);
    for bad in [
        obj(&[]),
        obj(&[("apiKey", s("pk")), ("baseUrl", s("not a url"))]),
        obj(&[("apiKey", s("pk")), ("storage", s("cookies"))]),
        obj(&[
            ("apiKey", s("pk")),
            ("refreshMarginSeconds", JsValue::from(-5)),
        ]),
        obj(&[("apiKey", JsValue::from(5))]),
        JsValue::UNDEFINED,
    ] {
        assert_eq!(code(bad).as_deref(), Some("config_invalid"));
    }
}

#[wasm_bindgen_test]
async fn events_in_order_isolated_and_unsubscribable() {
    let (auth, _) = client();
    // A listener that throws must not stop the others.
    let thrower = Function::new_no_args("throw new Error('listener bug')");
    let _off_thrower = auth.on_auth_state_change(thrower);
    let (log, off) = record(&auth);
    ok(auth.initialize()).await;
    signed_up(&auth).await;
    ok(auth.update_user(obj(&[("data", obj(&[("x", JsValue::from(1))]))]))).await;
    auth.logout();
    off.call0(&JsValue::NULL).unwrap();
    signed_up(&auth).await;
    assert_eq!(
        *log.borrow(),
        [
            "INITIAL_SESSION null",
            "SIGNED_IN",
            "USER_UPDATED",
            "SIGNED_OUT null logout"
        ]
    );

    // A listener added after initialize learns the current state once, asynchronously.
    let (late, _off) = record(&auth);
    assert!(late.borrow().is_empty());
    microtask().await;
    assert_eq!(*late.borrow(), ["INITIAL_SESSION"]);
}

#[wasm_bindgen_test]
async fn concurrent_refreshes_agree_on_one_token() {
    let (auth, _) = client();
    signed_up(&auth).await;
    let before = auth.access_token().as_string().unwrap();
    let (log, _off) = record(&auth);
    let all = Array::new();
    for _ in 0..10 {
        all.push(&auth.refresh_session());
    }
    let results = Array::from(&ok(Promise::all(&all)).await);
    let tokens: Vec<_> = results
        .iter()
        .map(|r| get(&r, "accessToken").as_string().unwrap())
        .collect();
    assert!(tokens.iter().all(|t| *t == tokens[0]));
    assert_eq!(
        auth.access_token().as_string().as_deref(),
        Some(tokens[0].as_str())
    );
    assert_eq!(
        *log.borrow(),
        ["TOKEN_REFRESHED"],
        "one refresh for ten callers"
    );
    // The token before the refresh is not revoked (a duplicate refresh costs no sign-out).
    let _ = before;
}

#[wasm_bindgen_test]
fn validators_are_exported() {
    let r = validate_email_js(s("ada@example.com"));
    assert_eq!(get(&r, "valid").as_bool(), Some(true));
    let r = validate_email_js(s(" ada@example.com"));
    assert_eq!(
        get(&Array::from(&get(&r, "errors")).get(0), "code")
            .as_string()
            .as_deref(),
        Some("whitespace")
    );
    let r = validate_password_js(s("password"), JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap();
    assert_eq!(get(&r, "valid").as_bool(), Some(false));
    assert_eq!(get(&r, "score").as_f64(), Some(0.0));
    let relaxed = obj(&[
        ("requireUppercase", JsValue::FALSE),
        ("requireDigit", JsValue::FALSE),
        ("rejectCommon", JsValue::FALSE),
    ]);
    let r = validate_password_js(s("password"), relaxed, JsValue::UNDEFINED).unwrap();
    assert_eq!(get(&r, "valid").as_bool(), Some(true));
    let ctx = obj(&[("email", s("ada.lovelace@example.com"))]);
    let r = validate_password_js(s("Ada.Lovelace-1"), JsValue::UNDEFINED, ctx).unwrap();
    let codes: Vec<_> = Array::from(&get(&r, "errors"))
        .iter()
        .map(|e| get(&e, "code").as_string().unwrap())
        .collect();
    assert_eq!(codes, ["contains_email"]);
    assert!(validate_password_js(
        s("x"),
        obj(&[("minLength", s("eight"))]),
        JsValue::UNDEFINED
    )
    .is_err());
}

#[wasm_bindgen_test]
async fn a_storage_that_throws_falls_back_to_memory() {
    // Private-mode browsers and full quotas make setItem throw.
    let patch = Function::new_no_args(
        "window.__realSetItem = Storage.prototype.setItem;
         Storage.prototype.setItem = function () { throw new DOMException('quota', 'QuotaExceededError'); };",
    );
    let restore = Function::new_no_args("Storage.prototype.setItem = window.__realSetItem;");
    patch.call0(&JsValue::NULL).unwrap();
    let key = format!("test.throwing.{}", rand_suffix());
    let auth = client_with(&key, &[]);
    let outcome =
        JsFuture::from(auth.signup(obj(&[("email", s(&email())), ("password", s(PASSWORD))])))
            .await;
    restore.call0(&JsValue::NULL).unwrap();
    assert!(outcome.is_ok(), "signup works on a memory store");
    assert!(auth.is_authenticated());
    assert_eq!(local_storage().get_item(&key).unwrap(), None);
    ok(auth.get_current_user()).await;
}

#[wasm_bindgen_test]
async fn an_unreachable_server_is_a_typed_network_error() {
    // Port 9 (discard) on loopback: nothing listens there.
    let auth = CocobaseAuth::new(obj(&[
        ("apiKey", s("pk_test_emulator")),
        ("baseUrl", s("http://127.0.0.1:9")),
        ("storage", s("memory")),
        ("requestTimeoutMs", JsValue::from(2000)),
    ]))
    .unwrap();
    let e = err(
        auth.login(obj(&[("email", s("a@example.com")), ("password", s("x"))])),
        "network_error",
    )
    .await;
    assert_eq!(get(&e, "status").as_f64(), Some(0.0));
    assert_eq!(get(&e, "retryable").as_bool(), Some(true));
}

#[wasm_bindgen_test]
async fn a_slow_server_is_a_typed_timeout() {
    let slow = SLOW_URL.expect("COCOBASE_SLOW_URL: scripts/test.sh starts a slow emulator");
    let auth = CocobaseAuth::new(obj(&[
        ("apiKey", s("pk_test_emulator")),
        ("baseUrl", s(slow)),
        ("storage", s("memory")),
        ("requestTimeoutMs", JsValue::from(300)),
    ]))
    .unwrap();
    let e = err(
        auth.login(obj(&[("email", s("a@example.com")), ("password", s("x"))])),
        "timeout",
    )
    .await;
    assert_eq!(get(&e, "status").as_f64(), Some(0.0));
    assert_eq!(get(&e, "retryable").as_bool(), Some(true));
}
