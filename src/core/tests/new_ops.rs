//! What the JS core did not have: the second factor, password reset, email
//! verification and ID-token sign-in (API.md "Second factor, password reset, email
//! verification, ID-token and GitHub sign-in", JS-API.md): their requests and local
//! checks, their answers, and the errors of their endpoints (`invalid_code`,
//! `invalid_token`, `two_factor_unavailable`).

use super::json;
use super::support::*;
use crate::core::answer::Outcome;
use crate::core::error::{Error, ErrorCode};
use crate::core::json::Value;
use crate::core::request::{build, Method, Op};

use Method::Post;

const ADA: &str = "ada@example.com";

// ----- requests -----------------------------------------------------------------------

#[test]
fn verify_2fa_sends_the_code_with_the_sign_in_email() {
    let c = cfg();
    assert_eq!(
        build(
            Op::Verify2fa,
            &json(r#"{"code":"123456","email":"a@b.co"}"#),
            &c,
            ADA
        )
        .unwrap(),
        rq(
            Post,
            "/2fa/verify",
            Some(r#"{"email":"a@b.co","code":"123456"}"#),
            false
        )
    );
    // The email defaults to the one the sign-in was for (the caller's `email`).
    assert_eq!(
        build(Op::Verify2fa, &json(r#"{"code":"123456"}"#), &c, ADA)
            .unwrap()
            .body,
        Some(json(r#"{"email":"ada@example.com","code":"123456"}"#))
    );
    assert_eq!(
        build(
            Op::Verify2fa,
            &json(r#"{"code":"1","email":null}"#),
            &c,
            ADA
        )
        .unwrap()
        .body,
        Some(json(r#"{"email":"ada@example.com","code":"1"}"#))
    );
    let e = error(build(Op::Verify2fa, &json(r#"{"code":""}"#), &c, ADA));
    assert_eq!(field_codes(&e), want(&[("code", &["empty"])]));
    assert_eq!(e.message, "This field is required.");
    let e = error(build(Op::Verify2fa, &json(r#"{"code":"1"}"#), &c, ""));
    assert_eq!(field_codes(&e), want(&[("email", &["empty"])]));
    let e = error(build(Op::Verify2fa, &Value::Null, &c, ""));
    assert_eq!(fields(&e), ["code", "email"]);
    // A code that is not a string is no code.
    let e = error(build(Op::Verify2fa, &json(r#"{"code":123456}"#), &c, ADA));
    assert_eq!(fields(&e), ["code"]);
}

#[test]
fn send_2fa_code_needs_an_email_from_somewhere() {
    let c = cfg();
    assert_eq!(
        build(Op::Send2faCode, &Value::from("a@b.co"), &c, ADA).unwrap(),
        rq(Post, "/2fa/send-code", Some(r#"{"email":"a@b.co"}"#), false)
    );
    assert_eq!(
        build(Op::Send2faCode, &Value::Null, &c, ADA).unwrap().body,
        Some(json(r#"{"email":"ada@example.com"}"#))
    );
    let e = error(build(Op::Send2faCode, &Value::Null, &c, ""));
    assert_eq!(field_codes(&e), want(&[("email", &["empty"])]));
    let e = error(build(Op::Send2faCode, &Value::from(""), &c, ""));
    assert_eq!(fields(&e), ["email"]);
}

#[test]
fn enable_disable_and_email_verification_go_as_the_user_with_an_empty_body() {
    for (op, path) in [
        (Op::Enable2fa, "/2fa/enable"),
        (Op::Disable2fa, "/2fa/disable"),
        (Op::RequestEmailVerification, "/verify-email/send"),
    ] {
        assert_eq!(
            b(op, &Value::Null).unwrap(),
            rq(Post, path, Some("{}"), true),
            "{op:?}"
        );
    }
}

#[test]
fn password_reset_requests_and_their_checks() {
    assert_eq!(
        b(Op::RequestPasswordReset, &Value::from(ADA)).unwrap(),
        rq(
            Post,
            "/forgot-password",
            Some(r#"{"email":"ada@example.com"}"#),
            false
        )
    );
    let e = error(b(Op::RequestPasswordReset, &Value::from("nope")));
    assert_eq!(field_codes(&e), want(&[("email", &["missing_at"])]));
    let e = error(b(Op::RequestPasswordReset, &Value::Null));
    assert_eq!(field_codes(&e), want(&[("email", &["empty"])]));
    // The signed-in user's email is no default here.
    let e = error(build(Op::RequestPasswordReset, &Value::Null, &cfg(), ADA));
    assert_eq!(fields(&e), ["email"]);

    assert_eq!(
        b(
            Op::ResetPassword,
            &json(r#"{"token":"t0k","newPassword":"Correct-Horse-7"}"#)
        )
        .unwrap(),
        rq(
            Post,
            "/reset-password",
            Some(r#"{"token":"t0k","new_password":"Correct-Horse-7"}"#),
            false
        )
    );
    let e = error(b(Op::ResetPassword, &json(r#"{"newPassword":"weak"}"#)));
    let f = field_codes(&e);
    assert_eq!(fields(&e), ["token", "newPassword"]);
    assert_eq!(f[0].1, ["empty"]);
    assert!(f[1].1.iter().any(|c| c == "too_short"), "{f:?}");
    // The client's policy, not the default one.
    let mut c = cfg();
    c.password_policy.min_length = 40;
    let e = error(build(
        Op::ResetPassword,
        &json(r#"{"token":"t","newPassword":"Correct-Horse-7"}"#),
        &c,
        "",
    ));
    assert_eq!(field_codes(&e), want(&[("newPassword", &["too_short"])]));
}

#[test]
fn verify_email_sends_the_mailed_token() {
    assert_eq!(
        b(Op::VerifyEmail, &Value::from("t0k")).unwrap(),
        rq(
            Post,
            "/verify-email/verify",
            Some(r#"{"token":"t0k"}"#),
            false
        )
    );
    for bad in [Value::from(""), Value::Null, Value::Number(5.0)] {
        let e = error(b(Op::VerifyEmail, &bad));
        assert_eq!(field_codes(&e), want(&[("token", &["empty"])]), "{bad:?}");
    }
}

#[test]
fn id_token_sign_in_is_google_only() {
    assert_eq!(
        b(
            Op::IdToken,
            &json(r#"{"provider":"google","idToken":"eyJ.x.y"}"#)
        )
        .unwrap(),
        rq(
            Post,
            "/google-verify",
            Some(r#"{"id_token":"eyJ.x.y"}"#),
            false
        )
    );
    for provider in [r#""apple""#, r#""github""#, r#""Google""#, "null", "5"] {
        let params = json(&format!(r#"{{"provider":{provider},"idToken":"t"}}"#));
        let e = error(b(Op::IdToken, &params));
        assert_eq!(
            field_codes(&e),
            want(&[("provider", &["invalid"])]),
            "{provider}"
        );
        assert_eq!(e.message, r#"The provider must be "google"."#);
    }
    let e = error(b(Op::IdToken, &json(r#"{"provider":"google"}"#)));
    assert_eq!(field_codes(&e), want(&[("idToken", &["empty"])]));
}

// ----- answers ------------------------------------------------------------------------

#[test]
fn answers_with_nothing_to_read_are_done() {
    for (op, body) in [
        (Op::Send2faCode, r#"{"message":"2FA code sent"}"#),
        (Op::Enable2fa, r#"{"message":"2FA enabled successfully"}"#),
        (Op::Disable2fa, r#"{"message":"2FA disabled successfully"}"#),
        (
            Op::RequestPasswordReset,
            r#"{"message":"If that email exists, a reset link has been sent"}"#,
        ),
        (
            Op::ResetPassword,
            r#"{"message":"Password successfully reset"}"#,
        ),
        (
            Op::RequestEmailVerification,
            r#"{"message":"Email already verified"}"#,
        ),
        (
            Op::VerifyEmail,
            r#"{"message":"Email verified successfully!","email_verified":true,"verified_at":"2026-01-01T00:00:00Z"}"#,
        ),
    ] {
        assert_eq!(ans(op, 200, body), Ok(Outcome::Done), "{op:?}");
        // Any JSON will do; what is not JSON is unreadable.
        assert_eq!(ans(op, 200, "[]"), Ok(Outcome::Done), "{op:?}");
        let e = error(ans(op, 200, "<html>ok</html>"));
        assert_eq!((e.code, e.status), (ErrorCode::BadResponse, 200), "{op:?}");
    }
}

#[test]
fn verify_2fa_and_id_token_answers_are_sessions() {
    let tok = jwt(T0, 3600);
    for op in [Op::Verify2fa, Op::IdToken] {
        let body = format!(
            r#"{{"message":"2FA verification successful",{}"#,
            &token_answer(&tok, "u1")[1..]
        );
        let s = session(ans(op, 200, &body));
        assert_eq!(s.access_token, tok);
        assert_eq!(s.expires_at, (T0 + 3600) * 1000);
        round_trips(&s);
        assert_eq!(code(ans(op, 200, r#"{"message":"ok"}"#)), "bad_response");
    }
}

#[test]
fn requires_2fa_from_every_sign_in() {
    let body = r#"{"requires_2fa":true,"message":"2FA code sent to your email"}"#;
    for op in [
        Op::Signup,
        Op::SignupWithFiles,
        Op::Login,
        Op::OauthVerify,
        Op::IdToken,
    ] {
        assert_eq!(
            ans(op, 200, body),
            Ok(Outcome::SecondFactor {
                message: "2FA code sent to your email".into(),
                email: None,
            }),
            "{op:?}"
        );
    }
    // The answer may name the email (the glue falls back to the sign-in's or the ID token's).
    assert_eq!(
        ans(
            Op::IdToken,
            200,
            r#"{"requires_2fa":true,"message":"m","email":"a@b.co"}"#
        ),
        Ok(Outcome::SecondFactor {
            message: "m".into(),
            email: Some("a@b.co".into()),
        })
    );
    assert_eq!(
        ans(Op::OauthVerify, 200, r#"{"requires_2fa":true,"email":5}"#),
        Ok(Outcome::SecondFactor {
            message: "A second factor is required.".into(),
            email: None,
        })
    );
    // An empty message is the server's, as in the JS core (`??`).
    assert_eq!(
        ans(Op::Login, 200, r#"{"requires_2fa":true,"message":""}"#),
        Ok(Outcome::SecondFactor {
            message: String::new(),
            email: None,
        })
    );
    // Only `true` asks for a code.
    assert_eq!(
        code(ans(
            Op::Login,
            200,
            r#"{"requires_2fa":"true","message":"m"}"#
        )),
        "bad_response"
    );
    // What is not a sign-in never asks for a second factor: the code's own answer, a
    // refresh, a password change.
    for op in [Op::Verify2fa, Op::Refresh, Op::ChangePasswordLogin] {
        assert_eq!(code(ans(op, 200, body)), "bad_response", "{op:?}");
    }
}

// ----- errors -------------------------------------------------------------------------

#[test]
fn new_error_codes_of_the_new_endpoints() {
    let cases = [
        (
            Op::Verify2fa,
            400,
            r#"{"detail":"Invalid email or code"}"#,
            "invalid_code",
        ),
        (
            Op::Verify2fa,
            400,
            r#"{"detail":"Code expired or already used"}"#,
            "invalid_code",
        ),
        (
            Op::Verify2fa,
            429,
            r#"{"detail":"Too many codes"}"#,
            "rate_limited",
        ),
        (
            Op::Verify2fa,
            422,
            r#"{"detail":[{"loc":["body","code"],"msg":"Field required"}]}"#,
            "validation_failed",
        ),
        (
            Op::ResetPassword,
            400,
            r#"{"detail":"Invalid or expired reset token"}"#,
            "invalid_token",
        ),
        (Op::ResetPassword, 400, "", "invalid_token"),
        (
            Op::ResetPassword,
            422,
            r#"{"detail":[{"loc":["body","new_password"],"msg":"Too short","type":"too_short"}]}"#,
            "validation_failed",
        ),
        (
            Op::VerifyEmail,
            400,
            r#"{"detail":"Invalid or expired verification token"}"#,
            "invalid_token",
        ),
        (
            Op::Enable2fa,
            400,
            r#"{"detail":"2FA is not enabled for this project"}"#,
            "two_factor_unavailable",
        ),
        (
            Op::Enable2fa,
            401,
            r#"{"detail":"Token has expired"}"#,
            "session_expired",
        ),
        (
            Op::Disable2fa,
            404,
            r#"{"detail":"2FA settings not found"}"#,
            "not_found",
        ),
        (
            Op::Disable2fa,
            400,
            r#"{"detail":"x"}"#,
            "validation_failed",
        ),
        (Op::Send2faCode, 429, "", "rate_limited"),
        (
            Op::RequestPasswordReset,
            422,
            r#"{"detail":[{"loc":["body","email"],"msg":"bad"}]}"#,
            "validation_failed",
        ),
        (
            Op::RequestEmailVerification,
            401,
            r#"{"detail":"Token has been revoked"}"#,
            "unauthorized",
        ),
        (
            Op::IdToken,
            409,
            r#"{"detail":"An account with this email already exists"}"#,
            "email_taken",
        ),
        (
            Op::IdToken,
            400,
            r#"{"detail":"Invalid Google ID token: bad"}"#,
            "validation_failed",
        ),
        (
            Op::OauthVerify,
            400,
            r#"{"detail":"Invalid GitHub code"}"#,
            "oauth_invalid_callback",
        ),
        // The old endpoints keep their codes for the same 400.
        (
            Op::Login,
            400,
            r#"{"detail":"Invalid email or code"}"#,
            "invalid_credentials",
        ),
        (
            Op::CurrentUser,
            400,
            r#"{"detail":"Invalid or expired reset token"}"#,
            "validation_failed",
        ),
        (
            Op::ChangePassword,
            400,
            r#"{"detail":"Code expired or already used"}"#,
            "validation_failed",
        ),
    ];
    for (op, status, body, want) in cases {
        let e = error(ans(op, status, body));
        assert_eq!(e.code.as_str(), want, "{op:?} {status} {body}");
        assert_eq!(e.status, status);
    }
    // The server's sentence is the message; its `detail` is kept.
    let e = error(ans(
        Op::Verify2fa,
        400,
        r#"{"detail":"Code expired or already used"}"#,
    ));
    assert_eq!(e.message, "Code expired or already used");
    assert_eq!(e.detail, Some(Value::from("Code expired or already used")));
    assert!(!e.retryable());
    // Without one, the code's own.
    assert_eq!(
        error(ans(Op::ResetPassword, 400, "")),
        Error {
            status: 400,
            ..Error::new(ErrorCode::InvalidToken)
        }
    );
    let e = error(ans(
        Op::ResetPassword,
        422,
        r#"{"detail":[{"loc":["body","new_password"],"msg":"Too short","type":"too_short"}]}"#,
    ));
    assert_eq!(field_codes(&e), want(&[("new_password", &["too_short"])]));
    assert_eq!(e.message, "Too short");
}

#[test]
fn new_codes_have_names_and_sentences() {
    for (c, name, message) in [
        (
            ErrorCode::InvalidCode,
            "invalid_code",
            "The code is wrong, expired or already used.",
        ),
        (
            ErrorCode::InvalidToken,
            "invalid_token",
            "The link is invalid, expired or already used.",
        ),
        (
            ErrorCode::TwoFactorUnavailable,
            "two_factor_unavailable",
            "Two-factor sign-in is not available.",
        ),
    ] {
        assert_eq!(c.as_str(), name);
        assert_eq!(c.default_message(), message);
        assert!(!c.retryable());
        let e = Error::new(c);
        assert_eq!((e.status, e.message.as_str()), (0, message));
        assert_eq!(e.field_errors, None);
    }
}
