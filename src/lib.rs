//! Third Neighbor: a multiplayer diplomacy teaching game.
//!
//! Modules in reading order: the pure rules [`engine`]; [`scenario`] files that feed it (and
//! their translations, in the languages of [`i18n`]); the
//! [`bots`] that play empty seats; the [`sim`] tools for scenario authors; the session's [`log`]
//! of events and the [`table`] that folds it (one game's pure model: seats, phase, clock, drafts,
//! press); the wire [`protocol`]; the [`replay`] of stored games (pure too); then the server
//! side: its [`config`], the [`store`] (SQLite) and the [`server`] itself.

pub mod bots;
pub mod engine;
pub mod i18n;
pub mod log;
pub mod protocol;
pub mod replay;
pub mod scenario;
pub mod sim;
pub mod table;

pub mod config;
pub mod server;
pub mod store;

// What the fuzz targets run (shared by `fuzz/` and `tests/it/fuzz_smoke.rs`).
pub mod fuzz;
