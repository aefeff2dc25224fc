//! Sign-in by redirect (API.md "Google (and Apple) sign-in by redirect", GitHub): the
//! pending flows kept per tab, the state added to the provider's URL, and the callback
//! page: reading the provider's answer, checking the state, cleaning the address bar.

use super::error::{Error, ErrorCode};
use super::json::{Map, Value};
use super::options::Github;
use super::request::{encode, oauth_verify, Request, PROVIDERS};
use crate::text::{parts, split_once, trim_start_byte};

/// How long a started sign-in stays valid, and how many are remembered.
pub const FLOW_TTL_MS: i64 = 600_000;
pub const MAX_FLOWS: usize = 5;

/// A sign-in started in this tab and not yet answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    pub state: String,
    pub provider: String,
    pub redirect_uri: String,
    pub created_at: i64,
}

impl Flow {
    fn live(&self, now: i64) -> bool {
        now.saturating_sub(self.created_at) < FLOW_TTL_MS
    }

    fn value(&self) -> Value {
        Value::Object(Map::from([
            ("state", Value::from(self.state.as_str())),
            ("provider", Value::from(self.provider.as_str())),
            ("redirect_uri", Value::from(self.redirect_uri.as_str())),
            ("created_at", Value::Number(self.created_at as f64)),
        ]))
    }
}

/// The well-formed flows of what was stored (anything else reads as none). A provider
/// this client does not know is not well-formed: it would become part of a request path.
pub fn flows(stored: Option<&Value>) -> Vec<Flow> {
    let items = stored.and_then(Value::as_array).unwrap_or(&[]);
    items
        .iter()
        .filter_map(|f| {
            let provider = f.str_at("provider").filter(|p| PROVIDERS.contains(p))?;
            Some(Flow {
                state: f.str_at("state")?.to_owned(),
                provider: provider.to_owned(),
                redirect_uri: f.str_at("redirect_uri")?.to_owned(),
                created_at: f.get("created_at")?.as_i64()?,
            })
        })
        .collect()
}

/// The flows as they are stored.
pub fn flows_value(flows: &[Flow]) -> Value {
    Value::Array(flows.iter().map(Flow::value).collect())
}

/// What joins one more parameter to `url`: `&` when it has a query, else `?`.
fn joiner(url: &str) -> char {
    if url.bytes().any(|b| b == b'?') {
        '&'
    } else {
        '?'
    }
}

/// GitHub's authorize URL, built in the client (the hosted service's way).
pub fn github_url(github: &Github, redirect_uri: &str) -> String {
    let join = joiner(&github.authorize_url);
    format!(
        "{}{join}client_id={}&redirect_uri={}&scope=read%3Auser%20user%3Aemail",
        github.authorize_url,
        encode(&github.client_id),
        encode(redirect_uri)
    )
}

/// A sign-in starts: the flows to store (this one added, the dead ones dropped) and
/// the provider's URL with the state.
pub fn start(
    stored: Option<&Value>,
    state: &str,
    provider: &str,
    redirect_uri: &str,
    now: i64,
    url: &str,
) -> (Value, String) {
    let mut list: Vec<Flow> = flows(stored).into_iter().filter(|f| f.live(now)).collect();
    list.push(Flow {
        state: state.to_owned(),
        provider: provider.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        created_at: now,
    });
    let keep = list.len().saturating_sub(MAX_FLOWS);
    let (before, fragment) = match split_once(url, b'#') {
        Some((before, fragment)) => (before, Some(fragment)),
        None => (url, None),
    };
    let mut with_state = format!("{before}{}state={}", joiner(before), encode(state));
    if let Some(fragment) = fragment {
        with_state.push('#');
        with_state.push_str(fragment);
    }
    (flows_value(&list[keep..]), with_state)
}

/// Decodes `%XX` and `+`; invalid escapes stay as written, bytes that are not UTF-8
/// become U+FFFD.
pub fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let hex = |c: u8| char::from(c).to_digit(16);
    let mut i = 0;
    while i < b.len() {
        let escaped = match (b[i], b.get(i + 1), b.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) => hex(h).zip(hex(l)).map(|(h, l)| (h * 16 + l) as u8),
            _ => None,
        };
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(if b[i] == b'+' { b' ' } else { b[i] });
                i += 1;
            }
        }
    }
    lossy(&out)
}

/// `bytes` as text, each byte sequence that is not UTF-8 as U+FFFD
/// (`String::from_utf8_lossy`, without its chunk iterator).
fn lossy(mut bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len());
    loop {
        match std::str::from_utf8(bytes) {
            Ok(valid) => {
                text.push_str(valid);
                return text;
            }
            Err(e) => {
                let (valid, rest) = bytes.split_at(e.valid_up_to());
                text.push_str(std::str::from_utf8(valid).unwrap_or_default());
                text.push('\u{FFFD}');
                bytes = rest
                    .get(e.error_len().unwrap_or(rest.len())..)
                    .unwrap_or_default();
            }
        }
    }
}

