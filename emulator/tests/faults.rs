//! Injected faults (`--fault-rate`) and latency (`--latency`): off by default, only on
//! API routes, decided before the handler (a faulted request changes nothing and is not
//! counted by the rate limiter), and each kind as promised on the wire.

mod common;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use axum::Router;
use cocobase_emulator::db::{UserQuery, UserRow};
use cocobase_emulator::fault::{FaultConfig, FAULT_HEADER};
use cocobase_emulator::Tier;
use common::*;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

/// What came back for one request.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    /// A normal answer.
    Answer(u16),
    /// An injected answer: (status, body, content-type, retry-after).
    Injected(u16, String, String, Option<String>),
    /// The body failed: the connection would be dropped.
    Dropped,
}

async fn outcome(router: &Router, req: Request<Body>) -> Outcome {
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status().as_u16();
    let injected = res.headers().get(FAULT_HEADER).is_some();
    let (ct, retry) = {
        let header = |n: &str| {
            res.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(String::from)
        };
        (
            header("content-type").unwrap_or_default(),
            header("retry-after"),
        )
    };
    match res.into_body().collect().await {
        Err(_) => Outcome::Dropped,
        Ok(b) if injected => Outcome::Injected(
            status,
            String::from_utf8_lossy(&b.to_bytes()).into_owned(),
            ct,
            retry,
        ),
        Ok(_) => Outcome::Answer(status),
    }
}

/// A user put straight into the database (signup itself may be faulted), and a token.
fn seed_user(app: &TestApp, email: &str) -> (String, String) {
    let user = UserRow {
        id: cocobase_emulator::random::uuid_v4(),
        email: email.into(),
        created_at: "2026-11-27T16:00:00.000000Z".into(),
        ..UserRow::default()
    };
    app.state.db.insert_user(&user).unwrap();
    let token = app.state.issue_token(&user);
    (user.id, token)
}

fn append(token: &str, item: &str) -> Request<Body> {
    Request::patch("/auth-collections/user")
        .header("x-api-key", KEY)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Body::from(
            json!({"data": {"$append": {"ids": item}}}).to_string(),
        ))
        .unwrap()
}

fn get(path: &str) -> Request<Body> {
    Request::get(path)
        .header("x-api-key", KEY)
        .body(Body::empty())
        .unwrap()
}

fn stored_ids(app: &TestApp, id: &str) -> Vec<String> {
    let row = app.state.db.user_by_id(id).unwrap().unwrap();
    match row.data.get("ids") {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect(),
        Some(other) => panic!("ids is {other}"),
    }
}

#[tokio::test]
async fn off_by_default() {
    assert_eq!(TestApp::new().state.config.faults, FaultConfig::default());
    let app = TestApp::new();
    for _ in 0..100 {
        assert_eq!(
            outcome(&app.router, get("/auth-collections/users")).await,
            Outcome::Answer(200)
        );
    }
}

