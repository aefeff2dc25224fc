//! Sign-in by redirect: the stored flows, the state added to the provider's URL, the
//! callback page (`oauthStart` / `oauthCallback` / `clean` in JS; `oauth::start`,
//! `oauth::callback`, `oauth::clean` here), and GitHub.
//!
//! Dropped or changed JS checks:
//! - Flows were text (`""` for none, `f` of the output); they are a value (`None` for
//!   none, `Callback::flows`).
//! - Restored from the Rust tests the JS port had dropped (`clean` was not observable
//!   there): cleaning twice changes nothing, and a URL with no OAuth answer is cleaned to
//!   the expected form too.
//! - "The state is compared unit by unit, astral characters included": JS strings hold
//!   lone surrogates, Rust strings cannot. serde_json refuses the stored text with
//!   `"\uD83DZ"` (no flows: a mismatch, as in JS); the browser hands such a string over
//!   with U+FFFD in its place, which matches no state either (checked with a value).

use super::json;
use super::support::*;
use crate::core::error::{Error, ErrorCode};
use crate::core::json::{Map, Value};
use crate::core::oauth::{
    callback, clean, decode, flows, flows_value, github_url, start, Callback, Flow, FLOW_TTL_MS,
    MAX_FLOWS,
};
use crate::core::options::{Github, GITHUB_AUTHORIZE};
use crate::core::request::{Method, Request};

/// The states of stored flows.
fn states(stored: Option<&Value>) -> Vec<String> {
    let list = stored
        .map(|v| v.as_array().expect("a list").to_vec())
        .unwrap_or_default();
    // Each is well-formed, as `flows` reads them.
    assert_eq!(flows(stored).len(), list.len(), "{stored:?}");
    list.iter()
        .map(|f| f.str_at("state").unwrap().to_owned())
        .collect()
}

fn start_at(stored: Option<&Value>, state: &str, provider: &str, now: i64) -> (Value, String) {
    start(
        stored,
        state,
        provider,
        "http://app/cb",
        now,
        "http://127.0.0.1:9/authorize?redirect_uri=http%3A%2F%2Fapp%2Fcb",
    )
}

fn verify_request(path: &str, code: &str, redirect_uri: &str) -> Request {
    let mut body = Map::new();
    body.insert("code", Value::from(code));
    body.insert("redirect_uri", Value::from(redirect_uri));
    Request {
        method: Method::Post,
        path: path.into(),
        body: Some(Value::Object(body)),
        as_user: false,
    }
}

#[test]
fn oauth_start_adds_state_and_remembers_the_flow() {
    assert_eq!(FLOW_TTL_MS, 10 * 60 * 1000);
    assert_eq!(MAX_FLOWS, 5);
    let (stored, url) = start_at(None, "s1", "google", NOW);
    assert_eq!(
        url,
        "http://127.0.0.1:9/authorize?redirect_uri=http%3A%2F%2Fapp%2Fcb&state=s1"
    );
    assert_eq!(
        stored,
        json(
            r#"[{"state":"s1","provider":"google","redirect_uri":"http://app/cb","created_at":1700000000000}]"#
        )
    );
    let (stored, _) = start_at(Some(&stored), "s2", "apple", NOW + 1);
    assert_eq!(states(Some(&stored)).len(), 2);
    // Garbage flows are none.
    let (stored, _) = start_at(Some(&Value::from("garbage")), "s3", "google", NOW);
    assert_eq!(states(Some(&stored)).len(), 1);
    let (_, url) = start(None, "a b", "google", "http://app/cb", NOW, "http://h/x#f");
    assert_eq!(url, "http://h/x?state=a%20b#f");
}

