//! The browser glue (wasm32 only): the exported `CocobaseAuth` class, the free
//! validation functions, and the I/O the core asks for. Nothing here decides a rule.
//!
//! - `auth`: the class JavaScript sees, one short method each.
//! - `client`: the held session, events, the refresh timer and single-flight refresh.
//! - `send`: the one request path (gloo-net).
//! - `store`, `tabs`, `timer`, `flight`: storage, cross-tab coordination, timeouts.
//! - `slot`: the state's cells, none of whose accesses can panic.
//! - `convert`: values across the boundary (serde-wasm-bindgen) and the error object.
//! - `types`: the TypeScript shapes, next to nothing else.

mod auth;
mod client;
mod convert;
mod flight;
mod send;
mod slot;
mod store;
mod tabs;
mod timer;
mod types;
mod validate;

// wasm32-unknown-unknown without atomics runs on one thread, which is what
// `AssumeSingleThreaded` requires.
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: the wasm build has one thread.
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
