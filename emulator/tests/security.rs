//! Security checks: what a token may touch, which tokens are refused, keys and rate
//! limits, what answers never contain, OAuth redirect targets, upload paths, and
//! oversized credentials. Driven in-process like the other tests.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use cocobase_emulator::Tier;
use common::*;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};

const MIB: usize = 1024 * 1024;
const SENTINEL: &str = "TOP-SECRET-SENTINEL-8e1f";

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A JWT with any header, signed with HMAC-SHA256 or -SHA512 (or unsigned).
fn craft(header: &Value, claims: &Value, secret: Option<&[u8]>, sha512: bool) -> String {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let sig = match secret {
        None => Vec::new(),
        Some(k) if sha512 => {
            let mut m = Hmac::<sha2::Sha512>::new_from_slice(k).unwrap();
            m.update(input.as_bytes());
            m.finalize().into_bytes().to_vec()
        }
        Some(k) => {
            let mut m = Hmac::<sha2::Sha256>::new_from_slice(k).unwrap();
            m.update(input.as_bytes());
            m.finalize().into_bytes().to_vec()
        }
    };
    format!("{input}.{}", b64(&sig))
}

fn claims_json(id: &str, email: &str, iat: i64, exp: i64) -> Value {
    json!({"userId": id, "email": email, "sub": id, "iat": iat, "exp": exp, "tv": 0})
}

fn secret(app: &TestApp) -> [u8; 32] {
    app.state.db.signing_secret().unwrap()
}

async fn patch(app: &TestApp, token: &str, body: Value) -> Resp {
    app.call("PATCH", "/auth-collections/user", Some(token), Some(body))
        .await
}

async fn me(app: &TestApp, token: &str) -> Resp {
    app.call("GET", "/auth-collections/user", Some(token), None)
        .await
}

/// The stored row of `id`, straight from the database.
fn row(app: &TestApp, id: &str) -> cocobase_emulator::db::UserRow {
    app.state.db.user_by_id(id).unwrap().unwrap()
}

#[tokio::test]
async fn a_token_reads_and_changes_only_its_own_user() {
    let app = TestApp::new();
    let (ta, a) = app.signup("alice@example.com").await;
    let (tb, b) = app.signup("bob@example.com").await;
    let (a_id, b_id) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
    let b_before = row(&app, b_id);

    // Reading: /user is always the token's user, whatever the request names.
    for path in [
        "/auth-collections/user".to_string(),
        format!("/auth-collections/user?id={b_id}"),
        format!("/auth-collections/user?user_id={b_id}&userId={b_id}"),
    ] {
        let r = app.call("GET", &path, Some(&ta), None).await;
        r.assert(200);
        assert_eq!(r.json()["id"], a_id, "{path}");
        assert_eq!(r.json()["email"], "alice@example.com");
    }
    // Another user's profile is public, and only public: no email.
    let r = app
        .call(
            "GET",
            &format!("/auth-collections/users/{b_id}"),
            Some(&ta),
            None,
        )
        .await;
    r.assert(200);
    assert!(r.json().get("email").is_none());
    assert!(!r.text().contains("bob@example.com"));

    // Writing: ids in the body or the query never redirect a PATCH to another user.
    let r = patch(
        &app,
        &ta,
        json!({"id": b_id, "user_id": b_id, "userId": b_id, "sub": b_id,
               "data": {"owner": "alice", "$append": {"tags": "a"}}}),
    )
    .await;
    r.assert(200);
    assert_eq!(r.json()["id"], a_id);
    let r = app
        .call(
            "PATCH",
            &format!("/auth-collections/user?id={b_id}&user_id={b_id}"),
            Some(&ta),
            Some(json!({"data": {"via_query": true}})),
        )
        .await;
    r.assert(200);
    assert_eq!(r.json()["id"], a_id);
    // Taking the other user's email is refused.
    patch(&app, &ta, json!({"email": "BOB@example.com"}))
        .await
        .assert(409);

    // No endpoint takes a user id for writes.
    for method in ["PATCH", "PUT", "POST", "DELETE"] {
        for path in [
            format!("/auth-collections/users/{b_id}"),
            format!("/auth-collections/user/{b_id}"),
            "/auth-collections/users".to_string(),
        ] {
            let r = app
                .call(
                    method,
                    &path,
                    Some(&ta),
                    Some(json!({"data": {"owned": true}, "email": "pwned@example.com"})),
                )
                .await;
            assert!(
                matches!(r.status.as_u16(), 404 | 405),
                "{method} {path}: {} {}",
                r.status,
                r.text()
            );
        }
    }

    // A's password change touches only A.
    app.call(
        "POST",
        "/auth-collections/change-password",
        Some(&ta),
        Some(json!({"current_password": PASSWORD, "new_password": "Another-Passw0rd"})),
    )
    .await
    .assert(200);
    me(&app, &tb).await.assert(200);
    app.call(
        "POST",
        "/auth-collections/login",
        None,
        Some(json!({"email": "bob@example.com", "password": PASSWORD})),
    )
    .await
    .assert(200);

    // A token whose payload is swapped for B's (signature no longer matches) is refused.
    let parts: Vec<&str> = ta.split('.').collect();
    let forged_payload = b64(claims_json(b_id, "bob@example.com", 0, i64::MAX / 2)
        .to_string()
        .as_bytes());
    let forged = format!("{}.{forged_payload}.{}", parts[0], parts[2]);
    me(&app, &forged).await.assert(401);
    patch(&app, &forged, json!({"data": {"x": 1}}))
        .await
        .assert(401);

    // After all that, B is exactly as it was, and A has what A asked for.
    let b_after = row(&app, b_id);
    assert_eq!(b_after.email, b_before.email);
    assert_eq!(b_after.data, b_before.data);
    assert_eq!(b_after.password_hash, b_before.password_hash);
    assert_eq!(b_after.token_version, b_before.token_version);
    let a_after = row(&app, a_id);
    assert_eq!(a_after.email, "alice@example.com");
    assert_eq!(
        Value::Object(a_after.data),
        json!({"owner": "alice", "tags": ["a"], "via_query": true})
    );
}

