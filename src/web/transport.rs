//! `fetch` with an `AbortController` timeout.

use js_sys::{Array, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Blob, FormData, Headers, RequestInit};

use crate::core::ports::{Body, Request, Response, Transport, TransportError};

#[wasm_bindgen]
extern "C" {
    // `fetch`, `setTimeout` and `clearTimeout` of whatever global we run in (window or worker).
    #[wasm_bindgen(js_name = fetch)]
    fn fetch_with_init(url: &str, init: &RequestInit) -> Promise;
    #[wasm_bindgen(js_name = setTimeout)]
    pub fn set_timeout(f: &js_sys::Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    pub fn clear_timeout(handle: &JsValue);
}

pub struct FetchTransport {
    pub timeout_ms: u32,
}

impl FetchTransport {
    fn init(&self, request: &Request<JsValue>) -> Result<RequestInit, JsValue> {
        let init = RequestInit::new();
        init.set_method(request.method.as_str());
        let headers = Headers::new()?;
        for (name, value) in &request.headers {
            headers.set(name, value)?;
        }
        init.set_headers(&headers);
        match &request.body {
            Body::Empty => {}
            Body::Json(text) => init.set_body(&JsValue::from_str(text)),
            Body::Multipart { data, files } => {
                let form = FormData::new()?;
                form.append_with_str("data", data)?;
                for (field, file) in files {
                    match file.dyn_ref::<Blob>() {
                        Some(blob) => form.append_with_blob(field, blob)?,
                        None => {
                            form.append_with_str(field, &file.as_string().unwrap_or_default())?
                        }
                    }
                }
                init.set_body(&form);
            }
        }
        Ok(init)
    }
}

fn header(res: &web_sys::Response, name: &str) -> Option<String> {
    res.headers().get(name).ok().flatten()
}

impl Transport for FetchTransport {
    type File = JsValue;

    async fn send(&self, request: Request<JsValue>) -> Result<Response, TransportError> {
        let init = self.init(&request).map_err(|_| TransportError::Network)?;
        let controller = AbortController::new().map_err(|_| TransportError::Network)?;
        init.set_signal(Some(&controller.signal()));
        let c = controller.clone();
        // Dropped (freed) once the request settles, fired or not.
        let abort: Closure<dyn FnMut()> = Closure::once(move || c.abort());
        let timer = set_timeout(abort.as_ref().unchecked_ref(), f64::from(self.timeout_ms));
        let outcome = async {
            let res: web_sys::Response = JsFuture::from(fetch_with_init(&request.url, &init))
                .await?
                .dyn_into()?;
            let body = JsFuture::from(res.text()?)
                .await?
                .as_string()
                .unwrap_or_default();
            Ok::<_, JsValue>((res, body))
        }
        .await;
        clear_timeout(&timer);
        drop(abort);
        let (res, body) = outcome.map_err(|_| {
            if controller.signal().aborted() {
                TransportError::Timeout
            } else {
                TransportError::Network
            }
        })?;
        let retry_after = header(&res, "retry-after").and_then(|v| v.trim().parse::<u64>().ok());
        let date_ms = header(&res, "date")
            .map(|d| js_sys::Date::parse(&d))
            .filter(|ms| ms.is_finite())
            .map(|ms| ms as i64);
        Ok(Response {
            status: res.status(),
            body,
            retry_after,
            date_ms,
        })
    }
}

/// `{ [field]: File | Blob | Array<File | Blob> }` as (field, file) pairs.
pub fn files_from_js(files: &JsValue) -> Vec<(String, JsValue)> {
    let mut out = Vec::new();
    if !files.is_object() {
        return out;
    }
    for entry in Object::entries(files.unchecked_ref()).iter() {
        let pair: Array = entry.unchecked_into();
        let field = pair.get(0).as_string().unwrap_or_default();
        let value = pair.get(1);
        if Array::is_array(&value) {
            for item in Array::from(&value).iter() {
                out.push((field.clone(), item));
            }
        } else {
            out.push((field, value));
        }
    }
    out
}
