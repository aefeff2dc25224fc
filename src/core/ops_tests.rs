//! The string ABI of `ops`, as the JS shell calls it: every op of `build` and
//! `answer`, the options, the stored session and the redirect sign-in.

use super::*;
use crate::core::token::tests::token;

// ----- helpers -------------------------------------------------------------------------

fn parse(text: &str) -> Json {
    Json::parse(text).unwrap_or_else(|| panic!("not JSON: {text:?}"))
}

/// The `{"error": E}` of an output (panics when there is none).
fn error_of(out: &str) -> Json {
    parse(out)
        .get("error")
        .unwrap_or_else(|| panic!("no error in {out}"))
        .clone()
}

fn code_of(out: &str) -> String {
    error_of(out).str_at("code").unwrap().to_owned()
}

fn message_of(out: &str) -> String {
    error_of(out).str_at("message").unwrap().to_owned()
}

/// `field -> [codes]` of a `validation_failed` output.
fn field_codes(out: &str) -> Vec<(String, Vec<String>)> {
    let e = error_of(out);
    assert_eq!(e.str_at("code"), Some("validation_failed"), "{out}");
    match e.get("fieldErrors") {
        Some(Json::Obj(m)) => m
            .iter()
            .map(|(f, list)| {
                let codes = list
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r.str_at("code").unwrap().to_owned())
                    .collect();
                (f.clone(), codes)
            })
            .collect(),
        other => panic!("fieldErrors {other:?} in {out}"),
    }
}

fn fields(out: &str) -> Vec<String> {
    field_codes(out).into_iter().map(|(f, _)| f).collect()
}

