//! The session: what a token answer gives, what is kept in storage (API.md §4), and
//! the shapes handed to JavaScript (JS-API.md "Shapes").

use super::json::{Json, Writer};
use super::token;
use crate::prelude::*;
use crate::text::{trim_end, trim_start};

/// Current version of the stored record.
const RECORD_VERSION: i64 = 1;

/// A signed-in user's session.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub access_token: String,
    /// The user object as the server sent it (snake_case, unknown fields kept).
    pub user: Json,
    /// Epoch milliseconds of the local clock.
    pub expires_at: i64,
}

impl Session {
    /// Builds a session from a token answer received at `now_ms` (local clock).
    /// `None` when the answer lacks a usable token or user.
    pub fn from_token_response(
        mut body: Json,
        now_ms: i64,
        server_date_ms: Option<i64>,
    ) -> Option<Session> {
        let user = body.take("user").filter(is_user)?;
        Session::new(&body, user, |token| {
            token::local_expiry(token, now_ms, server_date_ms)
        })
    }

    /// A session of `user` with the non-empty `access_token` of `j`, expiring when
    /// `expiry` says.
    fn new(j: &Json, user: Json, expiry: impl FnOnce(&str) -> Option<i64>) -> Option<Session> {
        let access_token = j.str_at("access_token").filter(|t| !t.is_empty())?;
        Some(Session {
            access_token: access_token.to_owned(),
            user,
            expires_at: expiry(access_token)?,
        })
    }

    /// The user's id (always present: checked on the way in).
    pub fn user_id(&self) -> &str {
        self.user.str_at("id").unwrap_or("")
    }

    /// The versioned record kept in storage.
    pub fn to_record(&self) -> String {
        let mut w = Writer::new();
        w.open('{');
        w.key("v").int(RECORD_VERSION);
        w.key("access_token").str(&self.access_token);
        w.key("user");
        self.user.write(&mut w);
        w.key("expires_at").int(self.expires_at);
        w.close('}');
        w.out
    }

    /// Reads a stored record; `None` for anything but a well-formed current record.
    pub fn from_record(text: &str) -> Option<Session> {
        let mut j = Json::parse(text)?;
        if j.get("v")?.as_i64()? != RECORD_VERSION {
            return None;
        }
        let user = j.take("user").filter(is_user)?;
        let expires_at = j.get("expires_at")?.as_i64()?;
        Session::new(&j, user, |_| Some(expires_at))
    }

    /// Adopts the official SDK's session: a raw token and a user JSON. When it was
    /// received is unknown, so `exp` is read against the local clock.
    pub fn from_legacy(token_text: &str, user_text: &str) -> Option<Session> {
        let access_token = trim_end(trim_start(token_text.trim(), b'"'), b'"');
        let user = Json::parse(user_text).filter(is_user)?;
        let expires_at = token::to_ms(token::claims(access_token)?.exp)?;
        Some(Session {
            access_token: access_token.to_owned(),
            user,
            expires_at,
        })
    }

    /// Writes `{ user, accessToken, expiresAt }` for JavaScript.
    pub fn write_js(&self, w: &mut Writer) {
        w.open('{');
        w.key("user");
        write_user(w, &self.user);
        w.key("accessToken").str(&self.access_token);
        w.key("expiresAt").int(self.expires_at);
        w.close('}');
    }
}

/// A server user object is usable when it is an object with a string `id`.
pub fn is_user(u: &Json) -> bool {
    u.str_at("id").is_some_and(|id| !id.is_empty())
}

/// The members common to `User` and `PublicUser` after `id` (and `email`): `data`
/// (an object, else `{}`), `roles` (its strings), `createdAt` (a string, else `""`).
fn write_common(w: &mut Writer, u: &Json) {
    w.key("data");
    match u.get("data") {
        Some(d) if d.is_object() => d.write(w),
        _ => w.raw("{}"),
    }
    w.key("roles").open('[');
    for r in u.get("roles").and_then(Json::as_array).unwrap_or(&[]) {
        if let Json::Str(r) = r {
            w.str(r);
        }
    }
    w.close(']');
    w.key("createdAt").str(u.str_at("created_at").unwrap_or(""));
}

/// Writes the `User` shape of JS-API.md from a server user (missing fields defaulted).
pub fn write_user(w: &mut Writer, u: &Json) {
    w.open('{');
    w.key("id").str(u.str_at("id").unwrap_or(""));
    w.key("email").str(u.str_at("email").unwrap_or(""));
    write_common(w, u);
    if let Some(v) = u.get("email_verified").and_then(Json::as_bool) {
        w.key("emailVerified").bool(v);
    }
    if let Some(p @ (Json::Str(_) | Json::Null)) = u.get("oauth_provider") {
        w.key("oauthProvider");
        p.write(w);
    }
    w.close('}');
}

