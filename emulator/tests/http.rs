//! Files, static serving, CORS, rate limits and the emulator's own routes.

mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use cocobase_emulator::Tier;
use common::*;
use serde_json::json;

fn multipart_req(
    path: &str,
    method: &str,
    token: Option<&str>,
    parts: &[(&str, Option<&str>, &[u8])],
) -> Request<Body> {
    multipart_request(method, path, "localhost:9999", token, parts)
}

fn count_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

#[tokio::test]
async fn multipart_signup_stores_and_serves_files() {
    let app = TestApp::new();
    let data = json!({"email": "files@example.com", "password": PASSWORD, "data": {"bio": "hi"}})
        .to_string();
    let req = multipart_req(
        "/auth-collections/signup",
        "POST",
        None,
        &[
            ("data", None, data.as_bytes()),
            ("avatar", Some("../../me.png"), b"\x89PNG fake"),
            ("docs", Some("a.txt"), b"one"),
            ("docs", Some("b<script>.html"), b"<script>alert(1)</script>"),
        ],
    );
    let r = app.send(req).await;
    r.assert(200);
    let user = r.json()["user"].clone();
    assert_eq!(user["data"]["bio"], "hi");
    let avatar = user["data"]["avatar"].as_str().unwrap().to_string();
    assert!(
        avatar.starts_with("http://localhost:9999/files/"),
        "{avatar}"
    );
    assert!(avatar.ends_with("/me.png"));
    let docs = user["data"]["docs"].as_array().unwrap();
    assert_eq!(docs.len(), 2);

    // Anyone with the URL can download, without a key.
    let path = avatar.trim_start_matches("http://localhost:9999");
    let r = app
        .send(Request::get(path).body(Body::empty()).unwrap())
        .await;
    r.assert(200);
    assert_eq!(&r.body[..], b"\x89PNG fake");
    assert_eq!(r.header("content-type"), Some("image/png"));
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    // HTML uploads are never rendered as pages.
    let html = docs[1]
        .as_str()
        .unwrap()
        .trim_start_matches("http://localhost:9999");
    assert!(html.ends_with("/b_script_.html"), "{html}");
    let r = app
        .send(Request::get(html).body(Body::empty()).unwrap())
        .await;
    r.assert(200);
    assert_eq!(r.header("content-type"), Some("application/octet-stream"));
    assert_eq!(r.header("content-disposition"), Some("attachment"));

    for bad in [
        "/files/zz/a.txt",
        "/files/0123456789abcdef0123456789abcdef/..",
        "/files/0123456789abcdef0123456789abcdef/missing.txt",
    ] {
        app.send(Request::get(bad).body(Body::empty()).unwrap())
            .await
            .assert(404);
    }
}

#[tokio::test]
async fn failed_multipart_signup_stores_nothing() {
    let app = TestApp::new();
    app.signup("dupe@example.com").await;
    let files_dir = app.files.0.join("files");
    for data in [
        json!({"email": "dupe@example.com", "password": PASSWORD}).to_string(),
        json!({"email": "weak@example.com", "password": "weak"}).to_string(),
    ] {
        let req = multipart_req(
            "/auth-collections/signup",
            "POST",
            None,
            &[
                ("data", None, data.as_bytes()),
                ("avatar", Some("a.png"), b"x"),
            ],
        );
        let r = app.send(req).await;
        assert!(r.status == 409 || r.status == 422, "{}", r.text());
        assert_eq!(count_files(&files_dir), 0);
    }
    // A file over 10 MiB.
    let data = json!({"email": "huge@example.com", "password": PASSWORD}).to_string();
    let big = vec![0u8; 10 * 1024 * 1024 + 1];
    let req = multipart_req(
        "/auth-collections/signup",
        "POST",
        None,
        &[
            ("data", None, data.as_bytes()),
            ("avatar", Some("big.bin"), &big),
        ],
    );
    let r = app.send(req).await;
    r.assert(413);
    assert!(r.detail().contains("10 MiB"));
    assert_eq!(count_files(&files_dir), 0);
    app.call(
        "POST",
        "/auth-collections/login",
        None,
        Some(json!({"email": "huge@example.com", "password": PASSWORD})),
    )
    .await
    .assert(401);
    // Missing data field; malformed data field.
    let r = app
        .send(multipart_req(
            "/auth-collections/signup",
            "POST",
            None,
            &[("avatar", Some("a.png"), b"x")],
        ))
        .await;
    r.assert(422);
    assert_eq!(r.json()["detail"][0]["loc"], json!(["body", "email"]));
    let r = app
        .send(multipart_req(
            "/auth-collections/signup",
            "POST",
            None,
            &[("data", None, b"{oops")],
        ))
        .await;
    r.assert(422);
    assert_eq!(r.json()["detail"][0]["loc"], json!(["body", "data"]));
    // A broken multipart body is a 4xx too.
    let req = Request::post("/auth-collections/signup")
        .header("x-api-key", KEY)
        .header("content-type", "multipart/form-data; boundary=xyz")
        .body(Body::from("garbage"))
        .unwrap();
    let r = app.send(req).await;
    assert!(r.status.is_client_error(), "{}", r.status);
}

