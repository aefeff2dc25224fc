//! The core's only ways out: a transport, a store, a clock and an event sink.
//! The browser glue implements them with fetch, Web Storage and `Date`; the host
//! tests with fakes.

use super::session::Session;

/// HTTP methods the API uses.
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

/// A request body; `F` is the transport's file handle (a `Blob` in the browser).
#[derive(Debug)]
pub enum Body<F> {
    Empty,
    /// JSON text, sent with `Content-Type: application/json`.
    Json(String),
    /// `multipart/form-data`: the field `data` holds JSON text, then one part per file.
    Multipart {
        data: String,
        files: Vec<(String, F)>,
    },
}

/// A fully built request: the transport sends it as is.
#[derive(Debug)]
pub struct Request<F> {
    pub method: Method,
    pub url: String,
    /// Header name and value pairs (`x-api-key`, `Authorization`, ...).
    pub headers: Vec<(&'static str, String)>,
    pub body: Body<F>,
}

/// An answer of any status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub body: String,
    /// `Retry-After` in seconds, when present and numeric.
    pub retry_after: Option<u64>,
    /// The `Date` header, in epoch milliseconds of the server's clock.
    pub date_ms: Option<i64>,
}

/// No answer at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportError {
    Network,
    Timeout,
}

/// Sends requests.
#[allow(async_fn_in_trait)]
pub trait Transport {
    type File;
    async fn send(&self, request: Request<Self::File>) -> Result<Response, TransportError>;
}

/// A string key-value store (Web Storage or memory). Writes may fail (quota, private
/// mode): the session then lives on in memory.
pub trait Store {
    fn get(&self, key: &str) -> Option<String>;
    fn set(&self, key: &str, value: &str);
    fn remove(&self, key: &str);
}

/// What the tabs of one browser share to refresh a token once, whatever their number.
///
/// A `localStorage` write reaches other tabs asynchronously, so a tab that takes the
/// lock right after another released it may still read the old session there. The
/// shared record must be one the browser orders (IndexedDB): the lock holder writes
/// the new session into it before releasing the lock, and a tab that waited for the
/// lock reads it first.
#[allow(async_fn_in_trait)]
pub trait CrossTab {
    /// Released when dropped.
    type Guard;
    /// Takes the refresh lock, waiting a bounded time; `None` means "carry on without a
    /// lock" (no lock support, or the wait timed out): a duplicate refresh is harmless.
    async fn lock(&self) -> Option<Self::Guard>;
    /// The newest session record any tab published.
    async fn read(&self) -> Option<String>;
    async fn publish(&self, record: &str);
}

/// Epoch milliseconds of the local clock.
pub trait Clock {
    fn now_ms(&self) -> i64;
}

/// The auth events of JS-API.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthEvent {
    InitialSession,
    SignedIn,
    SignedOut,
    TokenRefreshed,
    UserUpdated,
}

impl AuthEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthEvent::InitialSession => "INITIAL_SESSION",
            AuthEvent::SignedIn => "SIGNED_IN",
            AuthEvent::SignedOut => "SIGNED_OUT",
            AuthEvent::TokenRefreshed => "TOKEN_REFRESHED",
            AuthEvent::UserUpdated => "USER_UPDATED",
        }
    }
}

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignOutReason {
    Logout,
    Expired,
    Revoked,
    OtherTab,
}

impl SignOutReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SignOutReason::Logout => "logout",
            SignOutReason::Expired => "expired",
            SignOutReason::Revoked => "revoked",
            SignOutReason::OtherTab => "other_tab",
        }
    }
}

/// Receives auth events, in order. Called after the state change is complete.
pub trait Events {
    fn emit(&self, event: AuthEvent, session: Option<&Session>, reason: Option<SignOutReason>);
}

/// Percent-encodes a query value or path segment (everything but RFC 3986 unreserved).
pub fn encode_component(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_components() {
        assert_eq!(encode_component("a b&c=d/é~"), "a%20b%26c%3Dd%2F%C3%A9~");
        assert_eq!(encode_component("../x"), "..%2Fx");
    }
}
