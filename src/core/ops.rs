//! What JavaScript calls: synchronous, pure functions that take and return text.
//!
//! The JS shell (`js/index.js`) does every piece of I/O; these functions decide
//! everything else: the options, the local checks and the request before a call
//! ([`build`]), the meaning of the answer after it ([`answer`]), the stored record
//! ([`restore`], [`adopt`]) and the redirect sign-in ([`oauth_start`],
//! [`oauth_callback`]). Every output is JSON text written by [`Json`] (numbers kept as
//! text); `""` means "nothing" where a function says so.
//!
//! Shapes used below:
//! - `E`, an error: `{code, status, message, retryable, detail?, retryAfter?,
//!   fieldErrors?}` ([`AuthError::write_js`]);
//! - `SESS`, a session: `{r: <stored record text>, t: <access token>, e: <expiry, epoch
//!   ms of the local clock>, u: <user id>, js: {user, accessToken, expiresAt}}`.

use super::config::{self, invalid, is_http_url, is_secret_key};
use super::error::{decode_error, AuthError, Endpoint, ErrorCode};
use super::json::{itoa, parse_decimal, scaled, Json, Writer};
use super::oauth::{self, encode_component, Flow};
use super::session::{is_user, write_public_user, write_user, Session};
use crate::prelude::*;
use crate::validate::{self, Issue, PasswordPolicy};

/// An error, boxed: moving it through `?` then costs a pointer, not its ~60 bytes
/// (which added kilobytes to the wasm).
type Fail = Box<AuthError>;

/// The output was written, or it is `{"error": E}`.
type Out = Result<(), Fail>;

fn fail(code: ErrorCode) -> Fail {
    Box::new(AuthError::new(code))
}

/// `config_invalid` with a sentence saying which option.
fn bad(message: &str) -> Fail {
    Box::new(invalid(message))
}

/// What `w` holds, or `{"error": E}`.
fn text(w: Writer, out: Out) -> String {
    match out {
        Ok(()) => w.out,
        Err(e) => {
            let mut w = Writer::new();
            w.open('{');
            w.key("error");
            e.write_js(&mut w);
            w.close('}');
            w.out
        }
    }
}

fn bad_response() -> Fail {
    fail(ErrorCode::BadResponse)
}

/// A member that is present and not `null` (JavaScript's `undefined` and `null` both
/// mean "not given").
fn given<'a>(o: &'a Json, key: &str) -> Option<&'a Json> {
    o.get(key).filter(|v| !matches!(v, Json::Null))
}

/// A string member, `""` when absent or not a string.
fn string_field<'a>(o: &'a Json, key: &str) -> &'a str {
    o.str_at(key).unwrap_or("")
}

/// Objects and arrays: what JavaScript's `typeof v == "object"` accepts (`null` aside).
fn is_object_like(v: &Json) -> bool {
    matches!(v, Json::Obj(_) | Json::Arr(_))
}

/// A JSON number within `min..=max`, truncated towards zero after scaling by
/// `10^shift`; with `whole`, a number with a fractional part is refused too.
fn number(v: &Json, min: i64, max: i64, whole: bool, shift: i32) -> Option<i64> {
    let Json::Num(n) = v else {
        return None;
    };
    let (int, fraction) = scaled(n, 0)?;
    let negative = n.starts_with('-') && (int != 0 || fraction);
    if negative || int < min || int > max || (fraction && (whole || int == max)) {
        return None;
    }
    scaled(n, shift).map(|(v, _)| v)
}

// ----- options ----------------------------------------------------------------------

fn opt_str<'a>(o: &'a Json, key: &str, what: &str) -> Result<Option<&'a str>, Fail> {
    match given(o, key) {
        None => Ok(None),
        Some(Json::Str(s)) => Ok(Some(s)),
        Some(_) => Err(bad(what)),
    }
}