#[tokio::test]
async fn forged_foreign_and_expired_tokens_are_refused() {
    let app = TestApp::new();
    let (good, user) = app.signup("tok@example.com").await;
    let id = user["id"].as_str().unwrap();
    let key = secret(&app);
    let now = app.clock.now_secs();
    let live = claims_json(id, "tok@example.com", now, now + 3600);
    let hs256 = json!({"alg": "HS256", "typ": "JWT"});

    // Sanity: a token crafted here with the real secret and HS256 is accepted, so the
    // refusals below are about the one thing each case changes.
    me(&app, &craft(&hs256, &live, Some(&key), false))
        .await
        .assert(200);

    let good_sig = good.rsplit('.').next().unwrap().to_string();
    let cases: Vec<(&str, String)> = vec![
        (
            "another secret",
            craft(&hs256, &live, Some(b"some other secret"), false),
        ),
        (
            "alg none, no signature",
            craft(&json!({"alg": "none", "typ": "JWT"}), &live, None, false),
        ),
        (
            "alg None, no signature",
            craft(&json!({"alg": "None"}), &live, None, false),
        ),
        ("alg none, a real signature", {
            let t = craft(&json!({"alg": "none"}), &live, None, false);
            format!("{t}{good_sig}")
        }),
        (
            "alg HS512 with the real secret",
            craft(
                &json!({"alg": "HS512", "typ": "JWT"}),
                &live,
                Some(&key),
                true,
            ),
        ),
        (
            "alg HS512 header, HS256 signature",
            craft(&json!({"alg": "HS512"}), &live, Some(&key), false),
        ),
        (
            "alg hs256 (case)",
            craft(&json!({"alg": "hs256"}), &live, Some(&key), false),
        ),
        (
            "alg RS256",
            craft(&json!({"alg": "RS256"}), &live, Some(&key), false),
        ),
        (
            "no alg",
            craft(&json!({"typ": "JWT"}), &live, Some(&key), false),
        ),
        (
            "expired, real secret",
            craft(
                &hs256,
                &claims_json(id, "tok@example.com", now - 100, now - 1),
                Some(&key),
                false,
            ),
        ),
        (
            "expiring this very second",
            craft(
                &hs256,
                &claims_json(id, "tok@example.com", now - 100, now),
                Some(&key),
                false,
            ),
        ),
        (
            "sub and userId disagree",
            craft(
                &hs256,
                &json!({"userId": "00000000-0000-4000-8000-000000000000", "email": "x@example.com",
                        "sub": id, "iat": now, "exp": now + 3600, "tv": 0}),
                Some(&key),
                false,
            ),
        ),
        (
            "token version from the future",
            craft(
                &hs256,
                &json!({"userId": id, "email": "tok@example.com", "sub": id,
                        "iat": now, "exp": now + 3600, "tv": 7}),
                Some(&key),
                false,
            ),
        ),
        (
            "unknown user",
            craft(
                &hs256,
                &claims_json(
                    "00000000-0000-4000-8000-000000000000",
                    "x@example.com",
                    now,
                    now + 3600,
                ),
                Some(&key),
                false,
            ),
        ),
        ("signature stripped", {
            let t = craft(&hs256, &live, Some(&key), false);
            format!("{}.", &t[..t.rfind('.').unwrap()])
        }),
        ("four parts", format!("{good}.{good_sig}")),
        ("very long", format!("{good}{}", "A".repeat(100_000))),
    ];
    for (name, token) in &cases {
        for (method, path, body) in [
            ("GET", "/auth-collections/user", None),
            (
                "PATCH",
                "/auth-collections/user",
                Some(json!({"data": {"forged": name}})),
            ),
            ("POST", "/auth-collections/refresh-token", None),
            (
                "POST",
                "/auth-collections/change-password",
                Some(json!({"current_password": PASSWORD, "new_password": "Forged-Passw0rd"})),
            ),
        ] {
            let r = app.call(method, path, Some(token), body).await;
            assert_eq!(
                r.status.as_u16(),
                401,
                "{name}: {method} {path} answered {} {}",
                r.status,
                r.text()
            );
            assert_eq!(r.header("www-authenticate"), Some("Bearer"), "{name}");
        }
    }
    // Nothing was written through any of them.
    let stored = row(&app, id);
    assert!(stored.data.is_empty(), "{:?}", stored.data);
    assert_eq!(stored.token_version, 0);

    // The genuine token expires with the clock, like any other.
    me(&app, &good).await.assert(200);
    app.clock.advance(Duration::from_secs(172_800));
    let r = me(&app, &good).await;
    r.assert(401);
    assert_eq!(r.detail(), "Token has expired");
    app.call("POST", "/auth-collections/refresh-token", Some(&good), None)
        .await
        .assert(401);
}