#[test]
fn oauth_callback_builds_the_verify_request_once() {
    let (stored, _) = start_at(None, "s1", "apple", NOW);
    let out = callback(
        "http://app/cb?code=c1&state=s1#top",
        Some(&stored),
        NOW + 1000,
    );
    assert_eq!(
        out,
        Some(Callback {
            cleaned: "http://app/cb#top".into(),
            flows: None,
            verify: Ok(verify_request("/verify-apple-login", "c1", "http://app/cb")),
        })
    );
    // Reloading the same URL: the state is used up.
    assert_eq!(
        callback("http://app/cb?code=c1&state=s1", None, NOW),
        Some(Callback {
            cleaned: "http://app/cb".into(),
            flows: None,
            verify: Err(Error {
                code: ErrorCode::OauthStateMismatch,
                status: 0,
                message: "The sign-in answer does not match a sign-in started here.".into(),
                detail: None,
                retry_after: None,
                field_errors: None,
            }),
        })
    );
    // No OAuth answer at all.
    assert_eq!(callback("http://app/cb", Some(&stored), NOW), None);
    assert_eq!(callback("http://app/cb?state=s1", Some(&stored), NOW), None);
    assert_eq!(
        callback("http://app/cb#/settings", Some(&stored), NOW),
        None
    );
}

#[test]
fn oauth_callback_failures() {
    let (stored, _) = start_at(None, "good", "google", NOW);
    let (stored, _) = start_at(Some(&stored), "s2", "google", NOW);
    // Tampered state: the other flows stay.
    let out = callback("http://app/cb?code=x&state=evil", Some(&stored), NOW).unwrap();
    assert_eq!(code(out.verify), "oauth_state_mismatch");
    assert_eq!(out.flows.as_ref(), Some(&stored));
    // Denied at the provider: its description is the message, its error the detail.
    let out = callback(
        "http://app/cb?error=access_denied&error_description=No%20thanks&state=s2",
        Some(&stored),
        NOW,
    )
    .unwrap();
    let e = error(out.verify);
    assert_eq!(e.code, ErrorCode::OauthDenied);
    assert_eq!(e.message, "No thanks");
    assert_eq!(e.detail, Some(Value::from("access_denied")));
    assert_eq!(out.cleaned, "http://app/cb");
    // The used flow is gone, the other one left.
    assert_eq!(states(out.flows.as_ref()), ["good"]);
    let out = callback(
        "http://app/cb?error=access_denied&state=good",
        Some(&stored),
        NOW,
    )
    .unwrap();
    assert_eq!(
        error(out.verify).message,
        "Sign-in was cancelled or denied."
    );
    // Added: an empty description is no message either.
    let out = callback(
        "http://app/cb?error=x&error_description=&state=good",
        Some(&stored),
        NOW,
    )
    .unwrap();
    assert_eq!(
        error(out.verify).message,
        "Sign-in was cancelled or denied."
    );
    // No code.
    let out = callback("http://app/cb#code=&state=good", Some(&stored), NOW).unwrap();
    assert_eq!(code(out.verify), "oauth_invalid_callback");
    // Expired flow.
    let late = NOW + FLOW_TTL_MS + 1;
    let out = callback("http://app/cb?code=x&state=good", Some(&stored), late).unwrap();
    assert_eq!(code(out.verify), "oauth_state_mismatch");
    assert_eq!(out.flows, None);
}

// ===== oauth.rs =====

/// What a callback URL carries: code, state, error, error_description.
#[derive(Clone, Copy)]
struct Cb {
    code: Option<&'static str>,
    state: Option<&'static str>,
    error: Option<&'static str>,
    desc: Option<&'static str>,
}

const fn cb(code: &'static str, state: &'static str) -> Option<Cb> {
    Some(Cb {
        code: Some(code),
        state: Some(state),
        error: None,
        desc: None,
    })
}

