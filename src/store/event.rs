//! The events of a session's log, as stored (JSON in `events.body`, the type in `events.kind`).
//!
//! Orders are stored by their ids (move and target), never by engine indexes, so that the log
//! reads on its own; the session's scenario text is stored beside it by hash. Variants are only
//! ever added: a stored log must stay readable.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One order as stored: a move id and an optional target id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredOrder {
    #[serde(rename = "move")]
    pub mv: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

/// Who said something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sender {
    /// `None` for the instructor.
    pub player_id: Option<String>,
    pub name: String,
    pub role: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LogEvent {
    /// Always the first event: what the game is, so that it can be replayed.
    Created {
        scenario: String,
        scenario_hash: String,
        seed: u64,
        deadline_secs: u64,
    },
    PlayerJoined {
        player_id: String,
        name: String,
    },
    BotAdded {
        player_id: String,
        role: String,
    },
    RoleSet {
        player_id: String,
        role: Option<String>,
        by_instructor: bool,
    },
    PlayerKicked {
        player_id: String,
    },
    Started,
    Paused {
        remaining_ms: u64,
    },
    Resumed,
    Ended,
    /// The round length for rounds to come.
    RoundLengthSet {
        secs: u64,
    },
    /// The current round's deadline, in unix milliseconds.
    DeadlineSet {
        round: u32,
        at: i64,
    },
    /// A role's draft for the round (it replaces the previous one).
    OrdersSet {
        round: u32,
        role: String,
        player_id: Option<String>,
        orders: Vec<StoredOrder>,
    },
    ReadySet {
        round: u32,
        role: String,
        player_id: Option<String>,
        ready: bool,
    },
    /// Press. `to: None` is everyone.
    Said {
        from: Sender,
        to: Option<Vec<String>>,
        text: String,
        at: i64,
    },
    EventInjected {
        round: u32,
        event: String,
    },
    /// Every role's orders as resolved (bots' included; absent = hold) and the resulting hash.
    RoundResolved {
        round: u32,
        orders: BTreeMap<String, Vec<StoredOrder>>,
        state_hash: String,
    },
    /// Second event of a forked session: where it came from. The rounds it starts with follow as
    /// copies of the original's `event_injected` and `round_resolved` events.
    ForkedFrom {
        session: String,
        round: u32,
    },
}

impl LogEvent {
    /// The `kind` column: the same word as the JSON `type`.
    pub fn kind(&self) -> &'static str {
        match self {
            LogEvent::Created { .. } => "created",
            LogEvent::PlayerJoined { .. } => "player_joined",
            LogEvent::BotAdded { .. } => "bot_added",
            LogEvent::RoleSet { .. } => "role_set",
            LogEvent::PlayerKicked { .. } => "player_kicked",
            LogEvent::Started => "started",
            LogEvent::Paused { .. } => "paused",
            LogEvent::Resumed => "resumed",
            LogEvent::Ended => "ended",
            LogEvent::RoundLengthSet { .. } => "round_length_set",
            LogEvent::DeadlineSet { .. } => "deadline_set",
            LogEvent::OrdersSet { .. } => "orders_set",
            LogEvent::ReadySet { .. } => "ready_set",
            LogEvent::Said { .. } => "said",
            LogEvent::EventInjected { .. } => "event_injected",
            LogEvent::RoundResolved { .. } => "round_resolved",
            LogEvent::ForkedFrom { .. } => "forked_from",
        }
    }
}