#[tokio::test]
async fn the_list_endpoint_and_profiles_need_a_key() {
    let app = TestApp::new();
    let (token, user) = app.signup("listed@example.com").await;
    let id = user["id"].as_str().unwrap();
    let get = |path: String, headers: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let mut b = Request::get(path);
            for (k, v) in headers {
                b = b.header(k, v);
            }
            app.send(b.body(Body::empty()).unwrap()).await
        }
    };
    for path in [
        "/auth-collections/users".to_string(),
        "/auth-collections/users?limit=500".to_string(),
        format!("/auth-collections/users?api_key={KEY}&x-api-key={KEY}"),
        format!("/auth-collections/users/{id}"),
    ] {
        let refusals: Vec<Vec<(&'static str, String)>> = vec![
            vec![],
            vec![("x-api-key", String::new())],
            vec![("x-api-key", format!("{KEY}x"))],
            vec![("x-api-key", KEY[..KEY.len() - 1].to_string())],
            vec![("x-api-key", KEY.to_uppercase())],
            vec![("x-api-key", format!(" {KEY}"))],
            vec![("x-api-key", "pk_live_somebody_else".into())],
            // A user token is not a project key.
            vec![("authorization", format!("Bearer {token}"))],
            vec![("x-api-key", token.clone())],
            // A wrong x-api-key is not rescued by a right bearer.
            vec![
                ("x-api-key", "wrong".into()),
                ("authorization", format!("Bearer {KEY}")),
            ],
        ];
        for headers in refusals {
            let shown = format!("{path} {headers:?}");
            let r = get(path.clone(), headers).await;
            assert_eq!(r.status.as_u16(), 401, "{shown}: {}", r.text());
            assert_eq!(r.json(), json!({"detail": "Invalid API key"}), "{shown}");
            assert!(!r.text().contains("listed@example.com"));
        }
    }
    get(
        "/auth-collections/users".into(),
        vec![("x-api-key", KEY.into())],
    )
    .await
    .assert(200);
}

#[tokio::test]
async fn the_rate_limit_is_one_budget_for_both_keys_and_unknown_keys_cost_nothing() {
    let app = TestApp::with(|c| {
        c.tier = Tier::Free;
        c.rate_limit = Some(4);
    });
    let req = |key: Option<&str>, bearer: Option<&str>| {
        let mut b = Request::get("/auth-collections/users");
        if let Some(k) = key {
            b = b.header("x-api-key", k);
        }
        if let Some(t) = bearer {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        b.body(Body::empty()).unwrap()
    };
    // Many refused keys first: none of them is counted.
    for i in 0..50 {
        let r = app.send(req(Some(&format!("pk_guess_{i}")), None)).await;
        r.assert(401);
        assert!(r.header("x-ratelimit-remaining").is_none());
    }
    app.send(req(None, None)).await.assert(401);
    app.send(req(None, Some("sk_guess"))).await.assert(401);
    // The publishable key, the secret key and the key as a bearer all draw on one budget.
    let mut remaining = Vec::new();
    for (key, bearer) in [
        (Some(KEY), None),
        (Some(SECRET_KEY), None),
        (None, Some(KEY)),
        (None, Some(SECRET_KEY)),
    ] {
        let r = app.send(req(key, bearer)).await;
        r.assert(200);
        remaining.push(r.header("x-ratelimit-remaining").unwrap().to_string());
    }
    assert_eq!(remaining, ["3", "2", "1", "0"]);
    for (key, bearer) in [
        (Some(KEY), None),
        (Some(SECRET_KEY), None),
        (None, Some(KEY)),
    ] {
        let r = app.send(req(key, bearer)).await;
        r.assert(429);
        assert!(r.header("retry-after").is_some());
    }
    // Signup and login count against the same budget.
    app.call(
        "POST",
        "/auth-collections/login",
        None,
        Some(json!({"email": "a@example.com", "password": PASSWORD})),
    )
    .await
    .assert(429);
    // Past the limit an unknown key is still a 401, not a 429.
    app.send(req(Some("pk_guess"), None)).await.assert(401);
    // The next window starts afresh.
    app.clock.advance(Duration::from_secs(60));
    let r = app.send(req(Some(SECRET_KEY), None)).await;
    r.assert(200);
    assert_eq!(r.header("x-ratelimit-remaining"), Some("3"));
}

/// Records every answer of a session, to scan them all at the end.
struct Recorder<'a> {
    app: &'a TestApp,
    seen: std::cell::RefCell<Vec<(String, String)>>,
}

