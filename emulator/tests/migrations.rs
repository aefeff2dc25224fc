//! A database written by the previous schema (version 1) opens, keeps its users and
//! their sessions, and gains the new features.

mod common;

use cocobase_emulator::{app, AppState, Clock, Config};
use common::*;
use serde_json::json;

/// Schema version 1, as the emulator before email verification and 2FA wrote it.
const V1: &str = "CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
     CREATE TABLE users (
         id TEXT PRIMARY KEY,
         email TEXT NOT NULL,
         email_key TEXT NOT NULL UNIQUE,
         password_hash TEXT,
         data TEXT NOT NULL DEFAULT '{}',
         roles TEXT NOT NULL DEFAULT '[]',
         created_at TEXT NOT NULL,
         oauth_provider TEXT,
         token_version INTEGER NOT NULL DEFAULT 0
     );
     CREATE INDEX users_created_at ON users (created_at);
     CREATE TABLE oauth_codes (
         code_hash TEXT PRIMARY KEY,
         provider TEXT NOT NULL,
         redirect_uri TEXT NOT NULL,
         email TEXT NOT NULL,
         name TEXT NOT NULL,
         expires_at INTEGER NOT NULL
     );
     PRAGMA user_version = 1;";

#[tokio::test]
async fn a_version_1_database_keeps_its_users_and_gains_the_new_columns() {
    let dir = TempDir::new();
    let path = dir.0.join("old.sqlite3");
    let hash = cocobase_emulator::password::hash(PASSWORD.into())
        .await
        .unwrap();
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(V1).unwrap();
        conn.execute(
            "INSERT INTO users (id, email, email_key, password_hash, data, roles, created_at)
             VALUES ('0b7e4c1a-5f3d-4e2b-9a61-2f4c8d9e0a1b', 'Old@Example.com',
                     'old@example.com', ?1, '{\"bio\":\"kept\"}', '[\"admin\"]',
                     '2026-01-01T00:00:00.000000Z')",
            [&hash],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('jwt_secret', ?1)",
            [vec![7u8; 32]],
        )
        .unwrap();
    }
    let mut config = Config::for_tests(dir.0.join("files"));
    config.db = path.to_string_lossy().into_owned();
    let state = AppState::with_clock(config, Clock::manual(START_MICROS)).unwrap();
    let version: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, 2);
    let user = state.db.user_by_email("old@example.com").unwrap().unwrap();
    assert!(!user.email_verified);
    assert_eq!(user.two_factor, None);
    // A token signed with the kept secret still works.
    let old_token = state.issue_token(&user);
    let files = TempDir::new();
    let app = TestApp {
        router: app(state.clone()),
        clock: state.clock.clone(),
        state,
        files,
    };
    let me = app
        .call("GET", "/auth-collections/user", Some(&old_token), None)
        .await;
    me.assert(200);
    let v = me.json();
    assert_eq!(v["email"], "Old@Example.com");
    assert_eq!(v["data"], json!({"bio": "kept"}));
    assert_eq!(v["roles"], json!(["admin"]));
    assert_eq!(v["email_verified"], false);
    app.login("old@example.com").await.assert(200);
    // The new features work on the old account.
    app.call(
        "POST",
        "/auth-collections/2fa/enable",
        Some(&old_token),
        Some(json!({})),
    )
    .await
    .assert(200);
    assert_eq!(
        app.login("old@example.com").await.json()["requires_2fa"],
        true
    );
    // Opening it again migrates nothing twice.
    drop(app);
    let mut config = Config::for_tests(dir.0.join("files"));
    config.db = path.to_string_lossy().into_owned();
    let state = AppState::new(config).unwrap();
    let user = state.db.user_by_email("old@example.com").unwrap().unwrap();
    assert_eq!(user.two_factor, Some(true));
}
