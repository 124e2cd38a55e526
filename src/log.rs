//! The vocabulary of a session's log: the events a game is made of, in the order they happened.
//!
//! Every change to a session is one of these, appended to the store before anyone is told; any
//! state of a session (live, after a restart, in a replay) is the fold of its log through
//! [`crate::table::Table::apply`]. This module is plain data: the store writes it, the table and
//! the replay read it, and it depends on neither.
//!
//! Invariants:
//! - variants and fields are only ever added (with serde defaults): a stored log must stay readable;
//! - orders are stored by their ids (move and target), never by engine indexes, so that the log
//!   reads on its own; the session's scenario text is stored beside it by hash.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One order named by ids: `{"move": "…", "target": "…" | null}`. The one shape of an order on
/// the wire (`set_orders`, drafts, reports), in the log and in replays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRef {
    #[serde(rename = "move")]
    pub mv: String,
    #[serde(default)]
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
        /// The class this session is a table of: its rounds start with the class's.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        class: Option<String>,
    },
    PlayerJoined {
        player_id: String,
        name: String,
        /// A hash of the device the student joined from (its browser's own random id), so that a
        /// ban can bar the device as well as the name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        device: Option<String>,
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
        /// Also bars the name and the device from joining this session again.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        ban: bool,
    },
    /// Once the game runs, a student asks to join a role that has players, or to change role:
    /// the instructor decides.
    RoleRequested {
        player_id: String,
        role: String,
    },
    /// The instructor turned a role request down.
    RoleRequestDenied {
        player_id: String,
    },
    /// The instructor moved a student to another table of the class: its seat leaves this one.
    PlayerMoved {
        player_id: String,
        to_session: String,
    },
    /// A class's table resolved its round: it waits for the class before the next one starts.
    Held,
    /// The class started the next round at this table (its deadline follows).
    Released,
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
        orders: Vec<OrderRef>,
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
    /// A player's written reflection after the game (a later one replaces it).
    Reflected {
        player_id: String,
        text: String,
    },
    /// Every role's orders as resolved (bots' included; absent = hold) and the resulting hash.
    RoundResolved {
        round: u32,
        orders: BTreeMap<String, Vec<OrderRef>>,
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
            LogEvent::RoleRequested { .. } => "role_requested",
            LogEvent::RoleRequestDenied { .. } => "role_request_denied",
            LogEvent::PlayerMoved { .. } => "player_moved",
            LogEvent::Held => "held",
            LogEvent::Released => "released",
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
            LogEvent::Reflected { .. } => "reflected",
            LogEvent::RoundResolved { .. } => "round_resolved",
            LogEvent::ForkedFrom { .. } => "forked_from",
        }
    }
}

/// One entry of a stored log: its position, when it was written (unix ms) and the event.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct EventRow {
    pub seq: i64,
    pub at: i64,
    pub event: LogEvent,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_without_a_target_reads_back_from_old_logs() {
        let old: OrderRef = serde_json::from_str(r#"{"move":"visit"}"#).expect("old form");
        assert_eq!(old, OrderRef { mv: "visit".into(), target: None });
        let text = serde_json::to_string(&old).expect("serialize");
        assert_eq!(text, r#"{"move":"visit","target":null}"#);
    }

    #[test]
    fn every_event_kind_is_its_json_type() {
        let order = || vec![OrderRef { mv: "visit".into(), target: None }];
        let events = [
            LogEvent::Created {
                scenario: "s".into(),
                scenario_hash: "h".into(),
                seed: 1,
                deadline_secs: 60,
                class: None,
            },
            LogEvent::PlayerJoined { player_id: "p".into(), name: "n".into(), device: None },
            LogEvent::BotAdded { player_id: "p".into(), role: "a".into() },
            LogEvent::RoleSet { player_id: "p".into(), role: None, by_instructor: false },
            LogEvent::PlayerKicked { player_id: "p".into(), ban: true },
            LogEvent::RoleRequested { player_id: "p".into(), role: "a".into() },
            LogEvent::RoleRequestDenied { player_id: "p".into() },
            LogEvent::PlayerMoved { player_id: "p".into(), to_session: "t".into() },
            LogEvent::Held,
            LogEvent::Released,
            LogEvent::Started,
            LogEvent::Paused { remaining_ms: 5 },
            LogEvent::Resumed,
            LogEvent::Ended,
            LogEvent::RoundLengthSet { secs: 60 },
            LogEvent::DeadlineSet { round: 1, at: 2 },
            LogEvent::OrdersSet { round: 1, role: "a".into(), player_id: None, orders: order() },
            LogEvent::ReadySet { round: 1, role: "a".into(), player_id: None, ready: true },
            LogEvent::Said {
                from: Sender { player_id: None, name: "i".into(), role: None },
                to: None,
                text: "t".into(),
                at: 3,
            },
            LogEvent::EventInjected { round: 1, event: "e".into() },
            LogEvent::Reflected { player_id: "p".into(), text: "t".into() },
            LogEvent::RoundResolved {
                round: 1,
                orders: BTreeMap::from([("a".into(), order())]),
                state_hash: "h".into(),
            },
            LogEvent::ForkedFrom { session: "s".into(), round: 1 },
        ];
        for event in &events {
            let json: serde_json::Value = serde_json::to_value(event).expect("serialize");
            assert_eq!(json["type"], event.kind());
        }
        // One sample of every variant serde knows: a new event needs its line above.
        let known = crate::protocol::type_names::<LogEvent>();
        let mut kinds: Vec<&str> = events.iter().map(LogEvent::kind).collect();
        kinds.sort_unstable();
        let mut names = known.to_vec();
        names.sort_unstable();
        assert_eq!(kinds, names);
    }
}