impl<'a> Recorder<'a> {
    fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            seen: Default::default(),
        }
    }
    fn keep(&self, label: String, r: &Resp) {
        let mut text = format!("{}\n", r.status);
        for (k, v) in &r.headers {
            text.push_str(&format!("{k}: {}\n", String::from_utf8_lossy(v.as_bytes())));
        }
        text.push_str(&String::from_utf8_lossy(&r.body));
        self.seen.borrow_mut().push((label, text));
    }
    async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        let r = self.app.call(method, path, token, body).await;
        self.keep(format!("{method} {path}"), &r);
        r
    }
    async fn send(&self, label: &str, req: Request<Body>) -> Resp {
        let r = self.app.send(req).await;
        self.keep(label.to_string(), &r);
        r
    }
}

#[tokio::test]
async fn no_answer_leaks_a_hash_the_secret_or_a_trace() {
    let app = TestApp::with(|c| {
        c.tier = Tier::Free;
        c.rate_limit = Some(1000);
    });
    let rec = Recorder::new(&app);
    let email = "leak@example.com";
    let creds = json!({"email": email, "password": PASSWORD});

    // Sign up (JSON and multipart), every kind of refusal, log in.
    let r = rec
        .call(
            "POST",
            "/auth-collections/signup",
            None,
            Some(creds.clone()),
        )
        .await;
    r.assert(200);
    let token = r.json()["access_token"].as_str().unwrap().to_string();
    let id = r.json()["user"]["id"].as_str().unwrap().to_string();
    rec.call(
        "POST",
        "/auth-collections/signup",
        None,
        Some(creds.clone()),
    )
    .await
    .assert(409);
    rec.call(
        "POST",
        "/auth-collections/signup",
        None,
        Some(json!({"email": "weak@example.com", "password": "password"})),
    )
    .await
    .assert(422);
    rec.send(
        "multipart signup",
        multipart_request(
            "POST",
            "/auth-collections/signup",
            "127.0.0.1:8787",
            None,
            &[
                (
                    "data",
                    None,
                    br#"{"email":"files@example.com","password":"Sturdy-Passw0rd"}"#,
                ),
                ("avatar", Some("me.png"), b"\x89PNG fake"),
            ],
        ),
    )
    .await
    .assert(200);
    rec.call("POST", "/auth-collections/login", None, Some(creds.clone()))
        .await
        .assert(200);
    rec.call(
        "POST",
        "/auth-collections/login",
        None,
        Some(json!({"email": email, "password": "Wrong-Passw0rd"})),
    )
    .await
    .assert(401);
    rec.call(
        "POST",
        "/auth-collections/login",
        None,
        Some(json!({"email": "nobody@example.com", "password": PASSWORD})),
    )
    .await
    .assert(401);

    // The user, updates, the list, profiles.
    rec.call("GET", "/auth-collections/user", Some(&token), None)
        .await
        .assert(200);
    rec.call(
        "PATCH",
        "/auth-collections/user",
        Some(&token),
        Some(json!({"data": {"bio": "hi", "$append": {"ids": ["1", "2"]}}})),
    )
    .await
    .assert(200);
    rec.call(
        "PATCH",
        "/auth-collections/user",
        Some(&token),
        Some(json!({"password": "Sneaky-Passw0rd"})),
    )
    .await
    .assert(400);
    rec.call(
        "PATCH",
        "/auth-collections/user",
        Some(&token),
        Some(json!({"data": {"$append": 5}})),
    )
    .await
    .assert(422);
    rec.call("GET", "/auth-collections/users?limit=500", None, None)
        .await
        .assert(200);
    rec.call("GET", "/auth-collections/users?limit=0", None, None)
        .await
        .assert(422);
    rec.call("GET", &format!("/auth-collections/users/{id}"), None, None)
        .await
        .assert(200);
    rec.call("GET", "/auth-collections/users/not-a-uuid", None, None)
        .await
        .assert(404);

    // Malformed bodies and unsupported requests.
    for (label, ct, body) in [
        ("bad json", "application/json", "{\"email\": "),
        ("not an object", "application/json", "[1,2,3]"),
        ("text", "text/plain", "email=x"),
        (
            "nested deep",
            "application/json",
            &format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)),
        ),
    ] {
        rec.send(
            label,
            Request::post("/auth-collections/signup")
                .header("x-api-key", KEY)
                .header("content-type", ct)
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await;
    }
    rec.send(
        "bad multipart",
        Request::post("/auth-collections/signup")
            .header("x-api-key", KEY)
            .header("content-type", "multipart/form-data; boundary=xyz")
            .body(Body::from("--xyz\r\nContent-Disposition: garbage\r\n\r\n"))
            .unwrap(),
    )
    .await;
    rec.call("DELETE", "/auth-collections/user", Some(&token), None)
        .await
        .assert(405);
    rec.call("GET", "/auth-collections/nope", None, None).await;
    rec.call("GET", "/nope/../../etc/passwd", None, None).await;

    // Token trouble.
    rec.call("GET", "/auth-collections/user", Some("a.b.c"), None)
        .await
        .assert(401);
    rec.call("GET", "/auth-collections/user", Some("%%%.^^^.***"), None)
        .await
        .assert(401);

    // Change-password (wrong, then right), refresh.
    rec.call(
        "POST",
        "/auth-collections/change-password",
        Some(&token),
        Some(json!({"current_password": "Wrong-Passw0rd", "new_password": "Fresh-Passw0rd-1"})),
    )
    .await
    .assert(400);
    let r = rec
        .call(
            "POST",
            "/auth-collections/change-password",
            Some(&token),
            Some(json!({"current_password": PASSWORD, "new_password": "Fresh-Passw0rd-1"})),
        )
        .await;
    r.assert(200);
    let fresh = r.json()["access_token"].as_str().unwrap().to_string();
    rec.call("GET", "/auth-collections/user", Some(&token), None)
        .await
        .assert(401);
    rec.call(
        "POST",
        "/auth-collections/refresh-token",
        Some(&fresh),
        None,
    )
    .await
    .assert(200);

    // OAuth: start, consent page, a code, verify, a reused code, a password login to it.
    let cb = "http://localhost:5173/cb";
    let enc = cocobase_emulator::url::encode_component(cb);
    rec.call(
        "GET",
        &format!("/auth-collections/oauth/google?redirect_uri={enc}"),
        None,
        None,
    )
    .await
    .assert(200);
    rec.send(
        "consent page",
        Request::get(format!(
            "/__emulator/oauth/google/authorize?redirect_uri={enc}&state=s"
        ))
        .body(Body::empty())
        .unwrap(),
    )
    .await
    .assert(200);
    let r = rec
        .send(
            "consent allow",
            Request::post("/__emulator/oauth/google/authorize")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(format!(
                    "redirect_uri={enc}&state=s&email=g%40example.com&name=G&decision=allow"
                )))
                .unwrap(),
        )
        .await;
    r.assert(303);
    let loc = r.header("location").unwrap().to_string();
    let code = loc
        .split(['?', '&'])
        .find_map(|kv| kv.strip_prefix("code="))
        .unwrap()
        .to_string();
    for status in [200, 400] {
        rec.call(
            "POST",
            "/auth-collections/verify-google-login",
            None,
            Some(json!({"code": code, "redirect_uri": cb})),
        )
        .await
        .assert(status);
    }
    rec.call(
        "POST",
        "/auth-collections/login",
        None,
        Some(json!({"email": "g@example.com", "password": PASSWORD})),
    )
    .await
    .assert(400);
    rec.send(
        "health",
        Request::get("/__emulator/health")
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .assert(200);

    // The scan.
    let key = secret(&app);
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    let mut needles: Vec<String> = vec![
        "$argon2".into(),
        "argon2id$".into(),
        "Traceback".into(),
        "panicked".into(),
        "RUST_BACKTRACE".into(),
        "stack backtrace".into(),
        ".rs:".into(),
        "rusqlite".into(),
        "SQLITE".into(),
        "jwt_secret".into(),
        hex.clone(),
        hex.to_uppercase(),
        STANDARD.encode(key),
        STANDARD_NO_PAD.encode(key),
        URL_SAFE.encode(key),
        URL_SAFE_NO_PAD.encode(key),
        // Passwords themselves are never echoed either.
        PASSWORD.into(),
        "Fresh-Passw0rd-1".into(),
        "Wrong-Passw0rd".into(),
        "Sneaky-Passw0rd".into(),
    ];
    // No 16-byte window of the secret, in hex, either.
    for w in 0..=16 {
        needles.push(hex[w * 2..w * 2 + 32].to_string());
    }
    let seen = rec.seen.borrow();
    assert!(seen.len() >= 35, "{}", seen.len());
    for (label, text) in seen.iter() {
        for needle in &needles {
            assert!(
                !text.contains(needle.as_str()),
                "{label}: the answer contains {needle:?}:\n{text}"
            );
        }
        if text.starts_with("500") {
            panic!("{label}: 500 in a normal session:\n{text}");
        }
    }
    // And the stored hash really is argon2, so the scan looked for the right thing.
    assert!(row(&app, &id)
        .password_hash
        .unwrap()
        .starts_with("$argon2id$"));
}

