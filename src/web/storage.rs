//! Web Storage (`localStorage` / `sessionStorage`) with a memory fall-back: when the
//! browser's storage is absent or throws (private mode, quota, SSR), the session lives
//! on in memory instead of failing.

use std::cell::RefCell;

use crate::core::ports::Store;

/// Which storage the app asked for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Local,
    Session,
    Memory,
}

pub struct WebStore {
    backend: Option<web_sys::Storage>,
    /// Values that could not be written to the backend (or all of them, without one).
    memory: RefCell<Vec<(String, String)>>,
}

const PROBE_KEY: &str = "cocobase.auth.probe";

impl WebStore {
    pub fn open(kind: Kind) -> WebStore {
        let backend = match kind {
            Kind::Memory => None,
            _ => web_sys::window().and_then(|w| {
                let s = if kind == Kind::Local {
                    w.local_storage()
                } else {
                    w.session_storage()
                };
                s.ok().flatten()
            }),
        };
        // A storage that exists but refuses writes is as good as none.
        let backend = backend
            .filter(|s| s.set_item(PROBE_KEY, "1").is_ok() && s.remove_item(PROBE_KEY).is_ok());
        WebStore {
            backend,
            memory: RefCell::new(Vec::new()),
        }
    }

    /// True when the session persists beyond this page (tabs can share it).
    pub fn is_persistent(&self) -> bool {
        self.backend.is_some()
    }
}

impl Store for WebStore {
    fn get(&self, key: &str) -> Option<String> {
        if let Some((_, v)) = self.memory.borrow().iter().find(|(k, _)| k == key) {
            return Some(v.clone());
        }
        self.backend
            .as_ref()
            .and_then(|s| s.get_item(key).ok().flatten())
    }

    fn set(&self, key: &str, value: &str) {
        let stored = self
            .backend
            .as_ref()
            .is_some_and(|s| s.set_item(key, value).is_ok());
        let mut mem = self.memory.borrow_mut();
        mem.retain(|(k, _)| k != key);
        if !stored {
            mem.push((key.to_owned(), value.to_owned()));
        }
    }

    fn remove(&self, key: &str) {
        self.memory.borrow_mut().retain(|(k, _)| k != key);
        if let Some(s) = &self.backend {
            let _ = s.remove_item(key);
        }
    }
}
