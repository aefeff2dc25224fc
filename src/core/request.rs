//! What each method sends, after its local checks: nothing is sent when a check fails.

use super::error::{bad_field, check_fields, Error, ErrorCode};
use super::json::{Map, Value};
use super::options::{is_http_url, Config};
use crate::validate::{validate_email, validate_password, Issue, PasswordPolicy};

/// Every request the client makes, named by what it is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Signup,
    SignupWithFiles,
    Login,
    Update,
    Follow,
    Unfollow,
    ChangePassword,
    /// A server without change-password: the current password checked by a login...
    ChangePasswordLogin,
    /// ... then the new one set on the user.
    ChangePasswordPatch,
    ListUsers,
    GetUser,
    CurrentUser,
    Refresh,
    OauthUrl,
    /// The redirect sign-in's code, verified (Google, Apple, GitHub).
    OauthVerify,
    Verify2fa,
    Send2faCode,
    Enable2fa,
    Disable2fa,
    RequestPasswordReset,
    ResetPassword,
    RequestEmailVerification,
    VerifyEmail,
    IdToken,
}

impl Op {
    /// Every op, for tests and fuzzing that go through them all.
    pub const ALL: [Op; 24] = [
        Op::Signup,
        Op::SignupWithFiles,
        Op::Login,
        Op::Update,
        Op::Follow,
        Op::Unfollow,
        Op::ChangePassword,
        Op::ChangePasswordLogin,
        Op::ChangePasswordPatch,
        Op::ListUsers,
        Op::GetUser,
        Op::CurrentUser,
        Op::Refresh,
        Op::OauthUrl,
        Op::OauthVerify,
        Op::Verify2fa,
        Op::Send2faCode,
        Op::Enable2fa,
        Op::Disable2fa,
        Op::RequestPasswordReset,
        Op::ResetPassword,
        Op::RequestEmailVerification,
        Op::VerifyEmail,
        Op::IdToken,
    ];
}

/// The HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Patch,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
        }
    }
}

/// A request to send: `path` is under `{baseUrl}/auth-collections`.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub method: Method,
    pub path: String,
    /// The JSON body (for multipart: the `data` field's JSON).
    pub body: Option<Value>,
    /// The signed-in user's bearer token goes along.
    pub as_user: bool,
}

impl Request {
    fn new(method: Method, path: impl Into<String>) -> Request {
        Request {
            method,
            path: path.into(),
            body: None,
            as_user: false,
        }
    }

    fn json(mut self, body: Map) -> Request {
        self.body = Some(Value::Object(body));
        self
    }

    fn user(mut self) -> Request {
        self.as_user = true;
        self
    }
}

/// Percent-encodes a query value or path segment: everything but RFC 3986's
/// unreserved characters.
pub fn encode(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

fn issues(list: &[Issue]) -> Vec<(&'static str, &'static str)> {
    list.iter().map(|i| (i.code(), i.message())).collect()
}

/// The email rules' reasons.
pub fn email_issues(email: &str) -> Vec<(&'static str, &'static str)> {
    issues(&validate_email(email).errors)
}

/// The password rules' reasons (`email` "" for none).
pub fn password_issues(
    password: &str,
    policy: &PasswordPolicy,
    email: &str,
) -> Vec<(&'static str, &'static str)> {
    let email = (!email.is_empty()).then_some(email);
    issues(&validate_password(password, policy, email).errors)
}

fn required(value: &str) -> Vec<(&'static str, &'static str)> {
    if value.is_empty() {
        vec![("empty", "This field is required.")]
    } else {
        Vec::new()
    }
}

/// A string member ("" when absent or not a string).
fn text<'a>(p: &'a Value, key: &str) -> &'a str {
    p.str_at(key).unwrap_or("")
}

/// An optional plain-object member (`data`, `append`, `remove`).
fn object_field<'a>(p: &'a Value, key: &str) -> Result<Option<&'a Map>, Error> {
    match p.get(key) {
        None => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(bad_field(key, "Expected a plain object.")),
    }
}

fn optional_u32(p: &Value, key: &str) -> Result<Option<u32>, Error> {
    match p.get(key) {
        None => Ok(None),
        Some(v) => super::options::number(v, 0.0, 4_294_967_295.0, true, 0)
            .map(|n| Some(n as u32))
            .ok_or_else(|| bad_field(key, "Expected a whole number of 0 or more.")),
    }
}

