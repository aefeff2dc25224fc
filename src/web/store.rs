//! Web Storage with an in-memory fall-back for what it refuses (private mode, quota,
//! SSR, a sandbox that throws on access). Nothing is written to probe it: a refused
//! write falls back by itself.

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};

use crate::core::options::StorageKind;

use super::slot::Slot;

/// One storage area and the values it refused.
pub struct Store {
    backend: Option<web_sys::Storage>,
    refused: Slot<Vec<(String, String)>>,
}

/// `target[name]` when reading it does not throw and it is neither `undefined` nor
/// `null`.
pub fn member(target: &JsValue, name: &str) -> Option<JsValue> {
    Reflect::get(target, &JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// `globalThis[name]`, as [`member`] reads it.
pub fn global(name: &str) -> Option<JsValue> {
    member(&js_sys::global(), name)
}

impl Store {
    pub fn open(kind: StorageKind) -> Store {
        let name = match kind {
            StorageKind::Local => Some("localStorage"),
            StorageKind::Session => Some("sessionStorage"),
            StorageKind::Memory => None,
        };
        Store {
            backend: name
                .and_then(global)
                .and_then(|s| s.dyn_into::<web_sys::Storage>().ok()),
            refused: Slot::default(),
        }
    }

    /// Backed by the browser (its changes reach other tabs).
    pub fn persistent(&self) -> bool {
        self.backend.is_some()
    }

    pub fn get(&self, key: &str) -> Option<String> {
        let refused = self.refused.with(|refused| {
            refused
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        });
        refused.or_else(|| self.backend.as_ref()?.get_item(key).ok().flatten())
    }

    pub fn set(&self, key: &str, value: &str) {
        self.forget(key);
        let stored = self
            .backend
            .as_ref()
            .is_some_and(|b| b.set_item(key, value).is_ok());
        if !stored {
            self.refused
                .with(|refused| refused.push((key.to_owned(), value.to_owned())));
        }
    }

    /// Drops what memory holds for `key`.
    fn forget(&self, key: &str) {
        self.refused
            .with(|refused| refused.retain(|(k, _)| k != key));
    }

    pub fn remove(&self, key: &str) {
        self.forget(key);
        if let Some(b) = &self.backend {
            let _ = b.remove_item(key);
        }
    }
}