/// Writes the `PublicUser` shape: never an email, even if a server sent one.
pub fn write_public_user(w: &mut Writer, u: &Json) {
    w.open('{');
    w.key("id").str(u.str_at("id").unwrap_or(""));
    write_common(w, u);
    w.close('}');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::token::tests::token;

    fn user_shape(u: &Json) -> String {
        let mut w = Writer::new();
        write_user(&mut w, u);
        w.out
    }

    fn public_user_shape(u: &Json) -> String {
        let mut w = Writer::new();
        write_public_user(&mut w, u);
        w.out
    }

    fn answer(tok: &str) -> Json {
        let mut j = Json::parse(r#"{"user":{"id":"u1","email":"a@b.co","data":{"x":1},"roles":["admin"],"created_at":"2026-01-01T00:00:00Z","client_id":"p","email_verified":false,"oauth_provider":null,"extra":true},"requires_2fa":null}"#).unwrap();
        j.set("access_token", Json::str(tok));
        j
    }

    #[test]
    fn record_round_trip() {
        let t = token(r#"{"exp":1700000100,"iat":1700000000}"#);
        let s = Session::from_token_response(answer(&t), 5_000, None).unwrap();
        assert_eq!(s.expires_at, 105_000);
        assert_eq!(s.user_id(), "u1");
        let back = Session::from_record(&s.to_record()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn unreadable_records_are_none() {
        let t = token(r#"{"exp":1700000100,"iat":1700000000}"#);
        let good = Session::from_token_response(answer(&t), 0, None)
            .unwrap()
            .to_record();
        let bad = [
            String::new(),
            "{".into(),
            "null".into(),
            "[]".into(),
            good.replace("\"v\":1", "\"v\":2"),
            good.replace("\"v\":1,", ""),
            good.replace("\"id\":\"u1\"", "\"id\":7"),
            good.replace("\"expires_at\":", "\"expires_at\":\"x\",\"y\":"),
            r#"{"v":1,"access_token":"","user":{"id":"u"},"expires_at":1}"#.into(),
            "undefined".into(),
        ];
        for text in &bad {
            assert_eq!(Session::from_record(text), None, "{text}");
        }
    }

    #[test]
    fn token_answers_need_a_token_and_a_user() {
        let t = token(r#"{"exp":1700000100}"#);
        assert!(Session::from_token_response(answer(&t), 0, None).is_some());
        let mut no_user = answer(&t);
        no_user.set("user", Json::Null);
        assert_eq!(Session::from_token_response(no_user, 0, None), None);
        let two_fa = Json::parse(r#"{"requires_2fa":true,"message":"Code sent"}"#).unwrap();
        assert_eq!(Session::from_token_response(two_fa, 0, None), None);
        assert_eq!(
            Session::from_token_response(answer("garbage"), 0, None),
            None
        );
    }

    #[test]
    fn adopts_the_official_sdk_session() {
        let t = token(r#"{"userId":"u1","email":"a@b.co","exp":1700000100}"#);
        let s = Session::from_legacy(&t, r#"{"id":"u1","email":"a@b.co","data":{}}"#).unwrap();
        assert_eq!(s.expires_at, 1_700_000_100_000);
        // With an iat too (our emulator's tokens): still exp on the local clock.
        let t = token(r#"{"exp":1700000100,"iat":1699000000}"#);
        let s = Session::from_legacy(&t, r#"{"id":"u1"}"#).unwrap();
        assert_eq!(s.expires_at, 1_700_000_100_000);
        assert_eq!(Session::from_legacy(&t, "not json"), None);
        assert_eq!(Session::from_legacy("x", r#"{"id":"u1"}"#), None);
    }

    #[test]
    fn shapes_for_javascript() {
        // An OAuth answer of the hosted service: no roles, client_id, email_verified; null created_at.
        let u = Json::parse(r#"{"id":"u","email":"e@x.io","data":{"name":"N"},"oauth_provider":"google","created_at":null}"#).unwrap();
        assert_eq!(
            user_shape(&u),
            r#"{"id":"u","email":"e@x.io","data":{"name":"N"},"roles":[],"createdAt":"","oauthProvider":"google"}"#
        );
        let u = Json::parse(r#"{"id":"u","email":"e@x.io","data":[1],"roles":["a",3],"created_at":"t","email_verified":true}"#).unwrap();
        assert_eq!(
            user_shape(&u),
            r#"{"id":"u","email":"e@x.io","data":{},"roles":["a"],"createdAt":"t","emailVerified":true}"#
        );
        assert_eq!(
            public_user_shape(&u),
            r#"{"id":"u","data":{},"roles":["a"],"createdAt":"t"}"#
        );
    }
}