fn check_callback(url: &str, want: Option<Cb>, cleaned: &str) {
    // Restored: cleaning, twice, whatever the URL carries.
    assert_eq!(clean(url), cleaned, "clean {url}");
    assert_eq!(clean(cleaned), cleaned, "clean twice {url}");
    let stored = want
        .and_then(|w| w.state)
        .map(|state| start_at(None, state, "google", NOW).0);
    let out = callback(url, stored.as_ref(), NOW + 1);
    let Some(want) = want else {
        assert_eq!(out, None, "parse {url}");
        return;
    };
    let out = out.unwrap_or_else(|| panic!("parse {url}"));
    assert_eq!(out.cleaned, cleaned, "clean {url}");
    if want.state.is_none() {
        assert_eq!(code(out.verify), "oauth_state_mismatch", "{url}");
        return;
    }
    // The state matched the flow stored under it (decoded as expected).
    assert_eq!(out.flows, None, "{url}");
    if let Some(error) = want.error {
        let e = super::support::error(out.verify);
        assert_eq!(e.code, ErrorCode::OauthDenied, "{url}");
        assert_eq!(e.detail, Some(Value::from(error)), "{url}");
        assert_eq!(
            e.message,
            want.desc.unwrap_or("Sign-in was cancelled or denied."),
            "{url}"
        );
    } else if want.code == Some("") {
        assert_eq!(code(out.verify), "oauth_invalid_callback", "{url}");
    } else {
        assert_eq!(
            out.verify,
            Ok(verify_request(
                "/verify-google-login",
                want.code.unwrap(),
                "http://app/cb"
            )),
            "{url}"
        );
    }
}

#[test]
fn oauth_callback_urls() {
    let denied = Some(Cb {
        code: None,
        state: Some("s"),
        error: Some("access_denied"),
        desc: Some("User said no"),
    });
    let no_state = Some(Cb {
        code: None,
        state: None,
        error: Some("access_denied"),
        desc: None,
    });
    let table: &[(&str, Option<Cb>, &str)] = &[
        (
            "https://app.io/cb?code=abc&state=s1",
            cb("abc", "s1"),
            "https://app.io/cb",
        ),
        (
            "https://app.io/cb#code=abc&state=s1",
            cb("abc", "s1"),
            "https://app.io/cb",
        ),
        (
            "https://app.io/cb#?code=abc&state=s1",
            cb("abc", "s1"),
            "https://app.io/cb",
        ),
        (
            "https://app.io/cb?code=q&state=s#code=f",
            cb("q", "s"),
            "https://app.io/cb",
        ),
        (
            "https://app.io/cb?code=q#state=fromhash",
            cb("q", "fromhash"),
            "https://app.io/cb",
        ),
        (
            "https://app.io/cb?tab=2&code=a&state=s&x=y",
            cb("a", "s"),
            "https://app.io/cb?tab=2&x=y",
        ),
        (
            "https://app.io/cb?code=a&state=s#/settings",
            cb("a", "s"),
            "https://app.io/cb#/settings",
        ),
        (
            "https://app.io/cb?code=a&state=s#top",
            cb("a", "s"),
            "https://app.io/cb#top",
        ),
        (
            "https://app.io/cb?code=a%2Bb%20c&state=s%3D1",
            cb("a+b c", "s=1"),
            "https://app.io/cb",
        ),
        (
            "https://app.io/cb?code=a+b&state=s",
            cb("a b", "s"),
            "https://app.io/cb",
        ),
        (
            "https://app.io/cb?code=first&code=second&state=s",
            cb("first", "s"),
            "https://app.io/cb",
        ),
        (
            "https://app.io/cb?error=access_denied&error_description=User%20said%20no&state=s",
            denied,
            "https://app.io/cb",
        ),
        (
            "https://app.io/cb?error=access_denied",
            no_state,
            "https://app.io/cb",
        ),
        ("https://app.io/cb?state=s", None, "https://app.io/cb"),
        ("https://app.io/cb", None, "https://app.io/cb"),
        ("https://app.io/cb?", None, "https://app.io/cb"),
        (
            "https://app.io/cb?x=1&y=2#z=3",
            None,
            "https://app.io/cb?x=1&y=2#z=3",
        ),
        (
            "https://app.io/cb?code=&state=s",
            cb("", "s"),
            "https://app.io/cb",
        ),
        (
            "https://app.io/cb?code=%ZZ&state=%",
            cb("%ZZ", "%"),
            "https://app.io/cb",
        ),
        (
            "https://app.io/cb?code=%E2%9C%93&state=s",
            cb("✓", "s"),
            "https://app.io/cb",
        ),
        (
            "https://app.io/cb?code=%FF&state=s",
            cb("\u{FFFD}", "s"),
            "https://app.io/cb",
        ),
        (
            "https://app.io/cb?%63ode=enc&state=s",
            cb("enc", "s"),
            "https://app.io/cb",
        ),
        (
            "https://app.io/cb?codes=1&statement=2",
            None,
            "https://app.io/cb?codes=1&statement=2",
        ),
        (
            "https://app.io/cb?&&code=a&&state=s&&",
            cb("a", "s"),
            "https://app.io/cb",
        ),
        ("/relative?code=a&state=s", cb("a", "s"), "/relative"),
        (
            "https://app.io/cb?code&state=s",
            cb("", "s"),
            "https://app.io/cb",
        ),
    ];
    assert!(table.len() >= 20);
    // Found by the fuzz target of the first Rust core: `clean` must remove every answer.
    // (Whether the URL itself carries an answer is the third column.)
    for (url, cleaned, answers) in [
        (
            "https://app.io/docs#error",
            "https://app.io/docs#error",
            false,
        ),
        (
            "https://app.io/docs#code",
            "https://app.io/docs#code",
            false,
        ),
        (
            "https://app.io/cb#code=1&?error=x",
            "https://app.io/cb",
            true,
        ),
        (
            "https://app.io/cb#?state=s&??code=1",
            "https://app.io/cb",
            false,
        ),
        (
            "https://app.io/cb#?a=1&code=2",
            "https://app.io/cb#?a=1",
            true,
        ),
        (
            "https://app.io/cb#code=1&?x=2",
            "https://app.io/cb#?x=2",
            true,
        ),
        (
            "https://app.io/cb#code=1&?&?x=2",
            "https://app.io/cb#?x=2",
            true,
        ),
    ] {
        let out = callback(url, None, NOW);
        if answers {
            assert_eq!(
                out.map(|c| c.cleaned).as_deref(),
                Some(cleaned),
                "clean {url}"
            );
        } else {
            assert_eq!(out, None, "parse {url}");
        }
        assert_eq!(clean(url), cleaned, "clean {url}");
        assert_eq!(callback(cleaned, None, NOW), None, "answer left in {url}");
    }
    assert_eq!(callback("https://app.io/docs#error", None, NOW), None);
    for (url, want, cleaned) in table {
        check_callback(url, *want, cleaned);
    }
    // Added: the decoder alone.
    assert_eq!(decode("a%2"), "a%2");
    assert_eq!(decode("%e2%9c%93+%"), "✓ %");
    assert_eq!(decode("%C3"), "\u{FFFD}");
}

