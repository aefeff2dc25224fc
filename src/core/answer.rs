//! What an answer means: the status, the body (already parsed by the caller, `None`
//! when it was not JSON) and two headers, read for both servers' shapes.

use super::error::{decode_error, Endpoint, Error, ErrorCode};
use super::json::{Codec, Map, Value};
use super::options::is_http_url;
use super::request::Op;
use super::session::{is_user, PublicUser, Session, Shape, User};
use super::token::local_expiry;

/// `UserList` (JS-API.md).
#[derive(Debug, Clone, PartialEq)]
pub struct UserList {
    pub users: Vec<User>,
    pub total: f64,
    pub limit: f64,
    pub offset: f64,
    pub has_more: bool,
}

impl Shape for UserList {
    fn to_value(&self) -> Value {
        Value::Object(Map::from([
            (
                "users",
                Value::Array(self.users.iter().map(Shape::to_value).collect()),
            ),
            ("total", Value::Number(self.total)),
            ("limit", Value::Number(self.limit)),
            ("offset", Value::Number(self.offset)),
            ("hasMore", Value::Bool(self.has_more)),
        ]))
    }
}

super::session::serialize_as_value!(UserList);

/// What a successful answer means.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A sign-in needs its second factor; `email` when the answer named it.
    SecondFactor {
        message: String,
        email: Option<String>,
    },
    /// A new session (signed in, refreshed, or a fresh token after a password change).
    Session(Session),
    /// The signed-in user's object; `session` is the held session with it, when the
    /// answer is about the same user.
    User {
        user: User,
        session: Option<Session>,
    },
    Public(PublicUser),
    List(UserList),
    Url(String),
    /// Nothing to read (the answer's message is not needed).
    Done,
}

/// The headers and clocks an answer is read with.
#[derive(Debug, Clone, Copy, Default)]
pub struct Received<'a> {
    /// `Retry-After`, as sent.
    pub retry_after: Option<&'a str>,
    /// The answer's `Date` header, in epoch milliseconds.
    pub date_ms: Option<i64>,
    /// The local clock when the answer arrived.
    pub now_ms: i64,
}

impl Op {
    /// What the request was for, to read its errors.
    pub fn endpoint(self) -> Endpoint {
        match self {
            Op::Login | Op::ChangePasswordLogin => Endpoint::Login,
            Op::Refresh => Endpoint::Refresh,
            Op::OauthVerify => Endpoint::OauthVerify,
            Op::Verify2fa => Endpoint::TwoFactorVerify,
            Op::Enable2fa => Endpoint::TwoFactorEnable,
            Op::ResetPassword | Op::VerifyEmail => Endpoint::MailedToken,
            _ => Endpoint::Other,
        }
    }

    /// A sign-in, which a user with a second factor cannot finish in one step.
    fn signs_in(self) -> bool {
        matches!(
            self,
            Op::Signup | Op::SignupWithFiles | Op::Login | Op::OauthVerify | Op::IdToken
        )
    }
}

fn bad_answer() -> Error {
    Error::new(ErrorCode::BadResponse)
}

/// Reads the answer to `op`. `held` is the session held now (read by refresh, the
/// password change and the user's own answers).
pub fn answer(
    op: Op,
    status: u16,
    body: Option<&Value>,
    received: Received,
    held: Option<&Session>,
    codec: &dyn Codec,
) -> Result<Outcome, Error> {
    if !(200..=299).contains(&status) {
        return Err(decode_error(
            op.endpoint(),
            status,
            body,
            received.retry_after,
        ));
    }
    let Some(body) = body else {
        let mut e = bad_answer();
        e.status = status;
        return Err(e);
    };
    if op.signs_in() && body.get("requires_2fa").and_then(Value::as_bool) == Some(true) {
        return Ok(Outcome::SecondFactor {
            message: body
                .str_at("message")
                .unwrap_or("A second factor is required.")
                .to_owned(),
            email: body.str_at("email").map(str::to_owned),
        });
    }
    match op {
        Op::ChangePasswordPatch
        | Op::Send2faCode
        | Op::Enable2fa
        | Op::Disable2fa
        | Op::RequestPasswordReset
        | Op::ResetPassword
        | Op::RequestEmailVerification
        | Op::VerifyEmail => Ok(Outcome::Done),
        Op::CurrentUser | Op::Update | Op::Follow | Op::Unfollow | Op::GetUser => {
            if !is_user(body) {
                return Err(bad_answer());
            }
            if op == Op::GetUser {
                return Ok(Outcome::Public(PublicUser::from_server(body)));
            }
            let session = held
                .filter(|h| h.user_id() == body.str_at("id").unwrap_or(""))
                .map(|h| h.with_user(body.clone()));
            Ok(Outcome::User {
                user: User::from_server(body),
                session,
            })
        }
        Op::ListUsers => {
            let users = match body.as_object() {
                Some(o) if o.get("data").is_some() => o.get("data"),
                Some(o) => o.get("users"),
                None => None,
            };
            let users = users.and_then(Value::as_array).ok_or_else(bad_answer)?;
            let whole = |k: &str| body.get(k).and_then(Value::as_i64).unwrap_or(0) as f64;
            Ok(Outcome::List(UserList {
                users: users
                    .iter()
                    .filter(|u| is_user(u))
                    .map(User::from_server)
                    .collect(),
                total: whole("total").max(users.len() as f64),
                limit: whole("limit"),
                offset: whole("offset"),
                has_more: body.get("has_more").and_then(Value::as_bool) == Some(true),
            }))
        }
        Op::OauthUrl => match body.str_at("url") {
            Some(url) if is_http_url(url) => Ok(Outcome::Url(url.to_owned())),
            _ => Err(bad_answer()),
        },
        Op::ChangePassword => {
            let token = body
                .str_at("access_token")
                .filter(|t| !t.is_empty())
                .ok_or_else(bad_answer)?;
            let held = held.ok_or_else(|| Error::new(ErrorCode::SessionMissing))?;
            let body = Value::Object(Map::from([
                ("access_token", Value::from(token)),
                ("user", held.user.clone()),
            ]));
            token_answer(&body, received, codec)
        }
        Op::Refresh => {
            // A refresh answer without a user keeps the held one.
            let keep = !body.get("user").is_some_and(is_user);
            match (keep, held, body.as_object()) {
                (true, Some(h), Some(o)) => {
                    let mut o = o.clone();
                    o.insert("user", h.user.clone());
                    token_answer(&Value::Object(o), received, codec)
                }
                _ => token_answer(body, received, codec),
            }
        }
        Op::Signup
        | Op::SignupWithFiles
        | Op::Login
        | Op::ChangePasswordLogin
        | Op::OauthVerify
        | Op::Verify2fa
        | Op::IdToken => token_answer(body, received, codec),
    }
}

/// A token answer: `{access_token, user}` with a token whose expiry can be read.
fn token_answer(body: &Value, received: Received, codec: &dyn Codec) -> Result<Outcome, Error> {
    let token = body.str_at("access_token").filter(|t| !t.is_empty());
    let user = body.get("user").filter(|u| is_user(u));
    let (Some(token), Some(user)) = (token, user) else {
        return Err(bad_answer());
    };
    let expires_at =
        local_expiry(token, received.now_ms, received.date_ms, codec).ok_or_else(bad_answer)?;
    Ok(Outcome::Session(Session {
        access_token: token.to_owned(),
        user: user.clone(),
        expires_at,
    }))
}
