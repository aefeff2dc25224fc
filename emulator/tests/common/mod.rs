//! Test harness: a fresh app per test (in-memory database, temporary files folder,
//! manual clock), driven in-process with `oneshot`.
#![allow(dead_code)]

use std::path::PathBuf;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use cocobase_emulator::{app, AppState, Clock, Config};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

pub const KEY: &str = "pk_test_emulator";
pub const SECRET_KEY: &str = "sk_test_emulator";
pub const PASSWORD: &str = "Sturdy-Passw0rd";
/// 2026-11-27T16:00:00Z
pub const START_MICROS: i64 = 1_795_795_200_000_000;

/// A temporary folder removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).unwrap();
        let name: String = b.iter().map(|x| format!("{x:02x}")).collect();
        let p = std::env::temp_dir().join(format!("cocobase-emulator-test-{name}"));
        std::fs::create_dir_all(&p).unwrap();
        Self(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct TestApp {
    pub state: AppState,
    pub clock: Clock,
    pub router: Router,
    pub files: TempDir,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn detail(&self) -> String {
        self.json()["detail"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
    #[track_caller]
    pub fn assert(&self, status: u16) -> &Self {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text());
        self
    }
}

impl TestApp {
    pub fn new() -> Self {
        Self::with(|_| {})
    }

    pub fn with(change: impl FnOnce(&mut Config)) -> Self {
        let files = TempDir::new();
        let mut config = Config::for_tests(files.0.join("files"));
        change(&mut config);
        let clock = Clock::manual(START_MICROS);
        let state = AppState::with_clock(config, clock.clone()).unwrap();
        let router = app(state.clone());
        Self {
            state,
            clock,
            router,
            files,
        }
    }

    pub async fn send(&self, req: Request<Body>) -> Resp {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        Resp {
            status,
            headers,
            body,
        }
    }

    /// A request with the publishable key, an optional user token and an optional JSON body.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header("host", "127.0.0.1:8787")
            .header("x-api-key", KEY);
        if let Some(t) = token {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        let req = match body {
            Some(v) => b
                .header("content-type", "application/json")
                .body(Body::from(v.to_string()))
                .unwrap(),
            None => b.body(Body::empty()).unwrap(),
        };
        self.send(req).await
    }

    /// Signs up `email` with [`PASSWORD`]; answers (token, user).
    pub async fn signup(&self, email: &str) -> (String, Value) {
        let r = self
            .call(
                "POST",
                "/auth-collections/signup",
                None,
                Some(json!({"email": email, "password": PASSWORD})),
            )
            .await;
        r.assert(200);
        let v = r.json();
        (
            v["access_token"].as_str().unwrap().to_string(),
            v["user"].clone(),
        )
    }
}

/// A multipart body: `(name, filename, content)`; a part without file name is text.
pub fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----cocobase-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, file, content) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A multipart request (body from [`multipart`]) with the project key, the given `Host`
/// (file URLs are built from it) and, optionally, a user token.
pub fn multipart_request(
    method: &str,
    path: &str,
    host: &str,
    token: Option<&str>,
    parts: &[(&str, Option<&str>, &[u8])],
) -> Request<Body> {
    let (ct, body) = multipart(parts);
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header("host", host)
        .header("x-api-key", KEY)
        .header("content-type", ct);
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    b.body(Body::from(body)).unwrap()
}

/// Starts the real binary with `args` (the `COCOBASE_*` variables of the caller's
/// environment removed) and waits for its first line: no sleeping. Returns the child and
/// its port.
pub fn spawn_binary(args: &[&str], stderr: std::process::Stdio) -> (std::process::Child, u16) {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cocobase-emulator"))
        .args(args)
        .env_remove("COCOBASE_PORT")
        .env_remove("COCOBASE_DB")
        .env_remove("COCOBASE_API_KEY")
        .stdout(std::process::Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .trim_end()
        .strip_prefix("cocobase-emulator listening on http://127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .parse()
        .unwrap();
    (child, port)
}

impl TestApp {
    /// The outbox's mails to `to` (all with `None`), oldest first.
    pub async fn outbox(&self, to: Option<&str>) -> Vec<Value> {
        let path = match to {
            Some(t) => format!(
                "/__emulator/outbox?to={}",
                cocobase_emulator::url::encode_component(t)
            ),
            None => "/__emulator/outbox".to_string(),
        };
        let r = self
            .send(Request::get(path).body(Body::empty()).unwrap())
            .await;
        r.assert(200);
        r.json()["messages"].as_array().unwrap().clone()
    }

    /// The newest mail of `kind` to `to`.
    pub async fn last_mail(&self, to: &str, kind: &str) -> Value {
        self.outbox(Some(to))
            .await
            .into_iter()
            .rev()
            .find(|m| m["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} mail to {to}"))
    }

    /// Moves the manual clock forward by `secs` seconds.
    pub fn advance(&self, secs: u64) {
        self.clock.advance(std::time::Duration::from_secs(secs));
    }

    /// Signs up `email` and turns 2FA on; answers (token, user).
    pub async fn signup_with_2fa(&self, email: &str) -> (String, Value) {
        let (token, user) = self.signup(email).await;
        self.call(
            "POST",
            "/auth-collections/2fa/enable",
            Some(&token),
            Some(json!({})),
        )
        .await
        .assert(200);
        (token, user)
    }

    /// `POST /login` with [`PASSWORD`].
    pub async fn login(&self, email: &str) -> Resp {
        self.call(
            "POST",
            "/auth-collections/login",
            None,
            Some(json!({"email": email, "password": PASSWORD})),
        )
        .await
    }
}
