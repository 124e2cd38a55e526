//! Third Neighbor: a multiplayer diplomacy teaching game.
//!
//! Modules in reading order: the pure rules [`engine`]; [`scenario`] files that feed it; the
//! [`bots`] that play empty seats; the [`sim`] tools for scenario authors.

pub mod bots;
pub mod engine;
pub mod scenario;
pub mod sim;
