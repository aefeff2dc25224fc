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

impl FakeTabs {
    fn publish_sync(&self, record: &str) {
        *self.0.record.borrow_mut() = Some(record.to_owned());
    }
}

/// Two clients sharing the cross-tab lock and record, like two tabs of one browser.
fn two_tabs() -> (TestClient, TestClient) {
    let a = client();
    let mut b = client();
    b.tabs = a.tabs.clone();
    (a, b)
}

mod across_tabs;
mod redirect;
mod refresh;
mod requests;
mod stored_session;