/// Bytes that are not UTF-8 read as `String::from_utf8_lossy` reads them: one U+FFFD per
/// maximal invalid sequence, wherever it stands.
#[test]
fn decoded_bytes_that_are_not_utf8_read_as_lossy_utf8() {
    let pieces: [&[u8]; 9] = [
        b"a",
        b"\xff",
        b"\xc3",
        b"\xc3\xa9",
        b"\xe2\x9c",
        b"\xe2\x9c\x93",
        b"\xf0\x9f\x98",
        b"\xed\xa0\x80",
        b"\x80",
    ];
    for a in pieces {
        for b in pieces {
            for c in pieces {
                let bytes = [a, b, c].concat();
                let escaped: String = bytes.iter().map(|byte| format!("%{byte:02X}")).collect();
                assert_eq!(
                    decode(&escaped),
                    String::from_utf8_lossy(&bytes),
                    "{bytes:x?}"
                );
            }
        }
    }
}

// `with_state` through `start(...).1`.
#[test]
fn oauth_state_is_added_to_the_query() {
    let with_state =
        |url: &str, state: &str| start(None, state, "google", "http://a/cb", NOW, url).1;
    assert_eq!(with_state("http://h/a?x=1", "s"), "http://h/a?x=1&state=s");
    assert_eq!(with_state("http://h/a", "s/1"), "http://h/a?state=s%2F1");
    assert_eq!(
        with_state("http://h/a#frag", "s"),
        "http://h/a?state=s#frag"
    );
}

