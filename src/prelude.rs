//! The `alloc` types every module uses, for the `no_std` wasm build (on the host they
//! are the same types std's prelude names).

pub use alloc::vec::Vec;