#[tokio::test]
async fn multipart_update_with_files() {
    let app = TestApp::new();
    let (t, _) = app.signup("up@example.com").await;
    let data = json!({"data": {"bio": "new", "$append": {"tags": "x"}}}).to_string();
    let req = multipart_req(
        "/auth-collections/user",
        "PATCH",
        Some(&t),
        &[
            ("data", None, data.as_bytes()),
            ("cover", Some("c.jpg"), b"jpeg"),
        ],
    );
    let r = app.send(req).await;
    r.assert(200);
    let d = r.json()["data"].clone();
    assert_eq!(d["bio"], "new");
    assert_eq!(d["tags"], json!(["x"]));
    assert!(d["cover"].as_str().unwrap().ends_with("/c.jpg"));
    // Files only, no data field.
    let req = multipart_req(
        "/auth-collections/user",
        "PATCH",
        Some(&t),
        &[("avatar", Some("a.gif"), b"gif")],
    );
    let r = app.send(req).await;
    r.assert(200);
    assert_eq!(r.json()["data"]["bio"], "new");
    assert!(r.json()["data"]["avatar"].is_string());
}

#[tokio::test]
async fn cors_preflight_and_headers() {
    let app = TestApp::with(|c| c.tier = Tier::Free);
    let req = Request::options("/auth-collections/login")
        .header("origin", "http://localhost:5173")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization, x-api-key, content-type",
        )
        .body(Body::empty())
        .unwrap();
    let r = app.send(req).await;
    r.assert(204);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://localhost:5173")
    );
    assert_eq!(
        r.header("access-control-allow-methods"),
        Some("GET, POST, PATCH, DELETE, OPTIONS")
    );
    assert_eq!(
        r.header("access-control-allow-headers"),
        Some("Authorization, x-api-key, Content-Type")
    );
    assert_eq!(r.header("access-control-max-age"), Some("600"));
    assert!(
        r.header("x-ratelimit-limit").is_none(),
        "preflights are not counted"
    );

    // Errors carry CORS headers too.
    let req = Request::get("/auth-collections/user")
        .header("origin", "http://localhost:5173")
        .header("x-api-key", KEY)
        .body(Body::empty())
        .unwrap();
    let r = app.send(req).await;
    r.assert(401);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://localhost:5173")
    );
    assert_eq!(r.header("vary"), Some("Origin"));
    assert_eq!(
        r.header("access-control-expose-headers"),
        Some("Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Date")
    );
    assert_eq!(r.header("date"), Some("Fri, 27 Nov 2026 16:00:00 GMT"));
    assert!(r.header("access-control-allow-credentials").is_none());
}

