//! Server → client frames: one typed [`ServerMsg`] per frame kind, written straight to JSON text
//! (no `serde_json::Value` built on the way). The views they carry borrow from the scenario and
//! the session; the session builds them (`crate::table`) and serializes each once per audience.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::Value;

use super::error::{ErrorCode, WireError};
use super::report::ReportView;
use super::Phase;
use crate::engine::model::PrivateObjective;
use crate::engine::TrackId;
use crate::log::OrderRef;

/// Every frame the server sends, tagged by `type`.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMsg<'a> {
    /// The frame with this `id` was carried out (and is durable, for changes).
    Ack {
        re: &'a Value,
    },
    Error(ErrorView<'a>),
    /// A seat was taken; `seat_token` only on `join` (the only frame that ever carries it).
    Welcome {
        session_id: &'a str,
        player_id: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        seat_token: Option<&'a str>,
    },
    Pong,
    /// This seat was removed by the instructor; the socket closes with 4001.
    Kicked,
    /// The instructor moved this student to another table of the class; the socket closes with
    /// 4003 and a `resume` with the same seat token opens the new table.
    Moved {
        session_id: &'a str,
    },
    /// The whole view of the session for one seat.
    State(Box<StateView<'a>>),
    /// A role's draft changed: to that role's players and the instructor.
    Draft {
        round: u32,
        role: &'a str,
        orders: Vec<OrderRef>,
    },
    /// A role locked or unlocked its orders: to everyone.
    RoleReady {
        round: u32,
        role: &'a str,
        ready: bool,
    },
    /// A seat joined, changed role, connected or disconnected: to everyone.
    Player(PlayerView<'a>),
    /// A seat was removed: to everyone.
    PlayerRemoved {
        player_id: &'a str,
    },
    /// The round's deadline or length changed: to everyone.
    Clock(ClockView),
    /// Press, to its readers.
    Message(MessageView<'a>),
    /// The round report for one audience.
    RoundResolved(ReportView<'a>),
    /// The final scores and the debrief.
    GameOver(GameOverView<'a>),
    /// A class at a glance (its console and its projector): every table's summary.
    ClassState(ClassView<'a>),
    /// One table of a class changed.
    ClassTable {
        table: &'a TableSummary,
    },
}

impl<'a> ServerMsg<'a> {
    /// The frame as JSON text. (Writing cannot fail: every map key is a string. Were it to, the
    /// reader would get an `internal` error frame rather than nothing.)
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| {
            r#"{"type":"error","code":"internal","message":"the server could not write this frame"}"#.to_string()
        })
    }

    pub fn error(re: Option<&'a Value>, error: &'a WireError) -> ServerMsg<'a> {
        ServerMsg::Error(ErrorView {
            re,
            code: error.code,
            message: &error.message,
            detail: error.detail,
            node: error.node.as_deref(),
        })
    }
}

/// `error {re?, code, message, detail?, node?}`.
#[derive(Debug, Serialize)]
pub struct ErrorView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub re: Option<&'a Value>,
    pub code: ErrorCode,
    pub message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<&'static str>,
    /// `wrong_node`: the node that runs the game.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<&'a str>,
}

/// `ack {re}` as text.
pub fn ack(re: &Value) -> String {
    ServerMsg::Ack { re }.to_text()
}

/// `error {re?, code, message, detail?}` as text.
pub fn error(re: Option<&Value>, err: &WireError) -> String {
    ServerMsg::error(re, err).to_text()
}

/// `welcome {session_id, player_id, seat_token?}` as text.
pub fn welcome(session_id: &str, player_id: &str, seat_token: Option<&str>) -> String {
    ServerMsg::Welcome { session_id, player_id, seat_token }.to_text()
}

/// `pong` as text.
pub fn pong() -> String {
    ServerMsg::Pong.to_text()
}

impl YouView<'_> {
    /// A viewer with no seat: a spectator or the instructor.
    pub fn nobody(kind: &'static str) -> Self {
        YouView {
            kind,
            player_id: None,
            name: None,
            role: None,
            requested_role: None,
            memo: None,
            private_objective: None,
            reflection: None,
        }
    }
}

// ---- state ------------------------------------------------------------------------------------

#[derive(Debug, Serialize)]
pub struct StateView<'a> {
    pub session: SessionView<'a>,
    pub phase: Phase,
    pub round: u32,
    pub round_name: Option<&'a str>,
    pub briefing: Option<&'a str>,
    pub deadline_at: Option<i64>,
    pub remaining_secs: Option<u64>,
    pub tracks: Vec<TrackView<'a>>,
    pub events: Vec<EventView<'a>>,
    pub roles: Vec<RoleView<'a>>,
    pub players: Vec<PlayerView<'a>>,
    pub you: YouView<'a>,
    pub moves: Vec<MoveView<'a>>,
    pub action_points: Option<u32>,
    pub my_orders: Vec<OrderRef>,
    pub ready: bool,
    /// The instructor's view only: every role's draft.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orders: Option<BTreeMap<&'a str, Vec<OrderRef>>>,
    /// The instructor's view only: students waiting for approval to take a role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests: Option<Vec<RequestView<'a>>>,
    /// The instructor's view only, once the game is over: what the players wrote after it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reflections: Option<Vec<ReflectionView<'a>>>,
}

