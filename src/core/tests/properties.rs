//! Property tests of the core, ported from tests/core/properties.test.mjs: thousands of
//! inputs made by mutating the seeds in tests/core/seeds/ (a server's tokens and error
//! bodies, stored records, the official SDK's keys, callback URLs, pending flows, method
//! arguments). Whatever the input, nothing panics, and each function keeps its promise.
//! The fuzz targets in fuzz/ explore the same functions for longer (scripts/fuzz.sh).
//!
//! The inputs are a pure function of the seed: CORE_PROPERTY_SEED=<n> explores others,
//! CORE_PROPERTY_RUNS=<n> sets how many inputs each property gets (default 2000).
//!
//! Changed from JS: the mutations work on characters (a Rust string holds no lone
//! surrogate, so the alphabet has none and a cut never splits a character); each
//! input's JSON is read by serde_json (`SerdeJson`) where JS had `JSON.parse`; the ops
//! and the ops of the error bodies include the new ones.

use std::path::PathBuf;

use super::support::*;
use super::SerdeJson;
use crate::core::answer::{answer, Outcome, Received};
use crate::core::error::ErrorCode;
use crate::core::json::Value;
use crate::core::oauth::{callback, clean, flows, start, MAX_FLOWS};
use crate::core::options::config;
use crate::core::request::{build, Method, Op};
use crate::core::session::{adopt, restore};

const NOW_MS: i64 = 1_767_226_000_000;

fn env_number(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// mulberry32: a small, seeded PRNG (the JS tests' own).
struct Prng(u32);

impl Prng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x6d2b_79f5);
        let mut t = self.0;
        t = (t ^ (t >> 15)).wrapping_mul(t | 1);
        t ^= t.wrapping_add((t ^ (t >> 7)).wrapping_mul(t | 61));
        f64::from(t ^ (t >> 14)) / 4_294_967_296.0
    }

    /// 0..n
    fn below(&mut self, n: usize) -> usize {
        ((self.next() * n as f64) as usize).min(n.saturating_sub(1))
    }

    fn pick<'a, T>(&mut self, list: &'a [T]) -> &'a T {
        &list[self.below(list.len())]
    }
}

/// The seeds of one kind (tests/core/seeds/<dir>/), sorted by name.
fn seeds(dir: &str) -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/core/seeds")
        .join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect()
}

/// Characters that matter to the parsers: JSON and URL syntax, base64, escapes, digits,
/// white space, non-ASCII.
const ALPHABET: &str =
    "{}[]\":,.\\/=&?#%+-_ 0123456789eE-aAzZ\n\t\u{a0}é€😀nulltruefalse\u{85}\u{feff}";

fn mutate(random: &mut Prng, text: &str, others: &[String]) -> String {
    let alphabet: Vec<char> = ALPHABET.chars().collect();
    let mut s: Vec<char> = text.chars().collect();
    for _ in 0..1 + random.below(4) {
        let at = random.below(s.len() + 1);
        match random.below(6) {
            // Replace a character.
            0 => {
                let c = *random.pick(&alphabet);
                if at < s.len() {
                    s[at] = c;
                } else {
                    s.push(c);
                }
            }
            // Insert a few.
            1 => {
                for _ in 0..1 + random.below(3) {
                    let c = *random.pick(&alphabet);
                    s.insert(at, c);
                }
            }
            // Delete a range.
            2 => {
                let end = (at + 1 + random.below(8)).min(s.len());
                s.drain(at.min(end)..end);
            }
            // Repeat a range.
            3 => {
                let end = (at + random.below(12)).min(s.len());
                let part: Vec<char> = s[at..end].to_vec();
                s.splice(at..at, part);
            }
            // Splice in part of another seed.
            4 => {
                if !others.is_empty() {
                    let o: Vec<char> = random.pick(others).chars().collect();
                    let from = random.below(o.len() + 1);
                    let end = (from + random.below(40)).min(o.len());
                    s.splice(at..at, o[from..end].iter().copied());
                }
            }
            // Truncate.
            _ => s.truncate(at),
        }
    }
    s.into_iter().collect()
}

