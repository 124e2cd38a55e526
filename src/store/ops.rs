//! What the writer writes: the rows and log events one commit carries ([`Op`]), and a
//! transaction's work ([`Work`]), on either database.

use std::sync::Arc;

use crate::log::LogEvent;

/// A new session row.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: String,
    pub instructor_id: String,
    pub join_code: String,
    pub scenario_id: String,
    pub scenario_hash: String,
    pub seed: u64,
    pub deadline_secs: u64,
    /// The class it is a table of, and its number there.
    pub class: Option<(String, u32)>,
}

/// A new class row.
#[derive(Debug, Clone)]
pub struct NewClass {
    pub id: String,
    pub instructor_id: String,
    pub join_code: String,
    pub scenario_id: String,
    pub scenario_hash: String,
    /// Its settings, as JSON.
    pub settings: String,
}

/// A new player row: a student (with the hash of their seat token) or a bot.
#[derive(Debug, Clone)]
pub struct NewPlayer {
    pub id: String,
    pub session_id: String,
    pub name: String,
    pub role: Option<String>,
    pub is_bot: bool,
    pub token_hash: Option<String>,
}

/// One write.
#[derive(Debug, Clone)]
pub enum Op {
    Instructor {
        id: String,
        name: String,
        key_hash: String,
    },
    /// A new key for an instructor (the old one stops working; a revoked instructor is restored).
    InstructorKey {
        id: String,
        key_hash: String,
    },
    /// The instructor's key stops working (its games are kept).
    RevokeInstructor {
        id: String,
    },
    /// Kept once per distinct text (`INSERT OR IGNORE`).
    ScenarioText {
        hash: String,
        scenario_id: String,
        text: String,
    },
    /// An instructor's source essay for a scenario (replaces that instructor's previous one).
    Source {
        scenario_id: String,
        text: String,
        instructor_id: String,
    },
    Session(NewSession),
    SessionStatus {
        id: String,
        status: &'static str,
        round: u32,
    },
    Player(NewPlayer),
    PlayerRole {
        id: String,
        role: Option<String>,
    },
    PlayerKicked {
        id: String,
    },
    /// A student moved to another table of its class: its seat token now opens that one.
    PlayerSession {
        id: String,
        session_id: String,
    },
    Class(NewClass),
    ClassFinished {
        id: String,
    },
    /// Removes a class (its tables are removed with `DeleteSession` first).
    DeleteClass {
        id: String,
    },
    Event {
        session_id: String,
        seq: i64,
        at: i64,
        event: LogEvent,
    },
    /// Removes a session with its players and its whole log (the instructor deleted it).
    DeleteSession {
        id: String,
    },
}

/// What one transaction writes, on either database.
pub(super) enum Work {
    /// The callers' ops, in order.
    Ops(Vec<Arc<Vec<Op>>>),
    /// The health probe's one row.
    Probe,
}
