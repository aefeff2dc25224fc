//! The wasm exports: the email and password rules, as bit masks of
//! [`crate::validate::ISSUES`] (the JS shell holds the sentences). Compiled for wasm32
//! only, where the crate is `no_std`: this module also provides the allocator and the
//! panic handler.

use wasm_bindgen::prelude::wasm_bindgen;

use crate::validate::{self, Issue, PasswordPolicy};

// wasm32-unknown-unknown without atomics runs on one thread, which is what
// `AssumeSingleThreaded` requires.
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

/// A trap. The message is never read, so no formatting code is linked in.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

fn mask(issues: &[Issue]) -> u32 {
    issues.iter().fold(0, |m, i| m | i.bit())
}

/// The rules `email` breaks, as a mask.
#[wasm_bindgen(js_name = validateEmail)]
pub fn validate_email(email: &str) -> u32 {
    mask(&validate::validate_email(email).errors)
}

/// The rules `password` breaks (mask, low 16 bits) and its score (bits 16 and up).
/// `flags`: bit 0 lowercase, 1 uppercase, 2 digit, 3 symbol, 4 reject common; `email`
/// `""` for none.
#[wasm_bindgen(js_name = validatePassword)]
pub fn validate_password(password: &str, min: u32, max: u32, flags: u32, email: &str) -> u32 {
    let on = |bit: u32| flags >> bit & 1 == 1;
    let policy = PasswordPolicy {
        min_length: min as usize,
        max_length: max as usize,
        require_lowercase: on(0),
        require_uppercase: on(1),
        require_digit: on(2),
        require_symbol: on(3),
        reject_common: on(4),
    };
    let r = validate::validate_password(password, &policy, (!email.is_empty()).then_some(email));
    mask(&r.errors) | u32::from(r.score) << 16
}
