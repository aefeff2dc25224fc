//! What an answer means: `answer` for every op, a few statuses, with and without a held
//! session and a `Date` header, never panics, and gives what the op can give.
//!
//! Input: the response body (read by serde_json; `None` when it is not JSON).
#![no_main]

mod codec;

use std::sync::OnceLock;

use cocobase_auth::core::answer::{answer, Outcome, Received};
use cocobase_auth::core::error::ErrorCode;
use cocobase_auth::core::json::Codec;
use cocobase_auth::core::options::is_http_url;
use cocobase_auth::core::request::Op;
use cocobase_auth::core::session::{restore, Session};
use codec::{round_trips, Json};
use libfuzzer_sys::fuzz_target;

const STATUSES: [u16; 9] = [200, 201, 204, 400, 401, 404, 422, 429, 503];

const NOW: i64 = 1_767_226_000_000;

/// The session held while the answers arrive (user `u1`).
fn held() -> &'static Session {
    static HELD: OnceLock<Session> = OnceLock::new();
    HELD.get_or_init(|| {
        let record = r#"{"v":1,"access_token":"eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3NjcyMjkyMDAsImlhdCI6MTc2NzIyNTYwMH0.c2ln","user":{"id":"u1","email":"ada@example.com","data":{}},"expires_at":1767229600000}"#;
        restore(Json.parse(record).as_ref()).expect("the held record reads")
    })
}

fn signs_in(op: Op) -> bool {
    matches!(
        op,
        Op::Signup | Op::SignupWithFiles | Op::Login | Op::OauthVerify | Op::IdToken
    )
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let body = Json.parse(text);
    for (i, op) in Op::ALL.into_iter().enumerate() {
        for (j, status) in STATUSES.into_iter().enumerate() {
            let held = [None, Some(held())][(i + j) % 2];
            let received = Received {
                retry_after: None,
                date_ms: [None, Some(NOW - 5_000)][j % 2],
                now_ms: NOW,
            };
            let out = answer(op, status, body.as_ref(), received, held, &Json);
            let ok = (200..=299).contains(&status);
            let outcome = match out {
                Err(e) => {
                    if ok {
                        assert!(
                            e.code == ErrorCode::BadResponse
                                || (e.code == ErrorCode::SessionMissing
                                    && op == Op::ChangePassword
                                    && held.is_none()),
                            "{op:?}: {e:?}"
                        );
                    } else {
                        assert_eq!(e.status, status);
                    }
                    continue;
                }
                Ok(outcome) => outcome,
            };
            assert!(ok, "{op:?} {status}: a success outside 2xx");
            match outcome {
                Outcome::SecondFactor { message, email } => {
                    assert!(signs_in(op), "{op:?}");
                    // The server's message, even an empty one (as in the JS core), else
                    // a sentence of the client's.
                    let body = body.as_ref().unwrap();
                    assert_eq!(
                        message,
                        body.str_at("message")
                            .unwrap_or("A second factor is required.")
                    );
                    assert_eq!(email.as_deref(), body.str_at("email"));
                }
                Outcome::Session(s) => {
                    assert!(
                        signs_in(op)
                            || matches!(
                                op,
                                Op::ChangePassword
                                    | Op::ChangePasswordLogin
                                    | Op::Refresh
                                    | Op::Verify2fa
                            ),
                        "{op:?}"
                    );
                    if op == Op::ChangePassword {
                        assert_eq!(Some(&s.user), held.map(|h| &h.user));
                    }
                    round_trips(&s, "answer");
                }
                Outcome::User { user, session } => {
                    assert!(
                        matches!(op, Op::CurrentUser | Op::Update | Op::Follow | Op::Unfollow),
                        "{op:?}"
                    );
                    assert!(!user.id.is_empty());
                    if let Some(s) = session {
                        let h = held.expect("a session only with one held");
                        assert_eq!(
                            (s.access_token.as_str(), s.expires_at),
                            (h.access_token.as_str(), h.expires_at)
                        );
                        assert_eq!(s.user_id(), user.id);
                        assert_eq!(s.view().user, user);
                        round_trips(&s, "user");
                    }
                }
                Outcome::Public(u) => {
                    assert_eq!(op, Op::GetUser);
                    assert!(!u.id.is_empty());
                }
                Outcome::List(l) => {
                    assert_eq!(op, Op::ListUsers);
                    assert!(l.total >= l.users.len() as f64);
                    assert!(l.users.iter().all(|u| !u.id.is_empty()));
                    serde_json::to_string(&l).expect("a list serializes");
                }
                Outcome::Url(url) => {
                    assert_eq!(op, Op::OauthUrl);
                    assert!(is_http_url(&url));
                }
                Outcome::Done => assert!(
                    matches!(
                        op,
                        Op::ChangePasswordPatch
                            | Op::Send2faCode
                            | Op::Enable2fa
                            | Op::Disable2fa
                            | Op::RequestPasswordReset
                            | Op::ResetPassword
                            | Op::RequestEmailVerification
                            | Op::VerifyEmail
                    ),
                    "{op:?}"
                ),
            }
        }
    }
});