#[tokio::test]
async fn redirect_uris_must_be_http_and_allowed() {
    let cases_default = [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        " javascript:alert(1)",
        "javascript://localhost/%0aalert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "http://evil.example/cb",
        "https://localhost.evil.example/cb",
        "http://127.0.0.1.evil.example/cb",
        "http://127.0.0.1@evil.example/cb",
        "http://evil.example\\@127.0.0.1/cb",
        "http://evil.example#@127.0.0.1/",
        "//evil.example/cb",
        "/relative/cb",
        "http:/evil.example",
        "http://[::ffff:1.2.3.4]/",
        "",
    ];
    let allowed = "http://localhost:3000";
    let cases_flag = [
        "http://localhost:3001/cb",
        "http://127.0.0.1:3000/cb",
        "https://localhost:3000/cb",
        "http://localhost/cb",
        "http://localhost:3000.evil.example/cb",
        "javascript:alert(1)",
    ];
    for (flag, bad, good) in [
        (None, &cases_default[..], "http://127.0.0.1:5173/cb"),
        (
            Some(allowed),
            &cases_flag[..],
            "http://localhost:3000/cb?x=1",
        ),
    ] {
        let app = TestApp::with(|c| {
            if let Some(o) = flag {
                c.allowed_redirects = vec![o.to_string()];
            }
        });
        let enc = cocobase_emulator::url::encode_component;
        let start = |uri: &str| {
            let path = format!("/auth-collections/oauth/google?redirect_uri={}", enc(uri));
            let app = &app;
            async move { app.call("GET", &path, None, None).await }
        };
        start(good).await.assert(200);
        for uri in bad {
            let r = start(uri).await;
            assert!(
                matches!(r.status.as_u16(), 400 | 422),
                "{flag:?} {uri:?}: {} {}",
                r.status,
                r.text()
            );
            // The consent page and its form refuse it too, and never redirect there.
            let page = app
                .send(
                    Request::get(format!(
                        "/__emulator/oauth/apple/authorize?redirect_uri={}&state=s",
                        enc(uri)
                    ))
                    .body(Body::empty())
                    .unwrap(),
                )
                .await;
            assert_eq!(page.status.as_u16(), 400, "{flag:?} {uri:?}");
            let submit = app
                .send(
                    Request::post("/__emulator/oauth/apple/authorize")
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(Body::from(format!(
                            "redirect_uri={}&state=s&email=a%40example.com&name=A&decision=allow",
                            enc(uri)
                        )))
                        .unwrap(),
                )
                .await;
            assert_eq!(submit.status.as_u16(), 400, "{flag:?} {uri:?}");
            assert!(submit.header("location").is_none());
            let deny = app
                .send(
                    Request::post("/__emulator/oauth/apple/authorize")
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(Body::from(format!(
                            "redirect_uri={}&state=s&decision=deny",
                            enc(uri)
                        )))
                        .unwrap(),
                )
                .await;
            assert_eq!(deny.status.as_u16(), 400, "{flag:?} {uri:?}");
            assert!(deny.header("location").is_none());
        }
    }
}

