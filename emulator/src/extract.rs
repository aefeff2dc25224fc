//! Extractors: the project key, the signed-in user, and request bodies (JSON, or JSON
//! plus files in multipart) that fail in the API's own error shapes.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Map, Value};
use subtle::ConstantTimeEq;

use crate::db::UserRow;
use crate::error::{ApiError, FieldError, TokenError};
use crate::state::AppState;

/// Largest JSON body (and multipart `data` field).
pub const MAX_JSON_BYTES: usize = 1024 * 1024;
/// Largest uploaded file.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// Largest multipart body as a whole.
pub const MAX_MULTIPART_BYTES: usize = 64 * 1024 * 1024;

/// Which of the project's keys a request carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKey {
    /// The publishable key (`pk_...`).
    Publishable,
    /// The secret key (`sk_...`).
    Secret,
}

fn ct_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
}

impl ApiKey {
    /// The key in `x-api-key`, or else in `Authorization: Bearer` (for requests that
    /// need no user), compared in constant time with the project's keys.
    pub fn from_headers(headers: &HeaderMap, state: &AppState) -> Result<Self, ApiError> {
        let candidate = match headers.get("x-api-key") {
            Some(v) => v.to_str().ok(),
            None => bearer(headers),
        }
        .ok_or(ApiError::InvalidApiKey)?;
        let publishable = ct_eq(candidate, &state.config.api_key);
        let secret = ct_eq(candidate, &state.config.secret_key);
        match (publishable, secret) {
            (true, _) => Ok(ApiKey::Publishable),
            (_, true) => Ok(ApiKey::Secret),
            _ => Err(ApiError::InvalidApiKey),
        }
    }
}

impl FromRequestParts<AppState> for ApiKey {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(k) = parts.extensions.get::<ApiKey>() {
            return Ok(*k);
        }
        ApiKey::from_headers(&parts.headers, state)
    }
}

/// The user whose token the request carries: signature, expiry and token version
/// checked, and the user still exists.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub UserRow);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(&parts.headers).ok_or(ApiError::Token(TokenError::Missing))?;
        let claims = state.verify_token(token).map_err(ApiError::Token)?;
        let user = state
            .db
            .user_by_id(&claims.sub)?
            .ok_or(ApiError::Token(TokenError::Invalid))?;
        if user.token_version != claims.tv {
            return Err(ApiError::Token(TokenError::Revoked));
        }
        Ok(CurrentUser(user))
    }
}

fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default()
}

fn is_json(ct: &str) -> bool {
    ct == "application/json" || (ct.starts_with("application/") && ct.ends_with("+json"))
}

/// How much of a body over the limit is still read, and dropped, before the 413: a
/// client that is still sending then receives the answer. Closing the connection on
/// it instead makes the kernel reset it, and a browser reports a network error.
/// Bodies declared larger than this are refused without reading them.
pub const MAX_DRAIN_BYTES: usize = 16 * 1024 * 1024;

/// Reads and drops up to `budget` more bytes of `body`; stops early at its end or on
/// an error.
async fn drain(mut body: Body, budget: usize) {
    let mut seen = 0usize;
    while let Some(Ok(frame)) = body.frame().await {
        if let Some(data) = frame.data_ref() {
            seen += data.len();
            if seen > budget {
                break;
            }
        }
    }
}

/// Whether the client waits for `100 Continue` before sending its body: then it has
/// sent nothing yet, and the 413 goes out without reading.
fn expects_continue(headers: &HeaderMap) -> bool {
    headers
        .get(header::EXPECT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
}

/// Reads a whole body of at most `limit` bytes; 413 past it, after draining the rest
/// (see [`MAX_DRAIN_BYTES`]).
async fn read_limited(req: Request, limit: usize) -> Result<Bytes, ApiError> {
    let too_large = ApiError::TooLarge("Request body too large (the limit is 1 MiB)");
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let waits = expects_continue(req.headers());
    let mut body = req.into_body();
    if let Some(n) = declared.filter(|n| *n > limit as u64) {
        if !waits && n <= MAX_DRAIN_BYTES as u64 {
            drain(body, MAX_DRAIN_BYTES).await;
        }
        return Err(too_large);
    }
    let mut buf: Vec<u8> = Vec::new();
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return Err(too_large);
        };
        if let Some(data) = frame.data_ref() {
            if buf.len() + data.len() > limit {
                drain(body, MAX_DRAIN_BYTES.saturating_sub(buf.len() + data.len())).await;
                return Err(too_large);
            }
            buf.extend_from_slice(data);
        }
    }
    Ok(Bytes::from(buf))
}

