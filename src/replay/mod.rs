//! Replays of stored games: the pure fold of a session's log through the engine, the views of it
//! (lenses), the debrief, the exports and the comparison of several tables.
//!
//! Nothing here does I/O: the HTTP handlers read the log and the scenario text from the store and
//! hand them in. Every round's state hash is checked; a mismatch is an entry in
//! [`Replay::errors`], present in every view and export, never hidden.

pub mod class_debrief;
pub mod compare;
pub mod debrief;
pub mod export;
pub mod fold;
pub mod lens;

pub use class_debrief::{class_debrief, ClassTable};
pub use compare::{compare, Table};
pub use debrief::debrief;
pub use fold::{fold, Replay, ReplayDraft, ReplayError, ReplayReflection, ReplayRound, Step, StepKind};
pub use lens::{view, Lens, LensError, ReplayView};

use serde_json::{json, Value};

use crate::engine::model::Track;
use crate::engine::Scenario;
use crate::log::EventRow;

/// A track as the comparison and the debrief name it: `{id, name, min, max, private}`.
fn track_json(t: &Track) -> Value {
    json!({ "id": t.id, "name": t.name, "min": t.min, "max": t.max, "private": t.visible_to.is_some() })
}

/// What the views say about the stored session besides its log's fold.
#[derive(Debug, Clone, Copy)]
pub struct Meta<'a> {
    pub session_id: &'a str,
    pub join_code: &'a str,
    pub status: &'a str,
    pub created_at: i64,
    pub scenario_hash: &'a str,
    /// The whole log, in order.
    pub log: &'a [EventRow],
}

/// Folds a stored log through the engine.
pub fn rebuild(sc: &Scenario, seed: u64, log: &[EventRow]) -> Replay {
    fold(sc, seed, log.iter().map(|e| (e.seq, e.at, &e.event)))
}
