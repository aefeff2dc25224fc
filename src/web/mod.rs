//! The browser glue (wasm32 only): the exported `CocobaseAuth` class and the I/O the
//! core asks for.
