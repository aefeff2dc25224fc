//! The redirect sign-in's pure parts: reading the provider's answer from a callback
//! URL (query or fragment), cleaning the address bar, and the pending-flow records that
//! bind a `state` to its provider, `redirect_uri` and time.

use super::json::{Json, Writer};
use crate::prelude::*;
use crate::text::{parts, split_once, trim_start};

/// The OAuth parameters the client consumes (and removes from the address bar).
const OAUTH_PARAMS: [&str; 4] = ["code", "state", "error", "error_description"];

/// Providers the API knows.
pub const PROVIDERS: [&str; 2] = ["google", "apple"];

/// How long a started sign-in stays valid.
pub const FLOW_TTL_MS: i64 = 10 * 60 * 1000;

/// At most this many pending flows are remembered (double clicks, retries).
const MAX_FLOWS: usize = 5;

/// What a callback URL carries.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// Whether `s` contains the ASCII character `c` (without `str::contains`, whose
/// substring search costs kilobytes of wasm).
fn has(s: &str, c: u8) -> bool {
    s.as_bytes().contains(&c)
}

/// Splits `url` into (before `?`, query, fragment), any of the last two possibly absent.
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

/// Decodes `%XX` and `+` (form encoding). Invalid escapes are kept as written, and
/// bytes that do not form UTF-8 are replaced: a hostile URL cannot make this fail.
pub fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = |c: u8| (c as char).to_digit(16);
                match (hex(b[i + 1]), hex(b[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 3;
                        continue;
                    }
                    _ => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    lossy(&out)
}

/// `bytes` as text, each invalid sequence replaced by U+FFFD (what
/// `String::from_utf8_lossy` does, with the decoder already linked in).
fn lossy(mut bytes: &[u8]) -> String {
    let mut out = String::new();
    loop {
        match core::str::from_utf8(bytes) {
            Ok(text) => {
                out.push_str(text);
                return out;
            }
            Err(e) => {
                let (valid, rest) = bytes.split_at(e.valid_up_to());
                out.push_str(core::str::from_utf8(valid).unwrap_or(""));
                out.push('\u{FFFD}');
                bytes = rest
                    .get(e.error_len().unwrap_or(rest.len())..)
                    .unwrap_or(&[]);
            }
        }
    }
}

fn pairs(s: &str) -> impl Iterator<Item = (&str, &str)> {
    parts(s, b'&')
        .filter(|p| !p.is_empty())
        .map(|p| split_once(p, b'=').unwrap_or((p, "")))
}

fn read(part: &str, into: &mut Callback) {
    for (k, v) in pairs(part) {
        let slot = match decode(k).as_str() {
            "code" => &mut into.code,
            "state" => &mut into.state,
            "error" => &mut into.error,
            "error_description" => &mut into.error_description,
            _ => continue,
        };
        // The first occurrence wins; later duplicates are ignored.
        if slot.is_none() {
            *slot = Some(decode(v));
        }
    }
}

/// Reads the provider's answer from a callback URL: the query first, then the fragment
/// (for parameters the query lacks). `None` when the URL carries no OAuth answer
/// (neither `code` nor `error`).
pub fn parse_callback(url: &str) -> Option<Callback> {
    let (_, query, fragment) = split(url);
    let mut cb = Callback::default();
    if let Some(q) = query {
        read(q, &mut cb);
    }
    // Same rule as `clean_url`: a fragment without `=` is a route or an anchor
    // (`#/settings`, `#error`), never an answer.
    if let Some(f) = fragment.filter(|f| has(f, b'=')) {
        read(trim_start(f, b'?'), &mut cb);
    }
    (cb.code.is_some() || cb.error.is_some()).then_some(cb)
}

fn is_oauth_param(pair: &str) -> bool {
    let key = split_once(pair, b'=').map_or(pair, |(k, _)| k);
    // `?` is trimmed as `parse_callback` trims it at the start of a fragment, so that
    // removing a pair cannot bring a `?error=` to the front (`#code=1&?error=x`).
    OAUTH_PARAMS.contains(&decode(trim_start(key, b'?')).as_str())
}

/// Keeps the pairs of a `&`-separated list that are not OAuth parameters, as written.
fn strip(list: &str) -> String {
    let mut kept = String::new();
    for p in parts(list, b'&') {
        // Empty pairs go, and so do bare `?`s, which would merge into a fragment's `?`.
        if !trim_start(p, b'?').is_empty() && !is_oauth_param(p) {
            if !kept.is_empty() {
                kept.push('&');
            }
            kept.push_str(p);
        }
    }
    kept
}

/// The URL without `code`, `state`, `error` and `error_description` (in the query and
/// in a parameter-style fragment); everything else stays exactly as it was.
pub fn clean_url(url: &str) -> String {
    let (base, query, fragment) = split(url);
    let mut out = String::from(base);
    if let Some(q) = query {
        let q = strip(q);
        if !q.is_empty() {
            out.push('?');
            out.push_str(&q);
        }
    }
    if let Some(f) = fragment {
        // A fragment that is a route (`#/settings`) or an anchor is left alone.
        // The `?` before a parameter-style fragment stays as written, like the rest.
        let f = if has(f, b'=') {
            let pairs = trim_start(f, b'?');
            match strip(pairs) {
                kept if kept.is_empty() => kept,
                kept => {
                    let marks = f.get(..f.len() - pairs.len()).unwrap_or("");
                    let mut with_marks = String::from(marks);
                    with_marks.push_str(&kept);
                    with_marks
                }
            }
        } else {
            f.to_owned()
        };
        if !f.is_empty() {
            out.push('#');
            out.push_str(&f);
        }
    }
    out
}

/// `url` with `state=<state>` added to its query (before any fragment).
pub fn with_state(url: &str, state: &str) -> String {
    let (before, fragment) = match split_once(url, b'#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let mut out = String::from(before);
    out.push(if has(before, b'?') { '&' } else { '?' });
    out.push_str("state=");
    out.push_str(&encode_component(state));
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
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

/// A sign-in started in this tab and not yet finished, as stored (borrowed from the
/// parsed list of [`read_flows`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flow<'a> {
    pub state: &'a str,
    pub provider: &'a str,
    pub redirect_uri: &'a str,
    pub created_at: i64,
}

/// The well-formed pending flows of `list`, the parsed stored text (anything else
/// reads as none).
pub fn read_flows(list: &Json) -> Vec<Flow<'_>> {
    let mut out = Vec::new();
    for f in list.as_array().unwrap_or(&[]) {
        let (Some(state), Some(provider), Some(redirect_uri), Some(created_at)) = (
            f.str_at("state"),
            f.str_at("provider"),
            f.str_at("redirect_uri"),
            f.get("created_at").and_then(Json::as_i64),
        ) else {
            continue;
        };
        out.push(Flow {
            state,
            provider,
            redirect_uri,
            created_at,
        });
    }
    out
}

pub fn write_flows(flows: &[Flow]) -> String {
    let mut w = Writer::new();
    w.open('[');
    for f in flows {
        w.open('{');
        w.key("state").str(f.state);
        w.key("provider").str(f.provider);
        w.key("redirect_uri").str(f.redirect_uri);
        w.key("created_at").int(f.created_at);
        w.close('}');
    }
    w.close(']');
    w.out
}

fn live(f: &Flow, now: i64) -> bool {
    now - f.created_at < FLOW_TTL_MS
}

/// Adds a flow, dropping expired ones and keeping the newest few.
pub fn push_flow<'a>(flows: &[Flow<'a>], flow: Flow<'a>) -> Vec<Flow<'a>> {
    let mut out = Vec::new();
    for f in flows {
        if live(f, flow.created_at) {
            out.push(*f);
        }
    }
    out.push(flow);
    let extra = out.len().saturating_sub(MAX_FLOWS);
    out.copy_within(extra.., 0);
    out.truncate(out.len() - extra);
    out
}