/// Parses a JSON object; anything else is a 422 in FastAPI's shape.
pub fn parse_object(bytes: &[u8], loc: &[&str]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::Validation(vec![FieldError::at(
            loc,
            "Input should be a valid dictionary or object",
            "model_attributes_type",
        )])),
        Err(e) => Err(ApiError::Validation(vec![FieldError::at(
            loc,
            // serde_json's syntax errors name a position, never the input itself.
            format!("JSON decode error: {e}"),
            "json_invalid",
        )])),
    }
}

/// A JSON object body: 415 for another content type, 413 over 1 MiB, 422 when it is
/// not a JSON object.
#[derive(Debug, Clone)]
pub struct JsonObject(pub Map<String, Value>);

impl FromRequest<AppState> for JsonObject {
    type Rejection = ApiError;
    async fn from_request(req: Request, _: &AppState) -> Result<Self, ApiError> {
        if !is_json(&content_type(req.headers())) {
            return Err(ApiError::UnsupportedMediaType(
                "Unsupported Content-Type: send application/json",
            ));
        }
        let bytes = read_limited(req, MAX_JSON_BYTES).await?;
        parse_object(&bytes, &["body"]).map(JsonObject)
    }
}

/// One uploaded file, held in memory until the request has been validated.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The form field, which becomes the `data` key.
    pub field: String,
    /// The client's file name (only ever used after sanitizing).
    pub file_name: String,
    /// The bytes.
    pub bytes: Bytes,
}

/// The body of signup and `PATCH /user`: JSON, or multipart with a `data` field holding
/// that JSON as a string plus one part per file.
#[derive(Debug, Clone)]
pub struct BodyWithFiles {
    /// The JSON object (from the body, or from the `data` field).
    pub fields: Map<String, Value>,
    /// The file parts, in order.
    pub files: Vec<Upload>,
    /// Whether the request was multipart.
    pub multipart: bool,
}

impl FromRequest<AppState> for BodyWithFiles {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let ct = content_type(req.headers());
        if is_json(&ct) {
            let JsonObject(fields) = JsonObject::from_request(req, state).await?;
            return Ok(Self {
                fields,
                files: Vec::new(),
                multipart: false,
            });
        }
        if ct != "multipart/form-data" {
            return Err(ApiError::UnsupportedMediaType(
                "Unsupported Content-Type: send application/json or multipart/form-data",
            ));
        }
        let mut mp = Multipart::from_request(req, state).await.map_err(|_| {
            ApiError::field("data", "Malformed multipart body", "multipart_invalid")
        })?;
        let mut fields = None;
        let mut files = Vec::new();
        loop {
            let mut field = match mp.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) => return Err(multipart_error(e.status())),
            };
            let Some(name) = field.name().map(str::to_string) else {
                continue;
            };
            // A part is a file when it says so with a file name or a content type. A name
            // that is not UTF-8 is replaced rather than the file silently dropped.
            let file_name = match (field.file_name(), field.content_type()) {
                (Some(n), _) => Some(n.to_string()),
                (None, Some(_)) => Some("file".to_string()),
                (None, None) => None,
            };
            let limit = if name == "data" {
                MAX_JSON_BYTES
            } else {
                MAX_FILE_BYTES
            };
            let mut buf = Vec::new();
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => {
                        if buf.len() + chunk.len() > limit {
                            // Read the rest (bounded by the body limit) so that the
                            // client, still sending, receives the 413.
                            while let Ok(Some(_)) = field.chunk().await {}
                            drop(field);
                            while let Ok(Some(mut rest)) = mp.next_field().await {
                                while let Ok(Some(_)) = rest.chunk().await {}
                            }
                            return Err(ApiError::TooLarge(if name == "data" {
                                "The data field is too large (the limit is 1 MiB)"
                            } else {
                                "File too large (the limit is 10 MiB per file)"
                            }));
                        }
                        buf.extend_from_slice(&chunk);
                    }
                    Ok(None) => break,
                    Err(e) => return Err(multipart_error(e.status())),
                }
            }
            if name == "data" {
                fields = Some(parse_object(&buf, &["body", "data"])?);
            } else if let Some(file_name) = file_name {
                files.push(Upload {
                    field: name,
                    file_name,
                    bytes: Bytes::from(buf),
                });
            }
            // Other text fields are ignored, like unknown JSON fields.
        }
        Ok(Self {
            fields: fields.unwrap_or_default(),
            files,
            multipart: true,
        })
    }
}

