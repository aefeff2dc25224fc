//! Cross-tab refresh coordination: a Web Lock with a bounded wait, and the newest
//! session in IndexedDB, which (unlike `localStorage`) every tab reads in order. The
//! few lines of JS live in a snippet: cheaper than binding a dozen IndexedDB types.

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::core::ports::CrossTab;

#[wasm_bindgen(inline_js = r#"
export function acquireLock(name, timeoutMs) {
  return new Promise((resolve) => {
    const locks = globalThis.navigator && navigator.locks;
    if (!locks) return resolve(null);
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), timeoutMs);
    locks.request(name, { signal: ctrl.signal }, () => {
      clearTimeout(timer);
      return new Promise((release) => resolve(release));
    }).catch(() => resolve(null));
  });
}
function store(mode, work) {
  return new Promise((resolve) => {
    if (!globalThis.indexedDB) return resolve(null);
    let open;
    try { open = indexedDB.open("cocobase-auth", 1); } catch (e) { return resolve(null); }
    open.onupgradeneeded = () => open.result.createObjectStore("kv");
    open.onerror = () => resolve(null);
    open.onsuccess = () => {
      const db = open.result;
      try {
        const tx = db.transaction("kv", mode);
        const req = work(tx.objectStore("kv"));
        tx.oncomplete = () => { db.close(); resolve(req.result === undefined ? null : req.result); };
        tx.onerror = tx.onabort = () => { db.close(); resolve(null); };
      } catch (e) { db.close(); resolve(null); }
    };
  });
}
export function sharedGet(key) { return store("readonly", (s) => s.get(key)); }
export function sharedPut(key, value) { return store("readwrite", (s) => s.put(value, key)); }
"#)]
extern "C" {
    #[wasm_bindgen(js_name = acquireLock)]
    fn acquire_lock(name: &str, timeout_ms: f64) -> Promise;
    #[wasm_bindgen(js_name = sharedGet)]
    fn shared_get(key: &str) -> Promise;
    #[wasm_bindgen(js_name = sharedPut)]
    fn shared_put(key: &str, value: &str) -> Promise;
}

pub struct WebTabs {
    /// Lock and record names, derived from the storage key so that two clients with
    /// different keys (two projects) never wait on each other.
    pub name: String,
    pub lock_timeout_ms: u32,
}

/// Releases the Web Lock when dropped.
pub struct Release(Function);

impl Drop for Release {
    fn drop(&mut self) {
        let _ = self.0.call0(&JsValue::NULL);
    }
}

impl CrossTab for WebTabs {
    type Guard = Release;

    async fn lock(&self) -> Option<Release> {
        let release = JsFuture::from(acquire_lock(&self.name, f64::from(self.lock_timeout_ms)))
            .await
            .ok()?;
        release.dyn_into::<Function>().ok().map(Release)
    }

    async fn read(&self) -> Option<String> {
        JsFuture::from(shared_get(&self.name))
            .await
            .ok()?
            .as_string()
    }

    async fn publish(&self, record: &str) {
        let _ = JsFuture::from(shared_put(&self.name, record)).await;
    }
}
