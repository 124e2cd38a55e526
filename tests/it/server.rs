//! The server suite: the real server on a free port with a temporary database, driven over
//! WebSocket and HTTP as a client would. `scripts/test` runs it a second time on PostgreSQL
//! (`THIRD_NEIGHBOR_TEST_STORE=postgres cargo test --test it server::`).

mod abuse;
mod address;
mod classes;
mod client_files;
mod compression;
mod deadlines;
mod durability;
mod errors;
mod game;
mod i18n;
mod lesson;
mod privacy;