#[tokio::test]
async fn at_rate_one_every_api_request_fails_in_each_way_and_changes_nothing() {
    let app = TestApp::with(|c| {
        c.faults.rate = 1.0;
        c.tier = Tier::Free;
        c.rate_limit = Some(5);
    });
    let (id, token) = seed_user(&app, "f@example.com");
    let mut kinds = BTreeSet::new();
    for i in 0..200 {
        let req = match i % 3 {
            0 => append(&token, &format!("id-{i}")),
            1 => Request::post("/auth-collections/signup")
                .header("x-api-key", KEY)
                .header("content-type", "application/json")
                .body(Body::from(
                    json!({"email": format!("new{i}@example.com"), "password": PASSWORD})
                        .to_string(),
                ))
                .unwrap(),
            _ => get("/auth-collections/users"),
        };
        match outcome(&app.router, req).await {
            Outcome::Dropped => {
                kinds.insert("drop");
            }
            Outcome::Injected(500, body, ct, _) => {
                assert!(ct.starts_with("application/json"), "{ct}");
                let v: Value = serde_json::from_str(&body).unwrap();
                assert!(v["detail"].as_str().unwrap().contains("injected"), "{body}");
                kinds.insert("500");
            }
            Outcome::Injected(502, body, ct, _) => {
                assert!(ct.starts_with("text/html"), "{ct}");
                assert!(body.contains("<h1>502 Bad Gateway</h1>"), "{body}");
                kinds.insert("502");
            }
            Outcome::Injected(429, _, _, retry) => {
                assert_eq!(retry.as_deref(), Some("1"));
                kinds.insert("429");
            }
            other => panic!("request {i}: {other:?}"),
        }
    }
    assert_eq!(kinds.len(), 4, "{kinds:?}");
    // Nothing happened on the server: no append, no signup...
    assert!(stored_ids(&app, &id).is_empty());
    let (_, total) = app
        .state
        .db
        .list_users(&UserQuery {
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(total, 1);
    // ...and the rate limiter counted none of the 200 requests.
    let d = app.state.limiter.check(app.clock.now_secs()).unwrap();
    assert_eq!((d.allowed, d.remaining), (true, 4));

    // Only the API is faulted: the emulator's own routes, preflights, uploaded files
    // and static files answer as usual.
    for _ in 0..30 {
        assert_eq!(
            outcome(&app.router, get("/__emulator/health")).await,
            Outcome::Answer(200)
        );
        let preflight = Request::options("/auth-collections/user")
            .header("origin", "http://localhost:5173")
            .header("access-control-request-method", "PATCH")
            .body(Body::empty())
            .unwrap();
        assert_eq!(outcome(&app.router, preflight).await, Outcome::Answer(204));
        assert_eq!(
            outcome(
                &app.router,
                get(&format!("/files/{}/x.txt", "0".repeat(32)))
            )
            .await,
            Outcome::Answer(404)
        );
    }
}

#[tokio::test]
async fn at_half_rate_exactly_the_answered_appends_land() {
    let app = TestApp::with(|c| c.faults.rate = 0.5);
    let (id, token) = seed_user(&app, "half@example.com");
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..300 {
        let router = app.router.clone();
        let token = token.clone();
        tasks.spawn(async move {
            let item = format!("item-{i:03}");
            let got = outcome(&router, append(&token, &item)).await;
            (item, got)
        });
    }
    let mut ok = BTreeSet::new();
    let mut failed = 0;
    while let Some(r) = tasks.join_next().await {
        let (item, got) = r.unwrap();
        match got {
            Outcome::Answer(200) => {
                ok.insert(item);
            }
            Outcome::Answer(s) => panic!("{item}: {s}"),
            _ => failed += 1,
        }
    }
    assert!((100..=200).contains(&failed), "{failed} of 300 faulted");
    let stored: Vec<String> = stored_ids(&app, &id);
    assert_eq!(stored.len(), ok.len(), "no duplicates");
    assert_eq!(stored.into_iter().collect::<BTreeSet<_>>(), ok);
}

#[tokio::test]
async fn latency_delays_api_requests() {
    let app = TestApp::with(|c| c.faults.latency_ms = Some((40, 60)));
    for _ in 0..3 {
        let t = Instant::now();
        assert_eq!(
            outcome(&app.router, get("/auth-collections/users")).await,
            Outcome::Answer(200)
        );
        assert!(
            t.elapsed() >= Duration::from_millis(40),
            "{:?}",
            t.elapsed()
        );
    }
}

/// The real binary, over TCP: the four kinds as a client sees them, and the flags.
#[test]
fn on_the_wire_and_on_the_command_line() {
    const BIN: &str = env!("CARGO_BIN_EXE_cocobase-emulator");
    let files = TempDir::new();
    let files_dir = files.0.join("files");
    let args = ["--port", "0", "--db", ":memory:", "--tier", "enterprise"];
    let faults = ["--fault-rate", "1", "--latency", "0-3", "--files"];
    let all: Vec<&str> = args
        .iter()
        .chain(&faults)
        .copied()
        .chain([files_dir.to_str().unwrap()])
        .collect();
    let (mut child, port) = common::spawn_binary(&all, Stdio::null());
    let request = |path: &str| -> String {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: {KEY}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = Vec::new();
        // A reset instead of a clean close also counts as "nothing came back".
        let _ = s.read_to_end(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    };
    let mut seen = BTreeSet::new();
    for _ in 0..200 {
        let raw = request("/auth-collections/users");
        let lower = raw.to_ascii_lowercase();
        if raw.is_empty() {
            seen.insert("drop");
        } else if raw.starts_with("HTTP/1.1 500") {
            assert!(raw.contains("{\"detail\":"), "{raw}");
            seen.insert("500");
        } else if raw.starts_with("HTTP/1.1 502") {
            assert!(lower.contains("content-type: text/html"), "{raw}");
            assert!(raw.contains("<html>"), "{raw}");
            seen.insert("502");
        } else if raw.starts_with("HTTP/1.1 429") {
            assert!(lower.contains("\r\nretry-after: 1\r\n"), "{raw}");
            seen.insert("429");
        } else {
            panic!("unexpected answer: {raw}");
        }
        if seen.len() == 4 {
            break;
        }
    }
    assert_eq!(seen.len(), 4, "{seen:?}");
    assert!(request("/__emulator/health").starts_with("HTTP/1.1 200"));
    child.kill().unwrap();
    child.wait().unwrap();

    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in ["--fault-rate P", "--latency MS|MIN-MAX", "Retry-After: 1"] {
        assert!(help.contains(flag), "--help lacks {flag:?}");
    }
    for bad in [
        &["--fault-rate", "1.5"][..],
        &["--fault-rate", "x"],
        &["--latency", "20-10"],
        &["--latency", "-5"],
    ] {
        let out = Command::new(BIN)
            .args(bad)
            .args(["--port", "0", "--db", ":memory:"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
}