/// A player's reflection, as the instructor and the debrief read it.
#[derive(Debug, Serialize)]
pub struct ReflectionView<'a> {
    pub player_id: &'a str,
    pub player: &'a str,
    pub role: Option<&'a str>,
    pub text: &'a str,
}

/// A student's request for a role, waiting for the instructor.
#[derive(Debug, Serialize)]
pub struct RequestView<'a> {
    pub player_id: &'a str,
    pub name: &'a str,
    pub role: &'a str,
}

#[derive(Debug, Serialize)]
pub struct SessionView<'a> {
    pub id: &'a str,
    pub join_code: &'a str,
    pub scenario: &'a str,
    pub title: &'a str,
    pub rounds: u32,
    pub round_secs: u64,
    /// A class's table: the class's id (its join code is the one students used).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class_id: Option<&'a str>,
    /// A class's table: its number in the class, from 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<u32>,
}

/// How much a `state` repeats of what does not change: a connection's first `state` (and the
/// first after its role changed) is `Full`; later ones are `Lean` and leave out the static texts
/// (track names, summaries and ranges; move summaries and ¶s) and the history of earlier rounds,
/// which the client keeps from the full one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    Full,
    Lean,
}

/// A track in a `state`: `{id, value, private}`, and in a full state also `{name, summary, min,
/// max, history}`.
#[derive(Debug, Serialize)]
pub struct TrackView<'a> {
    pub id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    pub value: i64,
    pub private: bool,
    /// The value at the start of every round so far (the first is the start).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<Option<i64>>>,
}

#[derive(Debug, Serialize)]
pub struct EventView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub text: &'a str,
    pub essay: &'a [u32],
}

#[derive(Debug, Serialize)]
pub struct RoleView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub action_points: u32,
    pub players: Vec<&'a str>,
    pub bot: bool,
    pub ready: bool,
}

#[derive(Debug, Serialize)]
pub struct PlayerView<'a> {
    pub player_id: &'a str,
    /// A bot's is its role's name in the reader's language.
    pub name: Cow<'a, str>,
    pub role: Option<&'a str>,
    pub bot: bool,
    pub connected: bool,
}

/// Who the seat is: `{kind: "player", player_id, name, role}`, `{kind: "spectator"}` or
/// `{kind: "instructor"}`.
#[derive(Debug, Serialize)]
pub struct YouView<'a> {
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub player_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Option<&'a str>>,
    /// A role this player asked for and the instructor has not answered yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_role: Option<&'a str>,
    /// The memo of this player's role (its seats only; in a full `state`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memo: Option<&'a str>,
    /// What this player's role wants that the others do not know (its seats only; in a full
    /// `state`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_objective: Option<&'a PrivateObjective>,
    /// What this player wrote after the game (`reflect`), once it has.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reflection: Option<&'a str>,
}

/// A move card in a `state`; its `summary` and `essay` only in a full state.
#[derive(Debug, Serialize)]
pub struct MoveView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub essay: Option<&'a [u32]>,
    pub cost: u32,
    pub targets: Vec<NamedRef<'a>>,
    /// Role ids (or `"target"`) whose part a joint move needs.
    pub partners: Option<Vec<&'a str>>,
    pub choice_of: Option<&'a str>,
}

/// Something named by id and display name: a move's target, a scenario's role.
#[derive(Debug, Serialize)]
pub struct NamedRef<'a> {
    pub id: &'a str,
    pub name: &'a str,
}

