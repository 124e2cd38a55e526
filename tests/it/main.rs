//! The integration tests but the browser's, in one binary (one link, not one per file): the
//! server suite (`server`), the engine's properties and purity, the golden rule cases, scenario
//! files and the CLI, the store, replay, faults, several nodes, the fuzz and load smoke tests, the
//! client's catalogues. The browser tests are the other binary (`tests/browser/`).

#[path = "../common/mod.rs"]
mod common;

mod client_catalogues;
mod cluster_failover;
mod cluster_ownership;
mod cluster_proxy;
mod engine_properties;
mod engine_purity;
mod faults_guessing;
mod faults_kill;
mod faults_load;
mod faults_storage;
mod fuzz_smoke;
mod golden;
mod load_smoke;
mod replay;
mod scenario_cli;
mod scenario_errors;
mod scenario_lesson;
mod server;
mod store_migration;
mod store_writer;
mod translation_cli;