/// The body of PATCH /user: `append`/`remove` travel as `data.$append`/`data.$remove`.
fn update_body(p: &Value) -> Result<Map, Error> {
    let email = match p.get("email") {
        None => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => return Err(bad_field("email", "Expected a string.")),
    };
    let data = object_field(p, "data")?;
    let ops = [
        ("$append", object_field(p, "append")?),
        ("$remove", object_field(p, "remove")?),
    ];
    if let Some(email) = email {
        check_fields([("email", email_issues(email))])?;
    }
    let mut body = Map::new();
    if data.is_some_and(|d| !d.is_empty()) || ops.iter().any(|(_, v)| v.is_some()) {
        // A member already named `$append` (`$remove`) is replaced where it stands.
        let mut merged = data.cloned().unwrap_or_default();
        for (key, v) in ops {
            if let Some(v) = v {
                merged.insert(key, Value::Object(v.clone()));
            }
        }
        body.insert("data", Value::Object(merged));
    }
    if let Some(email) = email {
        body.insert("email", Value::from(email));
    }
    Ok(body)
}

/// Signup's fields, checked; the files variant carries no roles.
fn signup(p: &Value, policy: &PasswordPolicy, with_roles: bool) -> Result<Map, Error> {
    let data = object_field(p, "data")?;
    let roles = if with_roles { p.get("roles") } else { None };
    if let Some(roles) = roles {
        let strings = roles
            .as_array()
            .is_some_and(|r| r.iter().all(|v| v.as_str().is_some()));
        if !strings {
            return Err(bad_field("roles", "Expected a list of strings."));
        }
    }
    let (email, password) = (text(p, "email"), text(p, "password"));
    check_fields([
        ("email", email_issues(email)),
        ("password", password_issues(password, policy, email)),
    ])?;
    let mut body = Map::from([
        ("email", Value::from(email)),
        ("password", Value::from(password)),
    ]);
    if let Some(data) = data {
        body.insert("data", Value::Object(data.clone()));
    }
    if let Some(roles) = roles {
        body.insert("roles", roles.clone());
    }
    Ok(body)
}

/// The redirect sign-ins.
pub const PROVIDERS: [&str; 3] = ["google", "apple", "github"];