/// A multipart body whose file name is arbitrary bytes (NUL and non-UTF-8 included).
fn raw_file_part(field: &str, filename: &[u8], content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----cocobase-security-boundary-Qz81";
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
    body.extend_from_slice(b"Content-Disposition: form-data; name=\"data\"\r\n\r\n{}\r\n");
    body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
    body.extend_from_slice(
        format!("Content-Disposition: form-data; name=\"{field}\"; filename=\"").as_bytes(),
    );
    body.extend_from_slice(filename);
    body.extend_from_slice(b"\"\r\nContent-Type: application/octet-stream\r\n\r\n");
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[tokio::test]
async fn uploads_stay_in_the_files_folder_and_files_urls_cannot_climb_out() {
    let files_root = TempDir::new();
    let root = files_root.0.clone();
    let www = root.join("www");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("index.html"), "<p>app</p>").unwrap();
    std::fs::write(root.join("secret.txt"), SENTINEL).unwrap();
    std::fs::write(root.join("passwd"), SENTINEL).unwrap();
    let app = TestApp::with(|c| {
        c.files = root.join("files");
        c.serve = Some(www.clone());
    });
    let (token, _) = app.signup("up@example.com").await;

    let long = format!("{}.txt", "a".repeat(5000));
    let names: Vec<&[u8]> = vec![
        b"../../secret.txt",
        b"../../../../../../../../tmp/cocobase-escape.txt",
        b"/etc/passwd",
        b"/tmp/cocobase-absolute.txt",
        b"..\\..\\secret.txt",
        b"C:\\Windows\\win.ini",
        b"\\\\server\\share\\x.txt",
        b"....//....//secret.txt",
        b"..%2f..%2fsecret.txt",
        b"%2e%2e%2f%2e%2e%2fsecret.txt",
        b"a\0b.txt",
        b"../secret.txt\0.png",
        b"\xff\xfe\xfd.bin",
        b"\xc0\xae\xc0\xae/secret.txt",
        b"evil\xe2\x80\xaegpj.exe",
        b"",
        b".",
        b"..",
        b"...",
        b"~/.bashrc",
        b"dir/",
        b"con.txt",
        b" .. ",
        b"name\twith\ttabs.txt",
        long.as_bytes(),
    ];
    let mut stored_urls = Vec::new();
    let mut ignored = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let field = format!("doc{i}");
        let content = format!("upload of {}", String::from_utf8_lossy(name));
        let (ct, body) = raw_file_part(&field, name, content.as_bytes());
        let r = app
            .send(
                Request::patch("/auth-collections/user")
                    .header("host", "127.0.0.1:8787")
                    .header("x-api-key", KEY)
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", ct)
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        let shown = String::from_utf8_lossy(name);
        assert!(
            matches!(r.status.as_u16(), 200 | 422),
            "{shown:?}: {} {}",
            r.status,
            r.text()
        );
        if r.status.as_u16() == 200 {
            // Every part here has a content type, so it is a file even when its name is
            // unreadable (stored as `file`): none is silently dropped.
            let Some(url) = r.json()["data"][&field].as_str().map(String::from) else {
                ignored.push(shown.to_string());
                continue;
            };
            let path = url
                .strip_prefix("http://127.0.0.1:8787")
                .unwrap()
                .to_string();
            let segs: Vec<&str> = path.split('/').collect();
            assert_eq!(segs.len(), 4, "{shown:?} -> {url}");
            assert_eq!((segs[0], segs[1]), ("", "files"));
            assert_eq!(segs[2].len(), 32);
            let file = segs[3];
            assert!(
                !file.is_empty()
                    && file.len() <= 100
                    && !file.starts_with('.')
                    && file
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)),
                "{shown:?} -> {file:?}"
            );
            let got = app
                .send(Request::get(&path).body(Body::empty()).unwrap())
                .await;
            got.assert(200);
            assert_eq!(got.text(), content);
            stored_urls.push(path);
        }
    }
    assert!(ignored.is_empty(), "dropped uploads: {ignored:?}");
    assert!(
        stored_urls.len() >= names.len() - 4,
        "stored {stored_urls:?}, ignored {ignored:?}"
    );

    // The same through a multipart signup with several odd names at once.
    let r = app
        .send(multipart_request(
            "POST",
            "/auth-collections/signup",
            "127.0.0.1:8787",
            None,
            &[
                (
                    "data",
                    None,
                    br#"{"email":"up2@example.com","password":"Sturdy-Passw0rd"}"#,
                ),
                ("a", Some("../../secret.txt"), b"one"),
                ("a", Some("/etc/passwd"), b"two"),
                ("b", Some("..\\..\\x"), b"three"),
            ],
        ))
        .await;
    r.assert(200);
    assert_eq!(r.json()["user"]["data"]["a"].as_array().unwrap().len(), 2);

    // On disk: the sentinels are untouched and every upload sits at files/<id>/<name>.
    assert_eq!(
        std::fs::read_to_string(root.join("secret.txt")).unwrap(),
        SENTINEL
    );
    assert_eq!(
        std::fs::read_to_string(root.join("passwd")).unwrap(),
        SENTINEL
    );
    assert!(!Path::new("/tmp/cocobase-escape.txt").exists());
    assert!(!Path::new("/tmp/cocobase-absolute.txt").exists());
    let mut all = Vec::new();
    walk(&root, &mut all);
    let files_dir = root.join("files");
    for p in &all {
        if p == &root.join("secret.txt") || p == &root.join("passwd") || p.starts_with(&www) {
            continue;
        }
        let rel = p
            .strip_prefix(&files_dir)
            .unwrap_or_else(|_| panic!("outside: {p:?}"));
        assert_eq!(rel.components().count(), 2, "{p:?}");
    }
    assert_eq!(all.len(), 3 + stored_urls.len() + 3, "{all:?}");

    // GET /files/... can't climb out either (nor can the static files at /).
    let id = stored_urls[0].split('/').nth(2).unwrap().to_string();
    let paths = [
        "/files/../secret.txt".to_string(),
        "/files/../../secret.txt".to_string(),
        "/files/..%2fsecret.txt".to_string(),
        "/files/..%2f..%2fsecret.txt".to_string(),
        "/files/%2e%2e/secret.txt".to_string(),
        "/files/%2e%2e/%2e%2e/secret.txt".to_string(),
        "/files/%2e%2e%2f%2e%2e%2fsecret.txt/x".to_string(),
        "/files/..%5c..%5csecret.txt".to_string(),
        "/files//etc/passwd".to_string(),
        "/files/%2fetc%2fpasswd/x".to_string(),
        format!("/files/{id}/../../secret.txt"),
        format!("/files/{id}/..%2f..%2fsecret.txt"),
        format!("/files/{id}/%2e%2e%2f%2e%2e%2fsecret.txt"),
        format!("/files/{id}/..%5c..%5csecret.txt"),
        format!("/files/{id}/.."),
        format!("/files/{id}/%2e%2e"),
        format!("/files/{id}/%00"),
        format!("/files/{id}/secret.txt%00.png"),
        format!("/files/{id}/%2fetc%2fpasswd"),
        format!("/files/{}/secret.txt", "..%2f".repeat(8)),
        format!("/files/{}/x", id.to_uppercase()),
        "/files/%c0%ae%c0%ae/%c0%ae%c0%ae/secret.txt".to_string(),
        "/../secret.txt".to_string(),
        "/%2e%2e/secret.txt".to_string(),
        "/..%2fsecret.txt".to_string(),
        "/%2e%2e%2fsecret.txt".to_string(),
        "/..%5csecret.txt".to_string(),
        "/.%2e/passwd".to_string(),
        "/www/../passwd".to_string(),
    ];
    for path in &paths {
        let r = app
            .send(Request::get(path.as_str()).body(Body::empty()).unwrap())
            .await;
        assert!(
            matches!(r.status.as_u16(), 400 | 404),
            "{path}: {} {}",
            r.status,
            r.text()
        );
        assert!(!r.text().contains(SENTINEL), "{path}");
    }
    // The app's own page is still served (the static server did run above).
    app.send(Request::get("/").body(Body::empty()).unwrap())
        .await
        .assert(200);
}

