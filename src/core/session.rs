//! The session: the token, the server's user object and when the token expires on the
//! local clock; the record that keeps it in storage (API.md §4); adopting the official
//! SDK's; and the shapes JavaScript sees (`User`, `PublicUser`, `Session`).

use super::json::{Codec, Map, Value};
use super::token::{is_jwt, local_expiry_of_exp};
use crate::text::{trim_end_byte, trim_start_byte};

/// The version of the stored record this client writes and reads.
pub const RECORD_VERSION: i64 = 1;

/// A signed-in session.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub access_token: String,
    /// The user object as the server sent it (kept whole, so the stored record keeps
    /// fields this client does not know).
    pub user: Value,
    /// When the token expires, in epoch milliseconds of the local clock.
    pub expires_at: i64,
}

/// A server user object is usable when it is an object with a non-empty string `id`.
pub fn is_user(user: &Value) -> bool {
    user.str_at("id").is_some_and(|id| !id.is_empty())
}

impl Session {
    /// The user's id.
    pub fn user_id(&self) -> &str {
        self.user.str_at("id").unwrap_or("")
    }

    /// The user's email ("" when the server sent none).
    pub fn email(&self) -> &str {
        self.user.str_at("email").unwrap_or("")
    }

    /// The record kept in storage: `{v: 1, access_token, user, expires_at}`.
    pub fn record(&self) -> Value {
        Value::Object(Map::from([
            ("v", Value::Number(RECORD_VERSION as f64)),
            ("access_token", Value::from(self.access_token.as_str())),
            ("user", self.user.clone()),
            ("expires_at", Value::Number(self.expires_at as f64)),
        ]))
    }

    /// The `Session` shape of JS-API.md.
    pub fn view(&self) -> SessionView {
        SessionView {
            user: User::from_server(&self.user),
            access_token: self.access_token.clone(),
            expires_at: self.expires_at as f64,
        }
    }

    /// The same session with the server's newer user object.
    pub fn with_user(&self, user: Value) -> Session {
        Session {
            user,
            ..self.clone()
        }
    }
}

/// A well-formed current record (parsed from storage), else `None`: the caller treats
/// anything else as "signed out". The token must look like a JWT.
pub fn restore(record: Option<&Value>) -> Option<Session> {
    let record = record?;
    let expires_at = record.get("expires_at")?.as_i64()?;
    let token = record.str_at("access_token")?;
    let user = record.get("user")?;
    let current = record.get("v")?.as_i64() == Some(RECORD_VERSION);
    (current && is_user(user) && is_jwt(token)).then(|| Session {
        access_token: token.to_owned(),
        user: user.clone(),
        expires_at,
    })
}

/// A session from the official SDK's `cocobase-token` and `cocobase-user` values,
/// else `None`. When the token was received is unknown, so `exp` is read against the
/// local clock.
pub fn adopt(token: &str, user_text: &str, codec: &dyn Codec) -> Option<Session> {
    let token = trim_end_byte(trim_start_byte(super::options::js_trim(token), b'"'), b'"');
    let user = codec.parse(user_text)?;
    if token.is_empty() || !is_user(&user) || !is_jwt(token) {
        return None;
    }
    let expires_at = local_expiry_of_exp(token, codec)?;
    Some(Session {
        access_token: token.to_owned(),
        user,
        expires_at,
    })
}

/// `User` (JS-API.md): missing fields defaulted, unknown ones dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: String,
    pub email: String,
    pub data: Value,
    pub roles: Vec<String>,
    pub created_at: String,
    pub email_verified: Option<bool>,
    /// Absent when the server did not say; `null` when it said `null`.
    pub oauth_provider: Option<Option<String>>,
}

/// `PublicUser` (JS-API.md): never an email, even if a server sent one.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicUser {
    pub id: String,
    pub data: Value,
    pub roles: Vec<String>,
    pub created_at: String,
}

/// `Session` (JS-API.md).
#[derive(Debug, Clone, PartialEq)]
pub struct SessionView {
    pub user: User,
    pub access_token: String,
    pub expires_at: f64,
}

/// The JavaScript shapes are written as [`Value`]s and serialized through `Value`'s
/// one `Serialize`: a derived `Serialize` per shape would cost the wasm a serializer
/// per shape.
pub trait Shape {
    /// The shape as JSON, with JavaScript's (camelCase) member names.
    fn to_value(&self) -> Value;
}

/// `Serialize` through [`Shape::to_value`].
macro_rules! serialize_as_value {
    ($($shape:ty),*) => {$(
        impl serde::Serialize for $shape {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                serde::Serialize::serialize(&$crate::core::session::Shape::to_value(self), s)
            }
        }
    )*};
}
pub(crate) use serialize_as_value;
serialize_as_value!(User, PublicUser, SessionView);

fn strings(list: &[String]) -> Value {
    Value::Array(list.iter().map(|s| Value::from(s.as_str())).collect())
}

impl Shape for PublicUser {
    fn to_value(&self) -> Value {
        Value::Object(Map::from([
            ("id", Value::from(self.id.as_str())),
            ("data", self.data.clone()),
            ("roles", strings(&self.roles)),
            ("createdAt", Value::from(self.created_at.as_str())),
        ]))
    }
}

impl Shape for User {
    fn to_value(&self) -> Value {
        let mut user = Map::from([
            ("id", Value::from(self.id.as_str())),
            ("email", Value::from(self.email.as_str())),
            ("data", self.data.clone()),
            ("roles", strings(&self.roles)),
            ("createdAt", Value::from(self.created_at.as_str())),
        ]);
        if let Some(verified) = self.email_verified {
            user.insert("emailVerified", Value::Bool(verified));
        }
        if let Some(provider) = &self.oauth_provider {
            let provider = provider.as_deref().map_or(Value::Null, Value::from);
            user.insert("oauthProvider", provider);
        }
        Value::Object(user)
    }
}

impl Shape for SessionView {
    fn to_value(&self) -> Value {
        Value::Object(Map::from([
            ("user", self.user.to_value()),
            ("accessToken", Value::from(self.access_token.as_str())),
            ("expiresAt", Value::Number(self.expires_at)),
        ]))
    }
}

impl PublicUser {
    pub fn from_server(user: &Value) -> PublicUser {
        let data = match user.get("data") {
            Some(d @ Value::Object(_)) => d.clone(),
            _ => Value::Object(Map::new()),
        };
        let roles = user
            .get("roles")
            .and_then(Value::as_array)
            .map(|roles| {
                roles
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        PublicUser {
            id: user.str_at("id").unwrap_or("").to_owned(),
            data,
            roles,
            created_at: user.str_at("created_at").unwrap_or("").to_owned(),
        }
    }
}

impl User {
    pub fn from_server(user: &Value) -> User {
        let PublicUser {
            id,
            data,
            roles,
            created_at,
        } = PublicUser::from_server(user);
        let provider = user.as_object().and_then(|o| o.get("oauth_provider"));
        User {
            id,
            email: user.str_at("email").unwrap_or("").to_owned(),
            data,
            roles,
            created_at,
            email_verified: user.get("email_verified").and_then(Value::as_bool),
            oauth_provider: match provider {
                Some(Value::String(p)) => Some(Some(p.clone())),
                Some(Value::Null) => Some(None),
                _ => None,
            },
        }
    }
}
