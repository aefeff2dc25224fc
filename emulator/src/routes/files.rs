//! Uploaded files: stored under the files directory with a server-chosen folder and a
//! sanitized name, and served to anyone holding the URL.

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::request_origin;
use super::static_files::content_type_for;
use crate::error::ApiError;
use crate::extract::Upload;
use crate::random;
use crate::state::AppState;
use crate::url::encode_component;

/// A file written to disk for a request that has not committed yet.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The form field it came from.
    pub field: String,
    /// Its absolute URL.
    pub url: String,
    dir: std::path::PathBuf,
}

/// A safe file name: the last path component of the client's name, with anything but
/// ASCII letters, digits, `.`, `_` and `-` replaced, no leading dots, at most 100
/// characters; `file` when nothing is left.
pub fn sanitize(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let trimmed = cleaned.trim_start_matches('.');
    let mut out: String = trimmed
        .chars()
        .rev()
        .take(100)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if out.is_empty() || out.chars().all(|c| c == '_') {
        out = "file".into();
    }
    out
}

/// Writes every upload to disk; on failure removes what was written.
pub async fn store_all(
    state: &AppState,
    headers: &HeaderMap,
    uploads: &[Upload],
) -> Result<Vec<Stored>, ApiError> {
    let origin = request_origin(headers);
    let mut stored = Vec::with_capacity(uploads.len());
    for up in uploads {
        let id = random::hex(&random::bytes::<16>());
        let name = sanitize(&up.file_name);
        let dir = state.config.files.join(&id);
        let written = async {
            tokio::fs::create_dir_all(&dir).await?;
            tokio::fs::write(dir.join(&name), &up.bytes).await
        }
        .await;
        if let Err(e) = written {
            eprintln!("cocobase-emulator: cannot store an upload: {}", e.kind());
            let _ = tokio::fs::remove_dir_all(&dir).await;
            remove_all(&stored).await;
            return Err(ApiError::Internal("file storage"));
        }
        stored.push(Stored {
            field: up.field.clone(),
            url: format!("{origin}/files/{id}/{}", encode_component(&name)),
            dir,
        });
    }
    Ok(stored)
}

/// Deletes files of a request that failed.
pub async fn remove_all(stored: &[Stored]) {
    for s in stored {
        let _ = tokio::fs::remove_dir_all(&s.dir).await;
    }
}

/// `data` entries for the stored files: a URL string per field, or a list of URLs when
/// a field carried several files.
pub fn urls_by_field(stored: &[Stored]) -> Map<String, Value> {
    let mut out: Map<String, Value> = Map::new();
    for s in stored {
        let url = Value::String(s.url.clone());
        match out.get_mut(&s.field) {
            None => {
                out.insert(s.field.clone(), url);
            }
            Some(Value::Array(list)) => list.push(url),
            Some(one) => {
                let first = std::mem::take(one);
                *one = Value::Array(vec![first, url]);
            }
        }
    }
    out
}

/// `GET /files/{id}/{name}`: no key needed. Types that a browser would run (HTML, SVG,
/// scripts) are served as downloads, and every file in a CSP sandbox.
pub async fn serve(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, ApiError> {
    let Ok(Path((id, name))) = path else {
        return Err(ApiError::NotFound);
    };
    let id_ok = id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if !id_ok || sanitize(&name) != name {
        return Err(ApiError::NotFound);
    }
    let bytes = tokio::fs::read(state.config.files.join(&id).join(&name))
        .await
        .map_err(|_| ApiError::NotFound)?;
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let mut content_type = content_type_for(ext);
    let active = matches!(
        content_type,
        "text/html; charset=utf-8"
            | "image/svg+xml"
            | "text/javascript; charset=utf-8"
            | "application/xml"
            | "application/wasm"
    );
    if active {
        content_type = "application/octet-stream";
    }
    let mut res = Body::from(bytes).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'",
        ),
    );
    if active {
        h.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment"),
        );
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes_names() {
        assert_eq!(sanitize("../../etc/passwd"), "passwd");
        assert_eq!(sanitize("C:\\x\\a b.png"), "a_b.png");
        assert_eq!(sanitize(".."), "file");
        assert_eq!(sanitize(".hidden"), "hidden");
        assert_eq!(sanitize("é.txt"), "_.txt");
        assert_eq!(sanitize(""), "file");
        assert_eq!(sanitize(&"a".repeat(300)).len(), 100);
    }
}
