//! When to refresh: one timer at `expiresAt - margin`, a re-check when the page comes
//! back (`visibilitychange`, `focus`, `online`: a laptop that slept past the timer),
//! retries with backoff after a failed refresh, and other tabs' writes followed through
//! `storage` events. Everything is removed by `dispose`.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::auth::Inner;
use super::transport::{clear_timeout, set_timeout};
use crate::core::client::retry_delay_ms;
use crate::core::ports::Clock;

/// The longest delay `setTimeout` honours (about 24.8 days).
const MAX_DELAY_MS: i64 = 2_147_483_647;

/// A pending `setTimeout`: its handle and the closure it will call.
type Timer = (JsValue, Closure<dyn FnMut()>);
/// A listener added to a window or document, kept to be removed by `dispose`.
type Listener = (
    web_sys::EventTarget,
    &'static str,
    Closure<dyn FnMut(web_sys::Event)>,
);

#[derive(Default)]
pub struct Scheduler {
    timer: RefCell<Option<Timer>>,
    pub failures: Cell<u32>,
    listeners: RefCell<Vec<Listener>>,
    disposed: Cell<bool>,
}

impl Scheduler {
    fn clear_timer(&self) {
        if let Some((handle, _closure)) = self.timer.borrow_mut().take() {
            clear_timeout(&handle);
        }
    }

    fn set_timer(&self, inner: &Rc<Inner>, delay_ms: i64) {
        self.clear_timer();
        if self.disposed.get() {
            return;
        }
        let weak = Rc::downgrade(inner);
        let closure: Closure<dyn FnMut()> = Closure::new(move || run_tick(&weak));
        let handle = set_timeout(
            closure.as_ref().unchecked_ref(),
            delay_ms.clamp(0, MAX_DELAY_MS) as f64,
        );
        *self.timer.borrow_mut() = Some((handle, closure));
    }

    /// Arms the timer for the session as it is now (or disarms it when signed out).
    pub fn arm(&self, inner: &Rc<Inner>) {
        match inner.core.next_refresh_at() {
            Some(at) if self.failures.get() == 0 => {
                self.set_timer(inner, at - inner.core.clock.now_ms())
            }
            Some(_) => {} // a retry is already scheduled
            None => self.clear_timer(),
        }
    }

    /// Listens to the page's wake-ups and, for `localStorage`, to other tabs.
    pub fn listen(&self, inner: &Rc<Inner>, follow_other_tabs: bool) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let wake = |target: web_sys::EventTarget, name: &'static str| {
            let weak = Rc::downgrade(inner);
            let f: Closure<dyn FnMut(web_sys::Event)> = Closure::new(move |_e: web_sys::Event| {
                let hidden = web_sys::window()
                    .and_then(|w| w.document())
                    .is_some_and(|d| d.hidden());
                if !hidden {
                    run_tick(&weak);
                }
            });
            (target, name, f)
        };
        let mut list = vec![
            wake(window.clone().into(), "focus"),
            wake(window.clone().into(), "online"),
        ];
        if let Some(doc) = window.document() {
            list.push(wake(doc.into(), "visibilitychange"));
        }
        if follow_other_tabs {
            let weak = Rc::downgrade(inner);
            let key = inner.core.config.storage_key.clone();
            let f: Closure<dyn FnMut(web_sys::Event)> = Closure::new(move |e: web_sys::Event| {
                let Some(e) = e.dyn_ref::<web_sys::StorageEvent>() else {
                    return;
                };
                let Some(inner) = weak.upgrade() else { return };
                // `key` is null when another tab called localStorage.clear().
                match e.key() {
                    Some(k) if k == key => inner.core.sync_from_store(e.new_value().as_deref()),
                    None => inner.core.sync_from_store(None),
                    Some(_) => {}
                }
            });
            list.push((window.into(), "storage", f));
        }
        for (target, name, f) in &list {
            let _ = target.add_event_listener_with_callback(name, f.as_ref().unchecked_ref());
        }
        self.listeners.borrow_mut().extend(list);
    }

    pub fn dispose(&self) {
        self.disposed.set(true);
        self.clear_timer();
        for (target, name, f) in self.listeners.borrow_mut().drain(..) {
            let _ = target.remove_event_listener_with_callback(name, f.as_ref().unchecked_ref());
        }
    }
}

/// Runs the core's check; after a failed refresh, retries with backoff before expiry.
fn run_tick(weak: &Weak<Inner>) {
    let Some(inner) = weak.upgrade() else { return };
    if inner.scheduler.disposed.get() {
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        let outcome = inner.core.tick().await;
        let s = &inner.scheduler;
        match outcome {
            Ok(()) => {
                s.failures.set(0);
                s.arm(&inner);
            }
            Err(e) => {
                let failures = s.failures.get();
                s.failures.set(failures.saturating_add(1));
                let jitter = (js_sys::Math::random() * 1000.0) as u32;
                let mut delay = retry_delay_ms(failures, e.retry_after, jitter);
                if let Some(session) = inner.core.session() {
                    // Never wait past expiry: the tick then ends the session.
                    delay = delay.min(session.expires_at - inner.core.clock.now_ms());
                }
                s.set_timer(&inner, delay);
            }
        }
    });
}
