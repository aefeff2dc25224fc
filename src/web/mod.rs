//! The browser glue: the core's ports implemented with fetch, Web Storage and `Date`,
//! and the exported `CocobaseAuth` class. Compiled for wasm32 only.

// wasm32-unknown-unknown without atomics runs on one thread, which is what
// `AssumeSingleThreaded` requires.
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

mod auth;
mod convert;
mod events;
mod options;
mod scheduler;
mod storage;
mod tabs;
mod transport;
mod types;
mod validate;

pub use auth::CocobaseAuth;
pub use validate::{validate_email_js, validate_password_js};