impl<'a> NamedRef<'a> {
    /// A scenario's roles as the catalogue, the replay and the comparison list them: `[{id, name}]`.
    pub fn roles(sc: &'a crate::engine::Scenario) -> Vec<NamedRef<'a>> {
        sc.roles.iter().map(|r| NamedRef { id: &r.id, name: &r.name }).collect()
    }
}

#[derive(Debug, Serialize)]
pub struct ClockView {
    pub round: u32,
    pub deadline_at: Option<i64>,
    pub remaining_secs: Option<u64>,
    pub round_secs: u64,
}

// ---- message ----------------------------------------------------------------------------------

#[derive(Debug, Serialize)]
pub struct MessageView<'a> {
    pub from: &'a crate::log::Sender,
    pub to: To<'a>,
    pub text: &'a str,
    pub at: i64,
}

/// Who a message was for: `"all"` or a list of role ids.
#[derive(Debug)]
pub enum To<'a> {
    All,
    Roles(Vec<&'a str>),
}

impl Serialize for To<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            To::All => serializer.serialize_str("all"),
            To::Roles(roles) => roles.serialize(serializer),
        }
    }
}

// ---- game_over --------------------------------------------------------------------------------

#[derive(Debug, Serialize)]
pub struct GameOverView<'a> {
    pub scores: Scores<'a>,
    pub debrief: FinalDebrief<'a>,
}

/// Every role's score, by role id: `{"<role id>": 61, …}`.
#[derive(Debug)]
pub struct Scores<'a>(pub Vec<(&'a str, u32)>);

impl Serialize for Scores<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (role, score) in &self.0 {
            map.serialize_entry(role, score)?;
        }
        map.end()
    }
}

#[derive(Debug, Serialize)]
pub struct FinalDebrief<'a> {
    pub rounds_played: usize,
    pub ended_early: bool,
    pub roles: Vec<FinalRole<'a>>,
    pub tracks: Vec<FinalTrack<'a>>,
    pub state_hash: String,
}

#[derive(Debug, Serialize)]
pub struct FinalRole<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub score: u32,
    pub objective: &'a str,
    pub essay: &'a [u32],
    pub players: Vec<Cow<'a, str>>,
    pub bot: bool,
}

#[derive(Debug, Serialize)]
pub struct FinalTrack<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub start: i64,
    pub value: i64,
    pub history: Vec<Option<i64>>,
    pub private: bool,
}

// ---- classes ----------------------------------------------------------------------------------

/// A class as its console (and, without scores and names of drafts, its projector) sees it.
#[derive(Debug, Serialize)]
pub struct ClassView<'a> {
    pub class: ClassInfo<'a>,
    /// `lobby` (no table started), `running`, `paused` or `finished`.
    pub phase: Phase,
    /// The round the class is playing (the lowest of its unfinished tables').
    pub round: u32,
    pub deadline_at: Option<i64>,
    pub tables: Vec<&'a TableSummary>,
    pub you: YouView<'a>,
}

#[derive(Debug, Serialize)]
pub struct ClassInfo<'a> {
    pub id: &'a str,
    pub join_code: &'a str,
    pub scenario: &'a str,
    pub title: &'a str,
    pub rounds: u32,
    pub round_secs: u64,
    pub seats_per_role: u32,
    pub bots: bool,
}

/// One table of a class at a glance: what the class console and projector show of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableSummary {
    pub session_id: String,
    /// Its number in the class, from 1.
    pub table: u32,
    pub phase: Phase,
    pub round: u32,
    pub deadline_at: Option<i64>,
    pub remaining_secs: Option<u64>,
    pub roles: Vec<TableRole>,
    /// Rounds resolved so far.
    pub resolved: u32,
    /// The biggest public changes of the last round (its report's headline, as the projector
    /// shows it), in English; `changes` says what they are, for telling them in another language.
    pub headline: Vec<String>,
    /// The headline's changes: (track, amount), biggest first.
    #[serde(skip)]
    pub changes: Vec<(TrackId, i64)>,
    /// The public tracks now, by track id (what the projector shows of a finished table).
    pub tracks: BTreeMap<String, i64>,
    /// Every role's score now (the class console only; left out for the projector).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scores: Option<BTreeMap<String, u32>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableRole {
    pub id: String,
    pub players: Vec<TablePlayer>,
    pub bot: bool,
    pub ready: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TablePlayer {
    pub player_id: String,
    pub name: String,
    pub connected: bool,
}