fn opt_bool(o: &Json, key: &str, what: &str) -> Result<Option<bool>, Fail> {
    match given(o, key) {
        None => Ok(None),
        Some(Json::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(bad(what)),
    }
}

/// A number within `min..=max`, times `10^shift`.
fn opt_number(
    o: &Json,
    key: &str,
    (min, max, shift): (i64, i64, i32),
    what: &str,
) -> Result<Option<i64>, Fail> {
    match given(o, key) {
        None => Ok(None),
        Some(v) => number(v, min, max, false, shift)
            .map(Some)
            .ok_or_else(|| bad(what)),
    }
}

/// A partial policy (`null` or absent: none) merged over `base`.
fn policy_from(p: Option<&Json>, base: PasswordPolicy) -> Result<PasswordPolicy, Fail> {
    let Some(p) = p.filter(|p| !matches!(p, Json::Null)) else {
        return Ok(base);
    };
    if !is_object_like(p) {
        return Err(bad("passwordPolicy must be an object."));
    }
    const LEN: &str = "passwordPolicy lengths must be whole numbers from 0 to 4096.";
    const FLAG: &str = "passwordPolicy flags must be booleans.";
    let mut policy = base;
    if let Some(n) = opt_number(p, "minLength", (0, 4096, 0), LEN)? {
        policy.min_length = n as usize;
    }
    if let Some(n) = opt_number(p, "maxLength", (0, 4096, 0), LEN)? {
        policy.max_length = n as usize;
    }
    let flags: [(&str, &mut bool); 5] = [
        ("requireLowercase", &mut policy.require_lowercase),
        ("requireUppercase", &mut policy.require_uppercase),
        ("requireDigit", &mut policy.require_digit),
        ("requireSymbol", &mut policy.require_symbol),
        ("rejectCommon", &mut policy.reject_common),
    ];
    for (key, slot) in flags {
        if let Some(b) = opt_bool(p, key, FLAG)? {
            *slot = b;
        }
    }
    Ok(policy)
}

/// A policy from its JSON text (`""` and `"null"`: the defaults).
fn policy_text(text: &str) -> Result<PasswordPolicy, Fail> {
    let p = if text.is_empty() {
        Json::Null
    } else {
        // Not JSON at all: as malformed as a policy that is not an object.
        Json::parse(text).unwrap_or(Json::Bool(false))
    };
    policy_from(Some(&p), PasswordPolicy::default())
}

fn write_policy(w: &mut Writer, p: &PasswordPolicy) {
    w.open('{');
    w.key("minLength").int(p.min_length as i64);
    w.key("maxLength").int(p.max_length as i64);
    w.key("requireLowercase").bool(p.require_lowercase);
    w.key("requireUppercase").bool(p.require_uppercase);
    w.key("requireDigit").bool(p.require_digit);
    w.key("requireSymbol").bool(p.require_symbol);
    w.key("rejectCommon").bool(p.reject_common);
    w.close('}');
}

/// The constructor's options, checked: `json` is `JSON.stringify(options)` (`null`
/// when missing). `{"error": E}` (`config_invalid`, `secret_key_in_browser`) or
/// `{apiKey, baseUrl, storage, storageKey, autoRefresh, marginMs, timeoutMs, policy}`.
pub fn options(json: &str) -> String {
    let mut w = Writer::new();
    let out = parse_options(&mut w, json);
    text(w, out)
}

fn parse_options(w: &mut Writer, json: &str) -> Out {
    let o = Json::parse(json).unwrap_or(Json::Null);
    if !is_object_like(&o) {
        return Err(bad(
            "new CocobaseAuth(options) needs an options object with apiKey.",
        ));
    }
    let key = opt_str(&o, "apiKey", "apiKey must be a string.")?.unwrap_or("");
    let base = opt_str(&o, "baseUrl", "baseUrl must be a string.")?;
    let base = config::check(key, base)?;
    let allow_secret =
        opt_bool(&o, "allowSecretKey", "allowSecretKey must be a boolean.")?.unwrap_or(false);
    if is_secret_key(key) && !allow_secret {
        return Err(fail(ErrorCode::SecretKeyInBrowser));
    }
    const STORAGE: &str = "storage must be \"local\", \"session\" or \"memory\".";
    let storage = opt_str(&o, "storage", STORAGE)?.unwrap_or("local");
    if !["local", "session", "memory"].contains(&storage) {
        return Err(bad(STORAGE));
    }
    let storage_key = opt_str(&o, "storageKey", "storageKey must be a string.")?;
    if storage_key == Some("") {
        return Err(bad("storageKey must not be empty."));
    }
    let auto_refresh = opt_bool(&o, "autoRefresh", "autoRefresh must be a boolean.")?;
    const MARGIN: &str = "refreshMarginSeconds must be a number from 0 to 86400.";
    let margin = opt_number(&o, "refreshMarginSeconds", (0, 86_400, 3), MARGIN)?;
    const TIMEOUT: &str = "requestTimeoutMs must be a number from 1 to 600000.";
    let timeout = opt_number(&o, "requestTimeoutMs", (1, 600_000, 0), TIMEOUT)?;
    let policy = policy_from(o.get("passwordPolicy"), PasswordPolicy::default())?;
    w.open('{');
    w.key("apiKey").str(key);
    w.key("baseUrl").str(base);
    w.key("storage").str(storage);
    w.key("storageKey")
        .str(storage_key.unwrap_or(config::DEFAULT_STORAGE_KEY));
    w.key("autoRefresh").bool(auto_refresh.unwrap_or(true));
    w.key("marginMs")
        .int(margin.unwrap_or(config::DEFAULT_REFRESH_MARGIN_MS));
    let timeout = timeout.unwrap_or(config::DEFAULT_REQUEST_TIMEOUT_MS.into());
    w.key("timeoutMs").int(timeout);
    w.key("policy");
    write_policy(w, &policy);
    w.close('}');
    Ok(())
}

// ----- errors and validators ----------------------------------------------------------

/// `E` for a stable code with its default message and status 0 (an unknown code gives
/// `bad_response`'s).
pub fn error(code: &str) -> String {
    let code = ErrorCode::from_name(code).unwrap_or(ErrorCode::BadResponse);
    AuthError::new(code).to_js_json()
}

/// `"valid": .., "errors": [{code, message}]` (the object is left open).
fn write_report(w: &mut Writer, valid: bool, list: &[Issue]) {
    w.open('{');
    w.key("valid").bool(valid);
    w.key("errors").open('[');
    for i in list {
        w.open('{');
        w.key("code").str(i.code);
        w.key("message").str(i.message);
        w.close('}');
    }
    w.close(']');
}

/// `{valid, errors: [{code, message}]}`.
pub fn validate_email(email: &str) -> String {
    let r = validate::validate_email(email);
    let mut w = Writer::new();
    write_report(&mut w, r.valid, &r.errors);
    w.close('}');
    w.out
}

/// `{valid, score, errors}` for `password` under the partial `policy` (JSON text;
/// `""`/`"null"` for the defaults) and the user's `email` (`""` for none), or
/// `{"error": E}` for a malformed policy.
pub fn validate_password(password: &str, policy: &str, email: &str) -> String {
    let mut w = Writer::new();
    let out = policy_text(policy).map(|policy| {
        let email = (!email.is_empty()).then_some(email);
        let r = validate::validate_password(password, &policy, email);
        write_report(&mut w, r.valid, &r.errors);
        w.key("score").int(i64::from(r.score));
        w.close('}');
    });
    text(w, out)
}

// ----- requests ---------------------------------------------------------------------

/// The operations of [`build`] and [`answer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Signup,
    SignupFiles,
    Login,
    Update,
    Follow,
    Unfollow,
    ChangePassword,
    ChangePasswordLogin,
    ChangePasswordPatch,
    List,
    User,
    Me,
    Refresh,
    OAuthUrl,
    Verify,
}

