//! `PATCH /user` (merge, `$append`/`$remove`, email change), the user list and profiles.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};

async fn patch(app: &TestApp, token: &str, body: Value) -> Resp {
    app.call("PATCH", "/auth-collections/user", Some(token), Some(body))
        .await
}

#[tokio::test]
async fn patch_merges_data_shallowly() {
    let app = TestApp::new();
    let (t, _) = app.signup("p@example.com").await;
    patch(
        &app,
        &t,
        json!({"data": {"a": 1, "nested": {"x": 1, "y": 2}}}),
    )
    .await
    .assert(200);
    let r = patch(
        &app,
        &t,
        json!({"data": {"b": 2, "nested": {"x": 3}}, "roles": ["admin"], "whatever": 1}),
    )
    .await;
    r.assert(200);
    let u = r.json();
    assert_eq!(u["data"], json!({"a": 1, "b": 2, "nested": {"x": 3}}));
    assert_eq!(u["roles"], json!([]), "PATCH never changes roles");
    assert_eq!(
        app.call("GET", "/auth-collections/user", Some(&t), None)
            .await
            .json()["data"],
        u["data"]
    );
}

#[tokio::test]
async fn append_and_remove_in_both_placements() {
    let app = TestApp::new();
    let (t, _) = app.signup("arr@example.com").await;
    // Inside data.
    let r = patch(
        &app,
        &t,
        json!({"data": {"$append": {"following_ids": "user_456"}, "bio": "x"}}),
    )
    .await;
    r.assert(200);
    assert_eq!(
        r.json()["data"],
        json!({"following_ids": ["user_456"], "bio": "x"})
    );
    // At the top level, a list of items, duplicates skipped.
    let r = patch(
        &app,
        &t,
        json!({"$append": {"following_ids": ["user_456", "user_789"]}}),
    )
    .await;
    assert_eq!(
        r.json()["data"]["following_ids"],
        json!(["user_456", "user_789"])
    );
    // Wrapping a non-list value.
    patch(&app, &t, json!({"data": {"tag": "a"}}))
        .await
        .assert(200);
    let r = patch(&app, &t, json!({"data": {"$append": {"tag": "b"}}})).await;
    assert_eq!(r.json()["data"]["tag"], json!(["a", "b"]));
    // $remove, both placements, one item and a list; missing and non-list fields untouched.
    let r = patch(
        &app,
        &t,
        json!({"$remove": {"following_ids": "user_456", "nothing": 1, "bio": "x"},
               "data": {"$remove": {"tag": ["a", "b"]}}}),
    )
    .await;
    r.assert(200);
    let d = r.json()["data"].clone();
    assert_eq!(d["following_ids"], json!(["user_789"]));
    assert_eq!(d["tag"], json!([]));
    assert_eq!(d["bio"], "x");
    assert!(d.get("nothing").is_none());
    // Order: $remove, then $append, then the merge (which wins).
    let r = patch(
        &app,
        &t,
        json!({"$remove": {"following_ids": "user_789"}, "$append": {"following_ids": "user_789", "list": 1},
               "data": {"list": "merged"}}),
    )
    .await;
    let d = r.json()["data"].clone();
    assert_eq!(d["following_ids"], json!(["user_789"]));
    assert_eq!(d["list"], "merged");
    // A non-object operand is a 422 naming where it was.
    let r = patch(&app, &t, json!({"data": {"$append": ["x"]}})).await;
    r.assert(422);
    assert_eq!(
        r.json()["detail"][0]["loc"],
        json!(["body", "data", "$append"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_all_land() {
    let app = std::sync::Arc::new(TestApp::new());
    let (t, _) = app.signup("conc@example.com").await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let app = app.clone();
        let t = t.clone();
        tasks.push(tokio::spawn(async move {
            patch(&app, &t, json!({"$append": {"ids": format!("id_{i}")}}))
                .await
                .status
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 200);
    }
    let d = app
        .call("GET", "/auth-collections/user", Some(&t), None)
        .await
        .json()["data"]
        .clone();
    let mut ids: Vec<String> = d["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    ids.sort();
    let mut want: Vec<String> = (0..20).map(|i| format!("id_{i}")).collect();
    want.sort();
    assert_eq!(ids, want);
}

#[tokio::test]
async fn patch_email_and_refusals() {
    let app = TestApp::new();
    let (t, _) = app.signup("old@example.com").await;
    app.signup("other@example.com").await;
    let r = patch(&app, &t, json!({"email": "New@Example.com"})).await;
    r.assert(200);
    assert_eq!(r.json()["email"], "New@Example.com");
    app.call(
        "POST",
        "/auth-collections/login",
        None,
        Some(json!({"email": "new@example.com", "password": PASSWORD})),
    )
    .await
    .assert(200);
    // Same email in another case is fine; someone else's is a 409.
    patch(&app, &t, json!({"email": "new@example.com"}))
        .await
        .assert(200);
    let r = patch(&app, &t, json!({"email": "OTHER@example.com"})).await;
    r.assert(409);
    assert!(r.detail().contains("email and password"), "{}", r.detail());
    let r = patch(&app, &t, json!({"email": "not an email"})).await;
    r.assert(422);
    assert_eq!(r.json()["detail"][0]["loc"], json!(["body", "email"]));
    let r = patch(&app, &t, json!({"password": "Another-Pass1"})).await;
    r.assert(400);
    assert!(r.detail().contains("change-password"));
    let r = patch(&app, &t, json!({"data": "nope"})).await;
    r.assert(422);
    app.call("PATCH", "/auth-collections/user", None, Some(json!({})))
        .await
        .assert(401);
}

#[tokio::test]
async fn list_users_filters_sorts_and_pages() {
    let app = TestApp::new();
    for (i, email) in ["carol@example.com", "Alice@Example.com", "bob@test.org"]
        .iter()
        .enumerate()
    {
        let roles = if i == 1 { json!(["admin"]) } else { json!([]) };
        app.call(
            "POST",
            "/auth-collections/signup",
            None,
            Some(json!({"email": email, "password": PASSWORD, "roles": roles})),
        )
        .await
        .assert(200);
        app.clock.advance(Duration::from_secs(1));
    }
    let list = |q: &'static str| {
        let app = &app;
        async move {
            app.call("GET", &format!("/auth-collections/users{q}"), None, None)
                .await
        }
    };
    let r = list("").await;
    r.assert(200);
    let v = r.json();
    assert_eq!(
        (
            v["total"].clone(),
            v["limit"].clone(),
            v["offset"].clone(),
            v["has_more"].clone()
        ),
        (json!(3), json!(50), json!(0), json!(false))
    );
    let emails = |v: &Value| -> Vec<String> {
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["email"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        emails(&v),
        ["bob@test.org", "Alice@Example.com", "carol@example.com"],
        "newest first"
    );
    assert!(!r.text().contains("argon2"));

    let v = list("?sort=email&order=asc").await.json();
    assert_eq!(
        emails(&v),
        ["Alice@Example.com", "bob@test.org", "carol@example.com"]
    );
    let v = list("?sort=created_at&order=asc&limit=2&offset=1")
        .await
        .json();
    assert_eq!(emails(&v), ["Alice@Example.com", "bob@test.org"]);
    assert_eq!(v["has_more"], false);
    let v = list("?limit=1").await.json();
    assert_eq!(
        (v["has_more"].clone(), v["total"].clone()),
        (json!(true), json!(3))
    );
    let v = list("?role=admin").await.json();
    assert_eq!(emails(&v), ["Alice@Example.com"]);
    assert_eq!(v["total"], 1);
    let v = list("?email_contains=EXAMPLE").await.json();
    assert_eq!(v["total"], 2);
    // Filters the hosted service knows are ignored, as the official SDK sends them.
    let v = list("?status=active&populate=x&limit=100&offset=0")
        .await
        .json();
    assert_eq!(v["total"], 3);

    for (q, field) in [
        ("?limit=0", "limit"),
        ("?limit=501", "limit"),
        ("?limit=x", "limit"),
        ("?offset=-1", "offset"),
        ("?order=up", "order"),
    ] {
        let r = list(q).await;
        r.assert(422);
        assert_eq!(r.json()["detail"][0]["loc"], json!(["query", field]), "{q}");
    }
    list("?limit=500").await.assert(200);
}

#[tokio::test]
async fn public_profile_by_id() {
    let app = TestApp::new();
    let (t, user) = app.signup("pub@example.com").await;
    patch(&app, &t, json!({"data": {"name": "Pub"}}))
        .await
        .assert(200);
    let id = user["id"].as_str().unwrap();
    let r = app
        .call("GET", &format!("/auth-collections/users/{id}"), None, None)
        .await;
    r.assert(200);
    assert_eq!(
        r.json(),
        json!({"id": id, "data": {"name": "Pub"}, "created_at": user["created_at"], "roles": []})
    );
    for bad in [
        "00000000-0000-4000-8000-000000000000",
        "not-a-uuid",
        "%00",
        "'%20OR%201=1",
    ] {
        let r = app
            .call("GET", &format!("/auth-collections/users/{bad}"), None, None)
            .await;
        r.assert(404);
        assert_eq!(r.json(), json!({"detail": "User not found"}));
    }
}