#[tokio::test]
async fn rate_limit_per_project_with_headers() {
    let app = TestApp::with(|c| {
        c.tier = Tier::Free;
        c.rate_limit = Some(3);
    });
    app.clock.advance(Duration::from_secs(15)); // 45 s left in the window
    let get = |key: &'static str| {
        let app = &app;
        async move {
            app.send(
                Request::get("/auth-collections/users")
                    .header("x-api-key", key)
                    .header("origin", "http://localhost:1")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
        }
    };
    let r = get(KEY).await;
    r.assert(200);
    assert_eq!(
        (
            r.header("x-ratelimit-limit"),
            r.header("x-ratelimit-remaining"),
            r.header("x-ratelimit-reset")
        ),
        (Some("3"), Some("2"), Some("45"))
    );
    // Bad keys are refused without being counted.
    get("pk_wrong").await.assert(401);
    assert!(get("pk_wrong").await.header("x-ratelimit-limit").is_none());
    // Health and preflights are not counted either.
    app.send(
        Request::get("/__emulator/health")
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .assert(200);
    app.send(
        Request::options("/auth-collections/users")
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .assert(204);
    // The secret key shares the budget.
    assert_eq!(
        get(SECRET_KEY).await.header("x-ratelimit-remaining"),
        Some("1")
    );
    // An error answer is counted and carries the headers.
    let r = app.call("GET", "/auth-collections/user", None, None).await;
    r.assert(401);
    assert_eq!(r.header("x-ratelimit-remaining"), Some("0"));
    let r = get(KEY).await;
    r.assert(429);
    assert_eq!(r.header("retry-after"), Some("45"));
    assert_eq!(r.header("x-ratelimit-remaining"), Some("0"));
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://localhost:1")
    );
    assert!(r.detail().contains("Rate limit"));
    app.clock.advance(Duration::from_secs(44));
    assert_eq!(get(KEY).await.header("retry-after"), Some("1"));
    app.clock.advance(Duration::from_secs(1));
    let r = get(KEY).await;
    r.assert(200);
    assert_eq!(r.header("x-ratelimit-remaining"), Some("2"));
}

#[tokio::test]
async fn free_tier_is_60_per_minute() {
    let app = TestApp::with(|c| c.tier = Tier::Free);
    for _ in 0..60 {
        app.call("GET", "/auth-collections/users", None, None)
            .await
            .assert(200);
    }
    app.call("GET", "/auth-collections/users", None, None)
        .await
        .assert(429);
}

#[tokio::test]
async fn health_404_405_and_static_files() {
    let site = TempDir::new();
    std::fs::create_dir_all(site.0.join("pkg")).unwrap();
    std::fs::write(site.0.join("index.html"), "<h1>demo</h1>").unwrap();
    std::fs::write(site.0.join("pkg/app.wasm"), b"\0asm").unwrap();
    std::fs::write(site.0.join("pkg/app.js"), "export {}").unwrap();
    std::fs::write(site.0.join("pkg/app.mjs"), "export {}").unwrap();
    std::fs::write(site.0.join(".secret"), "no").unwrap();
    let root = site.0.clone();
    let app = TestApp::with(move |c| c.serve = Some(root));

    let r = app
        .send(
            Request::get("/__emulator/health")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    r.assert(200);
    assert_eq!(r.json()["status"], "ok");

    let r = app
        .send(Request::get("/").body(Body::empty()).unwrap())
        .await;
    r.assert(200);
    assert_eq!(r.text(), "<h1>demo</h1>");
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    for (path, ct) in [
        ("/pkg/app.wasm", "application/wasm"),
        ("/pkg/app.js", "text/javascript; charset=utf-8"),
        ("/pkg/app.mjs", "text/javascript; charset=utf-8"),
        ("/pkg/", ""),
    ] {
        let r = app
            .send(Request::get(path).body(Body::empty()).unwrap())
            .await;
        if ct.is_empty() {
            r.assert(404);
        } else {
            r.assert(200);
            assert_eq!(r.header("content-type"), Some(ct));
        }
    }
    for bad in [
        "/../Cargo.toml",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/.secret",
        "/pkg/..%2F..%2Fetc%2Fpasswd",
        "/nope.js",
    ] {
        let r = app
            .send(Request::get(bad).body(Body::empty()).unwrap())
            .await;
        r.assert(404);
        assert_eq!(r.json(), json!({"detail": "Not Found"}));
    }

    let r = app
        .call("DELETE", "/auth-collections/user", None, None)
        .await;
    r.assert(405);
    assert_eq!(r.json(), json!({"detail": "Method Not Allowed"}));
    let r = app
        .call("GET", "/auth-collections/nothing-here", None, None)
        .await;
    r.assert(404);
}

#[tokio::test]
async fn without_serve_unknown_paths_are_json_404() {
    let app = TestApp::new();
    let r = app
        .send(Request::get("/").body(Body::empty()).unwrap())
        .await;
    r.assert(404);
    assert_eq!(r.json(), json!({"detail": "Not Found"}));
}
