//! `onAuthStateChange` listeners: called in order, each isolated from the others'
//! exceptions, and the refresh timer re-armed after every change.

use std::cell::{Cell, RefCell};
use std::rc::Weak;

use js_sys::Function;
use wasm_bindgen::JsValue;

use super::auth::Inner;
use super::convert::to_js;
use crate::core::ports::{AuthEvent, Events, SignOutReason};
use crate::core::session::Session;

#[derive(Default)]
pub struct JsEvents {
    listeners: RefCell<Vec<(u32, Function)>>,
    next_id: Cell<u32>,
    pub owner: RefCell<Weak<Inner>>,
}

impl JsEvents {
    pub fn add(&self, f: Function) -> u32 {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        self.listeners.borrow_mut().push((id, f));
        id
    }

    pub fn remove(&self, id: u32) {
        self.listeners.borrow_mut().retain(|(i, _)| *i != id);
    }

    pub fn contains(&self, id: u32) -> bool {
        self.listeners.borrow().iter().any(|(i, _)| *i == id)
    }

    pub fn clear(&self) {
        self.listeners.borrow_mut().clear();
    }

    /// Calls one listener; an exception is reported, never propagated.
    pub fn call(f: &Function, event: &JsValue, session: &JsValue, reason: &JsValue) {
        if let Err(e) = f.call3(&JsValue::NULL, event, session, reason) {
            web_sys::console::error_2(
                &JsValue::from_str("cocobase-auth: an onAuthStateChange listener threw"),
                &e,
            );
        }
    }
}

pub fn session_js(session: Option<&Session>) -> JsValue {
    session.map_or(JsValue::NULL, |s| to_js(&s.to_js_shape()))
}

impl Events for JsEvents {
    fn emit(&self, event: AuthEvent, session: Option<&Session>, reason: Option<SignOutReason>) {
        let ev = JsValue::from_str(event.as_str());
        let s = session_js(session);
        let r = reason.map_or(JsValue::UNDEFINED, |r| JsValue::from_str(r.as_str()));
        // A snapshot: listeners may subscribe or unsubscribe while being called.
        let snapshot: Vec<Function> = self
            .listeners
            .borrow()
            .iter()
            .map(|(_, f)| f.clone())
            .collect();
        for f in &snapshot {
            JsEvents::call(f, &ev, &s, &r);
        }
        if let Some(inner) = self.owner.borrow().upgrade() {
            if event == AuthEvent::TokenRefreshed || event == AuthEvent::SignedIn {
                inner.scheduler.failures.set(0);
            }
            inner.scheduler.arm(&inner);
        }
    }
}