impl Op {
    /// Every op with its name (a table: smaller than a `match` on strings).
    const ALL: [(Op, &'static str); 15] = {
        use Op::*;
        [
            (Signup, "signup"),
            (SignupFiles, "signupFiles"),
            (Login, "login"),
            (Update, "update"),
            (Follow, "follow"),
            (Unfollow, "unfollow"),
            (ChangePassword, "changePassword"),
            (ChangePasswordLogin, "changePasswordLogin"),
            (ChangePasswordPatch, "changePasswordPatch"),
            (List, "list"),
            (User, "user"),
            (Me, "me"),
            (Refresh, "refresh"),
            (OAuthUrl, "oauthUrl"),
            (Verify, "verify"),
        ]
    };

    fn from_name(name: &str) -> Result<Op, Fail> {
        Op::ALL
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(op, _)| *op)
            .ok_or_else(bad_response)
    }

    /// What the request was for, to decode its errors.
    fn endpoint(self) -> Endpoint {
        use Op::*;
        match self {
            Signup | SignupFiles => Endpoint::Signup,
            Login | ChangePasswordLogin => Endpoint::Login,
            Me | Update | Follow | Unfollow | ChangePasswordPatch => Endpoint::User,
            ChangePassword => Endpoint::ChangePassword,
            Refresh => Endpoint::Refresh,
            OAuthUrl => Endpoint::OAuthUrl,
            Verify => Endpoint::OAuthVerify,
            List | User => Endpoint::Public,
        }
    }
}

