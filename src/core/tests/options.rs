//! The constructor's options and the password policy (`options`, `policyOf` and the
//! validators in JS; `options::config`, `options::password_policy` and
//! `crate::validate` here).
//!
//! Dropped or changed JS checks:
//! - `options([])` gave "apiKey is required ..." in JS, where an array is an object with
//!   no `apiKey`; a `Value::Array` is no options object, so Rust says "new
//!   CocobaseAuth(options) needs an options object with apiKey." (still
//!   `config_invalid`).
//! - `undefined` and `null` options, members and policies are one case here: the browser
//!   hands JavaScript's `undefined` over as `null`.
//! - The options text `"{"` of `policyOf` (a string that is not JSON) is a string value,
//!   as in JS.
//! - `e.fieldErrors === undefined`: `field_errors` is `None`.

use super::json;
use super::support::*;
use crate::core::error::ErrorCode;
use crate::core::json::{Map, Value};
use crate::core::options::{
    config, password_policy, Config, Github, StorageKind, GITHUB_AUTHORIZE, HOSTED,
};
use crate::validate::{validate_email, validate_password, PasswordPolicy};

const DEFAULT_POLICY: PasswordPolicy = PasswordPolicy {
    min_length: 8,
    max_length: 128,
    require_lowercase: true,
    require_uppercase: true,
    require_digit: true,
    require_symbol: false,
    reject_common: true,
};

fn opts(text: &str) -> Config {
    config(&json(text)).unwrap_or_else(|e| panic!("{text}: {e:?}"))
}

/// `{apiKey: "pk", <key>: value}`.
fn with(key: &str, value: Value) -> Value {
    Value::Object(Map::from([("apiKey", Value::from("pk")), (key, value)]))
}

#[test]
fn options_defaults_and_normalised_values() {
    assert_eq!(
        opts(r#"{"apiKey":"pk_test_x"}"#),
        Config {
            api_key: "pk_test_x".into(),
            base_url: "https://api.cocobase.buzz".into(),
            storage: StorageKind::Local,
            storage_key: "cocobase.auth.session".into(),
            auto_refresh: true,
            refresh_margin_ms: 60000,
            request_timeout_ms: 15000,
            password_policy: DEFAULT_POLICY,
            github: None,
        }
    );
    let out = opts(
        r#"{"apiKey":"pk","baseUrl":"http://127.0.0.1:8787//","storage":"memory","storageKey":"k",
            "autoRefresh":false,"refreshMarginSeconds":1.5,"requestTimeoutMs":2000,
            "passwordPolicy":{"minLength":12,"requireSymbol":true,"rejectCommon":false}}"#,
    );
    assert_eq!(
        out,
        Config {
            api_key: "pk".into(),
            base_url: "http://127.0.0.1:8787".into(),
            storage: StorageKind::Memory,
            storage_key: "k".into(),
            auto_refresh: false,
            refresh_margin_ms: 1500,
            request_timeout_ms: 2000,
            password_policy: PasswordPolicy {
                min_length: 12,
                require_symbol: true,
                reject_common: false,
                ..DEFAULT_POLICY
            },
            github: None,
        }
    );
    // `null` members are "not given".
    let o = opts(
        r#"{"apiKey":"pk","baseUrl":null,"storage":null,"storageKey":null,"autoRefresh":null,
            "refreshMarginSeconds":null,"requestTimeoutMs":null,"passwordPolicy":null,
            "allowSecretKey":null,"github":null}"#,
    );
    assert_eq!(o.base_url, HOSTED);
    assert_eq!(
        o,
        Config {
            api_key: "pk".into(),
            ..cfg()
        }
    );
    // Edges of the ranges, exponents, and a whole number written with a fraction.
    let o = opts(
        r#"{"apiKey":"pk","refreshMarginSeconds":8.64e4,"requestTimeoutMs":600000.0,
            "passwordPolicy":{"minLength":0,"maxLength":4096}}"#,
    );
    assert_eq!(o.refresh_margin_ms, 86_400_000);
    assert_eq!(o.request_timeout_ms, 600_000);
    assert_eq!(
        (o.password_policy.min_length, o.password_policy.max_length),
        (0, 4096)
    );
    let o = opts(r#"{"apiKey":"pk","refreshMarginSeconds":0,"requestTimeoutMs":1.9}"#);
    assert_eq!(o.refresh_margin_ms, 0);
    assert_eq!(o.request_timeout_ms, 1);
    // Added: 1.005 s is 1005 ms, not 1004 (binary noise), rounded to 15 significant
    // digits as the JS core's `toPrecision(15)` did, and only then truncated.
    for (seconds, ms) in [
        ("1.005", 1005),
        ("0.9999999999", 999),
        ("0.999999999999999", 999),
        ("0.9999999999999999", 1000),
        ("2.675", 2675),
        ("86399.9999999", 86_399_999),
        ("0.0000001", 0),
        ("4.35", 4350),
    ] {
        let o = opts(&format!(
            r#"{{"apiKey":"pk","refreshMarginSeconds":{seconds}}}"#
        ));
        assert_eq!(o.refresh_margin_ms, ms, "{seconds}");
    }
    let o = opts(
        r#"{"apiKey":"pk","passwordPolicy":{"minLength":7.9999999999,"maxLength":7.999999999999999}}"#,
    );
    assert_eq!(
        (o.password_policy.min_length, o.password_policy.max_length),
        (7, 8)
    );
    for (name, kind) in [
        ("local", StorageKind::Local),
        ("session", StorageKind::Session),
        ("memory", StorageKind::Memory),
    ] {
        assert_eq!(
            config(&with("storage", Value::from(name))).unwrap().storage,
            kind
        );
    }
}