fn multipart_error(status: StatusCode) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::TooLarge("Request body too large")
    } else {
        ApiError::field("data", "Malformed multipart body", "multipart_invalid")
    }
}

/// Reads and checks fields of a JSON object, collecting every problem into one 422.
/// `null` counts as absent.
pub struct Fields<'a> {
    obj: &'a Map<String, Value>,
    errors: Vec<FieldError>,
}

impl<'a> Fields<'a> {
    /// Starts checking `obj`.
    pub fn new(obj: &'a Map<String, Value>) -> Self {
        Self {
            obj,
            errors: Vec::new(),
        }
    }

    fn get(&self, name: &str) -> Option<&'a Value> {
        self.obj.get(name).filter(|v| !v.is_null())
    }

    /// A required non-empty string of at most `max` characters.
    pub fn required_str(&mut self, name: &str, max: usize) -> Option<&'a str> {
        if self.get(name).is_none() {
            self.add(name, "Field required", "missing");
            return None;
        }
        self.optional_str(name, max)
    }

    /// An optional non-empty string of at most `max` characters.
    pub fn optional_str(&mut self, name: &str, max: usize) -> Option<&'a str> {
        match self.get(name)? {
            Value::String(s) if s.is_empty() => {
                self.add(
                    name,
                    "String should have at least 1 character",
                    "string_too_short",
                );
                None
            }
            Value::String(s) if s.chars().count() > max => {
                self.add(
                    name,
                    format!("String should have at most {max} characters"),
                    "string_too_long",
                );
                None
            }
            Value::String(s) => Some(s),
            _ => {
                self.add(name, "Input should be a valid string", "string_type");
                None
            }
        }
    }

    /// An optional JSON object.
    pub fn optional_object(&mut self, name: &str) -> Option<&'a Map<String, Value>> {
        match self.get(name)? {
            Value::Object(m) => Some(m),
            _ => {
                self.add(name, "Input should be a valid dictionary", "dict_type");
                None
            }
        }
    }

    /// An optional list of strings.
    pub fn optional_str_list(&mut self, name: &str) -> Option<Vec<String>> {
        let list = match self.get(name)? {
            Value::Array(list) => list,
            _ => {
                self.add(name, "Input should be a valid list", "list_type");
                return None;
            }
        };
        let strings: Option<Vec<String>> =
            list.iter().map(|v| v.as_str().map(String::from)).collect();
        if strings.is_none() {
            self.add(name, "Input should be a list of strings", "string_type");
        }
        strings
    }

    /// Records an error about `name`.
    pub fn add(&mut self, name: &str, msg: impl Into<String>, kind: impl Into<String>) {
        self.errors.push(FieldError::body(name, msg, kind));
    }

    /// Records an error at any location.
    pub fn push(&mut self, e: FieldError) {
        self.errors.push(e);
    }

    /// 422 with every error recorded, if any.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.errors))
        }
    }
}