/// `{m, p, b?, a?}`: method, path (relative to `{baseUrl}/auth-collections`), JSON body
/// text, and whether to send the bearer token.
fn request(w: &mut Writer, method: &str, path: &str, body: Option<Writer>, bearer: bool) {
    w.open('{');
    w.key("m").str(method);
    w.key("p").str(path);
    if let Some(b) = body {
        w.key("b").str(&b.out);
    }
    if bearer {
        w.key("a").bool(true);
    }
    w.close('}');
}

/// A JSON object of string members, as a request body.
fn body(members: &[(&str, &str)]) -> Option<Writer> {
    let mut w = Writer::new();
    w.open('{');
    for (k, v) in members {
        w.key(k).str(v);
    }
    w.close('}');
    Some(w)
}

/// `validation_failed` on one field, code `invalid`.
fn bad_field(field: &str, message: &'static str) -> Fail {
    let issue = [Issue {
        code: "invalid",
        message,
    }];
    let e = AuthError::from_checks(&[(field, &issue)]);
    Box::new(e.unwrap_or_else(|| AuthError::new(ErrorCode::ValidationFailed)))
}

/// A required field: `empty` when it is.
fn required(value: &str) -> &'static [Issue] {
    const EMPTY: Issue = Issue {
        code: "empty",
        message: "This field is required.",
    };
    if value.is_empty() {
        &[EMPTY]
    } else {
        &[]
    }
}

/// An optional plain-object member (`data`, `append`, `remove`).
fn object_field<'a>(p: &'a Json, key: &str) -> Result<Option<&'a Json>, Fail> {
    match given(p, key) {
        None => Ok(None),
        Some(v) if v.is_object() => Ok(Some(v)),
        Some(_) => Err(bad_field(key, "Expected a plain object.")),
    }
}

fn roles_field(p: &Json) -> Result<Option<&Json>, Fail> {
    match given(p, "roles") {
        None => Ok(None),
        Some(r @ Json::Arr(items)) if items.iter().all(|r| r.as_str().is_some()) => Ok(Some(r)),
        Some(_) => Err(bad_field("roles", "Expected a list of strings.")),
    }
}

/// `validation_failed` listing the fields whose checks failed, if any.
fn checks(list: &[(&str, &[Issue])]) -> Out {
    match AuthError::from_checks(list) {
        Some(e) => Err(Box::new(e)),
        None => Ok(()),
    }
}