#[test]
fn oauth_flows_are_single_use_and_expire() {
    let push = |stored: Option<&Value>, state: &str, t: i64| {
        start(stored, state, "google", "http://a/cb", t, "http://x/auth").0
    };
    let f = |state: &str, t: i64| Flow {
        state: state.into(),
        provider: "google".into(),
        redirect_uri: "http://a/cb".into(),
        created_at: t,
    };
    // `callback` for `state` (none when `None`) at `now`.
    let take = |stored: Option<&Value>, state: Option<&str>, now: i64| {
        let url = match state {
            Some(s) => format!("http://a/cb?code=c&state={s}"),
            None => "http://a/cb?code=c".into(),
        };
        callback(&url, stored, now).expect("an answer")
    };
    let list_of = |v: Option<&Value>| flows(v);
    let a = push(None, "a", 0);
    let stored = push(Some(&a), "b", 1000);
    assert_eq!(list_of(Some(&stored)), [f("a", 0), f("b", 1000)]);
    let out = take(Some(&stored), Some("a"), 5000);
    assert_eq!(
        out.verify,
        Ok(verify_request("/verify-google-login", "c", "http://a/cb"))
    );
    let rest = out.flows;
    assert_eq!(list_of(rest.as_ref()), [f("b", 1000)]);
    assert_eq!(
        code(take(rest.as_ref(), Some("a"), 5000).verify),
        "oauth_state_mismatch"
    );
    let out = take(Some(&stored), Some("b"), 1000 + FLOW_TTL_MS);
    assert_eq!(code(out.verify), "oauth_state_mismatch");
    assert_eq!(out.flows, None);
    assert_eq!(
        code(take(Some(&stored), None, 0).verify),
        "oauth_state_mismatch"
    );
    assert_eq!(
        code(take(Some(&stored), Some("zz"), 0).verify),
        "oauth_state_mismatch"
    );
    // A flow from the future (a clock set back) is refused too.
    assert_eq!(
        code(take(Some(&stored), Some("b"), 999).verify),
        "oauth_state_mismatch"
    );
    // Garbage and nothing read as no flows.
    for garbage in [r#""garbage""#, "garbage", "null"] {
        let stored = parse(garbage);
        assert_eq!(
            list_of(Some(&push(stored.as_ref(), "n", 0))),
            [f("n", 0)],
            "{garbage}"
        );
    }
    let partial = json(
        r#"[{"state":"x"},{"state":"y","provider":"apple","redirect_uri":"u","created_at":5},7]"#,
    );
    assert_eq!(
        list_of(Some(&push(Some(&partial), "n", 6))),
        [
            Flow {
                state: "y".into(),
                provider: "apple".into(),
                redirect_uri: "u".into(),
                created_at: 5
            },
            f("n", 6)
        ]
    );
    let mut many: Option<Value> = None;
    for i in 0..9 {
        many = Some(push(many.as_ref(), &i.to_string(), i));
    }
    assert_eq!(states(many.as_ref()), ["4", "5", "6", "7", "8"]);
    // Expired ones go first.
    let old = push(None, "old", 0);
    assert_eq!(
        list_of(Some(&push(Some(&old), "new", FLOW_TTL_MS))),
        [f("new", FLOW_TTL_MS)]
    );
    // Added: flows read back as they were written.
    let list = flows(many.as_ref());
    assert_eq!(flows(Some(&flows_value(&list))), list);
}

// ----- found in review, after the port -------------------------------------------------

#[test]
fn added_the_state_is_compared_whole_astral_characters_included() {
    let text =
        r#"[{"state":"\uD83DZ","provider":"google","redirect_uri":"http://a/cb","created_at":0}]"#;
    let out = callback(
        "http://a/cb?code=c&state=%F0%9F%98%80",
        parse(text).as_ref(),
        1000,
    )
    .unwrap();
    assert_eq!(code(out.verify), "oauth_state_mismatch");
    let replaced = json(
        r#"[{"state":"\uFFFDZ","provider":"google","redirect_uri":"http://a/cb","created_at":0}]"#,
    );
    let out = callback(
        "http://a/cb?code=c&state=%F0%9F%98%80",
        Some(&replaced),
        1000,
    )
    .unwrap();
    assert_eq!(code(out.verify), "oauth_state_mismatch");
    let ok = json(
        r#"[{"state":"\uD83D\uDE00","provider":"google","redirect_uri":"http://a/cb","created_at":0}]"#,
    );
    let out = callback("http://a/cb?code=c&state=%F0%9F%98%80", Some(&ok), 1000).unwrap();
    assert_eq!(
        out.verify.map(|q| q.path).as_deref(),
        Ok("/verify-google-login")
    );
    // Added: a prefix or an extension of the state is no match.
    let stored = start(None, "s1", "google", "http://a/cb", 0, "http://x/auth").0;
    for state in ["s", "s1x", "S1", ""] {
        let url = format!("http://a/cb?code=c&state={state}");
        assert_eq!(
            code(callback(&url, Some(&stored), 1).unwrap().verify),
            "oauth_state_mismatch",
            "{state:?}"
        );
    }
}

