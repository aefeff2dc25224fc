//! The wasm exports: the email and password rules, as bit masks of
//! [`crate::validate::ISSUES`] (the JS shell holds the sentences). Compiled for wasm32
//! only, where the crate is `no_std`: this module also provides the allocator and the
//! panic handler.
//!
//! The ABI is small enough to write by hand (`js/wasm.js` is the other side): JavaScript
//! asks [`alloc`] for a buffer per string, writes the string's UTF-8 there, and passes
//! pointer and length; the validator reads the strings and frees them before it returns
//! a number. No string ever comes back.

use alloc::alloc::{alloc as allocate, dealloc, Layout};
use core::{slice, str};

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

/// A buffer of `len` bytes for JavaScript to write a string into (0 for an empty one:
/// nothing is allocated). When memory cannot grow, a trap: JavaScript sees an exception
/// and never writes through a null pointer.
#[no_mangle]
pub extern "C" fn alloc(len: usize) -> *mut u8 {
    if len == 0 {
        return core::ptr::null_mut();
    }
    let p = match Layout::array::<u8>(len) {
        // SAFETY: the layout's size is not zero.
        Ok(layout) => unsafe { allocate(layout) },
        Err(_) => core::ptr::null_mut(),
    };
    if p.is_null() {
        core::arch::wasm32::unreachable()
    }
    p
}

/// A string JavaScript wrote into a buffer of [`alloc`]; freed when dropped.
struct Text(*mut u8, usize);

impl core::ops::Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        if self.1 == 0 {
            return "";
        }
        // SAFETY: made only from a buffer of `alloc(len)` that JavaScript filled with
        // `TextEncoder`'s output, which is UTF-8 (see the exports' contracts).
        unsafe { str::from_utf8_unchecked(slice::from_raw_parts(self.0, self.1)) }
    }
}

impl Drop for Text {
    fn drop(&mut self) {
        if self.1 > 0 {
            // SAFETY: the buffer came from `alloc(self.1)`, with this layout.
            unsafe { dealloc(self.0, Layout::array::<u8>(self.1).unwrap_unchecked()) }
        }
    }
}

fn mask(issues: &[Issue]) -> u32 {
    issues.iter().fold(0, |m, i| m | i.bit())
}

/// The rules the email breaks, as a mask.
///
/// # Safety
/// `ptr` is `alloc(len)` (null when `len` is 0), filled with UTF-8; it is freed here.
#[export_name = "validateEmail"]
pub unsafe extern "C" fn validate_email(ptr: *mut u8, len: usize) -> u32 {
    mask(&validate::validate_email(&Text(ptr, len)).errors)
}

/// The rules the password breaks (mask, low 16 bits) and its score (bits 16 and up).
/// `flags`: bit 0 lowercase, 1 uppercase, 2 digit, 3 symbol, 4 reject common; an empty
/// email means none.
///
/// # Safety
/// `ptr` is `alloc(len)` (null when `len` is 0), filled with the password's UTF-8 (its
/// first `password_len` bytes) then the email's; it is freed here.
#[export_name = "validatePassword"]
pub unsafe extern "C" fn validate_password(
    ptr: *mut u8,
    len: usize,
    password_len: usize,
    min: u32,
    max: u32,
    flags: u32,
) -> u32 {
    // One buffer for both strings: nothing leaks if JavaScript fails between two.
    let both = Text(ptr, len);
    let (password, email) = both.as_bytes().split_at(password_len.min(len));
    // SAFETY: JavaScript encoded each string on its own (`TextEncoder`), so each part is
    // UTF-8. (`str::split_at` would check the boundary, and its panic message brings
    // 4 KB of formatting code.)
    let (password, email) = (
        str::from_utf8_unchecked(password),
        str::from_utf8_unchecked(email),
    );
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