/// A whole number from 0 to `u32::MAX`.
fn opt_u32(p: &Json, key: &str) -> Result<Option<i64>, Fail> {
    match given(p, key) {
        None => Ok(None),
        Some(v) => number(v, 0, i64::from(u32::MAX), true, 0)
            .map(Some)
            .ok_or_else(|| bad_field(key, "Expected a whole number of 0 or more.")),
    }
}

/// The request for `op` with its local checks: `params` is the method's argument as
/// JSON text (a JSON string for `follow`, `unfollow` and `user`), `policy` the client's
/// password policy JSON and `email` the signed-in user's email (`""` for none).
/// `{"error": E}` or `{m, p, b?, a?}`: method, path (relative to
/// `{baseUrl}/auth-collections`), JSON body text, and whether to send the bearer token.
pub fn build(op: &str, params: &str, policy: &str, email: &str) -> String {
    let mut w = Writer::new();
    let out = build_request(&mut w, op, params, policy, email);
    text(w, out)
}

fn build_request(w: &mut Writer, op: &str, params: &str, policy: &str, email: &str) -> Out {
    let op = Op::from_name(op)?;
    let p = Json::parse(params).unwrap_or(Json::Null);
    let id = p.as_str().unwrap_or("");
    use Op::*;
    match op {
        Signup | SignupFiles => {
            let data = object_field(&p, "data")?;
            let roles = if op == Signup { roles_field(&p)? } else { None };
            let (user_email, password) = (string_field(&p, "email"), string_field(&p, "password"));
            let policy = policy_text(policy)?;
            let password_issues =
                validate::validate_password(password, &policy, Some(user_email)).errors;
            let email_issues = validate::validate_email(user_email).errors;
            checks(&[("email", &email_issues), ("password", &password_issues)])?;
            let mut b = Writer::new();
            b.open('{');
            b.key("email").str(user_email);
            b.key("password").str(password);
            if let Some(d) = data {
                b.key("data");
                d.write(&mut b);
            }
            if let Some(r) = roles {
                b.key("roles");
                r.write(&mut b);
            }
            b.close('}');
            request(w, "POST", "/signup", Some(b), false);
        }
        Login => {
            let (user_email, password) = (string_field(&p, "email"), string_field(&p, "password"));
            checks(&[
                ("email", required(user_email)),
                ("password", required(password)),
            ])?;
            let b = body(&[("email", user_email), ("password", password)]);
            request(w, "POST", "/login", b, false);
        }
        Update => request(w, "PATCH", "/user", Some(update_body(&p)?), true),
        Follow | Unfollow => {
            let mut b = Writer::new();
            b.open('{');
            b.key("data").open('{');
            b.key(if op == Follow { "$append" } else { "$remove" })
                .open('{');
            b.key("following_ids").str(id);
            b.close('}');
            b.close('}');
            b.close('}');
            request(w, "PATCH", "/user", Some(b), true);
        }
        ChangePassword | ChangePasswordLogin | ChangePasswordPatch => {
            let (current, new) = (
                string_field(&p, "currentPassword"),
                string_field(&p, "newPassword"),
            );
            let policy = policy_text(policy)?;
            let issues = validate::validate_password(new, &policy, Some(email)).errors;
            checks(&[("newPassword", &issues)])?;
            match op {
                ChangePassword => {
                    let b = body(&[("current_password", current), ("new_password", new)]);
                    request(w, "POST", "/change-password", b, true);
                }
                // A server without change-password (API.md): check the current
                // password by logging in, then set the new one on the user.
                ChangePasswordLogin => {
                    let b = body(&[("email", email), ("password", current)]);
                    request(w, "POST", "/login", b, false);
                }
                _ => request(w, "PATCH", "/user", body(&[("password", new)]), true),
            }
        }
        List => {
            let limit = opt_u32(&p, "limit")?;
            let offset = opt_u32(&p, "offset")?;
            let mut path = String::from("/users");
            let mut add = |name: &str, value: &str| {
                path.push(if path.len() == 6 { '?' } else { '&' });
                path.push_str(name);
                path.push('=');
                path.push_str(&encode_component(value));
            };
            if let Some(l) = limit {
                add("limit", &itoa(l));
            }
            if let Some(o) = offset {
                add("offset", &itoa(o));
            }
            if let Some(r) = p.str_at("role") {
                add("role", r);
            }
            if let Some(e) = p.str_at("emailContains") {
                add("email_contains", e);
            }
            request(w, "GET", &path, None, false);
        }
        User => {
            if id.is_empty() {
                return Err(fail(ErrorCode::NotFound));
            }
            let mut path = String::from("/users/");
            path.push_str(&encode_component(id));
            request(w, "GET", &path, None, false);
        }
        Me => request(w, "GET", "/user", None, true),
        Refresh => request(w, "POST", "/refresh-token", None, true),
        OAuthUrl => {
            let provider = string_field(&p, "provider");
            let redirect_uri = string_field(&p, "redirectUri");
            if !oauth::PROVIDERS.contains(&provider) {
                return Err(bad("provider must be \"google\" or \"apple\"."));
            }
            if !is_http_url(redirect_uri) {
                return Err(bad("redirectUri must be an absolute http(s) URL."));
            }
            let mut path = String::from("/oauth/");
            path.push_str(provider);
            path.push_str("?redirect_uri=");
            path.push_str(&encode_component(redirect_uri));
            request(w, "GET", &path, None, false);
        }
        // Built by `oauth_callback` from the stored flow.
        Verify => return Err(bad_response()),
    }
    Ok(())
}