#[tokio::test]
async fn a_mebibyte_email_or_password_is_refused() {
    let app = TestApp::new();
    let (token, _) = app.signup("big@example.com").await;
    let huge = |n: usize| "a".repeat(n);
    let cases: Vec<(&str, &str, Value)> = vec![
        // Over the 1 MiB body limit: 413.
        (
            "POST",
            "/auth-collections/signup",
            json!({"email": format!("{}@example.com", huge(MIB)), "password": PASSWORD}),
        ),
        (
            "POST",
            "/auth-collections/signup",
            json!({"email": "x@example.com", "password": huge(MIB)}),
        ),
        (
            "POST",
            "/auth-collections/login",
            json!({"email": format!("{}@example.com", huge(MIB)), "password": PASSWORD}),
        ),
        (
            "POST",
            "/auth-collections/login",
            json!({"email": "big@example.com", "password": huge(MIB)}),
        ),
        // Just under it: 422 (too long), never hashed.
        (
            "POST",
            "/auth-collections/signup",
            json!({"email": format!("{}@example.com", huge(MIB - 200)), "password": PASSWORD}),
        ),
        (
            "POST",
            "/auth-collections/signup",
            json!({"email": "y@example.com", "password": huge(MIB - 200)}),
        ),
        (
            "POST",
            "/auth-collections/login",
            json!({"email": "big@example.com", "password": huge(MIB - 200)}),
        ),
        (
            "POST",
            "/auth-collections/login",
            json!({"email": format!("{}@example.com", huge(MIB - 200)), "password": PASSWORD}),
        ),
        (
            "PATCH",
            "/auth-collections/user",
            json!({"email": format!("{}@example.com", huge(MIB - 200))}),
        ),
        (
            "POST",
            "/auth-collections/change-password",
            json!({"current_password": huge(MIB - 200), "new_password": "Another-Passw0rd"}),
        ),
        (
            "POST",
            "/auth-collections/change-password",
            json!({"current_password": PASSWORD, "new_password": huge(MIB)}),
        ),
    ];
    for (method, path, body) in cases {
        let size = body.to_string().len();
        let r = app.call(method, path, Some(&token), Some(body)).await;
        let want = if size > MIB { 413 } else { 422 };
        assert_eq!(
            r.status.as_u16(),
            want,
            "{method} {path} ({size} bytes): {}",
            &r.text()[..r.text().len().min(300)]
        );
        assert!(r.body.len() < 4096, "the answer echoes the value");
    }
    // The same in a multipart signup's data field.
    let data = format!(
        r#"{{"email":"{}@example.com","password":"{PASSWORD}"}}"#,
        huge(MIB)
    );
    let r = app
        .send(multipart_request(
            "POST",
            "/auth-collections/signup",
            "127.0.0.1:8787",
            None,
            &[("data", None, data.as_bytes())],
        ))
        .await;
    r.assert(413);
    // Nothing was created or changed on the way.
    let (rows, total) = app
        .state
        .db
        .list_users(&cocobase_emulator::db::UserQuery {
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!((total, rows[0].email.as_str()), (1, "big@example.com"));
    me(&app, &token).await.assert(200);
}
