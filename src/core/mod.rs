//! The pure core: every rule of the client, with no browser API, no clock and no I/O
//! of its own. It reaches the world through the traits of [`ports`].

pub mod client;
pub mod config;
pub mod error;
pub mod json;
pub mod oauth;
pub mod ports;
pub mod session;
pub mod single_flight;
pub mod token;

#[cfg(test)]
mod tests;