/// The `PATCH /user` body of an update: `append`/`remove` travel as `data.$append` /
/// `data.$remove` (replacing members of those names); a new email is checked first.
fn update_body(p: &Json) -> Result<Writer, Fail> {
    let email = match given(p, "email") {
        None => None,
        Some(Json::Str(e)) => Some(e.as_str()),
        Some(_) => return Err(bad_field("email", "Expected a string.")),
    };
    let data = match object_field(p, "data")? {
        Some(Json::Obj(m)) => &m[..],
        _ => &[],
    };
    let mut ops = [
        ("$append", object_field(p, "append")?),
        ("$remove", object_field(p, "remove")?),
    ];
    if let Some(e) = email {
        checks(&[("email", &validate::validate_email(e).errors)])?;
    }
    let mut b = Writer::new();
    b.open('{');
    if !data.is_empty() || ops.iter().any(|(_, v)| v.is_some()) {
        b.key("data").open('{');
        for (k, v) in data {
            b.key(k);
            // The first member named `$append` (`$remove`) is replaced in place.
            match ops.iter_mut().find(|(name, op)| name == k && op.is_some()) {
                Some((_, op)) => op.take().unwrap_or(v).write(&mut b),
                None => v.write(&mut b),
            }
        }
        for (k, v) in ops {
            if let Some(v) = v {
                b.key(k);
                v.write(&mut b);
            }
        }
        b.close('}');
    }
    if let Some(e) = email {
        b.key("email").str(e);
    }
    b.close('}');
    Ok(b)
}

// ----- answers ----------------------------------------------------------------------

/// Writes `SESS` for a session.
fn write_session(w: &mut Writer, s: &Session) {
    w.open('{');
    w.key("r").str(&s.to_record());
    w.key("t").str(&s.access_token);
    w.key("e").int(s.expires_at);
    w.key("u").str(s.user_id());
    w.key("js");
    s.write_js(w);
    w.close('}');
}

/// `SESS` as text.
fn session_text(s: Option<Session>) -> String {
    let mut w = Writer::new();
    if let Some(s) = s {
        write_session(&mut w, &s);
    }
    w.out
}