/// The request of `op` with its local checks. `params` is the method's argument (a
/// string for follow, unfollow, getUserById, send2faCode, requestPasswordReset and
/// verifyEmail), `email` the signed-in user's ("" for none).
pub fn build(op: Op, params: &Value, config: &Config, email: &str) -> Result<Request, Error> {
    use Method::*;
    let p = params;
    let id = p.as_str().unwrap_or("");
    let policy = &config.password_policy;
    Ok(match op {
        Op::Signup | Op::SignupWithFiles => {
            Request::new(Post, "/signup").json(signup(p, policy, op == Op::Signup)?)
        }
        Op::Login => {
            let (email, password) = (text(p, "email"), text(p, "password"));
            check_fields([("email", required(email)), ("password", required(password))])?;
            Request::new(Post, "/login").json(Map::from([
                ("email", Value::from(email)),
                ("password", Value::from(password)),
            ]))
        }
        Op::Update => Request::new(Patch, "/user").json(update_body(p)?).user(),
        Op::Follow | Op::Unfollow => {
            let verb = if op == Op::Follow {
                "$append"
            } else {
                "$remove"
            };
            let ids = Map::from([("following_ids", Value::from(id))]);
            let data = Map::from([(verb, Value::Object(ids))]);
            Request::new(Patch, "/user")
                .json(Map::from([("data", Value::Object(data))]))
                .user()
        }
        Op::ChangePassword | Op::ChangePasswordLogin | Op::ChangePasswordPatch => {
            let (current, new) = (text(p, "currentPassword"), text(p, "newPassword"));
            check_fields([("newPassword", password_issues(new, policy, email))])?;
            // A server without change-password (API.md): check the current password by
            // logging in, then set the new one on the user.
            match op {
                Op::ChangePassword => Request::new(Post, "/change-password")
                    .json(Map::from([
                        ("current_password", Value::from(current)),
                        ("new_password", Value::from(new)),
                    ]))
                    .user(),
                Op::ChangePasswordLogin => Request::new(Post, "/login").json(Map::from([
                    ("email", Value::from(email)),
                    ("password", Value::from(current)),
                ])),
                _ => Request::new(Patch, "/user")
                    .json(Map::from([("password", Value::from(new))]))
                    .user(),
            }
        }
        Op::ListUsers => {
            let numbers = [
                ("limit", optional_u32(p, "limit")?),
                ("offset", optional_u32(p, "offset")?),
            ];
            let texts = [
                ("role", p.str_at("role")),
                ("email_contains", p.str_at("emailContains")),
            ];
            let mut query = String::new();
            let mut add = |key: &str, value: &str| {
                query.push(if query.is_empty() { '?' } else { '&' });
                query.push_str(key);
                query.push('=');
                query.push_str(&encode(value));
            };
            for (key, n) in numbers {
                if let Some(n) = n {
                    add(key, &n.to_string());
                }
            }
            for (key, s) in texts {
                if let Some(s) = s {
                    add(key, s);
                }
            }
            Request::new(Get, format!("/users{query}"))
        }
        Op::GetUser => {
            if id.is_empty() {
                return Err(Error::new(ErrorCode::NotFound));
            }
            Request::new(Get, format!("/users/{}", encode(id)))
        }
        Op::CurrentUser => Request::new(Get, "/user").user(),
        Op::Refresh => Request::new(Post, "/refresh-token").user(),
        Op::OauthUrl => {
            let (provider, uri) = oauth_params(p)?;
            Request::new(
                Get,
                format!("/oauth/{provider}?redirect_uri={}", encode(uri)),
            )
        }
        Op::Verify2fa => {
            let code = text(p, "code");
            let email = p.str_at("email").unwrap_or(email);
            check_fields([("code", required(code)), ("email", required(email))])?;
            Request::new(Post, "/2fa/verify").json(Map::from([
                ("email", Value::from(email)),
                ("code", Value::from(code)),
            ]))
        }
        Op::Send2faCode => {
            let email = p.as_str().unwrap_or(email);
            check_fields([("email", required(email))])?;
            Request::new(Post, "/2fa/send-code").json(Map::from([("email", Value::from(email))]))
        }
        Op::Enable2fa => Request::new(Post, "/2fa/enable").json(Map::new()).user(),
        Op::Disable2fa => Request::new(Post, "/2fa/disable").json(Map::new()).user(),
        Op::RequestPasswordReset => {
            check_fields([("email", email_issues(id))])?;
            Request::new(Post, "/forgot-password").json(Map::from([("email", Value::from(id))]))
        }
        Op::ResetPassword => {
            let (token, new) = (text(p, "token"), text(p, "newPassword"));
            check_fields([
                ("token", required(token)),
                ("newPassword", password_issues(new, policy, "")),
            ])?;
            Request::new(Post, "/reset-password").json(Map::from([
                ("token", Value::from(token)),
                ("new_password", Value::from(new)),
            ]))
        }
        Op::RequestEmailVerification => Request::new(Post, "/verify-email/send")
            .json(Map::new())
            .user(),
        Op::VerifyEmail => {
            check_fields([("token", required(id))])?;
            Request::new(Post, "/verify-email/verify").json(Map::from([("token", Value::from(id))]))
        }
        Op::IdToken => {
            let (provider, token) = (text(p, "provider"), text(p, "idToken"));
            if provider != "google" {
                return Err(bad_field("provider", r#"The provider must be "google"."#));
            }
            check_fields([("idToken", required(token))])?;
            Request::new(Post, "/google-verify").json(Map::from([("id_token", Value::from(token))]))
        }
        // Built from the stored flow by `oauth::callback`.
        Op::OauthVerify => return Err(Error::new(ErrorCode::BadResponse)),
    })
}

/// `{provider, redirectUri}` of a redirect sign-in, checked.
pub fn oauth_params(p: &Value) -> Result<(&str, &str), Error> {
    let (provider, uri) = (text(p, "provider"), text(p, "redirectUri"));
    if !PROVIDERS.contains(&provider) {
        return Err(Error::config(
            r#"provider must be "google", "apple" or "github"."#,
        ));
    }
    if !is_http_url(uri) {
        return Err(Error::config(
            "redirectUri must be an absolute http(s) URL.",
        ));
    }
    Ok((provider, uri))
}

/// The verify request of a redirect sign-in's code.
pub fn oauth_verify(provider: &str, code: &str, redirect_uri: &str) -> Request {
    let path = if provider == "github" {
        "/github-verify".to_owned()
    } else {
        format!("/verify-{provider}-login")
    };
    Request::new(Method::Post, path).json(Map::from([
        ("code", Value::from(code)),
        ("redirect_uri", Value::from(redirect_uri)),
    ]))
}