/// `(before '?', query, fragment)`.
fn split(url: &str) -> (&str, Option<&str>, Option<&str>) {
    let (rest, fragment) = match split_once(url, b'#') {
        Some((r, f)) => (r, Some(f)),
        None => (url, None),
    };
    match split_once(rest, b'?') {
        Some((base, q)) => (base, Some(q), fragment),
        None => (rest, None, fragment),
    }
}

const OAUTH_KEYS: [&str; 4] = ["code", "state", "error", "error_description"];

/// A fragment with `=` carries parameters; one without is a route or an anchor
/// (`#/settings`).
fn carries_params(fragment: &str) -> bool {
    fragment.bytes().any(|b| b == b'=')
}

/// A pair's name (what comes before its `=`), decoded.
fn key(pair: &str) -> String {
    let name = split_once(pair, b'=').map_or(pair, |(name, _)| name);
    decode(trim_start_byte(name, b'?'))
}

/// The pairs of a `&`-list that are not OAuth parameters, as written (empty ones and
/// bare `?`s dropped).
fn strip(list: &str) -> String {
    let mut kept = String::new();
    for pair in parts(list, b'&') {
        if !trim_start_byte(pair, b'?').is_empty() && !OAUTH_KEYS.contains(&key(pair).as_str()) {
            if !kept.is_empty() {
                kept.push('&');
            }
            kept.push_str(pair);
        }
    }
    kept
}

/// The URL without the OAuth parameters (query and parameter-style fragment); the rest
/// as it was.
pub fn clean(url: &str) -> String {
    let (base, query, fragment) = split(url);
    let mut out = base.to_owned();
    if let Some(q) = query.map(strip).filter(|q| !q.is_empty()) {
        out.push('?');
        out.push_str(&q);
    }
    if let Some(f) = fragment {
        let kept = if carries_params(f) {
            let pairs = trim_start_byte(f, b'?');
            let kept = strip(pairs);
            if kept.is_empty() {
                kept
            } else {
                format!("{}{kept}", &f[..f.len() - pairs.len()])
            }
        } else {
            f.to_owned()
        };
        if !kept.is_empty() {
            out.push('#');
            out.push_str(&kept);
        }
    }
    out
}

/// The provider's answer in a callback URL.
#[derive(Debug, Default, PartialEq)]
struct Answer {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// The query first, then a parameter-style fragment; the first occurrence wins.
fn read_callback(url: &str) -> Option<Answer> {
    let (_, query, fragment) = split(url);
    let fragment = fragment
        .filter(|f| carries_params(f))
        .map(|f| trim_start_byte(f, b'?'));
    let mut a = Answer::default();
    for part in [query, fragment].into_iter().flatten() {
        for pair in parts(part, b'&').filter(|p| !p.is_empty()) {
            let (k, v) = split_once(pair, b'=').unwrap_or((pair, ""));
            let slot = match decode(k).as_str() {
                "code" => &mut a.code,
                "state" => &mut a.state,
                "error" => &mut a.error,
                "error_description" => &mut a.error_description,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(decode(v));
            }
        }
    }
    (a.code.is_some() || a.error.is_some()).then_some(a)
}

/// Compares without stopping at the first difference.
fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut x = u8::from(a.len() != b.len());
    for (i, byte) in a.iter().enumerate() {
        x |= byte ^ b.get(i).copied().unwrap_or(!byte);
    }
    x == 0
}

/// What the callback page learned.
#[derive(Debug, PartialEq)]
pub struct Callback {
    /// The URL without the OAuth parameters.
    pub cleaned: String,
    /// The flows left (`None`: remove them all).
    pub flows: Option<Value>,
    /// The verify request, or why there is none.
    pub verify: Result<Request, Error>,
}

/// The callback page: `None` when `url` carries no OAuth answer. The state is used up
/// either way.
pub fn callback(url: &str, stored: Option<&Value>, now: i64) -> Option<Callback> {
    let answer = read_callback(url)?;
    let mut flow = None;
    let mut rest = Vec::new();
    for f in flows(stored) {
        let matches = answer.state.as_deref().is_some_and(|s| same(s, &f.state));
        if matches && flow.is_none() {
            flow = Some(f);
        } else if f.live(now) {
            rest.push(f);
        }
    }
    let flow = flow.filter(|f| f.live(now) && now >= f.created_at);
    let verify = match (flow, answer) {
        (None, _) => Err(Error::new(ErrorCode::OauthStateMismatch)),
        (
            Some(_),
            Answer {
                error: Some(error),
                error_description,
                ..
            },
        ) => {
            let mut e = match error_description {
                Some(d) if !d.is_empty() => Error::with_message(ErrorCode::OauthDenied, d),
                _ => Error::new(ErrorCode::OauthDenied),
            };
            e.detail = Some(Value::String(error));
            Err(e)
        }
        (
            Some(flow),
            Answer {
                code: Some(code), ..
            },
        ) if !code.is_empty() => Ok(oauth_verify(&flow.provider, &code, &flow.redirect_uri)),
        (Some(_), _) => Err(Error::new(ErrorCode::OauthInvalidCallback)),
    };
    Some(Callback {
        cleaned: clean(url),
        flows: (!rest.is_empty()).then(|| flows_value(&rest)),
        verify,
    })
}