/// Decodes the answer to `op`: `status`, the body text, the `Retry-After` header
/// (`""` for none), `Date.parse` of the `Date` header (NaN for none), `Date.now()`, and
/// the current stored record (`""` for none). `{"error": E}` or, per op, `{m}` (a
/// second factor is needed), `{s: SESS}`, `{v}`, `{v, s}` or `{}`.
pub fn answer(
    op: &str,
    status: u16,
    body: &str,
    retry_after: &str,
    date_ms: f64,
    now_ms: f64,
    current: &str,
) -> String {
    let mut w = Writer::new();
    let out = read_answer(
        &mut w,
        op,
        status,
        body,
        retry_after,
        (date_ms, now_ms),
        current,
    );
    text(w, out)
}

fn read_answer(
    w: &mut Writer,
    op: &str,
    status: u16,
    body: &str,
    retry_after: &str,
    (date_ms, now_ms): (f64, f64),
    current: &str,
) -> Out {
    let op = Op::from_name(op)?;
    if !(200..300).contains(&status) {
        let retry_after = match parse_decimal(retry_after.trim().as_bytes()) {
            Some((false, s)) => Some(s),
            _ => None,
        };
        return Err(Box::new(decode_error(
            op.endpoint(),
            status,
            body,
            retry_after,
        )));
    }
    let Some(mut j) = Json::parse(body) else {
        let mut e = bad_response();
        e.status = status;
        return Err(e);
    };
    let now = now_ms as i64;
    let date = date_ms.is_finite().then_some(date_ms as i64);
    // The session held now: only refresh, change-password and the user's own answers
    // read it.
    let held = || Session::from_record(current);
    use Op::*;
    match op {
        Signup | SignupFiles | Login | Verify
            if j.get("requires_2fa").and_then(Json::as_bool) == Some(true) =>
        {
            let message = j
                .str_at("message")
                .unwrap_or("A second factor is required.");
            w.open('{');
            w.key("m").str(message);
            w.close('}');
            return Ok(());
        }
        // A refresh answer without a usable user keeps the one we hold.
        Refresh if !j.get("user").is_some_and(is_user) => {
            if let Some(held) = held() {
                j.set("user", held.user);
            }
        }
        ChangePassword => {
            let token = j.str_at("access_token").filter(|t| !t.is_empty());
            let token = token.ok_or_else(bad_response)?.to_owned();
            let held = held().ok_or_else(|| fail(ErrorCode::SessionMissing))?;
            j = Json::Obj(vec![
                ("access_token".into(), Json::Str(token)),
                ("user".into(), held.user),
            ]);
        }
        ChangePasswordPatch => {
            w.raw("{}");
            return Ok(());
        }
        Me | Update | Follow | Unfollow | User => {
            if !is_user(&j) {
                return Err(bad_response());
            }
            w.open('{');
            w.key("v");
            if op == User {
                write_public_user(w, &j);
            } else {
                write_user(w, &j);
                if let Some(mut held) = held() {
                    if Some(held.user_id()) == j.str_at("id") {
                        held.user = j;
                        w.key("s");
                        write_session(w, &held);
                    }
                }
            }
            w.close('}');
            return Ok(());
        }
        List => return user_list(w, &j),
        OAuthUrl => {
            let url = j.str_at("url").filter(|u| is_http_url(u));
            w.open('{');
            w.key("v").str(url.ok_or_else(bad_response)?);
            w.close('}');
            return Ok(());
        }
        _ => {}
    }
    // A token answer: signup, login, verify, refresh, change-password.
    let s = Session::from_token_response(j, now, date).ok_or_else(bad_response)?;
    w.open('{');
    w.key("s");
    write_session(w, &s);
    w.close('}');
    Ok(())
}

/// `{v: {users, total, limit, offset, hasMore}}` from either server's list answer.
fn user_list(w: &mut Writer, j: &Json) -> Out {
    let users = j
        .get("data")
        .or_else(|| j.get("users"))
        .and_then(Json::as_array)
        .ok_or_else(bad_response)?;
    let int = |k: &str| j.get(k).and_then(Json::as_i64).unwrap_or(0);
    w.open('{');
    w.key("v").open('{');
    w.key("users").open('[');
    for u in users.iter().filter(|u| is_user(u)) {
        write_user(w, u);
    }
    w.close(']');
    w.key("total").int(int("total").max(users.len() as i64));
    w.key("limit").int(int("limit"));
    w.key("offset").int(int("offset"));
    let more = j.get("has_more").and_then(Json::as_bool);
    w.key("hasMore").bool(more.unwrap_or(false));
    w.close('}');
    w.close('}');
    Ok(())
}

