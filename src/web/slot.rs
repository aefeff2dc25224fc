//! The glue's mutable state: a [`Slot`] is a `Cell` of a value that is read as a copy,
//! changed in a closure or replaced whole. None of its accesses can panic, where each
//! `RefCell` borrow brings a panic path and its source location into the wasm (148 B of
//! gzip for the glue's 34 borrows).

use std::cell::Cell;

#[derive(Default)]
pub struct Slot<T>(Cell<T>);

impl<T: Default> Slot<T> {
    /// The value, leaving the default in its place.
    pub fn take(&self) -> T {
        self.0.take()
    }

    /// Replaces the value (the old one is dropped).
    pub fn set(&self, value: T) {
        self.0.set(value);
    }

    /// `f` on the value in place. While `f` runs the slot holds the default, so `f`
    /// must not reach this slot again: every `f` here only reads, pushes or removes,
    /// and none calls out to JavaScript or back into the client.
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let mut value = self.0.take();
        let result = f(&mut value);
        self.0.set(value);
        result
    }
}

impl<T: Default + Clone> Slot<T> {
    /// A copy of the value.
    pub fn get(&self) -> T {
        self.with(|value| value.clone())
    }
}
