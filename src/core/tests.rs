//! The client core against fakes: a scripted transport, a map store, a settable clock
//! and an event recorder.

use core::cell::{Cell, RefCell};
use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};
use std::collections::{HashMap, VecDeque};

use super::client::{AuthResult, Client, ListQuery, UserUpdate};
use super::config::Config;
use super::error::ErrorCode;
use super::json::Json;
use super::ports::*;
use super::session::Session;
use super::token::tests::token;

// ----- fakes ---------------------------------------------------------------------------

type Answer = Result<Response, TransportError>;

#[derive(Default)]
struct FakeTransport {
    answers: RefCell<VecDeque<Answer>>,
    sent: RefCell<Vec<Request<&'static str>>>,
}

/// Pending once, so concurrent callers really overlap.
struct YieldOnce(bool);
impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: core::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

impl Transport for FakeTransport {
    type File = &'static str;
    async fn send(&self, request: Request<&'static str>) -> Result<Response, TransportError> {
        self.sent.borrow_mut().push(request);
        YieldOnce(false).await;
        self.answers
            .borrow_mut()
            .pop_front()
            .expect("no scripted answer left")
    }
}

#[derive(Default)]
struct MapStore(RefCell<HashMap<String, String>>);
impl Store for MapStore {
    fn get(&self, key: &str) -> Option<String> {
        self.0.borrow().get(key).cloned()
    }
    fn set(&self, key: &str, value: &str) {
        self.0.borrow_mut().insert(key.into(), value.into());
    }
    fn remove(&self, key: &str) {
        self.0.borrow_mut().remove(key);
    }
}

struct FakeClock(Cell<i64>);
impl Clock for FakeClock {
    fn now_ms(&self) -> i64 {
        self.0.get()
    }
}

#[derive(Default)]
struct Recorder(RefCell<Vec<String>>);
impl Events for Recorder {
    fn emit(&self, event: AuthEvent, session: Option<&Session>, reason: Option<SignOutReason>) {
        let mut line = event.as_str().to_owned();
        if let Some(s) = session {
            line.push(' ');
            line.push_str(s.user_id());
        }
        if let Some(r) = reason {
            line.push(' ');
            line.push_str(r.as_str());
        }
        self.0.borrow_mut().push(line);
    }
}

/// The tabs' shared lock and record. `Rc` so that two clients (two "tabs") can share one.
#[derive(Default, Clone)]
struct FakeTabs(std::rc::Rc<FakeTabsInner>);

#[derive(Default)]
struct FakeTabsInner {
    locked: Cell<bool>,
    record: RefCell<Option<String>>,
    waits: Cell<u32>,
    /// Runs during the next read: another tab's `storage` event arriving meanwhile.
    during_read: RefCell<Option<Box<dyn FnOnce()>>>,
}

struct FakeGuard(FakeTabs);
impl Drop for FakeGuard {
    fn drop(&mut self) {
        self.0 .0.locked.set(false);
    }
}

impl CrossTab for FakeTabs {
    type Guard = FakeGuard;
    async fn lock(&self) -> Option<FakeGuard> {
        while self.0.locked.get() {
            self.0.waits.set(self.0.waits.get() + 1);
            YieldOnce(false).await;
        }
        self.0.locked.set(true);
        Some(FakeGuard(self.clone()))
    }
    async fn read(&self) -> Option<String> {
        let hook = self.0.during_read.borrow_mut().take();
        if let Some(hook) = hook {
            hook();
        }
        self.0.record.borrow().clone()
    }
    async fn publish(&self, record: &str) {
        *self.0.record.borrow_mut() = Some(record.to_owned());
    }
}

type TestClient = Client<FakeTransport, MapStore, FakeClock, Recorder, FakeTabs>;

/// Seconds of the fake clock's epoch: the server and the device agree unless a test says otherwise.
const T0: i64 = 1_700_000_000;

fn client() -> TestClient {
    let config = Config::new("pk_test_x", Some("http://127.0.0.1:9")).unwrap();
    Client::new(
        config,
        FakeTransport::default(),
        MapStore::default(),
        FakeClock(Cell::new(T0 * 1000)),
        Recorder::default(),
        FakeTabs::default(),
    )
}

fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..10_000 {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
    panic!("future never finished");
}

fn ok(body: &str) -> Answer {
    Ok(Response {
        status: 200,
        body: body.into(),
        retry_after: None,
        date_ms: None,
    })
}

fn status(code: u16, body: &str) -> Answer {
    Ok(Response {
        status: code,
        body: body.into(),
        retry_after: None,
        date_ms: None,
    })
}