/// Runs `check` on RUNS mutations of `pool`, naming the failing input.
fn explore(name: &str, pool: Vec<String>, mut check: impl FnMut(&str, &mut Prng)) {
    assert!(!pool.is_empty(), "{name}: no seeds");
    let runs = env_number("CORE_PROPERTY_RUNS", 2000);
    let seed = env_number("CORE_PROPERTY_SEED", 20_261_127);
    let salt = name
        .bytes()
        .fold(7u32, |h, c| h.wrapping_mul(31).wrapping_add(u32::from(c)));
    let mut random = Prng(seed ^ salt);
    let mut all = pool;
    for i in 0..runs {
        let base = all[random.below(all.len())].clone();
        let input = if random.next() < 0.1 {
            base
        } else {
            mutate(&mut random, &base, &all)
        };
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&input, &mut random)));
        if let Err(panic) = outcome {
            eprintln!("{name}, input {input:?}");
            std::panic::resume_unwind(panic);
        }
        // Inputs become seeds too.
        if i % 7 == 0 {
            all.push(input);
        }
    }
}

fn received(now_ms: i64, date_ms: Option<i64>) -> Received<'static> {
    Received {
        retry_after: None,
        date_ms,
        now_ms,
    }
}

#[test]
fn tokens_a_token_answer_gives_a_session_that_round_trips_or_bad_response() {
    explore("token", seeds("token"), |token, _| {
        let body = format!(
            r#"{{"access_token":{},"user":{{"id":"u1","email":"a@b.co"}}}}"#,
            quote(token)
        );
        match answer(
            Op::Login,
            200,
            parse(&body).as_ref(),
            received(NOW_MS, None),
            None,
            &SerdeJson,
        ) {
            Err(e) => assert_eq!(e.code, ErrorCode::BadResponse),
            Ok(Outcome::Session(s)) => {
                assert_eq!(s.access_token, token);
                round_trips(&s);
            }
            Ok(other) => panic!("{other:?}"),
        }
    });
}

#[test]
fn error_bodies_one_typed_error_per_answer_whatever_the_body() {
    const STATUSES: [u16; 14] = [
        400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 502, 503, 418,
    ];
    explore("error_body", seeds("error_body"), |body, random| {
        let status = *random.pick(&STATUSES);
        let op = *random.pick(&Op::ALL);
        let retry = if random.next() < 0.5 { Some("7") } else { None };
        let e = match answer(
            op,
            status,
            parse(body).as_ref(),
            Received {
                retry_after: retry,
                date_ms: None,
                now_ms: NOW_MS,
            },
            None,
            &SerdeJson,
        ) {
            Err(e) => e,
            Ok(out) => panic!("an error status gives an error: {out:?}"),
        };
        assert_eq!(e.status, status);
        assert!(!e.message.is_empty(), "a message");
        assert_eq!(
            e.retry_after.is_some(),
            status == 429,
            "retryAfter only and always on 429"
        );
        if status == 429 {
            assert_eq!(e.retry_after, Some(if retry.is_some() { 7.0 } else { 1.0 }));
        }
        if status >= 500 {
            assert_eq!(e.code, ErrorCode::ServerError);
        }
        assert_eq!(
            e.field_errors.is_some(),
            e.code == ErrorCode::ValidationFailed
        );
        assert_eq!(
            e.retryable(),
            matches!(
                e.code.as_str(),
                "network_error" | "timeout" | "server_error" | "rate_limited"
            )
        );
        // The glue hands it to JavaScript: every part serializes.
        serde_json::to_string(&e.detail).expect("detail");
    });
}

#[test]
fn stored_records_and_the_official_sdks_keys_signed_out_or_a_session_that_round_trips() {
    let all = seeds("session");
    let records: Vec<String> = all.iter().filter(|s| s.starts_with('{')).cloned().collect();
    explore("session-record", records, |text, _| {
        if let Some(s) = restore(parse(text).as_ref()) {
            round_trips(&s);
        }
    });
    let legacy: Vec<String> = all
        .iter()
        .filter(|s| !s.starts_with('{'))
        .cloned()
        .collect();
    explore("session-legacy", legacy, |text, _| {
        let (token, user) = text.split_once('\n').unwrap_or((text, ""));
        if let Some(s) = adopt(token, user, &SerdeJson) {
            round_trips(&s);
        }
    });
}

