//! `--serve DIR`: the demo app's static files at `/`, same origin as the API.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, Method, Uri};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::AppState;

/// The `Content-Type` for a file extension.
pub fn content_type_for(ext: &str) -> &'static str {
    match ext.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        "pdf" => "application/pdf",
        "xml" => "application/xml",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ts" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Decodes `%XX` escapes; `None` for a bad escape or a result that is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The file under `root` for a URL path, refusing `..`, hidden names, backslashes and
/// NUL bytes.
pub fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(url_path)?;
    let mut path = root.to_path_buf();
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        if segment.starts_with('.') || segment.contains(['\\', '\0']) {
            return None;
        }
        path.push(segment);
    }
    if decoded.ends_with('/') || decoded.is_empty() {
        path.push("index.html");
    }
    Some(path)
}

/// The fallback route: a static file when `--serve` is set, else a JSON 404.
pub async fn serve(State(state): State<AppState>, method: Method, uri: Uri) -> Response {
    match serve_file(&state, &method, &uri).await {
        Ok(res) => res,
        Err(e) => e.into_response(),
    }
}

async fn serve_file(state: &AppState, method: &Method, uri: &Uri) -> Result<Response, ApiError> {
    let root = state.config.serve.as_ref().ok_or(ApiError::NotFound)?;
    if method != Method::GET && method != Method::HEAD {
        return Err(ApiError::NotFound);
    }
    let mut path = resolve(root, uri.path()).ok_or(ApiError::NotFound)?;
    if tokio::fs::metadata(&path).await.is_ok_and(|m| m.is_dir()) {
        path.push("index.html");
    }
    // Symlinks must not lead out of the served folder either.
    let real_root = tokio::fs::canonicalize(root)
        .await
        .map_err(|_| ApiError::NotFound)?;
    let real = tokio::fs::canonicalize(&path)
        .await
        .map_err(|_| ApiError::NotFound)?;
    if !real.starts_with(&real_root) {
        return Err(ApiError::NotFound);
    }
    let bytes = tokio::fs::read(&real)
        .await
        .map_err(|_| ApiError::NotFound)?;
    let ext = real.extension().and_then(|e| e.to_str()).unwrap_or("");
    let mut res = Body::from(bytes).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type_for(ext)),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_inside_the_root_only() {
        let root = Path::new("/srv");
        assert_eq!(resolve(root, "/"), Some(PathBuf::from("/srv/index.html")));
        assert_eq!(
            resolve(root, "/pkg/a.wasm"),
            Some(PathBuf::from("/srv/pkg/a.wasm"))
        );
        assert_eq!(
            resolve(root, "/a%20b.js"),
            Some(PathBuf::from("/srv/a b.js"))
        );
        for bad in [
            "/../etc/passwd",
            "/%2e%2e/x",
            "/a/..%2Fb",
            "/.git/config",
            "/a%5Cb",
            "/%00",
            "/%zz",
        ] {
            assert_eq!(resolve(root, bad), None, "{bad}");
        }
    }
}