// ----- new: GitHub ----------------------------------------------------------------------

#[test]
fn github_url_is_built_in_the_client() {
    let gh = Github {
        client_id: "Iv1.a b".into(),
        authorize_url: GITHUB_AUTHORIZE.into(),
    };
    let url = github_url(&gh, "http://app/cb?x=1");
    assert_eq!(
        url,
        "https://github.com/login/oauth/authorize?client_id=Iv1.a%20b&redirect_uri=http%3A%2F%2Fapp%2Fcb%3Fx%3D1&scope=read%3Auser%20user%3Aemail"
    );
    // The state is added like any provider's.
    let (stored, with_state) = start(None, "s1", "github", "http://app/cb?x=1", NOW, &url);
    assert_eq!(with_state, format!("{url}&state=s1"));
    assert_eq!(
        flows(Some(&stored)),
        [Flow {
            state: "s1".into(),
            provider: "github".into(),
            redirect_uri: "http://app/cb?x=1".into(),
            created_at: NOW,
        }]
    );
    // An authorize URL with a query of its own (the emulator's consent page).
    let emulator = Github {
        client_id: "c".into(),
        authorize_url: "http://127.0.0.1:8787/__emulator/oauth/github/authorize?p=1".into(),
    };
    assert_eq!(
        github_url(&emulator, "http://a/cb"),
        "http://127.0.0.1:8787/__emulator/oauth/github/authorize?p=1&client_id=c&redirect_uri=http%3A%2F%2Fa%2Fcb&scope=read%3Auser%20user%3Aemail"
    );
}

#[test]
fn github_callback_is_verified_at_github_verify() {
    let (stored, _) = start(
        None,
        "s1",
        "github",
        "http://app/cb",
        NOW,
        "https://github.com/x",
    );
    let out = callback("http://app/cb?code=gh1&state=s1", Some(&stored), NOW + 1).unwrap();
    assert_eq!(
        out.verify,
        Ok(verify_request("/github-verify", "gh1", "http://app/cb"))
    );
    // Google and Apple keep their paths beside it.
    for provider in ["google", "apple"] {
        let (stored, _) = start(
            Some(&stored),
            "s2",
            provider,
            "http://app/cb",
            NOW,
            "https://p/x",
        );
        let out = callback("http://app/cb?code=c&state=s2", Some(&stored), NOW + 1).unwrap();
        assert_eq!(
            out.verify.map(|q| q.path),
            Ok(format!("/verify-{provider}-login"))
        );
        // The other flow stays.
        assert_eq!(states(out.flows.as_ref()), ["s1"]);
    }
}

/// Added: a stored flow whose provider this client does not know (a tampered
/// sessionStorage) is no flow: its provider would have become part of the verify path.
#[test]
fn oauth_a_stored_flow_of_an_unknown_provider_is_ignored() {
    use crate::core::error::ErrorCode;
    use crate::core::oauth::{callback, flows};
    let stored = super::json(
        r#"[{"state":"s1","provider":"../../users","redirect_uri":"http://127.0.0.1/cb","created_at":1000}]"#,
    );
    assert!(flows(Some(&stored)).is_empty());
    let cb =
        callback("http://127.0.0.1/cb?code=c&state=s1", Some(&stored), 2000).expect("an answer");
    assert_eq!(cb.verify.unwrap_err().code, ErrorCode::OauthStateMismatch);
}