#[test]
fn callback_urls_a_cleaned_url_carries_no_answer_cleaning_twice_changes_nothing_flows_are_used_once(
) {
    let stored = parse(&format!(
        r#"[{{"state":"s1","provider":"google","redirect_uri":"http://app/cb","created_at":{}}},
            {{"state":"deadbeef","provider":"apple","redirect_uri":"http://app/cb","created_at":{}}}]"#,
        NOW_MS - 1000,
        NOW_MS - 2000
    ));
    let all = seeds("oauth");
    let urls: Vec<String> = all
        .iter()
        .filter(|s| !s.starts_with('['))
        .cloned()
        .collect();
    explore("oauth-url", urls, |url, _| {
        let cleaned = clean(url);
        assert_eq!(clean(&cleaned), cleaned);
        let Some(cb) = callback(url, stored.as_ref(), NOW_MS) else {
            return;
        };
        assert_eq!(cb.cleaned, cleaned);
        assert_eq!(callback(&cb.cleaned, stored.as_ref(), NOW_MS), None);
        let left = flows(cb.flows.as_ref());
        if let Ok(q) = &cb.verify {
            assert_eq!(left.len(), 1, "the flow is used up");
            assert!(
                q.path == "/verify-google-login" || q.path == "/verify-apple-login",
                "{q:?}"
            );
            assert!(q
                .body
                .as_ref()
                .and_then(|b| b.str_at("code"))
                .is_some_and(|c| !c.is_empty()));
        }
    });
    let lists: Vec<String> = all.iter().filter(|s| s.starts_with('[')).cloned().collect();
    explore("oauth-flows", lists, |text, _| {
        let (stored, url) = start(
            parse(text).as_ref(),
            "new",
            "google",
            "http://app/cb",
            NOW_MS,
            "https://accounts.example/o?x=1#f",
        );
        let list = flows(Some(&stored));
        assert_eq!(list.len(), stored.as_array().map_or(0, <[Value]>::len));
        assert!((1..=MAX_FLOWS).contains(&list.len()));
        let last = list.last().unwrap();
        assert_eq!(
            (
                last.state.as_str(),
                last.provider.as_str(),
                last.redirect_uri.as_str(),
                last.created_at
            ),
            ("new", "google", "http://app/cb", NOW_MS)
        );
        assert_eq!(url, "https://accounts.example/o?x=1&state=new#f");
    });
}

#[test]
fn method_arguments_and_options_a_request_or_a_typed_error_never_a_panic() {
    let cfg = config(&parse(r#"{"apiKey":"pk"}"#).unwrap()).unwrap();
    // What is not JSON is a string argument (follow, getUserById, ...).
    let value = |text: &str| parse(text).unwrap_or_else(|| Value::from(text));
    explore("ops-build", seeds("ops"), |text, random| {
        let op = *random.pick(&Op::ALL);
        match build(op, &value(text), &cfg, "ada@example.com") {
            Err(e) => assert!(!e.message.is_empty()),
            Ok(q) => {
                assert!(matches!(
                    q.method,
                    Method::Get | Method::Post | Method::Patch
                ));
                assert!(q.path.starts_with('/'), "{q:?}");
                assert!(
                    q.path.bytes().all(|b| (0x21..=0x7e).contains(&b)),
                    "a path of printable ASCII: {q:?}"
                );
                if let Some(body) = &q.body {
                    serde_json::to_string(body).expect("a body is JSON");
                }
            }
        }
    });
    explore("ops-options", seeds("ops"), |text, _| {
        match config(&value(text)) {
            Err(e) => assert!(matches!(
                e.code,
                ErrorCode::ConfigInvalid | ErrorCode::SecretKeyInBrowser
            )),
            Ok(c) => {
                let rest = c
                    .base_url
                    .strip_prefix("https://")
                    .or_else(|| c.base_url.strip_prefix("http://"))
                    .unwrap_or_else(|| panic!("{c:?}"));
                assert!(!rest.is_empty() && !rest.starts_with('/'), "{c:?}");
                assert!(c.request_timeout_ms >= 1 && c.refresh_margin_ms >= 0);
                assert!(!c.api_key.is_empty() && !c.storage_key.is_empty());
            }
        }
    });
    let record = seeds("ops")
        .into_iter()
        .find(|s| s.starts_with(r#"{"v""#))
        .expect("a record seed");
    let held = restore(parse(&record).as_ref()).expect("the record seed reads");
    explore("ops-answer", seeds("ops"), |body, random| {
        let op = *random.pick(&Op::ALL);
        let out = answer(
            op,
            200,
            parse(body).as_ref(),
            received(NOW_MS, Some(NOW_MS)),
            Some(&held),
            &SerdeJson,
        );
        match out {
            Ok(Outcome::Session(s)) => round_trips(&s),
            Ok(Outcome::User { session, .. }) => {
                if let Some(s) = session {
                    assert_eq!(s.access_token, held.access_token);
                    round_trips(&s);
                }
            }
            Ok(_) => {}
            Err(e) => assert_eq!(e.code, ErrorCode::BadResponse, "{op:?}"),
        }
    });
}