#[test]
fn secret_keys_need_an_explicit_opt_in() {
    let e = error(config(&json(r#"{"apiKey":"sk_live_abc"}"#)));
    assert_eq!(e.code, ErrorCode::SecretKeyInBrowser);
    assert_eq!(e.message, "A secret API key must not be used in a browser.");
    let out = config(&json(r#"{"apiKey":"sk_test_abc","allowSecretKey":false}"#));
    assert_eq!(code(out), "secret_key_in_browser");
    let out = opts(r#"{"apiKey":"sk_test_abc","allowSecretKey":true}"#);
    assert_eq!(out.api_key, "sk_test_abc");
}

#[test]
fn every_bad_option_is_config_invalid_with_its_sentence() {
    const NEEDS: &str = "new CocobaseAuth(options) needs an options object with apiKey.";
    const KEY: &str = "apiKey is required and must not contain spaces.";
    const URL: &str = "baseUrl must be an absolute http(s) URL.";
    const STORAGE: &str = r#"storage must be "local", "session" or "memory"."#;
    const MARGIN: &str = "refreshMarginSeconds must be a number from 0 to 86400.";
    const TIMEOUT: &str = "requestTimeoutMs must be a number from 1 to 600000.";
    const LEN: &str = "passwordPolicy lengths must be whole numbers from 0 to 4096.";
    const FLAG: &str = "passwordPolicy flags must be booleans.";
    const POLICY: &str = "passwordPolicy must be an object.";
    let n = Value::Number;
    let policy = |k: &str, v: Value| with("passwordPolicy", Value::Object(Map::from([(k, v)])));
    let cases: Vec<(Value, &str)> = vec![
        (Value::Null, NEEDS),
        (Value::from(""), NEEDS),
        (Value::from("not json"), NEEDS),
        (Value::from("pk"), NEEDS),
        (n(5.0), NEEDS),
        (Value::Bool(true), NEEDS),
        // JS: KEY (an array is an object there); see the top.
        (json("[]"), NEEDS),
        (json("{}"), KEY),
        (json(r#"{"apiKey":""}"#), KEY),
        (json(r#"{"apiKey":"  "}"#), KEY),
        (json(r#"{"apiKey":"pk x"}"#), KEY),
        (json(r#"{"apiKey":5}"#), "apiKey must be a string."),
        (with("baseUrl", n(5.0)), "baseUrl must be a string."),
        (with("baseUrl", Value::from("ftp://x")), URL),
        (with("baseUrl", Value::from("not a url")), URL),
        (with("baseUrl", Value::from("javascript:alert(1)")), URL),
        (
            json(r#"{"apiKey":"sk_test_x","allowSecretKey":"yes"}"#),
            "allowSecretKey must be a boolean.",
        ),
        (
            with("allowSecretKey", n(1.0)),
            "allowSecretKey must be a boolean.",
        ),
        (with("storage", Value::from("cookies")), STORAGE),
        (with("storage", n(5.0)), STORAGE),
        (
            with("storageKey", Value::from("")),
            "storageKey must not be empty.",
        ),
        (with("storageKey", n(5.0)), "storageKey must be a string."),
        (
            with("autoRefresh", Value::from("no")),
            "autoRefresh must be a boolean.",
        ),
        (with("refreshMarginSeconds", n(-5.0)), MARGIN),
        (with("refreshMarginSeconds", n(-0.5)), MARGIN),
        (with("refreshMarginSeconds", n(86400.5)), MARGIN),
        (with("refreshMarginSeconds", n(86401.0)), MARGIN),
        (with("refreshMarginSeconds", n(f64::INFINITY)), MARGIN),
        (with("refreshMarginSeconds", Value::from("NaN")), MARGIN),
        (with("refreshMarginSeconds", n(f64::NAN)), MARGIN),
        (with("refreshMarginSeconds", Value::from("60")), MARGIN),
        (with("requestTimeoutMs", n(0.0)), TIMEOUT),
        (with("requestTimeoutMs", n(0.5)), TIMEOUT),
        (with("requestTimeoutMs", n(600001.0)), TIMEOUT),
        (with("requestTimeoutMs", Value::Bool(true)), TIMEOUT),
        (with("passwordPolicy", Value::from("strict")), POLICY),
        (with("passwordPolicy", n(3.0)), POLICY),
        (policy("minLength", n(-1.0)), LEN),
        (policy("maxLength", n(4097.0)), LEN),
        (policy("minLength", Value::from("eight")), LEN),
        (policy("minLength", Value::from("NaN")), LEN),
        (policy("minLength", n(f64::NAN)), LEN),
        (policy("requireDigit", n(1.0)), FLAG),
        (policy("rejectCommon", Value::from("no")), FLAG),
    ];
    // Added: with several bad options, the first in the JS core's order is named:
    // apiKey, baseUrl, allowSecretKey, storage, storageKey, autoRefresh,
    // refreshMarginSeconds, requestTimeoutMs, passwordPolicy (then github, new).
    let order = [
        (r#""apiKey":5"#, "apiKey must be a string."),
        (r#""baseUrl":5"#, "baseUrl must be a string."),
        (r#""allowSecretKey":1"#, "allowSecretKey must be a boolean."),
        (r#""storage":5"#, STORAGE),
        (r#""storageKey":5"#, "storageKey must be a string."),
        (r#""autoRefresh":5"#, "autoRefresh must be a boolean."),
        (r#""refreshMarginSeconds":-1"#, MARGIN),
        (r#""requestTimeoutMs":0"#, TIMEOUT),
        (r#""passwordPolicy":5"#, POLICY),
        (
            r#""github":5"#,
            "github must be { clientId, authorizeUrl? } with an http(s) authorizeUrl.",
        ),
    ];
    for (i, (_, message)) in order.iter().enumerate() {
        let members: Vec<&str> = order[i..].iter().rev().map(|(m, _)| *m).collect();
        let mut text = format!("{{{}}}", members.join(","));
        if i > 0 {
            text = text.replacen('{', r#"{"apiKey":"pk","#, 1);
        }
        assert_eq!(error(config(&json(&text))).message, *message, "{text}");
    }
    for (input, message) in cases {
        let e = error(config(&input));
        assert_eq!(e.code, ErrorCode::ConfigInvalid, "{input:?}");
        assert_eq!(e.message, message, "{input:?}");
        assert_eq!(e.status, 0);
        assert!(!e.retryable());
        assert_eq!(e.field_errors, None);
    }
}

// The validators are the crate's; the policy they get is `password_policy`'s.
#[test]
fn validators() {
    let full = |p: Option<&Value>| password_policy(p).unwrap_or_else(|e| panic!("{p:?}: {e:?}"));
    let r = validate_email("ada@example.com");
    assert!(r.valid);
    assert!(r.errors.is_empty());
    let r = validate_email(" ada@example.com");
    assert!(!r.valid);
    let errors: Vec<_> = r.errors.iter().map(|i| (i.code(), i.message())).collect();
    assert_eq!(
        errors,
        [("whitespace", "The email address must not contain spaces.")]
    );
    // `null` (JavaScript's `undefined` too): the defaults, as the options give them.
    assert_eq!(full(None), cfg().password_policy);
    assert_eq!(full(Some(&Value::Null)), cfg().password_policy);
    let out = validate_password("password", &full(None), None);
    assert!(!out.valid);
    assert_eq!(out.score, 0);
    assert_eq!(
        out,
        validate_password("password", &full(Some(&Value::Null)), None)
    );
    let relaxed = json(r#"{"requireUppercase":false,"requireDigit":false,"rejectCommon":false}"#);
    assert_eq!(
        full(Some(&relaxed)),
        PasswordPolicy {
            require_uppercase: false,
            require_digit: false,
            reject_common: false,
            ..DEFAULT_POLICY
        }
    );
    assert!(validate_password("password", &full(Some(&relaxed)), None).valid);
    let out = validate_password(
        "Ada.Lovelace-1",
        &full(None),
        Some("ada.lovelace@example.com"),
    );
    assert!(!out.valid);
    assert_eq!(out.score, 0);
    let errors: Vec<_> = out.errors.iter().map(|i| (i.code(), i.message())).collect();
    assert_eq!(
        errors,
        [(
            "contains_email",
            "The password must not contain your email address."
        )]
    );
    let strong = validate_password("Tr0ub4dor&3x-Kettle", &full(None), None);
    assert!(strong.valid);
    assert!(strong.score >= 3, "{strong:?}");
    // A malformed policy is an error, as the constructor's.
    let e = error(password_policy(Some(&json(r#"{"minLength":"eight"}"#))));
    assert_eq!(e.code, ErrorCode::ConfigInvalid);
    assert_eq!(
        e.message,
        "passwordPolicy lengths must be whole numbers from 0 to 4096."
    );
    assert_eq!(
        code(password_policy(Some(&Value::from("strict")))),
        "config_invalid"
    );
    assert_eq!(
        code(password_policy(Some(&Value::from("{")))),
        "config_invalid"
    );
}

// ===== config.rs =====

#[test]
fn config_defaults_and_trailing_slash() {
    assert_eq!(opts(r#"{"apiKey":"pk_test_x"}"#).base_url, HOSTED);
    assert_eq!(
        opts(r#"{"apiKey":"pk_test_x","baseUrl":"http://127.0.0.1:8787//"}"#).base_url,
        "http://127.0.0.1:8787"
    );
    assert_eq!(opts(r#"{"apiKey":"pk_test_x"}"#).refresh_margin_ms, 60_000);
}

#[test]
fn config_bad_options_are_config_invalid() {
    for (key, url) in [
        ("", None),
        ("  ", None),
        ("pk x", None),
        ("pk", Some("ftp://x")),
        ("pk", Some("127.0.0.1:8787")),
        ("pk", Some("http://")),
        ("pk", Some("http:///path")),
        ("pk", Some("https://a b")),
        ("pk", Some("javascript:alert(1)")),
        // Added: control characters, and a host that starts with a port.
        ("pk", Some("http://a\u{7f}b")),
        ("pk", Some("http://a\u{85}b")),
        ("pk", Some("http://:80")),
    ] {
        let mut o = Map::from([("apiKey", Value::from(key))]);
        if let Some(url) = url {
            o.insert("baseUrl", Value::from(url));
        }
        assert_eq!(
            code(config(&Value::Object(o))),
            "config_invalid",
            "{key:?} {url:?}"
        );
    }
}

#[test]
fn config_secret_keys() {
    assert_eq!(
        code(config(&json(r#"{"apiKey":"sk_live_abc"}"#))),
        "secret_key_in_browser"
    );
    assert_eq!(
        code(config(&json(r#"{"apiKey":"sk_test_abc"}"#))),
        "secret_key_in_browser"
    );
    assert_eq!(opts(r#"{"apiKey":"pk_test_abc"}"#).api_key, "pk_test_abc");
    assert_eq!(opts(r#"{"apiKey":"sk_other"}"#).api_key, "sk_other");
}

// ----- new: the `github` option ---------------------------------------------------------

#[test]
fn github_option_builds_the_url_in_the_client() {
    assert_eq!(
        opts(r#"{"apiKey":"pk","github":{"clientId":"Iv1.abc"}}"#).github,
        Some(Github {
            client_id: "Iv1.abc".into(),
            authorize_url: GITHUB_AUTHORIZE.into(),
        })
    );
    assert_eq!(GITHUB_AUTHORIZE, "https://github.com/login/oauth/authorize");
    assert_eq!(
        opts(r#"{"apiKey":"pk","github":{"clientId":"c","authorizeUrl":"http://127.0.0.1:8787/gh?x=1"}}"#)
            .github,
        Some(Github {
            client_id: "c".into(),
            authorize_url: "http://127.0.0.1:8787/gh?x=1".into(),
        })
    );
    assert_eq!(
        opts(r#"{"apiKey":"pk","github":{"clientId":"c","authorizeUrl":null}}"#)
            .github
            .map(|g| g.authorize_url),
        Some(GITHUB_AUTHORIZE.to_owned())
    );
    const WHAT: &str = "github must be { clientId, authorizeUrl? } with an http(s) authorizeUrl.";
    for bad in [
        r#""Iv1.abc""#,
        "true",
        "[]",
        "{}",
        r#"{"clientId":""}"#,
        r#"{"clientId":5}"#,
        r#"{"authorizeUrl":"https://github.com/login/oauth/authorize"}"#,
        r#"{"clientId":"c","authorizeUrl":"javascript:alert(1)"}"#,
        r#"{"clientId":"c","authorizeUrl":"/authorize"}"#,
        r#"{"clientId":"c","authorizeUrl":5}"#,
    ] {
        let e = error(config(&with("github", json(bad))));
        assert_eq!(e.code, ErrorCode::ConfigInvalid, "{bad}");
        assert_eq!(e.message, WHAT, "{bad}");
    }
}
