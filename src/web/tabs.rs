//! Coordination across tabs: a Web Lock with a bounded wait, and the newest refreshed
//! record handed over through IndexedDB, which (unlike `localStorage` and its
//! `storage` events) every tab reads in the order the lock gives.

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbFactory, IdbOpenDbRequest, IdbRequest, IdbTransactionMode};

use super::store::{global, member};
use super::timer::Timer;

#[wasm_bindgen]
extern "C" {
    /// `navigator.locks` (web-sys has it behind its unstable APIs).
    type LockManager;

    #[wasm_bindgen(method, js_name = request)]
    fn request(this: &LockManager, name: &str, options: &Object, callback: &Function) -> Promise;
}

/// Holds a Web Lock; releases it when dropped.
pub struct Lock(Function);

impl Drop for Lock {
    fn drop(&mut self) {
        // `call1` as everywhere else (one binding); the release ignores its argument.
        let _ = self.0.call1(&JsValue::NULL, &JsValue::NULL);
    }
}

fn lock_manager() -> Option<LockManager> {
    member(&global("navigator")?, "locks").map(JsCast::unchecked_into)
}

/// Takes the lock `name`, waiting at most `timeout_ms`: `None` without Web Locks or
/// after the wait (the caller then goes on alone).
pub async fn lock(name: &str, timeout_ms: u32) -> Option<Lock> {
    let locks = lock_manager()?;
    let abort = web_sys::AbortController::new().ok()?;
    let options = Object::new();
    Reflect::set(&options, &JsValue::from_str("signal"), &abort.signal()).ok()?;
    let aborter = abort.clone();
    let timer = Timer::start(timeout_ms.into(), move || aborter.abort());
    // Resolves with the lock's release function, or null when the request failed.
    // Both handlers are kept until then and dropped after: each is called at most once,
    // before that (a forgotten one stayed in the wasm's table of JavaScript values
    // with what it held, for good: two slots per refresh).
    let mut handlers = None;
    let granted = Promise::new(&mut |resolve, _| {
        let on_grant = resolve.clone();
        let callback = Closure::once(move |_lock: JsValue| {
            // Held until the returned promise settles: its resolve is the release.
            Promise::new(&mut |release, _| {
                let _ = on_grant.call1(&JsValue::NULL, &release);
            })
        });
        let on_fail = resolve.clone();
        let failed = Closure::once(move |_: JsValue| {
            let _ = on_fail.call1(&JsValue::NULL, &JsValue::NULL);
        });
        let _ = locks
            .request(name, &options, callback.as_ref().unchecked_ref())
            .catch(&failed);
        handlers = Some((callback, failed));
    });
    let release = JsFuture::from(granted).await.ok();
    drop(timer);
    drop(handlers);
    release?.dyn_into::<Function>().ok().map(Lock)
}

/// Calls `handler` on `target`'s events `name` (one binding for every IndexedDB
/// handler instead of a setter each).
fn on(target: &web_sys::EventTarget, name: &str, handler: &Function) {
    let _ = target.add_event_listener_with_callback(name, handler);
}

/// Settles when `request` succeeds (its result) or fails (`None`).
async fn finished(request: &IdbRequest) -> Option<JsValue> {
    let done = Promise::new(&mut |resolve, reject| {
        on(request, "success", &resolve);
        on(request, "error", &reject);
    });
    JsFuture::from(done).await.ok()?;
    request.result().ok()
}

async fn open_database() -> Option<IdbDatabase> {
    let factory: IdbFactory = global("indexedDB")?.unchecked_into();
    let open: IdbOpenDbRequest = factory.open_with_u32("cocobase-auth", 1).ok()?;
    let upgrade_target = open.clone();
    // Dropped once the request settled: a handler that is never called (the database
    // already exists) would otherwise keep itself and the request alive through the
    // wasm's table of JavaScript values, one pair per hand-over.
    let upgrade = Closure::once(move |_: JsValue| {
        if let Some(db) = upgrade_target
            .result()
            .ok()
            .map(JsCast::unchecked_into::<IdbDatabase>)
        {
            let _ = db.create_object_store("kv");
        }
    });
    let handler: &Function = upgrade.as_ref().unchecked_ref();
    on(&open, "upgradeneeded", handler);
    let db = finished(&open).await;
    let _ = open.remove_event_listener_with_callback("upgradeneeded", handler);
    drop(upgrade);
    db.map(JsCast::unchecked_into)
}

/// Reads (`value` None) or writes the record handed over under `key`; `None` on any
/// failure (no IndexedDB, a blocked database): the caller then goes on alone.
pub async fn hand_over(key: &str, value: Option<&str>) -> Option<String> {
    let db = open_database().await?;
    let result = async {
        let mode = if value.is_some() {
            IdbTransactionMode::Readwrite
        } else {
            IdbTransactionMode::Readonly
        };
        let tx = db.transaction_with_str_and_mode("kv", mode).ok()?;
        let store = tx.object_store("kv").ok()?;
        let key = JsValue::from_str(key);
        let request = match value {
            Some(v) => store.put_with_key(&JsValue::from_str(v), &key).ok()?,
            None => store.get(&key).ok()?,
        };
        let committed = Promise::new(&mut |resolve, reject| {
            on(&tx, "complete", &resolve);
            on(&tx, "error", &reject);
            on(&tx, "abort", &reject);
        });
        JsFuture::from(committed).await.ok()?;
        request.result().ok()?.as_string()
    }
    .await;
    db.close();
    result
}