fn jwt(iat: i64, ttl: i64) -> String {
    let mut p = String::from("{\"userId\":\"u1\",\"iat\":");
    p.push_str(&iat.to_string());
    p.push_str(",\"exp\":");
    p.push_str(&(iat + ttl).to_string());
    p.push('}');
    token(&p)
}

fn token_answer(tok: &str, user_id: &str) -> String {
    format!(
        r#"{{"access_token":"{tok}","user":{{"id":"{user_id}","email":"ada@example.com","data":{{}},"roles":[]}}}}"#
    )
}

impl TestClient {
    fn script(&self, a: Answer) {
        self.transport.answers.borrow_mut().push_back(a);
    }
    fn events(&self) -> Vec<String> {
        self.events.0.borrow().clone()
    }
    fn sent_paths(&self) -> Vec<String> {
        self.transport
            .sent
            .borrow()
            .iter()
            .map(|r| r.url.replace("http://127.0.0.1:9/auth-collections", ""))
            .collect()
    }
    fn advance(&self, ms: i64) {
        self.clock.0.set(self.clock.0.get() + ms);
    }
    fn signed_in(&self, ttl: i64) -> Session {
        self.script(ok(&token_answer(&jwt(T0, ttl), "u1")));
        match block_on(self.login("ada@example.com", "pw")).unwrap() {
            AuthResult::Session(s) => s,
            other => panic!("{other:?}"),
        }
    }
    fn stored(&self) -> Option<String> {
        self.store.get("cocobase.auth.session")
    }
}

const GOOD_PW: &str = "Correct-Horse-7";

// ----- requests ------------------------------------------------------------------------