/// The client's full policy, as `options` gives it.
fn policy() -> String {
    parse(&options(r#"{"apiKey":"pk_test_x"}"#))
        .get("policy")
        .unwrap()
        .to_json()
}

fn b(op: &str, params: &str) -> String {
    build(op, params, &policy(), "")
}

/// `(method, path, body, bearer)` of a built request.
fn req(out: &str) -> (String, String, Option<String>, bool) {
    let j = parse(out);
    assert!(j.get("error").is_none(), "{out}");
    (
        j.str_at("m").unwrap().to_owned(),
        j.str_at("p").unwrap().to_owned(),
        j.str_at("b").map(str::to_owned),
        j.get("a") == Some(&Json::Bool(true)),
    )
}

/// Seconds of the test's epoch: the server and the device agree unless a test says otherwise.
const T0: i64 = 1_700_000_000;
const NOW: f64 = (T0 * 1000) as f64;

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

fn ans(op: &str, status: u16, body: &str) -> String {
    answer(op, status, body, "", f64::NAN, NOW, "")
}

/// A stored record of user `u1` with a one-hour token.
fn record() -> String {
    let out = ans("login", 200, &token_answer(&jwt(T0, 3600), "u1"));
    parse(&out)
        .get("s")
        .unwrap()
        .str_at("r")
        .unwrap()
        .to_owned()
}

// ----- options -------------------------------------------------------------------------

#[test]
fn options_defaults_and_normalised_values() {
    assert_eq!(
        options(r#"{"apiKey":"pk_test_x"}"#),
        r#"{"apiKey":"pk_test_x","baseUrl":"https://api.cocobase.buzz","storage":"local","storageKey":"cocobase.auth.session","autoRefresh":true,"marginMs":60000,"timeoutMs":15000,"policy":{"minLength":8,"maxLength":128,"requireLowercase":true,"requireUppercase":true,"requireDigit":true,"requireSymbol":false,"rejectCommon":true}}"#
    );
    let out = options(
        r#"{"apiKey":"pk","baseUrl":"http://127.0.0.1:8787//","storage":"memory","storageKey":"k","autoRefresh":false,"refreshMarginSeconds":1.5,"requestTimeoutMs":2000,"passwordPolicy":{"minLength":12,"requireSymbol":true,"rejectCommon":false}}"#,
    );
    assert_eq!(
        out,
        r#"{"apiKey":"pk","baseUrl":"http://127.0.0.1:8787","storage":"memory","storageKey":"k","autoRefresh":false,"marginMs":1500,"timeoutMs":2000,"policy":{"minLength":12,"maxLength":128,"requireLowercase":true,"requireUppercase":true,"requireDigit":true,"requireSymbol":true,"rejectCommon":false}}"#
    );
    // `null` members are "not given", like `undefined`.
    let out = options(
        r#"{"apiKey":"pk","baseUrl":null,"storage":null,"storageKey":null,"autoRefresh":null,"refreshMarginSeconds":null,"requestTimeoutMs":null,"passwordPolicy":null,"allowSecretKey":null}"#,
    );
    assert_eq!(parse(&out).str_at("baseUrl"), Some(DEFAULT_BASE));
    // Edges of the ranges, exponents, and a whole number written with a fraction.
    let out = options(
        r#"{"apiKey":"pk","refreshMarginSeconds":8.64e4,"requestTimeoutMs":600000.0,"passwordPolicy":{"minLength":0,"maxLength":4096}}"#,
    );
    let j = parse(&out);
    assert_eq!(j.get("marginMs").unwrap().as_i64(), Some(86_400_000));
    assert_eq!(j.get("timeoutMs").unwrap().as_i64(), Some(600_000));
    let out = options(r#"{"apiKey":"pk","refreshMarginSeconds":0,"requestTimeoutMs":1.9}"#);
    let j = parse(&out);
    assert_eq!(j.get("marginMs").unwrap().as_i64(), Some(0));
    assert_eq!(j.get("timeoutMs").unwrap().as_i64(), Some(1));
    for storage in ["local", "session", "memory"] {
        let out = options(&format!(r#"{{"apiKey":"pk","storage":"{storage}"}}"#));
        assert_eq!(parse(&out).str_at("storage"), Some(storage));
    }
}

const DEFAULT_BASE: &str = "https://api.cocobase.buzz";

#[test]
fn secret_keys_need_an_explicit_opt_in() {
    let out = options(r#"{"apiKey":"sk_live_abc"}"#);
    assert_eq!(code_of(&out), "secret_key_in_browser");
    assert_eq!(
        message_of(&out),
        "A secret API key must not be used in a browser."
    );
    let out = options(r#"{"apiKey":"sk_test_abc","allowSecretKey":false}"#);
    assert_eq!(code_of(&out), "secret_key_in_browser");
    let out = options(r#"{"apiKey":"sk_test_abc","allowSecretKey":true}"#);
    assert_eq!(parse(&out).str_at("apiKey"), Some("sk_test_abc"));
}

#[test]
fn every_bad_option_is_config_invalid_with_its_sentence() {
    const NEEDS: &str = "new CocobaseAuth(options) needs an options object with apiKey.";
    const KEY: &str = "apiKey is required and must not contain spaces.";
    const URL: &str = "baseUrl must be an absolute http(s) URL.";
    const STORAGE: &str = "storage must be \"local\", \"session\" or \"memory\".";
    const MARGIN: &str = "refreshMarginSeconds must be a number from 0 to 86400.";
    const TIMEOUT: &str = "requestTimeoutMs must be a number from 1 to 600000.";
    const LEN: &str = "passwordPolicy lengths must be whole numbers from 0 to 4096.";
    const FLAG: &str = "passwordPolicy flags must be booleans.";
    let cases: &[(&str, &str)] = &[
        ("null", NEEDS),
        ("", NEEDS),
        ("not json", NEEDS),
        ("\"pk\"", NEEDS),
        ("5", NEEDS),
        ("true", NEEDS),
        ("[]", KEY),
        ("{}", KEY),
        (r#"{"apiKey":""}"#, KEY),
        (r#"{"apiKey":"  "}"#, KEY),
        (r#"{"apiKey":"pk x"}"#, KEY),
        (r#"{"apiKey":5}"#, "apiKey must be a string."),
        (
            r#"{"apiKey":"pk","baseUrl":5}"#,
            "baseUrl must be a string.",
        ),
        (r#"{"apiKey":"pk","baseUrl":"ftp://x"}"#, URL),
        (r#"{"apiKey":"pk","baseUrl":"not a url"}"#, URL),
        (r#"{"apiKey":"pk","baseUrl":"javascript:alert(1)"}"#, URL),
        (
            r#"{"apiKey":"sk_test_x","allowSecretKey":"yes"}"#,
            "allowSecretKey must be a boolean.",
        ),
        (
            r#"{"apiKey":"pk","allowSecretKey":1}"#,
            "allowSecretKey must be a boolean.",
        ),
        (r#"{"apiKey":"pk","storage":"cookies"}"#, STORAGE),
        (r#"{"apiKey":"pk","storage":5}"#, STORAGE),
        (
            r#"{"apiKey":"pk","storageKey":""}"#,
            "storageKey must not be empty.",
        ),
        (
            r#"{"apiKey":"pk","storageKey":5}"#,
            "storageKey must be a string.",
        ),
        (
            r#"{"apiKey":"pk","autoRefresh":"no"}"#,
            "autoRefresh must be a boolean.",
        ),
        (r#"{"apiKey":"pk","refreshMarginSeconds":-5}"#, MARGIN),
        (r#"{"apiKey":"pk","refreshMarginSeconds":-0.5}"#, MARGIN),
        (r#"{"apiKey":"pk","refreshMarginSeconds":86400.5}"#, MARGIN),
        (r#"{"apiKey":"pk","refreshMarginSeconds":86401}"#, MARGIN),
        (r#"{"apiKey":"pk","refreshMarginSeconds":1e400}"#, MARGIN),
        (r#"{"apiKey":"pk","refreshMarginSeconds":"NaN"}"#, MARGIN),
        (r#"{"apiKey":"pk","refreshMarginSeconds":"60"}"#, MARGIN),
        (r#"{"apiKey":"pk","requestTimeoutMs":0}"#, TIMEOUT),
        (r#"{"apiKey":"pk","requestTimeoutMs":0.5}"#, TIMEOUT),
        (r#"{"apiKey":"pk","requestTimeoutMs":600001}"#, TIMEOUT),
        (r#"{"apiKey":"pk","requestTimeoutMs":true}"#, TIMEOUT),
        (
            r#"{"apiKey":"pk","passwordPolicy":"strict"}"#,
            "passwordPolicy must be an object.",
        ),
        (
            r#"{"apiKey":"pk","passwordPolicy":3}"#,
            "passwordPolicy must be an object.",
        ),
        (r#"{"apiKey":"pk","passwordPolicy":{"minLength":-1}}"#, LEN),
        (
            r#"{"apiKey":"pk","passwordPolicy":{"maxLength":4097}}"#,
            LEN,
        ),
        (
            r#"{"apiKey":"pk","passwordPolicy":{"minLength":"eight"}}"#,
            LEN,
        ),
        (
            r#"{"apiKey":"pk","passwordPolicy":{"minLength":"NaN"}}"#,
            LEN,
        ),
        (
            r#"{"apiKey":"pk","passwordPolicy":{"requireDigit":1}}"#,
            FLAG,
        ),
        (
            r#"{"apiKey":"pk","passwordPolicy":{"rejectCommon":"no"}}"#,
            FLAG,
        ),
    ];
    for (input, message) in cases {
        let out = options(input);
        let e = error_of(&out);
        assert_eq!(e.str_at("code"), Some("config_invalid"), "{input}");
        assert_eq!(e.str_at("message"), Some(*message), "{input}");
        assert_eq!(e.get("status").unwrap().as_i64(), Some(0));
        assert_eq!(e.get("retryable"), Some(&Json::Bool(false)));
        assert!(e.get("fieldErrors").is_none());
    }
}

// ----- error and the validators --------------------------------------------------------

#[test]
fn error_gives_the_default_object_of_a_code() {
    assert_eq!(
        error("network_error"),
        r#"{"code":"network_error","status":0,"message":"The server could not be reached.","retryable":true}"#
    );
    assert_eq!(
        error("session_missing"),
        r#"{"code":"session_missing","status":0,"message":"Nobody is signed in.","retryable":false}"#
    );
    for code in [
        "timeout",
        "session_expired",
        "oauth_state_mismatch",
        "refresh_unsupported",
        "config_invalid",
    ] {
        assert_eq!(parse(&error(code)).str_at("code"), Some(code));
    }
    assert_eq!(
        parse(&error("validation_failed")).get("fieldErrors"),
        Some(&Json::Obj(Vec::new()))
    );
    assert_eq!(error("no_such_code"), error("bad_response"));
    assert_eq!(parse(&error("")).str_at("code"), Some("bad_response"));
}

#[test]
fn validators() {
    assert_eq!(
        validate_email("ada@example.com"),
        r#"{"valid":true,"errors":[]}"#
    );
    assert_eq!(
        validate_email(" ada@example.com"),
        r#"{"valid":false,"errors":[{"code":"whitespace","message":"The email address must not contain spaces."}]}"#
    );
    let out = validate_password("password", "null", "");
    let j = parse(&out);
    assert_eq!(j.get("valid"), Some(&Json::Bool(false)));
    assert_eq!(j.get("score").unwrap().as_i64(), Some(0));
    assert_eq!(out, validate_password("password", "", ""));
    let relaxed = r#"{"requireUppercase":false,"requireDigit":false,"rejectCommon":false}"#;
    let j = parse(&validate_password("password", relaxed, ""));
    assert_eq!(j.get("valid"), Some(&Json::Bool(true)));
    let out = validate_password("Ada.Lovelace-1", "null", "ada.lovelace@example.com");
    assert_eq!(
        out,
        r#"{"valid":false,"errors":[{"code":"contains_email","message":"The password must not contain your email address."}],"score":0}"#
    );
    let strong = parse(&validate_password("Tr0ub4dor&3x-Kettle", "null", ""));
    assert_eq!(strong.get("valid"), Some(&Json::Bool(true)));
    assert!(strong.get("score").unwrap().as_i64().unwrap() >= 3);
    // A malformed policy is an error, as the constructor's.
    let out = validate_password("x", r#"{"minLength":"eight"}"#, "");
    assert_eq!(code_of(&out), "config_invalid");
    assert_eq!(
        message_of(&out),
        "passwordPolicy lengths must be whole numbers from 0 to 4096."
    );
    assert_eq!(
        code_of(&validate_password("x", "\"strict\"", "")),
        "config_invalid"
    );
    assert_eq!(code_of(&validate_password("x", "{", "")), "config_invalid");
}

// ----- build ---------------------------------------------------------------------------

#[test]
fn signup_request_and_its_local_checks() {
    let out = b(
        "signup",
        r#"{"email":"ada@example.com","password":"Correct-Horse-7","data":{"name":"Ada"},"roles":["admin"]}"#,
    );
    assert_eq!(
        out,
        r#"{"m":"POST","p":"/signup","b":"{\"email\":\"ada@example.com\",\"password\":\"Correct-Horse-7\",\"data\":{\"name\":\"Ada\"},\"roles\":[\"admin\"]}"}"#
    );
    let (_, _, body, bearer) = req(&b(
        "signup",
        r#"{"email":"ada@example.com","password":"Correct-Horse-7"}"#,
    ));
    assert_eq!(
        body.as_deref(),
        Some(r#"{"email":"ada@example.com","password":"Correct-Horse-7"}"#)
    );
    assert!(!bearer);
    // Local checks: nothing to send.
    let out = b("signup", r#"{"email":"not-an-email","password":"short"}"#);
    let f = field_codes(&out);
    assert_eq!(fields(&out), ["email", "password"]);
    assert!(f[1].1.contains(&"too_short".to_owned()));
    assert_eq!(message_of(&out), "The email address needs an @.");
    assert_eq!(parse(&out).get("p"), None);
    let out = b("signup", "{}");
    assert_eq!(field_codes(&out)[0].1, ["empty"]);
    // The password is checked against the client's policy, and the email.
    let out = build(
        "signup",
        r#"{"email":"ada@example.com","password":"abc"}"#,
        r#"{"minLength":3,"maxLength":128,"requireLowercase":true,"requireUppercase":false,"requireDigit":false,"requireSymbol":false,"rejectCommon":true}"#,
        "",
    );
    assert_eq!(req(&out).1, "/signup");
    let out = b(
        "signup",
        r#"{"email":"adalovelace@example.com","password":"Adalovelace-1"}"#,
    );
    assert_eq!(
        field_codes(&out),
        [("password".into(), vec!["contains_email".into()])]
    );
    // Malformed fields, checked before the credentials.
    for (params, field, message) in [
        (
            r#"{"email":"x","password":"y","data":[1]}"#,
            "data",
            "Expected a plain object.",
        ),
        (
            r#"{"email":"x","password":"y","data":"d"}"#,
            "data",
            "Expected a plain object.",
        ),
        (
            r#"{"email":"x","password":"y","roles":"admin"}"#,
            "roles",
            "Expected a list of strings.",
        ),
        (
            r#"{"email":"x","password":"y","roles":["a",1]}"#,
            "roles",
            "Expected a list of strings.",
        ),
    ] {
        let out = b("signup", params);
        assert_eq!(field_codes(&out), [(field.into(), vec!["invalid".into()])]);
        assert_eq!(message_of(&out), message);
    }
    // `null` members are not given.
    let out = b(
        "signup",
        r#"{"email":"ada@example.com","password":"Correct-Horse-7","data":null,"roles":null}"#,
    );
    assert_eq!(
        req(&out).2.as_deref(),
        Some(r#"{"email":"ada@example.com","password":"Correct-Horse-7"}"#)
    );
}

#[test]
fn signup_with_files_sends_the_same_json_without_roles() {
    let out = b(
        "signupFiles",
        r#"{"email":"ada@example.com","password":"Correct-Horse-7","data":{"a":1},"roles":["x"]}"#,
    );
    assert_eq!(
        req(&out),
        (
            "POST".into(),
            "/signup".into(),
            Some(
                r#"{"email":"ada@example.com","password":"Correct-Horse-7","data":{"a":1}}"#.into()
            ),
            false
        )
    );
    // Roles are not looked at, but the credentials and data are.
    let out = b(
        "signupFiles",
        r#"{"email":"ada@example.com","password":"Correct-Horse-7","roles":5}"#,
    );
    assert!(parse(&out).get("error").is_none());
    let out = b(
        "signupFiles",
        r#"{"email":"ada","password":"Correct-Horse-7"}"#,
    );
    assert_eq!(fields(&out), ["email"]);
    let out = b(
        "signupFiles",
        r#"{"email":"ada@example.com","password":"Correct-Horse-7","data":[]}"#,
    );
    assert_eq!(fields(&out), ["data"]);
}

#[test]
fn login_request_needs_both_fields() {
    assert_eq!(
        req(&b("login", r#"{"email":"a@b.co","password":"x"}"#)),
        (
            "POST".into(),
            "/login".into(),
            Some(r#"{"email":"a@b.co","password":"x"}"#.into()),
            false
        )
    );
    let out = b("login", r#"{"email":"","password":""}"#);
    assert_eq!(
        field_codes(&out),
        [
            ("email".into(), vec!["empty".into()]),
            ("password".into(), vec!["empty".into()])
        ]
    );
    assert_eq!(message_of(&out), "This field is required.");
    assert_eq!(fields(&b("login", r#"{"email":"a@b.co"}"#)), ["password"]);
    assert_eq!(fields(&b("login", "null")), ["email", "password"]);
    // Only emptiness is checked: the server judges the rest.
    assert_eq!(
        req(&b("login", r#"{"email":"x","password":"y"}"#)).1,
        "/login"
    );
}

#[test]
fn update_nests_append_and_remove_in_data() {
    let out = b(
        "update",
        r#"{"data":{"a":1},"email":"new@example.com","append":{"tags":"x"},"remove":{"tags":["y"]}}"#,
    );
    assert_eq!(
        req(&out),
        (
            "PATCH".into(),
            "/user".into(),
            Some(r#"{"data":{"a":1,"$append":{"tags":"x"},"$remove":{"tags":["y"]}},"email":"new@example.com"}"#.into()),
            true
        )
    );
    assert_eq!(req(&b("update", "{}")).2.as_deref(), Some("{}"));
    assert_eq!(req(&b("update", r#"{"data":{}}"#)).2.as_deref(), Some("{}"));
    assert_eq!(
        req(&b("update", r#"{"remove":{"t":1}}"#)).2.as_deref(),
        Some(r#"{"data":{"$remove":{"t":1}}}"#)
    );
    // Members named `$append`/`$remove` in `data` are replaced where they stand.
    assert_eq!(
        req(&b(
            "update",
            r#"{"data":{"$remove":0,"b":2,"$append":0},"append":{"x":1},"remove":{"y":2}}"#
        ))
        .2
        .as_deref(),
        Some(r#"{"data":{"$remove":{"y":2},"b":2,"$append":{"x":1}}}"#)
    );
    assert_eq!(
        req(&b("update", r#"{"data":{"$append":0}}"#)).2.as_deref(),
        Some(r#"{"data":{"$append":0}}"#)
    );
    // Local checks.
    let out = b("update", r#"{"email":"nope"}"#);
    assert_eq!(
        field_codes(&out),
        [("email".into(), vec!["missing_at".into()])]
    );
    let out = b("update", r#"{"email":5}"#);
    assert_eq!(
        field_codes(&out),
        [("email".into(), vec!["invalid".into()])]
    );
    assert_eq!(message_of(&out), "Expected a string.");
    for key in ["data", "append", "remove"] {
        let out = b("update", &format!(r#"{{"{key}":[1]}}"#));
        assert_eq!(field_codes(&out), [(key.into(), vec!["invalid".into()])]);
    }
}

#[test]
fn follow_and_unfollow() {
    assert_eq!(
        b("follow", "\"u2\""),
        r#"{"m":"PATCH","p":"/user","b":"{\"data\":{\"$append\":{\"following_ids\":\"u2\"}}}","a":true}"#
    );
    assert_eq!(
        req(&b("unfollow", "\"u\\\"2\"")).2.as_deref(),
        Some(r#"{"data":{"$remove":{"following_ids":"u\"2"}}}"#)
    );
}

#[test]
fn change_password_and_its_fallbacks() {
    let params = r#"{"currentPassword":"pw","newPassword":"Correct-Horse-7"}"#;
    let email = "ada@example.com";
    let out = build("changePassword", params, &policy(), email);
    assert_eq!(
        req(&out),
        (
            "POST".into(),
            "/change-password".into(),
            Some(r#"{"current_password":"pw","new_password":"Correct-Horse-7"}"#.into()),
            true
        )
    );
    let out = build("changePasswordLogin", params, &policy(), email);
    assert_eq!(
        req(&out),
        (
            "POST".into(),
            "/login".into(),
            Some(r#"{"email":"ada@example.com","password":"pw"}"#.into()),
            false
        )
    );
    let out = build("changePasswordPatch", params, &policy(), email);
    assert_eq!(
        req(&out),
        (
            "PATCH".into(),
            "/user".into(),
            Some(r#"{"password":"Correct-Horse-7"}"#.into()),
            true
        )
    );
    // The new password is checked with the policy and the user's email, under `newPassword`.
    let weak = r#"{"currentPassword":"pw","newPassword":"weak"}"#;
    for op in [
        "changePassword",
        "changePasswordLogin",
        "changePasswordPatch",
    ] {
        let out = build(op, weak, &policy(), email);
        assert_eq!(fields(&out), ["newPassword"], "{op}");
    }
    let out = build(
        "changePassword",
        r#"{"currentPassword":"pw","newPassword":"Ada@Example.com1"}"#,
        &policy(),
        email,
    );
    assert_eq!(
        field_codes(&out),
        [("newPassword".into(), vec!["contains_email".into()])]
    );
    let out = build("changePassword", params, r#"{"minLength":40}"#, email);
    assert_eq!(
        field_codes(&out),
        [("newPassword".into(), vec!["too_short".into()])]
    );
}

#[test]
fn list_and_lookup_requests() {
    assert_eq!(
        req(&b(
            "list",
            r#"{"limit":1,"offset":0,"role":"r w","emailContains":"a&b"}"#
        )),
        (
            "GET".into(),
            "/users?limit=1&offset=0&role=r%20w&email_contains=a%26b".into(),
            None,
            false
        )
    );
    assert_eq!(b("list", "{}"), r#"{"m":"GET","p":"/users"}"#);
    assert_eq!(req(&b("list", r#"{"offset":20}"#)).1, "/users?offset=20");
    assert_eq!(
        req(&b("list", r#"{"role":5,"emailContains":null}"#)).1,
        "/users"
    );
    assert_eq!(
        req(&b("list", r#"{"limit":4294967295,"offset":2e1}"#)).1,
        "/users?limit=4294967295&offset=20"
    );
    for bad in [
        r#"{"limit":-1}"#,
        r#"{"limit":1.5}"#,
        r#"{"limit":"10"}"#,
        r#"{"limit":"NaN"}"#,
        r#"{"limit":4294967296}"#,
        r#"{"offset":true}"#,
    ] {
        let out = b("list", bad);
        assert_eq!(field_codes(&out)[0].1, ["invalid"], "{bad}");
        assert_eq!(message_of(&out), "Expected a whole number of 0 or more.");
    }
    assert_eq!(b("user", "\"u/2\""), r#"{"m":"GET","p":"/users/u%2F2"}"#);
    for id in ["\"\"", "null", "5"] {
        assert_eq!(code_of(&b("user", id)), "not_found", "{id}");
    }
    assert_eq!(b("me", "null"), r#"{"m":"GET","p":"/user","a":true}"#);
    assert_eq!(
        b("refresh", "null"),
        r#"{"m":"POST","p":"/refresh-token","a":true}"#
    );
}

#[test]
fn oauth_url_request_checks_provider_and_redirect() {
    assert_eq!(
        b(
            "oauthUrl",
            r#"{"provider":"google","redirectUri":"http://app/cb"}"#
        ),
        r#"{"m":"GET","p":"/oauth/google?redirect_uri=http%3A%2F%2Fapp%2Fcb"}"#
    );
    assert_eq!(
        req(&b(
            "oauthUrl",
            r#"{"provider":"apple","redirectUri":"https://app.io/cb?x=1"}"#
        ))
        .1,
        "/oauth/apple?redirect_uri=https%3A%2F%2Fapp.io%2Fcb%3Fx%3D1"
    );
    for (params, message) in [
        (
            r#"{"provider":"github","redirectUri":"http://app/cb"}"#,
            "provider must be \"google\" or \"apple\".",
        ),
        (
            r#"{"redirectUri":"http://app/cb"}"#,
            "provider must be \"google\" or \"apple\".",
        ),
        (
            r#"{"provider":"google","redirectUri":"javascript:alert(1)"}"#,
            "redirectUri must be an absolute http(s) URL.",
        ),
        (
            r#"{"provider":"apple","redirectUri":"/cb"}"#,
            "redirectUri must be an absolute http(s) URL.",
        ),
    ] {
        let out = b("oauthUrl", params);
        assert_eq!(code_of(&out), "config_invalid", "{params}");
        assert_eq!(message_of(&out), message);
    }
}

#[test]
fn unknown_ops_are_bad_response() {
    for op in ["", "logout", "verify", "Signup"] {
        assert_eq!(code_of(&b(op, "{}")), "bad_response", "{op}");
        assert_eq!(code_of(&ans(op, 200, "{}")), "bad_response", "{op}");
    }
}

// ----- answer --------------------------------------------------------------------------

#[test]
fn token_answers_become_sessions() {
    let tok = jwt(T0, 3600);
    for op in [
        "signup",
        "signupFiles",
        "login",
        "verify",
        "changePasswordLogin",
    ] {
        let out = ans(op, 200, &token_answer(&tok, "u1"));
        let s = parse(&out);
        let s = s.get("s").unwrap_or_else(|| panic!("{op}: {out}"));
        assert_eq!(s.str_at("t"), Some(tok.as_str()));
        assert_eq!(s.get("e").unwrap().as_i64(), Some((T0 + 3600) * 1000));
        assert_eq!(s.str_at("u"), Some("u1"));
        let js = s.get("js").unwrap();
        assert_eq!(
            js.get("user").unwrap().to_json(),
            r#"{"id":"u1","email":"ada@example.com","data":{},"roles":[],"createdAt":""}"#
        );
        assert_eq!(js.str_at("accessToken"), Some(tok.as_str()));
        assert_eq!(
            js.get("expiresAt").unwrap().as_i64(),
            Some((T0 + 3600) * 1000)
        );
        // The record reads back as the same session.
        let r = s.str_at("r").unwrap();
        assert!(r.starts_with("{\"v\":1,"), "{r}");
        assert_eq!(parse(&restore(r)), *s);
    }
    // Status 201 is a success too.
    assert!(parse(&ans("signup", 201, &token_answer(&tok, "u1")))
        .get("s")
        .is_some());
}

#[test]
fn expiry_follows_the_local_clock() {
    // The device is an hour ahead of the server: iat measures the lifetime.
    let tok = jwt(T0, 3600);
    let ahead = NOW + 3_600_000.0;
    let out = answer(
        "login",
        200,
        &token_answer(&tok, "u1"),
        "",
        f64::NAN,
        ahead,
        "",
    );
    let e = parse(&out).get("s").unwrap().get("e").unwrap().as_i64();
    assert_eq!(e, Some((T0 + 7200) * 1000));
    // No iat: the Date header gives the server's clock.
    let tok = token(&format!(r#"{{"exp":{}}}"#, T0 + 100));
    let date = NOW;
    let out = answer("login", 200, &token_answer(&tok, "u1"), "", date, ahead, "");
    let e = parse(&out).get("s").unwrap().get("e").unwrap().as_i64();
    assert_eq!(e, Some((T0 + 3600 + 100) * 1000));
    // Neither: exp on the local clock.
    let out = answer(
        "login",
        200,
        &token_answer(&tok, "u1"),
        "",
        f64::NAN,
        ahead,
        "",
    );
    let e = parse(&out).get("s").unwrap().get("e").unwrap().as_i64();
    assert_eq!(e, Some((T0 + 100) * 1000));
}

#[test]
fn a_second_factor_stores_nothing() {
    let body = r#"{"requires_2fa":true,"message":"Code sent to your email"}"#;
    for op in ["signup", "signupFiles", "login", "verify"] {
        assert_eq!(
            ans(op, 200, body),
            r#"{"m":"Code sent to your email"}"#,
            "{op}"
        );
    }
    assert_eq!(
        ans("login", 200, r#"{"requires_2fa":true}"#),
        r#"{"m":"A second factor is required."}"#
    );
    // `requires_2fa: false` (or null) with a token is a normal sign-in.
    let tok = jwt(T0, 3600);
    let mut body = token_answer(&tok, "u1");
    body.insert_str(1, r#""requires_2fa":null,"#);
    assert!(parse(&ans("login", 200, &body)).get("s").is_some());
    // Only sign-ins know about a second factor.
    assert_eq!(
        code_of(&ans("refresh", 200, r#"{"requires_2fa":true}"#)),
        "bad_response"
    );
}

#[test]
fn login_errors_from_both_servers() {
    let out = ans("login", 401, r#"{"detail":"Invalid email or password"}"#);
    assert_eq!(code_of(&out), "invalid_credentials");
    let out = ans(
        "login",
        400,
        r#"{"detail":"An error occured 404: Account with this email does not exist"}"#,
    );
    assert_eq!(
        out,
        r#"{"error":{"code":"invalid_credentials","status":400,"message":"Invalid email or password.","retryable":false,"detail":"An error occured 404: Account with this email does not exist"}}"#
    );
    let out = ans(
        "signup",
        409,
        r#"{"detail":"User with this email already exists"}"#,
    );
    assert_eq!(code_of(&out), "email_taken");
    assert_eq!(message_of(&out), "User with this email already exists");
    assert_eq!(
        code_of(&ans("changePasswordLogin", 401, "")),
        "invalid_credentials"
    );
}

#[test]
fn bad_answers_are_typed() {
    let out = ans("login", 200, "<html>not json</html>");
    assert_eq!(
        out,
        r#"{"error":{"code":"bad_response","status":200,"message":"The server sent an answer the client could not read.","retryable":false}}"#
    );
    let out = ans("login", 200, r#"{"access_token":null,"user":null}"#);
    let e = error_of(&out);
    assert_eq!(e.str_at("code"), Some("bad_response"));
    assert_eq!(e.get("status").unwrap().as_i64(), Some(0));
    let out = ans("login", 200, &token_answer("garbage", "u1"));
    assert_eq!(code_of(&out), "bad_response");
    let out = ans("login", 200, &token_answer(&jwt(T0, 3600), ""));
    assert_eq!(code_of(&out), "bad_response");
    let out = ans("login", 502, "<html>bad gateway</html>");
    let e = error_of(&out);
    assert_eq!(e.str_at("code"), Some("server_error"));
    assert_eq!(e.get("retryable"), Some(&Json::Bool(true)));
    assert_eq!(e.get("status").unwrap().as_i64(), Some(502));
    assert_eq!(e.get("detail"), None);
    assert_eq!(code_of(&ans("me", 418, "")), "bad_response");
    assert_eq!(code_of(&ans("me", 301, "")), "bad_response");
}

#[test]
fn every_error_shape() {
    // FastAPI's list: field errors grouped by field.
    let body = r#"{"detail":[{"loc":["body","email"],"msg":"Field required","type":"missing"},{"loc":["body","password"],"msg":"Too short","type":"value_error"},{"loc":["body","password"],"msg":"No digit","type":"digit"}]}"#;
    let out = ans("signup", 422, body);
    let e = error_of(&out);
    assert_eq!(e.str_at("code"), Some("validation_failed"));
    assert_eq!(e.str_at("message"), Some("Field required"));
    assert_eq!(
        e.get("fieldErrors").unwrap().to_json(),
        r#"{"email":[{"code":"missing","message":"Field required"}],"password":[{"code":"value_error","message":"Too short"},{"code":"digit","message":"No digit"}]}"#
    );
    assert_eq!(e.get("detail").unwrap().as_array().unwrap().len(), 3);
    // A string detail, the `error` key, nothing at all.
    let out = ans("me", 413, r#"{"detail":"Body too large"}"#);
    assert_eq!(
        out,
        r#"{"error":{"code":"validation_failed","status":413,"message":"Body too large","retryable":false,"detail":"Body too large","fieldErrors":{}}}"#
    );
    let out = ans("user", 500, r#"{"error":"boom","traceback":"..."}"#);
    assert_eq!(
        out,
        r#"{"error":{"code":"server_error","status":500,"message":"The server had a problem. Please try again.","retryable":true,"detail":"boom"}}"#
    );
    let out = ans("me", 403, "");
    assert_eq!(
        out,
        r#"{"error":{"code":"forbidden","status":403,"message":"This action is not allowed.","retryable":false}}"#
    );
    // A missing API key header is unauthorized, not a validation failure.
    let out = ans(
        "list",
        422,
        r#"{"detail":[{"type":"missing","loc":["header","x-api-key"],"msg":"Field required"}]}"#,
    );
    assert_eq!(code_of(&out), "unauthorized");
    assert!(error_of(&out).get("fieldErrors").is_none());
    // A `null` detail is kept as such.
    assert_eq!(
        error_of(&ans("me", 404, r#"{"detail":null}"#)).get("detail"),
        Some(&Json::Null)
    );
}

#[test]
fn rate_limits_carry_retry_after() {
    let retry = |header: &str| {
        let out = answer("me", 429, "{}", header, f64::NAN, NOW, "");
        let e = error_of(&out);
        assert_eq!(e.str_at("code"), Some("rate_limited"));
        assert_eq!(e.get("retryable"), Some(&Json::Bool(true)));
        e.get("retryAfter").unwrap().as_i64().unwrap()
    };
    assert_eq!(retry("30"), 30);
    assert_eq!(retry(" 7 "), 7);
    assert_eq!(retry("+5"), 5);
    assert_eq!(retry(""), 1);
    assert_eq!(retry("soon"), 1);
    assert_eq!(retry("-3"), 1);
    assert_eq!(retry("1.5"), 1);
    assert_eq!(retry("Wed, 21 Oct 2015 07:28:00 GMT"), 1);
    assert_eq!(retry("18446744073709551615"), i64::MAX);
    assert_eq!(retry("18446744073709551616"), 1);
    // Only on 429.
    let out = answer("me", 503, "", "30", f64::NAN, NOW, "");
    assert!(error_of(&out).get("retryAfter").is_none());
}

#[test]
fn a_dead_token_is_reported_with_its_reason() {
    for op in [
        "me",
        "update",
        "follow",
        "unfollow",
        "changePasswordPatch",
        "refresh",
    ] {
        let out = ans(op, 401, r#"{"detail":"Token has expired"}"#);
        assert_eq!(code_of(&out), "session_expired", "{op}");
        let out = ans(op, 401, r#"{"detail":"Token has been revoked"}"#);
        assert_eq!(code_of(&out), "unauthorized", "{op}");
        assert_eq!(error_of(&out).get("status").unwrap().as_i64(), Some(401));
    }
    let out = ans("me", 401, r#"{"detail":"Invalid API key"}"#);
    assert_eq!(code_of(&out), "unauthorized");
}

#[test]
fn user_answers_update_the_held_session() {
    let current = record();
    let held = parse(&restore(&current));
    let body = r#"{"id":"u1","email":"ada@example.com","data":{"bio":"hi"},"roles":[],"created_at":"t","extra":1}"#;
    for op in ["me", "update", "follow", "unfollow"] {
        let out = answer(op, 200, body, "", f64::NAN, NOW, &current);
        let j = parse(&out);
        assert_eq!(
            j.get("v").unwrap().to_json(),
            r#"{"id":"u1","email":"ada@example.com","data":{"bio":"hi"},"roles":[],"createdAt":"t"}"#,
            "{op}"
        );
        let s = j.get("s").unwrap();
        assert_eq!(s.get("t"), held.get("t"));
        assert_eq!(s.get("e"), held.get("e"));
        assert_eq!(s.str_at("u"), Some("u1"));
        // The raw user is stored, unknown fields included.
        let r = parse(s.str_at("r").unwrap());
        assert_eq!(r.get("user").unwrap().to_json(), body);
        assert_eq!(
            s.get("js").unwrap().get("user"),
            j.get("v"),
            "the session's user is the answer's"
        );
    }
    // Another user, or no session: the user only.
    let other = r#"{"id":"u2","email":"b@x.io"}"#;
    let out = answer("me", 200, other, "", f64::NAN, NOW, &current);
    assert_eq!(
        out,
        r#"{"v":{"id":"u2","email":"b@x.io","data":{},"roles":[],"createdAt":""}}"#
    );
    let out = answer("me", 200, body, "", f64::NAN, NOW, "");
    assert!(parse(&out).get("s").is_none());
    let out = answer("me", 200, body, "", f64::NAN, NOW, "garbage");
    assert!(parse(&out).get("s").is_none());
    // Not a user.
    for bad in [
        r#"{"detail":"x"}"#,
        r#"{"id":""}"#,
        r#"{"id":5}"#,
        "[]",
        "null",
    ] {
        assert_eq!(code_of(&ans("me", 200, bad)), "bad_response", "{bad}");
    }
}

#[test]
fn refresh_keeps_the_held_user_when_the_answer_has_none() {
    let current = record();
    let fresh = jwt(T0 + 60, 3600);
    // With a user: that one.
    let body = token_answer(&fresh, "u1").replace("ada@example.com", "new@example.com");
    let out = answer("refresh", 200, &body, "", f64::NAN, NOW, &current);
    let s = parse(&out).get("s").unwrap().clone();
    assert_eq!(s.str_at("t"), Some(fresh.as_str()));
    // Its lifetime (exp - iat) counts from now on the local clock.
    assert_eq!(s.get("e").unwrap().as_i64(), Some((T0 + 3600) * 1000));
    assert_eq!(
        s.get("js").unwrap().get("user").unwrap().str_at("email"),
        Some("new@example.com")
    );
    // Without one (or an unusable one): the held user.
    for body in [
        format!(r#"{{"access_token":"{fresh}"}}"#),
        format!(r#"{{"access_token":"{fresh}","user":null}}"#),
        format!(r#"{{"access_token":"{fresh}","user":{{"id":""}}}}"#),
    ] {
        let out = answer("refresh", 200, &body, "", f64::NAN, NOW, &current);
        let s = parse(&out).get("s").unwrap().clone();
        assert_eq!(s.str_at("t"), Some(fresh.as_str()));
        assert_eq!(s.str_at("u"), Some("u1"));
        assert_eq!(
            s.get("js").unwrap().get("user").unwrap().str_at("email"),
            Some("ada@example.com")
        );
    }
    // Without one and nothing held: unreadable.
    let body = format!(r#"{{"access_token":"{fresh}"}}"#);
    assert_eq!(code_of(&ans("refresh", 200, &body)), "bad_response");
    // Servers without refresh.
    for status in [404, 405] {
        let out = ans("refresh", status, r#"{"detail":"Not Found"}"#);
        assert_eq!(code_of(&out), "refresh_unsupported");
    }
}

#[test]
fn change_password_answers() {
    let current = record();
    let fresh = jwt(T0 + 5, 3600);
    let body = format!(r#"{{"message":"Password changed","access_token":"{fresh}"}}"#);
    let out = answer("changePassword", 200, &body, "", f64::NAN, NOW, &current);
    let s = parse(&out).get("s").unwrap().clone();
    assert_eq!(s.str_at("t"), Some(fresh.as_str()));
    assert_eq!(s.get("e").unwrap().as_i64(), Some((T0 + 3600) * 1000));
    let held = parse(&restore(&current));
    assert_eq!(
        s.get("js").unwrap().get("user"),
        held.get("js").unwrap().get("user")
    );
    // No token, an empty one, or no session held.
    for body in [r#"{"message":"ok"}"#, r#"{"access_token":""}"#] {
        let out = answer("changePassword", 200, body, "", f64::NAN, NOW, &current);
        assert_eq!(code_of(&out), "bad_response");
    }
    assert_eq!(
        code_of(&ans("changePassword", 200, &body)),
        "session_missing"
    );
    // The errors the JS shell acts on.
    let out = ans(
        "changePassword",
        400,
        r#"{"detail":"Current password is incorrect"}"#,
    );
    assert_eq!(code_of(&out), "invalid_credentials");
    for status in [404, 405] {
        let out = ans("changePassword", status, r#"{"detail":"Not Found"}"#);
        assert_eq!(
            error_of(&out).get("status").unwrap().as_i64(),
            Some(i64::from(status))
        );
    }
    // The fallback: a login, then a patch whose answer only needs to be JSON.
    let out = answer(
        "changePasswordLogin",
        200,
        &token_answer(&fresh, "u1"),
        "",
        f64::NAN,
        NOW,
        &current,
    );
    assert_eq!(
        parse(&out).get("s").unwrap().str_at("t"),
        Some(fresh.as_str())
    );
    let out = ans(
        "changePasswordLogin",
        400,
        r#"{"detail":"An error occured 400: Invalid password value"}"#,
    );
    assert_eq!(code_of(&out), "invalid_credentials");
    assert_eq!(ans("changePasswordPatch", 200, r#"{"id":"u1"}"#), "{}");
    assert_eq!(ans("changePasswordPatch", 200, "[]"), "{}");
    assert_eq!(
        code_of(&ans("changePasswordPatch", 200, "")),
        "bad_response"
    );
    let out = ans(
        "changePasswordPatch",
        400,
        r#"{"detail":"Use change-password to change a password"}"#,
    );
    assert_eq!(code_of(&out), "validation_failed");
}

#[test]
fn lists_and_public_users() {
    let out = ans(
        "list",
        200,
        r#"{"data":[{"id":"u1","email":"a@x.io","data":{},"roles":["r"],"created_at":"t"},{"nope":1}],"total":3,"limit":1,"offset":0,"has_more":true}"#,
    );
    assert_eq!(
        out,
        r#"{"v":{"users":[{"id":"u1","email":"a@x.io","data":{},"roles":["r"],"createdAt":"t"}],"total":3,"limit":1,"offset":0,"hasMore":true}}"#
    );
    // The other server's key, and missing counts.
    let out = ans("list", 200, r#"{"users":[{"id":"a"},{"id":"b"}]}"#);
    let v = parse(&out).get("v").unwrap().clone();
    assert_eq!(v.get("total").unwrap().as_i64(), Some(2));
    assert_eq!(v.get("limit").unwrap().as_i64(), Some(0));
    assert_eq!(v.get("hasMore"), Some(&Json::Bool(false)));
    for bad in ["{}", r#"{"data":{}}"#, "[]"] {
        assert_eq!(code_of(&ans("list", 200, bad)), "bad_response", "{bad}");
    }
    let out = ans(
        "user",
        200,
        r#"{"id":"u/2","data":{"n":1},"created_at":"t","roles":[],"email":"leak@x.io"}"#,
    );
    assert_eq!(
        out,
        r#"{"v":{"id":"u/2","data":{"n":1},"roles":[],"createdAt":"t"}}"#
    );
    // A public profile never updates the session, even for the same user.
    let out = answer("user", 200, r#"{"id":"u1"}"#, "", f64::NAN, NOW, &record());
    assert!(parse(&out).get("s").is_none());
    assert_eq!(
        code_of(&ans("user", 200, r#"{"name":"x"}"#)),
        "bad_response"
    );
    assert_eq!(
        code_of(&ans("user", 404, r#"{"detail":"User not found"}"#)),
        "not_found"
    );
}

#[test]
fn oauth_url_answers() {
    assert_eq!(
        ans(
            "oauthUrl",
            200,
            r#"{"url":"https://accounts.example/auth?x=1"}"#
        ),
        r#"{"v":"https://accounts.example/auth?x=1"}"#
    );
    for bad in [r#"{"url":"javascript:alert(1)"}"#, r#"{"url":5}"#, "{}"] {
        assert_eq!(code_of(&ans("oauthUrl", 200, bad)), "bad_response", "{bad}");
    }
    assert_eq!(
        code_of(&ans("oauthUrl", 404, r#"{"detail":"Unknown provider"}"#)),
        "not_found"
    );
    let out = ans("verify", 400, r#"{"detail":"Invalid or expired code"}"#);
    assert_eq!(code_of(&out), "oauth_invalid_callback");
}

// ----- the stored session ----------------------------------------------------------------

#[test]
fn restore_reads_only_well_formed_records() {
    let r = record();
    let s = parse(&restore(&r));
    assert_eq!(s.str_at("r"), Some(r.as_str()));
    assert_eq!(s.str_at("u"), Some("u1"));
    for junk in ["", "{not json", "null", "{\"v\":1}", "[1]", "undefined"] {
        assert_eq!(restore(junk), "", "{junk}");
    }
    assert_eq!(restore(&r.replace("\"v\":1", "\"v\":2")), "");
}

#[test]
fn adopt_takes_the_official_sdk_session() {
    let t = token(&format!(r#"{{"userId":"u9","exp":{}}}"#, T0 + 3600));
    let out = adopt(&t, r#"{"id":"u9","email":"z@x.io","data":{}}"#);
    let s = parse(&out);
    assert_eq!(s.str_at("u"), Some("u9"));
    assert_eq!(s.str_at("t"), Some(t.as_str()));
    assert_eq!(s.get("e").unwrap().as_i64(), Some((T0 + 3600) * 1000));
    // The SDK may have stored the token JSON-quoted.
    let quoted = format!("\"{t}\"");
    assert_eq!(
        adopt(&quoted, r#"{"id":"u9"}"#),
        adopt(&t, r#"{"id":"u9"}"#)
    );
    assert_eq!(adopt(&t, ""), "");
    assert_eq!(adopt(&t, "not json"), "");
    assert_eq!(adopt("x", r#"{"id":"u9"}"#), "");
}

// ----- sign-in by redirect -------------------------------------------------------------

/// The states of stored flows.
fn read_flows_text(text: &str) -> Vec<String> {
    let list = Json::parse(text).unwrap_or(Json::Null);
    crate::core::oauth::read_flows(&list)
        .iter()
        .map(|f| f.state.to_owned())
        .collect()
}

fn start(flows: &str, state: &str, provider: &str, now: f64) -> (String, String) {
    let out = oauth_start(
        flows,
        state,
        provider,
        "http://app/cb",
        now,
        "http://127.0.0.1:9/authorize?redirect_uri=http%3A%2F%2Fapp%2Fcb",
    );
    let j = parse(&out);
    (
        j.str_at("f").unwrap().to_owned(),
        j.str_at("v").unwrap().to_owned(),
    )
}

#[test]
fn oauth_start_adds_state_and_remembers_the_flow() {
    let (flows, url) = start("", "s1", "google", NOW);
    assert_eq!(
        url,
        "http://127.0.0.1:9/authorize?redirect_uri=http%3A%2F%2Fapp%2Fcb&state=s1"
    );
    assert_eq!(
        flows,
        r#"[{"state":"s1","provider":"google","redirect_uri":"http://app/cb","created_at":1700000000000}]"#
    );
    let (flows, _) = start(&flows, "s2", "apple", NOW + 1.0);
    assert_eq!(read_flows_text(&flows).len(), 2);
    // Garbage flows are none.
    let (flows, _) = start("garbage", "s3", "google", NOW);
    assert_eq!(read_flows_text(&flows).len(), 1);
    let out = oauth_start("", "a b", "google", "http://app/cb", NOW, "http://h/x#f");
    assert_eq!(parse(&out).str_at("v"), Some("http://h/x?state=a%20b#f"));
}

#[test]
fn oauth_callback_builds_the_verify_request_once() {
    let (flows, _) = start("", "s1", "apple", NOW);
    let out = oauth_callback("http://app/cb?code=c1&state=s1#top", &flows, NOW + 1000.0);
    assert_eq!(
        out,
        r#"{"c":"http://app/cb#top","f":"","q":{"m":"POST","p":"/verify-apple-login","b":"{\"code\":\"c1\",\"redirect_uri\":\"http://app/cb\"}"}}"#
    );
    // Its answer is read as `verify`.
    let q = parse(&out).get("q").unwrap().clone();
    assert_eq!(q.get("a"), None);
    // Reloading the same URL: the state is used up.
    let out = oauth_callback("http://app/cb?code=c1&state=s1", "", NOW);
    assert_eq!(
        out,
        r#"{"c":"http://app/cb","f":"","error":{"code":"oauth_state_mismatch","status":0,"message":"The sign-in answer does not match a sign-in started here.","retryable":false}}"#
    );
    // No OAuth answer at all.
    assert_eq!(oauth_callback("http://app/cb", &flows, NOW), "");
    assert_eq!(oauth_callback("http://app/cb?state=s1", &flows, NOW), "");
    assert_eq!(oauth_callback("http://app/cb#/settings", &flows, NOW), "");
}

#[test]
fn oauth_callback_failures() {
    let (flows, _) = start("", "good", "google", NOW);
    let (flows, _) = start(&flows, "s2", "google", NOW);
    // Tampered state: the other flows stay.
    let out = oauth_callback("http://app/cb?code=x&state=evil", &flows, NOW);
    let j = parse(&out);
    assert_eq!(code_of(&out), "oauth_state_mismatch");
    assert_eq!(j.str_at("f"), Some(flows.as_str()));
    // Denied at the provider: its description is the message, its error the detail.
    let out = oauth_callback(
        "http://app/cb?error=access_denied&error_description=No%20thanks&state=s2",
        &flows,
        NOW,
    );
    let j = parse(&out);
    let e = j.get("error").unwrap();
    assert_eq!(e.str_at("code"), Some("oauth_denied"));
    assert_eq!(e.str_at("message"), Some("No thanks"));
    assert_eq!(e.str_at("detail"), Some("access_denied"));
    assert_eq!(j.str_at("c"), Some("http://app/cb"));
    // The used flow is gone, the other one left.
    let left = read_flows_text(j.str_at("f").unwrap());
    assert_eq!(left.len(), 1);
    assert_eq!(left[0], "good");
    let out = oauth_callback("http://app/cb?error=access_denied&state=good", &flows, NOW);
    assert_eq!(message_of(&out), "Sign-in was cancelled or denied.");
    // No code.
    let out = oauth_callback("http://app/cb#code=&state=good", &flows, NOW);
    assert_eq!(code_of(&out), "oauth_invalid_callback");
    // Expired flow.
    let late = NOW + (crate::core::oauth::FLOW_TTL_MS + 1) as f64;
    let out = oauth_callback("http://app/cb?code=x&state=good", &flows, late);
    assert_eq!(code_of(&out), "oauth_state_mismatch");
    assert_eq!(parse(&out).str_at("f"), Some(""));
}