// ----- the stored session -----------------------------------------------------------

/// `SESS` for a well-formed current record, else `""`.
pub fn restore(record: &str) -> String {
    session_text(Session::from_record(record))
}

/// `SESS` from the official SDK's `cocobase-token` and `cocobase-user` values, else `""`.
pub fn adopt(token: &str, user: &str) -> String {
    session_text(Session::from_legacy(token, user))
}

// ----- sign-in by redirect ----------------------------------------------------------

/// After a 2xx `oauthUrl` answer: `{f: <the pending flows, with this one>, v: <url
/// with state>}`. `flows` is the stored text of the pending flows (`""` for none).
pub fn oauth_start(
    flows: &str,
    state: &str,
    provider: &str,
    redirect_uri: &str,
    now_ms: f64,
    url: &str,
) -> String {
    let flow = Flow {
        state,
        provider,
        redirect_uri,
        created_at: now_ms as i64,
    };
    let stored = Json::parse(flows).unwrap_or(Json::Null);
    let list = oauth::push_flow(&oauth::read_flows(&stored), flow);
    let mut w = Writer::new();
    w.open('{');
    w.key("f").str(&oauth::write_flows(&list));
    w.key("v").str(&oauth::with_state(url, state));
    w.close('}');
    w.out
}

/// The callback page: `""` when `url` carries no OAuth answer, else `{c: <url
/// cleaned>, f: <flows left, "" for none>}` plus `error: E` or `q: <the verify
/// request, as [`build`] gives>` (whose answer is read by [`answer`] as `verify`). The
/// state is used up either way.
pub fn oauth_callback(url: &str, flows: &str, now_ms: f64) -> String {
    let Some(cb) = oauth::parse_callback(url) else {
        return String::new();
    };
    let stored = Json::parse(flows).unwrap_or(Json::Null);
    let stored = oauth::read_flows(&stored);
    let (flow, rest) = oauth::take_flow(&stored, cb.state.as_deref(), now_ms as i64);
    let mut w = Writer::new();
    w.open('{');
    w.key("c").str(&oauth::clean_url(url));
    w.key("f");
    if rest.is_empty() {
        w.str("");
    } else {
        w.str(&oauth::write_flows(&rest));
    }
    let mut q = Writer::new();
    match verify_request(&mut q, cb, flow) {
        Ok(()) => {
            w.key("q");
            w.raw(&q.out);
        }
        Err(e) => {
            w.key("error");
            e.write_js(&mut w);
        }
    }
    w.close('}');
    w.out
}

fn verify_request(w: &mut Writer, cb: oauth::Callback, flow: Option<Flow<'_>>) -> Out {
    let flow = flow.ok_or_else(|| fail(ErrorCode::OAuthStateMismatch))?;
    if let Some(error) = cb.error {
        let mut e = match cb.error_description.as_deref().filter(|d| !d.is_empty()) {
            Some(d) => AuthError::with_message(ErrorCode::OAuthDenied, d),
            None => AuthError::new(ErrorCode::OAuthDenied),
        };
        e.detail = Some(Json::Str(error));
        return Err(Box::new(e));
    }
    let code = cb.code.filter(|c| !c.is_empty());
    let code = code.ok_or_else(|| fail(ErrorCode::OAuthInvalidCallback))?;
    let mut path = String::from("/verify-");
    path.push_str(flow.provider);
    path.push_str("-login");
    let b = body(&[("code", &code), ("redirect_uri", flow.redirect_uri)]);
    request(w, "POST", &path, b, false);
    Ok(())
}

#[cfg(test)]
#[path = "ops_tests.rs"]
mod tests;