#[test]
fn signup_sends_key_and_json_and_signs_in() {
    let c = client();
    c.script(ok(&token_answer(&jwt(T0, 3600), "u1")));
    let data = Json::parse(r#"{"name":"Ada"}"#);
    let r =
        block_on(c.signup("ada@example.com", GOOD_PW, data, Some(vec!["admin".into()]))).unwrap();
    assert!(matches!(r, AuthResult::Session(ref s) if s.expires_at == (T0 + 3600) * 1000));
    let sent = c.transport.sent.borrow();
    let req = &sent[0];
    assert_eq!(req.method, Method::Post);
    assert_eq!(req.url, "http://127.0.0.1:9/auth-collections/signup");
    assert!(req.headers.contains(&("x-api-key", "pk_test_x".into())));
    assert!(req
        .headers
        .contains(&("Content-Type", "application/json".into())));
    assert!(!req.headers.iter().any(|(h, _)| *h == "Authorization"));
    match &req.body {
        Body::Json(b) => assert_eq!(
            b,
            r#"{"email":"ada@example.com","password":"Correct-Horse-7","data":{"name":"Ada"},"roles":["admin"]}"#
        ),
        other => panic!("{other:?}"),
    }
    drop(sent);
    assert_eq!(c.events(), ["SIGNED_IN u1"]);
    assert!(c.stored().unwrap().contains("\"v\":1"));
}

#[test]
fn local_validation_failure_sends_nothing() {
    let c = client();
    let e = block_on(c.signup("not-an-email", "short", None, None)).unwrap_err();
    assert_eq!(e.code, ErrorCode::ValidationFailed);
    let fields: Vec<_> = e.field_errors.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(fields, ["email", "password"]);
    assert!(e.field_errors[1].1.iter().any(|r| r.code == "too_short"));
    assert!(c.transport.sent.borrow().is_empty());

    let e = block_on(c.login("", "")).unwrap_err();
    assert_eq!(e.field_errors.len(), 2);
    assert!(c.transport.sent.borrow().is_empty());
}

#[test]
fn signup_with_files_is_multipart() {
    let c = client();
    c.script(ok(&token_answer(&jwt(T0, 3600), "u1")));
    let files = vec![("avatar".to_owned(), "file-bytes")];
    block_on(c.signup_with_files("ada@example.com", GOOD_PW, None, files)).unwrap();
    let sent = c.transport.sent.borrow();
    match &sent[0].body {
        Body::Multipart { data, files } => {
            assert_eq!(
                data,
                r#"{"email":"ada@example.com","password":"Correct-Horse-7"}"#
            );
            assert_eq!(files, &[("avatar".to_owned(), "file-bytes")]);
        }
        other => panic!("{other:?}"),
    }
    assert!(!sent[0].headers.iter().any(|(h, _)| *h == "Content-Type"));
}

#[test]
fn login_errors_from_both_servers() {
    let c = client();
    c.script(status(401, r#"{"detail":"Invalid email or password"}"#));
    c.script(status(
        400,
        r#"{"detail":"An error occured 404: Account with this email does not exist"}"#,
    ));
    c.script(status(409, r#"{"detail":"x"}"#));
    for _ in 0..2 {
        let e = block_on(c.login("ada@example.com", "x")).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidCredentials);
    }
    let e = block_on(c.signup("ada@example.com", GOOD_PW, None, None)).unwrap_err();
    assert_eq!(e.code, ErrorCode::EmailTaken);
    assert!(c.events().is_empty());
    assert_eq!(c.stored(), None);
}

#[test]
fn login_may_require_a_second_factor() {
    let c = client();
    c.script(ok(
        r#"{"requires_2fa":true,"message":"Code sent to your email"}"#,
    ));
    let r = block_on(c.login("ada@example.com", "pw")).unwrap();
    assert_eq!(
        r,
        AuthResult::Requires2fa {
            message: "Code sent to your email".into()
        }
    );
    assert_eq!(
        r.to_js_shape().to_json(),
        r#"{"requires2fa":true,"message":"Code sent to your email"}"#
    );
    assert!(c.session().is_none());
    assert!(c.events().is_empty());
}

#[test]
fn bad_answers_are_typed() {
    let c = client();
    c.script(ok("<html>not json</html>"));
    c.script(ok(r#"{"access_token":null,"user":null}"#));
    c.script(Err(TransportError::Network));
    c.script(Err(TransportError::Timeout));
    c.script(status(502, "<html>bad gateway</html>"));
    let codes: Vec<_> = (0..5)
        .map(|_| block_on(c.login("a@b.co", "x")).unwrap_err())
        .collect();
    let got: Vec<_> = codes
        .iter()
        .map(|e| (e.code, e.status, e.retryable()))
        .collect();
    assert_eq!(
        got,
        [
            (ErrorCode::BadResponse, 200, false),
            (ErrorCode::BadResponse, 0, false),
            (ErrorCode::NetworkError, 0, true),
            (ErrorCode::Timeout, 0, true),
            (ErrorCode::ServerError, 502, true),
        ]
    );
}

#[test]
fn user_requests_carry_the_bearer_and_need_a_session() {
    let c = client();
    let e = block_on(c.get_current_user()).unwrap_err();
    assert_eq!(e.code, ErrorCode::SessionMissing);
    assert!(c.transport.sent.borrow().is_empty());

    let s = c.signed_in(3600);
    c.script(ok(
        r#"{"id":"u1","email":"ada@example.com","data":{"bio":"hi"},"roles":[],"created_at":"t"}"#,
    ));
    let u = block_on(c.get_current_user()).unwrap();
    assert_eq!(u.get("data").unwrap().str_at("bio"), Some("hi"));
    let sent = c.transport.sent.borrow();
    let auth = sent[1]
        .headers
        .iter()
        .find(|(h, _)| *h == "Authorization")
        .unwrap();
    assert_eq!(auth.1, format!("Bearer {}", s.access_token));
    assert!(sent[1].headers.contains(&("x-api-key", "pk_test_x".into())));
    drop(sent);
    assert_eq!(c.events(), ["SIGNED_IN u1", "USER_UPDATED u1"]);
    assert!(c.stored().unwrap().contains("\"bio\":\"hi\""));
}

#[test]
fn updates_nest_append_and_remove_in_data() {
    let c = client();
    c.signed_in(3600);
    c.script(ok(
        r#"{"id":"u1","email":"ada@example.com","data":{"following_ids":["u2"]}}"#,
    ));
    c.script(ok(
        r#"{"id":"u1","email":"ada@example.com","data":{"following_ids":[]}}"#,
    ));
    c.script(ok(
        r#"{"id":"u1","email":"new@example.com","data":{"a":1,"tags":["x"]}}"#,
    ));
    block_on(c.follow("u2")).unwrap();
    block_on(c.unfollow("u2")).unwrap();
    let update = UserUpdate {
        data: Json::parse(r#"{"a":1}"#),
        email: Some("new@example.com".into()),
        append: Json::parse(r#"{"tags":"x"}"#),
        remove: Json::parse(r#"{"tags":["y"]}"#),
    };
    let u = block_on(c.update_user(update)).unwrap();
    assert_eq!(u.str_at("email"), Some("new@example.com"));
    let bodies: Vec<String> = c
        .transport
        .sent
        .borrow()
        .iter()
        .skip(1)
        .map(|r| match &r.body {
            Body::Json(b) => b.clone(),
            _ => String::new(),
        })
        .collect();
    assert_eq!(
        bodies,
        [
            r#"{"data":{"$append":{"following_ids":"u2"}}}"#,
            r#"{"data":{"$remove":{"following_ids":"u2"}}}"#,
            r#"{"data":{"a":1,"$append":{"tags":"x"},"$remove":{"tags":["y"]}},"email":"new@example.com"}"#,
        ]
    );
    assert_eq!(
        c.events()
            .iter()
            .filter(|e| e.starts_with("USER_UPDATED"))
            .count(),
        3
    );
    assert_eq!(
        c.session().unwrap().user.str_at("email"),
        Some("new@example.com")
    );

    let bad = UserUpdate {
        email: Some("nope".into()),
        ..UserUpdate::default()
    };
    assert_eq!(
        block_on(c.update_user(bad)).unwrap_err().code,
        ErrorCode::ValidationFailed
    );
}

#[test]
fn a_dead_token_ends_the_session_with_a_reason() {
    let c = client();
    c.signed_in(3600);
    c.script(status(401, r#"{"detail":"Token has expired"}"#));
    let e = block_on(c.get_current_user()).unwrap_err();
    assert_eq!(e.code, ErrorCode::SessionExpired);
    assert_eq!(c.events().last().unwrap(), "SIGNED_OUT expired");
    assert_eq!(c.stored(), None);

    let c = client();
    c.signed_in(3600);
    c.script(status(401, r#"{"detail":"Token has been revoked"}"#));
    assert_eq!(
        block_on(c.get_current_user()).unwrap_err().code,
        ErrorCode::Unauthorized
    );
    assert_eq!(c.events().last().unwrap(), "SIGNED_OUT revoked");
}

#[test]
fn an_expired_token_is_never_sent() {
    let c = client();
    c.signed_in(100);
    c.advance(100_000);
    let e = block_on(c.get_current_user()).unwrap_err();
    assert_eq!(e.code, ErrorCode::SessionExpired);
    assert_eq!(c.transport.sent.borrow().len(), 1);
    assert_eq!(c.events(), ["SIGNED_IN u1", "SIGNED_OUT expired"]);
}

#[test]
fn rate_limits_and_server_errors_keep_the_session() {
    let c = client();
    c.signed_in(3600);
    c.script(Ok(Response {
        status: 429,
        body: "{}".into(),
        retry_after: Some(30),
        date_ms: None,
    }));
    c.script(status(500, r#"{"error":"boom","traceback":"..."}"#));
    let e = block_on(c.get_current_user()).unwrap_err();
    assert_eq!((e.code, e.retry_after), (ErrorCode::RateLimited, Some(30)));
    let e = block_on(c.get_current_user()).unwrap_err();
    assert_eq!(e.code, ErrorCode::ServerError);
    assert!(c.session().is_some());
    assert_eq!(c.events(), ["SIGNED_IN u1"]);
}

#[test]
fn change_password_adopts_the_fresh_token() {
    let c = client();
    let old = c.signed_in(3600);
    let fresh = jwt(T0 + 5, 3600);
    c.script(ok(&format!(
        r#"{{"message":"Password changed","access_token":"{fresh}"}}"#
    )));
    block_on(c.change_password("pw", GOOD_PW)).unwrap();
    let s = c.session().unwrap();
    assert_eq!(s.access_token, fresh);
    assert_eq!(s.user, old.user);
    assert_eq!(c.events().last().unwrap(), "TOKEN_REFRESHED u1");
    let sent = c.transport.sent.borrow();
    assert!(
        matches!(&sent[1].body, Body::Json(b) if b == r#"{"current_password":"pw","new_password":"Correct-Horse-7"}"#)
    );
}

#[test]
fn change_password_wrong_current_keeps_the_session() {
    let c = client();
    c.signed_in(3600);
    c.script(status(400, r#"{"detail":"Current password is incorrect"}"#));
    let e = block_on(c.change_password("wrong", GOOD_PW)).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidCredentials);
    assert!(c.session().is_some());

    let e = block_on(c.change_password("pw", "weak")).unwrap_err();
    assert_eq!(e.code, ErrorCode::ValidationFailed);
    assert_eq!(e.field_errors[0].0, "newPassword");
    assert_eq!(c.transport.sent.borrow().len(), 2);
}

#[test]
fn change_password_without_the_endpoint_uses_login_then_patch() {
    let c = client();
    c.signed_in(3600);
    let checked = jwt(T0 + 1, 3600);
    c.script(status(404, r#"{"detail":"Not Found"}"#));
    c.script(ok(&token_answer(&checked, "u1")));
    c.script(ok(r#"{"id":"u1","email":"ada@example.com","data":{}}"#));
    block_on(c.change_password("pw", GOOD_PW)).unwrap();
    assert_eq!(
        c.sent_paths(),
        ["/login", "/change-password", "/login", "/user"]
    );
    let sent = c.transport.sent.borrow();
    assert!(matches!(&sent[3].body, Body::Json(b) if b == r#"{"password":"Correct-Horse-7"}"#));
    assert_eq!(sent[3].method, Method::Patch);
    drop(sent);
    assert_eq!(c.session().unwrap().access_token, checked);

    // Wrong current password against such a server: refused by the login, session kept.
    c.script(status(404, ""));
    c.script(status(
        400,
        r#"{"detail":"An error occured 400: Invalid password value"}"#,
    ));
    let e = block_on(c.change_password("bad", GOOD_PW)).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidCredentials);
    assert!(c.session().is_some());
}

#[test]
fn list_and_lookup() {
    let c = client();
    c.script(ok(
        r#"{"data":[{"id":"u1","email":"a@x.io","data":{},"roles":["r"],"created_at":"t"}],"total":3,"limit":1,"offset":0,"has_more":true}"#,
    ));
    let q = ListQuery {
        limit: Some(1),
        offset: Some(0),
        role: Some("r w".into()),
        email_contains: Some("a&b".into()),
    };
    let list = block_on(c.list_users(&q)).unwrap();
    assert_eq!(
        list.to_json(),
        r#"{"users":[{"id":"u1","email":"a@x.io","data":{},"roles":["r"],"createdAt":"t"}],"total":3,"limit":1,"offset":0,"hasMore":true}"#
    );
    c.script(ok(
        r#"{"id":"u/2","data":{"n":1},"created_at":"t","roles":[],"email":"leak@x.io"}"#,
    ));
    let u = block_on(c.get_user_by_id("u/2")).unwrap();
    assert_eq!(
        u.to_json(),
        r#"{"id":"u/2","data":{"n":1},"roles":[],"createdAt":"t"}"#
    );
    assert_eq!(
        c.sent_paths(),
        [
            "/users?limit=1&offset=0&role=r%20w&email_contains=a%26b",
            "/users/u%2F2"
        ]
    );
    c.script(status(404, r#"{"detail":"User not found"}"#));
    assert_eq!(
        block_on(c.get_user_by_id("nope")).unwrap_err().code,
        ErrorCode::NotFound
    );
    assert!(!c.transport.sent.borrow()[0]
        .headers
        .iter()
        .any(|(h, _)| *h == "Authorization"));
}

// ----- stored session ------------------------------------------------------------------

#[test]
fn initialize_restores_and_emits_initial_session_once() {
    let c = client();
    let s = c.signed_in(3600);
    let c2 = client();
    c2.store.set("cocobase.auth.session", &s.to_record());
    let restored = block_on(c2.initialize()).unwrap();
    assert_eq!(restored, s);
    block_on(c2.initialize());
    assert_eq!(c2.events(), ["INITIAL_SESSION u1"]);
    assert!(c2.transport.sent.borrow().is_empty());
}

#[test]
fn corrupt_storage_means_signed_out() {
    for junk in ["{not json", "null", "{\"v\":1}", "[1]", ""] {
        let c = client();
        c.store.set("cocobase.auth.session", junk);
        assert_eq!(block_on(c.initialize()), None);
        assert_eq!(c.events(), ["INITIAL_SESSION"]);
        assert_eq!(c.stored(), None, "{junk}");
    }
}

#[test]
fn an_expired_stored_session_signs_out_at_initialize() {
    let c = client();
    let s = c.signed_in(100);
    let c2 = client();
    c2.store.set("cocobase.auth.session", &s.to_record());
    c2.advance(200_000);
    assert_eq!(block_on(c2.initialize()), None);
    assert_eq!(c2.events(), ["SIGNED_OUT expired", "INITIAL_SESSION"]);
    assert_eq!(c2.stored(), None);
}

#[test]
fn adopts_the_official_sdk_session_once() {
    let c = client();
    let t = token(&format!(r#"{{"userId":"u9","exp":{}}}"#, T0 + 3600));
    c.store.set("cocobase-token", &t);
    c.store
        .set("cocobase-user", r#"{"id":"u9","email":"z@x.io","data":{}}"#);
    let s = block_on(c.initialize()).unwrap();
    assert_eq!(s.user_id(), "u9");
    assert!(c.store.get("cocobase-token").is_none());
    assert!(c.stored().is_some());
}

#[test]
fn logout_clears_and_emits_once() {
    let c = client();
    c.signed_in(3600);
    c.logout();
    c.logout();
    assert_eq!(c.events(), ["SIGNED_IN u1", "SIGNED_OUT logout"]);
    assert_eq!(c.stored(), None);
}

#[test]
fn other_tabs_are_followed() {
    let c = client();
    let s = c.signed_in(3600);
    let mut refreshed = s.clone();
    refreshed.access_token = jwt(T0 + 10, 3600);
    c.sync_from_store(Some(&refreshed.to_record()));
    c.sync_from_store(Some(&refreshed.to_record()));
    c.sync_from_store(Some("garbage"));
    c.sync_from_store(None);
    c.sync_from_store(None);
    assert_eq!(
        c.events(),
        ["SIGNED_IN u1", "TOKEN_REFRESHED u1", "SIGNED_OUT other_tab"]
    );
}

// ----- refresh -------------------------------------------------------------------------

#[test]
fn concurrent_refreshes_share_one_request() {
    let c = client();
    c.signed_in(3600);
    c.script(ok(&token_answer(&jwt(T0 + 60, 3600), "u1")));
    let results = block_on(join_all((0..100).map(|_| c.refresh_session())));
    assert!(results
        .iter()
        .all(|r| r.as_ref().unwrap().expires_at == (T0 + 3600) * 1000));
    assert_eq!(c.refreshes_sent(), 1);
    assert_eq!(c.events(), ["SIGNED_IN u1", "TOKEN_REFRESHED u1"]);
}

#[test]
fn a_request_inside_the_margin_refreshes_first() {
    let c = client();
    c.signed_in(3600);
    c.advance(3_560_000); // 40 s left, margin is 60 s
    let fresh = jwt(T0 + 3560, 3600);
    c.script(ok(&token_answer(&fresh, "u1")));
    c.script(ok(r#"{"id":"u1","email":"ada@example.com","data":{}}"#));
    block_on(c.get_current_user()).unwrap();
    assert_eq!(c.sent_paths(), ["/login", "/refresh-token", "/user"]);
    let sent = c.transport.sent.borrow();
    assert!(sent[2]
        .headers
        .contains(&("Authorization", format!("Bearer {fresh}"))));
}

#[test]
fn a_failed_refresh_keeps_a_valid_session() {
    let c = client();
    let s = c.signed_in(3600);
    c.advance(3_560_000);
    c.script(Err(TransportError::Network));
    c.script(ok(r#"{"id":"u1","email":"ada@example.com","data":{}}"#));
    block_on(c.get_current_user()).unwrap();
    assert_eq!(c.session().unwrap().access_token, s.access_token);
    assert!(c.stored().is_some());
    let sent = c.transport.sent.borrow();
    assert!(sent[2]
        .headers
        .contains(&("Authorization", format!("Bearer {}", s.access_token))));
}

#[test]
fn refresh_unsupported_is_remembered_until_expiry() {
    let c = client();
    c.signed_in(3600);
    c.advance(3_560_000);
    c.script(status(404, r#"{"detail":"Not Found"}"#));
    let e = block_on(c.refresh_session()).unwrap_err();
    assert_eq!(e.code, ErrorCode::RefreshUnsupported);
    assert!(c.refresh_unsupported());
    // No second attempt.
    assert_eq!(
        block_on(c.refresh_session()).unwrap_err().code,
        ErrorCode::RefreshUnsupported
    );
    let _ = block_on(c.tick());
    assert_eq!(c.refreshes_sent(), 1);
    assert!(c.session().is_some());
    assert_eq!(c.next_refresh_at(), Some((T0 + 3600) * 1000));
    c.advance(40_000);
    let _ = block_on(c.tick());
    assert_eq!(c.events().last().unwrap(), "SIGNED_OUT expired");
}

#[test]
fn refresh_401_revokes() {
    let c = client();
    c.signed_in(3600);
    c.script(status(401, r#"{"detail":"Token has been revoked"}"#));
    assert_eq!(
        block_on(c.refresh_session()).unwrap_err().code,
        ErrorCode::Unauthorized
    );
    assert_eq!(c.events().last().unwrap(), "SIGNED_OUT revoked");
}

#[test]
fn a_clock_jump_past_expiry_signs_out_on_tick() {
    let c = client();
    c.signed_in(3600);
    c.advance(10 * 3_600_000); // the laptop slept
    let _ = block_on(c.tick());
    assert_eq!(c.events(), ["SIGNED_IN u1", "SIGNED_OUT expired"]);
    assert_eq!(c.refreshes_sent(), 0);
}

/// Polls every future until all are done (enough for single-threaded fakes).
fn join_all<F: Future>(futures: impl Iterator<Item = F>) -> impl Future<Output = Vec<F::Output>> {
    let mut futs: Vec<_> = futures.map(|f| Box::pin(f)).collect();
    let mut out: Vec<Option<F::Output>> = futs.iter().map(|_| None).collect();
    core::future::poll_fn(move |cx| {
        for (f, slot) in futs.iter_mut().zip(out.iter_mut()) {
            if slot.is_none() {
                if let Poll::Ready(v) = f.as_mut().poll(cx) {
                    *slot = Some(v);
                }
            }
        }
        if out.iter().all(Option::is_some) {
            Poll::Ready(out.iter_mut().map(|s| s.take().unwrap()).collect())
        } else {
            Poll::Pending
        }
    })
}

#[test]
fn backoff_is_bounded_and_honours_retry_after() {
    use super::client::retry_delay_ms;
    assert_eq!(retry_delay_ms(0, None, 1000), 1000);
    assert_eq!(retry_delay_ms(0, None, 0), 500);
    assert_eq!(retry_delay_ms(3, None, 1000), 8000);
    for f in 0..100 {
        let d = retry_delay_ms(f, None, 1000);
        assert!((500..=60_000).contains(&d), "{f} {d}");
    }
    assert_eq!(retry_delay_ms(50, None, 1000), 60_000);
    assert_eq!(retry_delay_ms(0, Some(30), 0), 30_000);
    assert_eq!(retry_delay_ms(0, Some(u64::MAX), 0), i64::MAX);
}

// ----- sign-in by redirect -------------------------------------------------------------

fn oauth_client() -> (TestClient, MapStore) {
    let c = client();
    (c, MapStore::default())
}

fn start_flow(c: &TestClient, flows: &MapStore, provider: &str, state: &str) -> String {
    c.script(ok(r#"{"url":"http://127.0.0.1:9/__emulator/oauth/google/authorize?redirect_uri=http%3A%2F%2Fapp%2Fcb"}"#));
    block_on(c.oauth_url(provider, "http://app/cb", state, flows)).unwrap()
}

#[test]
fn oauth_url_adds_state_and_remembers_the_flow() {
    let (c, flows) = oauth_client();
    let url = start_flow(&c, &flows, "google", "s1");
    assert!(url.ends_with("&state=s1"), "{url}");
    assert_eq!(
        c.sent_paths(),
        ["/oauth/google?redirect_uri=http%3A%2F%2Fapp%2Fcb"]
    );
    assert!(flows
        .get(super::oauth::FLOW_KEY)
        .unwrap()
        .contains("\"s1\""));
    for (provider, redirect) in [
        ("github", "http://app/cb"),
        ("google", "javascript:alert(1)"),
        ("apple", "/cb"),
    ] {
        let e = block_on(c.oauth_url(provider, redirect, "s", &flows)).unwrap_err();
        assert_eq!(e.code, ErrorCode::ConfigInvalid, "{provider} {redirect}");
    }
    assert_eq!(
        c.transport.sent.borrow().len(),
        1,
        "nothing sent for bad input"
    );
}

#[test]
fn oauth_callback_signs_in_once() {
    let (c, flows) = oauth_client();
    start_flow(&c, &flows, "apple", "s1");
    c.script(ok(&token_answer(&jwt(T0, 3600), "u7")));
    let r = block_on(c.handle_callback("http://app/cb?code=c1&state=s1", &flows)).unwrap();
    assert!(matches!(r, Some(AuthResult::Session(ref s)) if s.user_id() == "u7"));
    let sent = c.transport.sent.borrow();
    assert!(sent[1].url.ends_with("/verify-apple-login"));
    assert!(
        matches!(&sent[1].body, Body::Json(b) if b == r#"{"code":"c1","redirect_uri":"http://app/cb"}"#)
    );
    drop(sent);
    // Reloading the same callback URL: the state is used up.
    let e = block_on(c.handle_callback("http://app/cb?code=c1&state=s1", &flows)).unwrap_err();
    assert_eq!(e.code, ErrorCode::OAuthStateMismatch);
    assert_eq!(c.transport.sent.borrow().len(), 2);
    assert_eq!(
        block_on(c.handle_callback("http://app/cb", &flows)).unwrap(),
        None
    );
}

#[test]
fn oauth_failures_keep_the_existing_session() {
    let (c, flows) = oauth_client();
    let before = c.signed_in(3600);
    start_flow(&c, &flows, "google", "good");
    // Tampered state.
    let e = block_on(c.handle_callback("http://app/cb?code=x&state=evil", &flows)).unwrap_err();
    assert_eq!(e.code, ErrorCode::OAuthStateMismatch);
    // Denied at the provider.
    start_flow(&c, &flows, "google", "s2");
    let e = block_on(c.handle_callback(
        "http://app/cb?error=access_denied&error_description=No%20thanks&state=s2",
        &flows,
    ))
    .unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        (ErrorCode::OAuthDenied, "No thanks")
    );
    // A code the server refuses.
    start_flow(&c, &flows, "google", "s3");
    c.script(status(400, r#"{"detail":"Invalid or expired code"}"#));
    let e = block_on(c.handle_callback("http://app/cb#code=used&state=s3", &flows)).unwrap_err();
    assert_eq!(e.code, ErrorCode::OAuthInvalidCallback);
    // Expired flow.
    start_flow(&c, &flows, "google", "s4");
    c.advance(super::oauth::FLOW_TTL_MS + 1);
    let e = block_on(c.handle_callback("http://app/cb?code=x&state=s4", &flows)).unwrap_err();
    assert_eq!(e.code, ErrorCode::OAuthStateMismatch);
    assert_eq!(c.session().unwrap().access_token, before.access_token);
    assert_eq!(c.events(), ["SIGNED_IN u1"]);
}

// ----- across tabs ---------------------------------------------------------------------

/// Two clients sharing the cross-tab lock and record, like two tabs of one browser.
fn two_tabs() -> (TestClient, TestClient) {
    let a = client();
    let mut b = client();
    b.tabs = a.tabs.clone();
    (a, b)
}

#[test]
fn two_tabs_due_at_once_send_one_refresh() {
    let (a, b) = two_tabs();
    let s = a.signed_in(3600);
    b.store.set("cocobase.auth.session", &s.to_record());
    block_on(b.initialize());
    a.advance(3_560_000);
    b.advance(3_560_000);
    a.script(ok(&token_answer(&jwt(T0 + 3560, 3600), "u1")));
    // Both tabs' timers fire together; b's storage event has not arrived yet.
    let both = block_on(join_all(
        [a.refresh_session(), b.refresh_session()].into_iter(),
    ));
    let tokens: Vec<_> = both
        .iter()
        .map(|r| r.as_ref().unwrap().access_token.clone())
        .collect();
    assert_eq!(tokens[0], tokens[1]);
    assert_eq!(a.refreshes_sent() + b.refreshes_sent(), 1);
    assert!(b.transport.sent.borrow().is_empty());
    assert!(
        a.tabs.0.waits.get() > 0,
        "the second tab waited for the lock"
    );
    assert_eq!(b.events().last().unwrap(), "TOKEN_REFRESHED u1");
    // The storage event arriving afterwards changes nothing.
    b.sync_from_store(Some(&a.session().unwrap().to_record()));
    assert_eq!(
        b.events()
            .iter()
            .filter(|e| e.starts_with("TOKEN_REFRESHED"))
            .count(),
        1
    );
}

#[test]
fn a_stale_shared_record_is_not_adopted() {
    let (a, b) = two_tabs();
    // An old session of another user sits in the shared record.
    let old = a.signed_in(3600);
    a.tabs.publish_sync(&old.to_record());
    b.script(ok(&token_answer(&jwt(T0, 7200), "u2")));
    block_on(b.login("bob@example.com", "pw")).unwrap();
    b.script(ok(&token_answer(&jwt(T0 + 1, 7200), "u2")));
    block_on(b.refresh_session()).unwrap();
    assert_eq!(b.refreshes_sent(), 1);
    assert_eq!(b.session().unwrap().user_id(), "u2");
}

impl FakeTabs {
    fn publish_sync(&self, record: &str) {
        *self.0.record.borrow_mut() = Some(record.to_owned());
    }
}

#[test]
fn a_storage_event_during_the_shared_read_is_the_refresh() {
    // Tab b holds the lock and reads the shared record; meanwhile tab a's write reaches
    // it through a storage event. b must not refresh the old token again.
    let (a, b) = two_tabs();
    let s = a.signed_in(3600);
    b.store.set("cocobase.auth.session", &s.to_record());
    block_on(b.initialize());
    a.script(ok(&token_answer(&jwt(T0 + 10, 3600), "u1")));
    block_on(a.refresh_session()).unwrap();
    let fresh = a.session().unwrap().to_record();
    let b = std::rc::Rc::new(b);
    let weak = std::rc::Rc::downgrade(&b);
    *b.tabs.0.during_read.borrow_mut() = Some(Box::new(move || {
        if let Some(b) = weak.upgrade() {
            b.sync_from_store(Some(&fresh));
        }
    }));
    let got = block_on(b.refresh_session()).unwrap();
    assert_eq!(got.access_token, a.session().unwrap().access_token);
    assert_eq!(b.refreshes_sent(), 0);
    assert!(b.transport.sent.borrow().is_empty());
    assert_eq!(
        b.events()
            .iter()
            .filter(|e| e.starts_with("TOKEN_REFRESHED"))
            .count(),
        1
    );
}
