//! The error codes and the decoding of error answers (`error` and `answer` on a status
//! outside 2xx in JS; `Error::new`, `decode_error` through `answer` here).
//!
//! Dropped or changed JS checks:
//! - `error("no_such_code")` and `error("")` giving `bad_response`: a code is an enum
//!   variant, there is no unknown one to ask for.
//! - The list of `every_code_has_a_distinct_name` has the three new codes (22, not 19).
//! - `e.detail === undefined` / `"detail" in e`: `detail` is `None` / `Some(Value::Null)`.
//! - `Object.getPrototypeOf(fieldErrors) === Object.prototype` (a field named
//!   `__proto__`): field errors are a list of pairs; what is left is that such a field is
//!   kept as any other.
//! - Restored: `Retry-After: 18446744073709551615` (u64::MAX), dropped in JS as a Rust
//!   width matter; it is past 64 bits as a number, so no delay (1) in both cores.

use super::support::*;
use crate::core::error::{decode_error, Endpoint, Error, ErrorCode, FieldIssue};
use crate::core::json::Value;
use crate::core::request::Op;

fn issue(code: &str, message: &str) -> FieldIssue {
    FieldIssue {
        code: code.into(),
        message: message.into(),
    }
}

#[test]
fn error_gives_the_default_object_of_a_code() {
    assert_eq!(
        Error::new(ErrorCode::NetworkError),
        Error {
            code: ErrorCode::NetworkError,
            status: 0,
            message: "The server could not be reached.".into(),
            detail: None,
            retry_after: None,
            field_errors: None,
        }
    );
    assert!(Error::new(ErrorCode::NetworkError).retryable());
    let e = Error::new(ErrorCode::SessionMissing);
    assert_eq!(
        (e.code.as_str(), e.status, e.message.as_str(), e.retryable()),
        ("session_missing", 0, "Nobody is signed in.", false)
    );
    for (c, name) in [
        (ErrorCode::Timeout, "timeout"),
        (ErrorCode::SessionExpired, "session_expired"),
        (ErrorCode::OauthStateMismatch, "oauth_state_mismatch"),
        (ErrorCode::RefreshUnsupported, "refresh_unsupported"),
        (ErrorCode::ConfigInvalid, "config_invalid"),
    ] {
        assert_eq!(Error::new(c).code.as_str(), name);
    }
    assert_eq!(
        Error::new(ErrorCode::ValidationFailed).field_errors,
        Some(vec![])
    );
    // Added: `with_message` and `config` keep the rest of the default.
    let e = Error::with_message(ErrorCode::OauthDenied, "No thanks");
    assert_eq!(e.message, "No thanks");
    assert_eq!(
        Error {
            message: "Sign-in was cancelled or denied.".into(),
            ..e
        },
        Error::new(ErrorCode::OauthDenied)
    );
    assert_eq!(Error::config("x").code, ErrorCode::ConfigInvalid);
}

#[test]
fn login_errors_from_both_servers() {
    assert_eq!(
        code(ans(
            Op::Login,
            401,
            r#"{"detail":"Invalid email or password"}"#
        )),
        "invalid_credentials"
    );
    let e = error(ans(
        Op::Login,
        400,
        r#"{"detail":"An error occured 404: Account with this email does not exist"}"#,
    ));
    assert_eq!(
        e,
        Error {
            code: ErrorCode::InvalidCredentials,
            status: 400,
            message: "Invalid email or password.".into(),
            detail: Some(Value::from(
                "An error occured 404: Account with this email does not exist"
            )),
            retry_after: None,
            field_errors: None,
        }
    );
    let e = error(ans(
        Op::Signup,
        409,
        r#"{"detail":"User with this email already exists"}"#,
    ));
    assert_eq!(e.code.as_str(), "email_taken");
    assert_eq!(e.message, "User with this email already exists");
    assert_eq!(
        code(ans(Op::ChangePasswordLogin, 401, "")),
        "invalid_credentials"
    );
}

