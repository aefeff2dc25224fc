//! The little URL handling the OAuth stand-in needs: origins, query building and
//! percent-encoding. Deliberately strict: anything odd is refused, never guessed at.

/// The origin (`scheme://host[:port]`, host lower-cased) of an absolute http(s) URL, or
/// `None` for anything else (other schemes, user info, empty or odd hosts, bad ports).
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6.split_once(']')?;
        if h.is_empty()
            || !h
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return None;
        }
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?),
        };
        (format!("[{}]", h.to_ascii_lowercase()), port)
    } else {
        let (h, p) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        let ok = !h.is_empty()
            && h.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_');
        if !ok {
            return None;
        }
        (h.to_ascii_lowercase(), p)
    };
    match port {
        None => Some(format!("{scheme}://{host}")),
        Some(p) => {
            let n: u16 = p
                .parse()
                .ok()
                .filter(|_| p.bytes().all(|b| b.is_ascii_digit()))?;
            Some(format!("{scheme}://{host}:{n}"))
        }
    }
}

/// Whether an origin from [`origin_of`] points at this machine.
pub fn is_loopback_origin(origin: &str) -> bool {
    let Some((_, rest)) = origin.split_once("://") else {
        return false;
    };
    let host = if rest.starts_with('[') {
        rest.split_once(']').map(|(h, _)| &h[1..]).unwrap_or("")
    } else {
        rest.split(':').next().unwrap_or("")
    };
    matches!(host, "127.0.0.1" | "localhost" | "::1")
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Adds query parameters to `url`, keeping its existing query and putting them before
/// any fragment.
pub fn with_query(url: &str, pairs: &[(&str, &str)]) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let mut out = base.to_string();
    let mut sep = if !base.contains('?') {
        '?'
    } else if base.ends_with('?') || base.ends_with('&') {
        '\0'
    } else {
        '&'
    };
    for (k, v) in pairs {
        if sep != '\0' {
            out.push(sep);
        }
        out.push_str(&encode_component(k));
        out.push('=');
        out.push_str(&encode_component(v));
        sep = '&';
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        assert_eq!(
            origin_of("http://LocalHost:3000/cb?x=1").as_deref(),
            Some("http://localhost:3000")
        );
        assert_eq!(
            origin_of("https://[::1]/").as_deref(),
            Some("https://[::1]")
        );
        assert_eq!(
            origin_of("http://127.0.0.1").as_deref(),
            Some("http://127.0.0.1")
        );
        for bad in [
            "javascript:alert(1)",
            "//x",
            "http://",
            "http://a@b/",
            "ftp://x/",
            "http://x:99999/",
            "http://x:+1/",
            "http://a b/",
        ] {
            assert_eq!(origin_of(bad), None, "{bad}");
        }
        assert!(is_loopback_origin("http://[::1]:80"));
        assert!(is_loopback_origin("https://localhost"));
        assert!(!is_loopback_origin("http://localhost.evil.com"));
    }

    #[test]
    fn queries() {
        assert_eq!(
            with_query("http://x/cb", &[("code", "a b")]),
            "http://x/cb?code=a%20b"
        );
        assert_eq!(
            with_query("http://x/cb?k=1#top", &[("a", "1"), ("b", "&")]),
            "http://x/cb?k=1&a=1&b=%26#top"
        );
        assert_eq!(with_query("http://x/cb?", &[("a", "1")]), "http://x/cb?a=1");
    }
}
