//! Client options, checked once at construction.

use super::error::{AuthError, ErrorCode};
use crate::text::trim_end;
use crate::unicode::{is_control, is_whitespace};

/// The hosted service's root.
pub const DEFAULT_BASE_URL: &str = "https://api.cocobase.buzz";
pub const DEFAULT_STORAGE_KEY: &str = "cocobase.auth.session";
/// Refresh this long before the token expires.
pub const DEFAULT_REFRESH_MARGIN_MS: i64 = 60_000;
pub const DEFAULT_REQUEST_TIMEOUT_MS: u32 = 15_000;

/// Checks the key and the server's root (`None`: the hosted service's), and gives the
/// root without trailing slashes.
pub fn check<'a>(api_key: &str, base_url: Option<&'a str>) -> Result<&'a str, AuthError> {
    // (Blank or not, a key with white space is refused: no need for `trim`.)
    if api_key.is_empty() || api_key.chars().any(is_whitespace) {
        return Err(invalid("apiKey is required and must not contain spaces."));
    }
    let base = trim_end(base_url.unwrap_or(DEFAULT_BASE_URL), b'/');
    if !is_http_url(base) {
        return Err(invalid("baseUrl must be an absolute http(s) URL."));
    }
    Ok(base)
}

/// `config_invalid` with a sentence saying which option.
pub fn invalid(message: &str) -> AuthError {
    AuthError::with_message(ErrorCode::ConfigInvalid, message)
}

/// A project secret key: never to be shipped to a browser.
pub fn is_secret_key(key: &str) -> bool {
    key.starts_with("sk_live_") || key.starts_with("sk_test_")
}

/// An absolute `http://` or `https://` URL with a host and no white space.
pub fn is_http_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or("");
    let end = rest.bytes().position(|b| matches!(b, b'/' | b'?' | b'#'));
    let host = rest.get(..end.unwrap_or(rest.len())).unwrap_or("");
    !host.is_empty()
        && !host.starts_with(':')
        && !url.chars().any(|c| is_whitespace(c) || is_control(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_trailing_slash() {
        assert_eq!(check("pk_test_x", None).unwrap(), DEFAULT_BASE_URL);
        let base = check("pk_test_x", Some("http://127.0.0.1:8787//")).unwrap();
        assert_eq!(base, "http://127.0.0.1:8787");
        assert_eq!(DEFAULT_REFRESH_MARGIN_MS, 60_000);
    }

    #[test]
    fn bad_options_are_config_invalid() {
        for (key, url) in [
            ("", None),
            ("  ", None),
            ("pk x", None),
            ("pk", Some("ftp://x")),
            ("pk", Some("127.0.0.1:8787")),
            ("pk", Some("http://")),
            ("pk", Some("http:///path")),
            ("pk", Some("https://a b")),
            ("pk", Some("javascript:alert(1)")),
        ] {
            let e = check(key, url).unwrap_err();
            assert_eq!(e.code, ErrorCode::ConfigInvalid, "{key:?} {url:?}");
        }
    }

    #[test]
    fn secret_keys() {
        assert!(is_secret_key("sk_live_abc"));
        assert!(is_secret_key("sk_test_abc"));
        assert!(!is_secret_key("pk_test_abc"));
        assert!(!is_secret_key("sk_other"));
    }
}