/// Takes the flow that `state` names (single use): `(the flow if valid, the flows left)`.
/// An unknown, expired or missing state yields `None`.
pub fn take_flow<'a>(
    flows: &[Flow<'a>],
    state: Option<&str>,
    now: i64,
) -> (Option<Flow<'a>>, Vec<Flow<'a>>) {
    let mut found = None;
    let mut rest = Vec::new();
    for f in flows {
        let matches = state.is_some_and(|s| constant_time_eq(s.as_bytes(), f.state.as_bytes()));
        if matches && found.is_none() {
            found = Some(*f);
        } else if live(f, now) {
            rest.push(*f);
        }
    }
    let valid = found.filter(|f| live(f, now) && now >= f.created_at);
    (valid, rest)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cb(
        code: Option<&str>,
        state: Option<&str>,
        error: Option<&str>,
        desc: Option<&str>,
    ) -> Option<Callback> {
        Some(Callback {
            code: code.map(Into::into),
            state: state.map(Into::into),
            error: error.map(Into::into),
            error_description: desc.map(Into::into),
        })
    }

    /// (URL, what it carries, the cleaned URL)
    #[test]
    fn callback_urls() {
        let table: &[(&str, Option<Callback>, &str)] = &[
            (
                "https://app.io/cb?code=abc&state=s1",
                cb(Some("abc"), Some("s1"), None, None),
                "https://app.io/cb",
            ),
            (
                "https://app.io/cb#code=abc&state=s1",
                cb(Some("abc"), Some("s1"), None, None),
                "https://app.io/cb",
            ),
            (
                "https://app.io/cb#?code=abc&state=s1",
                cb(Some("abc"), Some("s1"), None, None),
                "https://app.io/cb",
            ),
            (
                "https://app.io/cb?code=q&state=s#code=f",
                cb(Some("q"), Some("s"), None, None),
                "https://app.io/cb",
            ),
            (
                "https://app.io/cb?code=q#state=fromhash",
                cb(Some("q"), Some("fromhash"), None, None),
                "https://app.io/cb",
            ),
            (
                "https://app.io/cb?tab=2&code=a&state=s&x=y",
                cb(Some("a"), Some("s"), None, None),
                "https://app.io/cb?tab=2&x=y",
            ),
            (
                "https://app.io/cb?code=a&state=s#/settings",
                cb(Some("a"), Some("s"), None, None),
                "https://app.io/cb#/settings",
            ),
            (
                "https://app.io/cb?code=a&state=s#top",
                cb(Some("a"), Some("s"), None, None),
                "https://app.io/cb#top",
            ),
            (
                "https://app.io/cb?code=a%2Bb%20c&state=s%3D1",
                cb(Some("a+b c"), Some("s=1"), None, None),
                "https://app.io/cb",
            ),
            (
                "https://app.io/cb?code=a+b&state=s",
                cb(Some("a b"), Some("s"), None, None),
                "https://app.io/cb",
            ),
            (
                "https://app.io/cb?code=first&code=second&state=s",
                cb(Some("first"), Some("s"), None, None),
                "https://app.io/cb",
            ),
            (
                "https://app.io/cb?error=access_denied&error_description=User%20said%20no&state=s",
                cb(None, Some("s"), Some("access_denied"), Some("User said no")),
                "https://app.io/cb",
            ),
            (
                "https://app.io/cb?error=access_denied",
                cb(None, None, Some("access_denied"), None),
                "https://app.io/cb",
            ),
            ("https://app.io/cb?state=s", None, "https://app.io/cb"),
            ("https://app.io/cb", None, "https://app.io/cb"),
            ("https://app.io/cb?", None, "https://app.io/cb"),
            (
                "https://app.io/cb?x=1&y=2#z=3",
                None,
                "https://app.io/cb?x=1&y=2#z=3",
            ),
            (
                "https://app.io/cb?code=&state=s",
                cb(Some(""), Some("s"), None, None),
                "https://app.io/cb",
            ),
            (
                "https://app.io/cb?code=%ZZ&state=%",
                cb(Some("%ZZ"), Some("%"), None, None),
                "https://app.io/cb",
            ),
            (
                "https://app.io/cb?code=%E2%9C%93&state=s",
                cb(Some("✓"), Some("s"), None, None),
                "https://app.io/cb",
            ),
            (
                "https://app.io/cb?code=%FF&state=s",
                cb(Some("\u{FFFD}"), Some("s"), None, None),
                "https://app.io/cb",
            ),
            (
                "https://app.io/cb?%63ode=enc&state=s",
                cb(Some("enc"), Some("s"), None, None),
                "https://app.io/cb",
            ),
            (
                "https://app.io/cb?codes=1&statement=2",
                None,
                "https://app.io/cb?codes=1&statement=2",
            ),
            (
                "https://app.io/cb?&&code=a&&state=s&&",
                cb(Some("a"), Some("s"), None, None),
                "https://app.io/cb",
            ),
            (
                "/relative?code=a&state=s",
                cb(Some("a"), Some("s"), None, None),
                "/relative",
            ),
            (
                "https://app.io/cb?code&state=s",
                cb(Some(""), Some("s"), None, None),
                "https://app.io/cb",
            ),
        ];
        assert!(table.len() >= 20);
        // Found by fuzz/fuzz_targets/oauth.rs: clean_url must remove every answer.
        for (url, cleaned) in [
            ("https://app.io/docs#error", "https://app.io/docs#error"),
            ("https://app.io/docs#code", "https://app.io/docs#code"),
            ("https://app.io/cb#code=1&?error=x", "https://app.io/cb"),
            ("https://app.io/cb#?state=s&??code=1", "https://app.io/cb"),
            ("https://app.io/cb#?a=1&code=2", "https://app.io/cb#?a=1"),
            ("https://app.io/cb#code=1&?x=2", "https://app.io/cb#?x=2"),
            ("https://app.io/cb#code=1&?&?x=2", "https://app.io/cb#?x=2"),
        ] {
            assert_eq!(clean_url(url), cleaned, "clean {url}");
            assert_eq!(
                parse_callback(&clean_url(url)),
                None,
                "answer left in {url}"
            );
            assert_eq!(clean_url(cleaned), cleaned, "clean twice {url}");
        }
        assert_eq!(parse_callback("https://app.io/docs#error"), None);
        for (url, want, cleaned) in table {
            assert_eq!(&parse_callback(url), want, "parse {url}");
            assert_eq!(clean_url(url), *cleaned, "clean {url}");
        }
    }

    #[test]
    fn encodes_components() {
        assert_eq!(encode_component("a b&c=d/é~"), "a%20b%26c%3Dd%2F%C3%A9~");
        assert_eq!(encode_component("../x"), "..%2Fx");
    }

    #[test]
    fn state_is_added_to_the_query() {
        assert_eq!(with_state("http://h/a?x=1", "s"), "http://h/a?x=1&state=s");
        assert_eq!(with_state("http://h/a", "s/1"), "http://h/a?state=s%2F1");
        assert_eq!(
            with_state("http://h/a#frag", "s"),
            "http://h/a?state=s#frag"
        );
    }

    #[test]
    fn flows_are_single_use_and_expire() {
        let f = |s: &'static str, t: i64| Flow {
            state: s,
            provider: "google",
            redirect_uri: "http://a/cb",
            created_at: t,
        };
        let flows = push_flow(&push_flow(&[], f("a", 0)), f("b", 1000));
        let text = write_flows(&flows);
        let list = Json::parse(&text).unwrap();
        assert_eq!(read_flows(&list), flows);
        let (got, rest) = take_flow(&flows, Some("a"), 5000);
        assert_eq!(got.unwrap().state, "a");
        assert_eq!(rest, vec![f("b", 1000)]);
        let (again, _) = take_flow(&rest, Some("a"), 5000);
        assert_eq!(again, None);
        let (late, rest) = take_flow(&flows, Some("b"), 1000 + FLOW_TTL_MS);
        assert_eq!(late, None);
        assert!(rest.is_empty());
        assert_eq!(take_flow(&flows, None, 0).0, None);
        assert_eq!(take_flow(&flows, Some("zz"), 0).0, None);
        // A flow from the future (a clock set back) is refused too.
        assert_eq!(take_flow(&flows, Some("b"), 999).0, None);
        assert!(read_flows(&Json::Str("garbage".into())).is_empty());
        assert!(read_flows(&Json::Null).is_empty());
        let partial = Json::parse(r#"[{"state":"x"},{"state":"y","provider":"apple","redirect_uri":"u","created_at":5},7]"#).unwrap();
        assert_eq!(read_flows(&partial).len(), 1);
        let names: Vec<String> = (0..9).map(|i| i.to_string()).collect();
        let many = (0..9).fold(Vec::new(), |acc, i| {
            push_flow(&acc, f_owned(&names[i], i as i64))
        });
        assert_eq!(many.len(), 5);
        assert_eq!(many[0].state, "4");
        assert_eq!(many[4].state, "8");
        // Expired ones go first.
        let old = push_flow(&[f("old", 0)], f("new", FLOW_TTL_MS));
        assert_eq!(old, vec![f("new", FLOW_TTL_MS)]);
    }

    fn f_owned(s: &str, t: i64) -> Flow<'_> {
        Flow {
            state: s,
            provider: "google",
            redirect_uri: "http://a/cb",
            created_at: t,
        }
    }
}
