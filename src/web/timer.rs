//! `setTimeout` as a value that cancels itself when dropped.

use js_sys::Function;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> JsValue;

    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(handle: &JsValue);
}

/// The longest delay `setTimeout` honours (a longer one fires at once).
const MAX_DELAY_MS: f64 = 2_147_483_647.0;

/// A pending timeout; dropping it cancels it.
pub struct Timer {
    handle: JsValue,
    _callback: Closure<dyn FnMut()>,
}

impl Timer {
    /// Runs `f` once after `ms` milliseconds (clamped to what `setTimeout` honours).
    pub fn start(ms: f64, f: impl FnOnce() + 'static) -> Timer {
        let callback = Closure::once(f);
        let delay = ms.clamp(0.0, MAX_DELAY_MS);
        let handle = set_timeout(callback.as_ref().unchecked_ref(), delay);
        Timer {
            handle,
            _callback: callback,
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        clear_timeout(&self.handle);
    }
}