#[test]
fn bad_answers_are_typed() {
    assert_eq!(
        error(ans(Op::Login, 200, "<html>not json</html>")),
        Error {
            status: 200,
            ..Error::new(ErrorCode::BadResponse)
        }
    );
    let e = error(ans(Op::Login, 200, r#"{"access_token":null,"user":null}"#));
    assert_eq!(e.code, ErrorCode::BadResponse);
    assert_eq!(e.status, 0);
    assert_eq!(
        code(ans(Op::Login, 200, &token_answer("garbage", "u1"))),
        "bad_response"
    );
    assert_eq!(
        code(ans(Op::Login, 200, &token_answer(&jwt(T0, 3600), ""))),
        "bad_response"
    );
    let e = error(ans(Op::Login, 502, "<html>bad gateway</html>"));
    assert_eq!(e.code, ErrorCode::ServerError);
    assert!(e.retryable());
    assert_eq!(e.status, 502);
    assert_eq!(e.detail, None);
    assert_eq!(code(ans(Op::CurrentUser, 418, "")), "bad_response");
    assert_eq!(code(ans(Op::CurrentUser, 301, "")), "bad_response");
}

#[test]
fn every_error_shape() {
    // FastAPI's list: field errors grouped by field.
    let body = r#"{"detail":[{"loc":["body","email"],"msg":"Field required","type":"missing"},{"loc":["body","password"],"msg":"Too short","type":"value_error"},{"loc":["body","password"],"msg":"No digit","type":"digit"}]}"#;
    let e = error(ans(Op::Signup, 422, body));
    assert_eq!(e.code, ErrorCode::ValidationFailed);
    assert_eq!(e.message, "Field required");
    assert_eq!(
        e.field_errors,
        Some(vec![
            ("email".into(), vec![issue("missing", "Field required")]),
            (
                "password".into(),
                vec![
                    issue("value_error", "Too short"),
                    issue("digit", "No digit")
                ]
            ),
        ])
    );
    assert_eq!(
        e.detail
            .as_ref()
            .and_then(Value::as_array)
            .map(<[Value]>::len),
        Some(3)
    );
    // A string detail, the `error` key, nothing at all.
    assert_eq!(
        error(ans(Op::CurrentUser, 413, r#"{"detail":"Body too large"}"#)),
        Error {
            code: ErrorCode::ValidationFailed,
            status: 413,
            message: "Body too large".into(),
            detail: Some(Value::from("Body too large")),
            retry_after: None,
            field_errors: Some(vec![]),
        }
    );
    assert_eq!(
        error(ans(
            Op::GetUser,
            500,
            r#"{"error":"boom","traceback":"..."}"#
        )),
        Error {
            code: ErrorCode::ServerError,
            status: 500,
            message: "The server had a problem. Please try again.".into(),
            detail: Some(Value::from("boom")),
            retry_after: None,
            field_errors: None,
        }
    );
    assert_eq!(
        error(ans(Op::CurrentUser, 403, "")),
        Error {
            status: 403,
            ..Error::new(ErrorCode::Forbidden)
        }
    );
    assert_eq!(
        Error::new(ErrorCode::Forbidden).message,
        "This action is not allowed."
    );
    // A missing API key header is unauthorized, not a validation failure.
    let e = error(ans(
        Op::ListUsers,
        422,
        r#"{"detail":[{"type":"missing","loc":["header","x-api-key"],"msg":"Field required"}]}"#,
    ));
    assert_eq!(e.code, ErrorCode::Unauthorized);
    assert_eq!(e.field_errors, None);
    // A `null` detail is kept as such.
    let e = error(ans(Op::CurrentUser, 404, r#"{"detail":null}"#));
    assert_eq!(e.detail, Some(Value::Null));
}

#[test]
fn rate_limits_carry_retry_after() {
    let retry = |header: Option<&str>| {
        let e = error(answer_at(
            Op::CurrentUser,
            429,
            "{}",
            header,
            None,
            NOW,
            None,
        ));
        assert_eq!(e.code, ErrorCode::RateLimited);
        assert!(e.retryable());
        e.retry_after
    };
    assert_eq!(retry(Some("30")), Some(30.0));
    assert_eq!(retry(Some(" 7 ")), Some(7.0));
    assert_eq!(retry(Some("+5")), Some(5.0));
    assert_eq!(retry(Some("")), Some(1.0));
    assert_eq!(retry(None), Some(1.0));
    assert_eq!(retry(Some("soon")), Some(1.0));
    assert_eq!(retry(Some("-3")), Some(1.0));
    assert_eq!(retry(Some("1.5")), Some(1.0));
    assert_eq!(retry(Some("+")), Some(1.0));
    assert_eq!(retry(Some("Wed, 21 Oct 2015 07:28:00 GMT")), Some(1.0));
    // Added: trimmed as JavaScript's `trim()` does (U+0085 is no white space there).
    assert_eq!(retry(Some("\u{a0}30\t")), Some(30.0));
    assert_eq!(retry(Some("\u{feff}30")), Some(30.0));
    assert_eq!(retry(Some("\u{85}30")), Some(1.0));
    // Past 64 bits: none (see the top for u64::MAX).
    assert_eq!(retry(Some("18446744073709551615")), Some(1.0));
    assert_eq!(retry(Some("18446744073709551616")), Some(1.0));
    assert_eq!(
        retry(Some("18446744073709549568")),
        Some(18446744073709549568.0)
    );
    // Only on 429.
    let e = error(answer_at(
        Op::CurrentUser,
        503,
        "",
        Some("30"),
        None,
        NOW,
        None,
    ));
    assert_eq!(e.retry_after, None);
}

#[test]
fn a_dead_token_is_reported_with_its_reason() {
    for op in [
        Op::CurrentUser,
        Op::Update,
        Op::Follow,
        Op::Unfollow,
        Op::ChangePasswordPatch,
        Op::Refresh,
    ] {
        assert_eq!(
            code(ans(op, 401, r#"{"detail":"Token has expired"}"#)),
            "session_expired",
            "{op:?}"
        );
        let e = error(ans(op, 401, r#"{"detail":"Token has been revoked"}"#));
        assert_eq!(e.code, ErrorCode::Unauthorized, "{op:?}");
        assert_eq!(e.status, 401);
    }
    assert_eq!(
        code(ans(Op::CurrentUser, 401, r#"{"detail":"Invalid API key"}"#)),
        "unauthorized"
    );
}

// ===== error.rs =====
// `decode_error(endpoint, ...)` through `answer(op, ...)`.

#[test]
fn error_emulator_and_hosted_statuses_map_to_one_code() {
    let cases = [
        (
            Op::Login,
            401,
            r#"{"detail":"Invalid email or password"}"#,
            "invalid_credentials",
        ),
        (
            Op::Login,
            400,
            r#"{"detail":"An error occured 400: Invalid password value"}"#,
            "invalid_credentials",
        ),
        (
            Op::Login,
            400,
            r#"{"detail":"An error occured 404: Account with this email does not exist"}"#,
            "invalid_credentials",
        ),
        (
            Op::Login,
            400,
            r#"{"detail":"This account signs in with Google"}"#,
            "invalid_credentials",
        ),
        (
            Op::Signup,
            409,
            r#"{"detail":"User with this email already exists"}"#,
            "email_taken",
        ),
        (
            Op::Signup,
            400,
            r#"{"detail":"User with this email already exists"}"#,
            "email_taken",
        ),
        (
            Op::CurrentUser,
            401,
            r#"{"detail":"Token has expired"}"#,
            "session_expired",
        ),
        (
            Op::CurrentUser,
            401,
            r#"{"detail":"Token has been revoked"}"#,
            "unauthorized",
        ),
        (
            Op::CurrentUser,
            401,
            r#"{"detail":"Invalid API key"}"#,
            "unauthorized",
        ),
        (
            Op::GetUser,
            422,
            r#"{"detail":[{"type":"missing","loc":["header","x-api-key"],"msg":"Field required"}]}"#,
            "unauthorized",
        ),
        (
            Op::GetUser,
            404,
            r#"{"detail":"User not found"}"#,
            "not_found",
        ),
        (
            Op::GetUser,
            500,
            r#"{"error":"'NoneType' object","traceback":"Traceback..."}"#,
            "server_error",
        ),
        (
            Op::Signup,
            422,
            r#"{"detail":[{"loc":["body","email"],"msg":"Field required","type":"missing"}]}"#,
            "validation_failed",
        ),
        (
            Op::CurrentUser,
            413,
            r#"{"detail":"Body too large"}"#,
            "validation_failed",
        ),
        (
            Op::CurrentUser,
            400,
            r#"{"detail":"Use change-password to change a password"}"#,
            "validation_failed",
        ),
        (
            Op::ChangePassword,
            400,
            r#"{"detail":"Current password is incorrect"}"#,
            "invalid_credentials",
        ),
        (
            Op::ChangePassword,
            404,
            r#"{"detail":"Not Found"}"#,
            "not_found",
        ),
        (
            Op::Refresh,
            404,
            r#"{"detail":"Not Found"}"#,
            "refresh_unsupported",
        ),
        (Op::Refresh, 405, "", "refresh_unsupported"),
        (
            Op::Refresh,
            401,
            r#"{"detail":"Token has expired"}"#,
            "session_expired",
        ),
        (
            Op::OauthVerify,
            400,
            r#"{"detail":"Invalid or expired code"}"#,
            "oauth_invalid_callback",
        ),
        (
            Op::OauthUrl,
            404,
            r#"{"detail":"Unknown provider"}"#,
            "not_found",
        ),
        (
            Op::CurrentUser,
            403,
            r#"{"detail":"Request origin not allowed for this project"}"#,
            "forbidden",
        ),
        (
            Op::CurrentUser,
            429,
            r#"{"detail":"Rate limit exceeded"}"#,
            "rate_limited",
        ),
        (
            Op::CurrentUser,
            502,
            "<html><body>Bad gateway</body></html>",
            "server_error",
        ),
        (Op::CurrentUser, 503, "", "server_error"),
        (Op::CurrentUser, 418, "", "bad_response"),
    ];
    for (op, status, body, want) in cases {
        assert_eq!(code(ans(op, status, body)), want, "{op:?} {status} {body}");
    }
    // Added: the endpoints of the ops, which decide the 400s and 401s above.
    for (op, endpoint) in [
        (Op::Login, Endpoint::Login),
        (Op::ChangePasswordLogin, Endpoint::Login),
        (Op::Refresh, Endpoint::Refresh),
        (Op::OauthVerify, Endpoint::OauthVerify),
        (Op::Verify2fa, Endpoint::TwoFactorVerify),
        (Op::Enable2fa, Endpoint::TwoFactorEnable),
        (Op::ResetPassword, Endpoint::MailedToken),
        (Op::VerifyEmail, Endpoint::MailedToken),
        (Op::Signup, Endpoint::Other),
        (Op::IdToken, Endpoint::Other),
    ] {
        assert_eq!(op.endpoint(), endpoint, "{op:?}");
    }
    // And `decode_error` itself, as the glue calls it for a body that is not JSON.
    let e = decode_error(Endpoint::Other, 429, None, Some("9"));
    assert_eq!(
        (e.code, e.retry_after, e.detail),
        (ErrorCode::RateLimited, Some(9.0), None)
    );
}

#[test]
fn error_messages_and_details() {
    let e = error(ans(
        Op::Signup,
        409,
        r#"{"detail":"User with this email already exists"}"#,
    ));
    assert_eq!(e.message, "User with this email already exists");
    assert_eq!(
        e.detail,
        Some(Value::from("User with this email already exists"))
    );
    assert_eq!(e.status, 409);
    assert!(!e.retryable());

    let e = error(ans(
        Op::Login,
        400,
        r#"{"detail":"An error occured 400: Invalid password value"}"#,
    ));
    assert_eq!(e.message, "Invalid email or password.");
    assert!(e.detail.is_some());

    // A traceback is never shown as the message.
    let e = error(ans(
        Op::CurrentUser,
        500,
        r#"{"error":"boom","traceback":"File x"}"#,
    ));
    assert_eq!(e.message, "The server had a problem. Please try again.");
    assert_eq!(e.detail, Some(Value::from("boom")));
    assert!(e.retryable());

    let e = error(ans(Op::CurrentUser, 502, "<html>proxy</html>"));
    assert_eq!(e.detail, None);
    assert_eq!(e.code, ErrorCode::ServerError);

    // Added: the hosted service's wrapper is recognised in any case, and an `error`
    // that is not a string is no detail.
    let e = error(ans(
        Op::CurrentUser,
        404,
        r#"{"detail":"AN ERROR OCCURED 404: x"}"#,
    ));
    assert_eq!(e.message, "Not found.");
    let e = error(ans(Op::CurrentUser, 404, r#"{"error":{"x":1}}"#));
    assert_eq!(e.detail, None);
}

#[test]
fn error_rate_limits_carry_retry_after() {
    let e = error(answer_at(Op::Login, 429, "", Some("17"), None, NOW, None));
    assert_eq!(
        (e.code, e.retry_after, e.retryable()),
        (ErrorCode::RateLimited, Some(17.0), true)
    );
    let e = error(answer_at(Op::Login, 429, "", Some(""), None, NOW, None));
    assert_eq!(e.retry_after, Some(1.0));
}

#[test]
fn error_detail_lists_become_field_errors() {
    let body = r#"{"detail":[
            {"loc":["body","email"],"msg":"Field required","type":"missing"},
            {"loc":["body","password"],"msg":"Too short","type":"value_error.too_short"},
            {"loc":["body","password"],"msg":"No digit","type":"value_error.missing_digit"},
            {"msg":"odd"}]}"#;
    let e = error(ans(Op::Signup, 422, body));
    assert_eq!(e.code, ErrorCode::ValidationFailed);
    assert_eq!(e.message, "Field required");
    assert_eq!(
        e.field_errors,
        Some(vec![
            ("email".into(), vec![issue("missing", "Field required")]),
            (
                "password".into(),
                vec![
                    issue("value_error.too_short", "Too short"),
                    issue("value_error.missing_digit", "No digit")
                ]
            ),
            ("".into(), vec![issue("invalid", "odd")]),
        ])
    );
    // A number in `loc` names a field too; fields keep the order they first appear in.
    let body = r#"{"detail":[{"loc":["body",0],"msg":"a"},{"loc":["x"],"msg":"b"},{"loc":["body",0],"msg":"c"}]}"#;
    let e = error(ans(Op::Signup, 422, body));
    assert_eq!(
        e.field_errors,
        Some(vec![
            (
                "0".into(),
                vec![issue("invalid", "a"), issue("invalid", "c")]
            ),
            ("x".into(), vec![issue("invalid", "b")]),
        ])
    );
    // Added: `field` reads them; a fraction and a list in `loc` as `String()` writes them.
    assert_eq!(e.field("x"), Some(&[issue("invalid", "b")][..]));
    assert_eq!(e.field("y"), None);
    let body =
        r#"{"detail":[{"loc":[1.5],"msg":"a"},{"loc":[[1]],"msg":"b"},{"loc":"body","msg":"c"}]}"#;
    let e = error(ans(Op::Signup, 422, body));
    assert_eq!(fields(&e), ["1.5", ""]);
    // Added: numbers in `loc` as JavaScript's `String(n)` writes them.
    let body = r#"{"detail":[{"loc":[1e20]},{"loc":[1e21]},{"loc":[-0.0]},{"loc":[1.5e-7]},{"loc":[0.000001]},{"loc":[-2.5e300]},{"loc":[12]}]}"#;
    let e = error(ans(Op::Signup, 422, body));
    assert_eq!(
        fields(&e),
        [
            "100000000000000000000",
            "1e+21",
            "0",
            "1.5e-7",
            "0.000001",
            "-2.5e+300",
            "12"
        ]
    );
    // Added: an empty `type` or `msg` is none (the JS core's `||`), a message too.
    let body = r#"{"detail":[{"loc":["body","x"],"msg":"","type":""},{"loc":["body","x"],"msg":5,"type":null}]}"#;
    let e = error(ans(Op::Signup, 422, body));
    assert_eq!(
        e.field_errors,
        Some(vec![(
            "x".into(),
            vec![
                issue("invalid", "Invalid value."),
                issue("invalid", "Invalid value.")
            ]
        )])
    );
    assert_eq!(e.message, "Some fields are invalid.");
}

#[test]
fn error_every_code_has_a_distinct_name() {
    let all = [
        ErrorCode::ConfigInvalid,
        ErrorCode::SecretKeyInBrowser,
        ErrorCode::ValidationFailed,
        ErrorCode::InvalidCredentials,
        ErrorCode::EmailTaken,
        ErrorCode::Unauthorized,
        ErrorCode::SessionMissing,
        ErrorCode::SessionExpired,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::RateLimited,
        ErrorCode::NetworkError,
        ErrorCode::Timeout,
        ErrorCode::ServerError,
        ErrorCode::BadResponse,
        ErrorCode::RefreshUnsupported,
        ErrorCode::OauthDenied,
        ErrorCode::OauthStateMismatch,
        ErrorCode::OauthInvalidCallback,
        ErrorCode::InvalidCode,
        ErrorCode::InvalidToken,
        ErrorCode::TwoFactorUnavailable,
    ];
    let names = [
        "config_invalid",
        "secret_key_in_browser",
        "validation_failed",
        "invalid_credentials",
        "email_taken",
        "unauthorized",
        "session_missing",
        "session_expired",
        "forbidden",
        "not_found",
        "rate_limited",
        "network_error",
        "timeout",
        "server_error",
        "bad_response",
        "refresh_unsupported",
        "oauth_denied",
        "oauth_state_mismatch",
        "oauth_invalid_callback",
        "invalid_code",
        "invalid_token",
        "two_factor_unavailable",
    ];
    for (c, name) in all.iter().zip(names) {
        assert_eq!(c.as_str(), name);
        assert_eq!(Error::new(*c).code, *c);
        assert!(!c.default_message().is_empty());
        assert_eq!(
            c.retryable(),
            matches!(
                name,
                "network_error" | "timeout" | "server_error" | "rate_limited"
            )
        );
    }
    let mut distinct: Vec<&str> = all.iter().map(|c| c.as_str()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 22);
    let mut messages: Vec<&str> = all.iter().map(|c| c.default_message()).collect();
    messages.sort_unstable();
    messages.dedup();
    assert_eq!(messages.len(), 22, "each code says something of its own");
}

// ----- found in review, after the port -------------------------------------------------

#[test]
fn added_a_field_named_like_an_object_member_is_a_field_like_any_other() {
    for name in ["constructor", "__proto__", "toString", "hasOwnProperty"] {
        let body = format!(
            r#"{{"detail":[{{"loc":["body","{name}"],"msg":"bad"}},{{"loc":["body","{name}"],"msg":"worse"}}]}}"#
        );
        let e = error(ans(Op::Signup, 422, &body));
        assert_eq!(e.code, ErrorCode::ValidationFailed);
        let messages: Vec<&str> = e
            .field(name)
            .unwrap_or_else(|| panic!("{name}"))
            .iter()
            .map(|i| i.message.as_str())
            .collect();
        assert_eq!(messages, ["bad", "worse"], "{name}");
    }
}
