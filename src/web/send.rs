//! The one path every request takes: gloo-net, the API key and bearer token, a JSON or
//! multipart body, an `AbortController` timeout, and the answer read with the
//! browser's `JSON.parse`.

use gloo_net::http::{Method as HttpMethod, RequestBuilder};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::error::{Error, ErrorCode};
use crate::core::json::Value;
use crate::core::options::Config;
use crate::core::request::{Method, Request};

use super::convert::{entries, parse, stringify};
use super::timer::Timer;

/// An answer as it arrived.
pub struct Raw {
    pub status: u16,
    /// The body, when it was JSON.
    pub body: Option<Value>,
    pub retry_after: Option<String>,
    /// The `Date` header, in epoch milliseconds.
    pub date_ms: Option<i64>,
}

/// `{ [field]: File | Blob | Array<File | Blob> }` as multipart parts after `data`.
fn form(data: &str, files: &JsValue) -> Result<web_sys::FormData, Error> {
    let bad = || {
        Error::with_message(
            ErrorCode::ValidationFailed,
            "files must be an object of File, Blob or arrays of them.",
        )
    };
    let form = web_sys::FormData::new().map_err(|_| bad())?;
    form.append_with_str("data", data).map_err(|_| bad())?;
    if files.is_undefined() || files.is_null() {
        return Ok(form);
    }
    if !files.is_object() {
        return Err(bad());
    }
    for entry in entries(files).map_err(|_| bad())?.iter() {
        let pair: js_sys::Array = entry.unchecked_into();
        let field = pair.get(0).as_string().unwrap_or_default();
        let value = pair.get(1);
        let parts: Vec<JsValue> = if js_sys::Array::is_array(&value) {
            js_sys::Array::from(&value).iter().collect()
        } else {
            vec![value]
        };
        for part in parts {
            let appended = match part.dyn_ref::<web_sys::Blob>() {
                Some(blob) => form.append_with_blob(&field, blob),
                None => form.append_with_str(&field, &part.as_string().unwrap_or_default()),
            };
            appended.map_err(|_| bad())?;
        }
    }
    Ok(form)
}

/// Sends `request` under `{baseUrl}/auth-collections`.
pub async fn send(
    config: &Config,
    request: &Request,
    token: Option<&str>,
    files: Option<&JsValue>,
) -> Result<Raw, Error> {
    let url = format!("{}/auth-collections{}", config.base_url, request.path);
    let method = match request.method {
        Method::Get => HttpMethod::GET,
        Method::Post => HttpMethod::POST,
        Method::Patch => HttpMethod::PATCH,
    };
    let abort = web_sys::AbortController::new().map_err(|_| Error::new(ErrorCode::NetworkError))?;
    // Set here, where a value `fetch` refuses (an API key with a pasted zero-width space)
    // is an error: gloo-net's `header` would throw through the wasm and leave the call
    // pending forever. The JS client's fetch rejected, which it read as network_error.
    let headers = web_sys::Headers::new().map_err(|_| Error::new(ErrorCode::NetworkError))?;
    let bearer = token.map(|t| format!("Bearer {t}"));
    for (name, value) in [
        ("x-api-key", Some(config.api_key.as_str())),
        ("Authorization", bearer.as_deref()),
    ] {
        if let Some(value) = value {
            headers
                .set(name, value)
                .map_err(|_| Error::new(ErrorCode::NetworkError))?;
        }
    }
    let builder = RequestBuilder::new(&url)
        .method(method)
        .headers(gloo_net::http::Headers::from_raw(headers))
        .abort_signal(Some(&abort.signal()));
    let body_text = request.body.as_ref().map(stringify);
    let built = match (files, body_text) {
        (Some(files), text) => builder.body(form(text.as_deref().unwrap_or("{}"), files)?),
        (None, Some(text)) => builder
            .header("Content-Type", "application/json")
            .body(text),
        (None, None) => builder.build(),
    };
    let network = |aborted: bool| {
        Error::new(if aborted {
            ErrorCode::Timeout
        } else {
            ErrorCode::NetworkError
        })
    };
    let built = built.map_err(|_| network(false))?;
    let aborter = abort.clone();
    let _timeout = Timer::start(config.request_timeout_ms.into(), move || aborter.abort());
    let response = built
        .send()
        .await
        .map_err(|_| network(abort.signal().aborted()))?;
    let text = response
        .text()
        .await
        .map_err(|_| network(abort.signal().aborted()))?;
    let headers = response.headers();
    let date_ms = headers
        .get("date")
        .map(|d| js_sys::Date::parse(&d))
        .filter(|ms| ms.is_finite())
        .map(|ms| ms as i64);
    Ok(Raw {
        status: response.status(),
        body: parse(&text),
        retry_after: headers.get("retry-after"),
        date_ms,
    })
}
