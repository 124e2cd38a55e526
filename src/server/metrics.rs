//! Counters of work the server does once per audience and language, for tests and benchmarks to
//! read (`App::metrics`). Relaxed atomic adds: nothing waits on them.

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Metrics {
    /// `round_resolved` frames built (each once per audience and language among a session's
    /// connections, then shared by all of them).
    pub reports_built: AtomicU64,
    /// `game_over` frames built (once per language among a session's connections).
    pub game_overs_built: AtomicU64,
    /// `class_state` and `class_table` frames built (once per viewer kind and language among a
    /// class's consoles and projectors).
    pub class_frames_built: AtomicU64,
}

impl Metrics {
    pub fn count(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn read(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}
