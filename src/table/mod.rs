//! A table: one classroom game (a session) as a pure model — the seats and their roles, the phase
//! and the clock, each role's draft and lock, the recent press, and the engine's game state.
//!
//! This is the session's one reducer. [`Table::apply`] folds one log event into the table; the
//! live session applies each event right after the store has committed it, a restart folds the
//! stored log through the same function ([`Table::fold`]), and so does the replay of a stored
//! game. [`Table::decide`] (in `decide`) turns a request into the events that would carry it out,
//! or a refusal, and changes nothing. The views each seat may see are built in `view`.
//!
//! Invariants:
//! - pure: no I/O, no clock (the time of a request is an argument), no tokio, no `HashMap`
//!   iteration; randomness only from the game's seed (bots and events);
//! - `apply` never fails: an event that cannot be applied (an order that no longer reads, a round
//!   whose hash differs) becomes an entry in [`Table::errors`] and changes nothing else;
//! - `decide` never changes the table: the caller commits its events, then applies them;
//! - who may read a message is decided here once ([`Message::readable_by`]), for live seats and
//!   replays alike.

mod apply;
mod decide;
mod view;

use std::collections::VecDeque;
use std::sync::Arc;

use crate::engine::{GameState, Lookup, Order, RoleId, RoundOrders, RoundReport, Scenario};
use crate::i18n::Lang;
use crate::log::{EventRow, Sender};
use crate::protocol::Audience;
pub use crate::protocol::Phase;

pub use apply::Change;
pub use decide::{clean_name, clean_text, millis, order_refs, ClassOrder, MAX_NAME, MAX_ROUND_SECS, MAX_TEXT};
pub use view::{message_msg, SessionInfo};

/// Messages kept in memory for catching up seats that (re)connect; the log keeps them all.
pub const KEPT_MESSAGES: usize = 300;
/// Messages a seat receives when it takes its seat: the most recent it may read.
pub const HISTORY: usize = 100;

/// A seat: a student, or a bot playing a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seat {
    pub id: String,
    pub name: String,
    pub role: Option<RoleId>,
    pub bot: bool,
    pub kicked: bool,
    /// The log position from which this seat holds its current role: it reads its team's
    /// messages from there on, not before.
    pub role_since: i64,
    /// A role it asked for once the game ran, waiting for the instructor.
    pub requested: Option<RoleId>,
    /// The hash of the device it joined from, if the client sent one.
    pub device: Option<String>,
    /// The table of its class it moved to (it left this one).
    pub moved_to: Option<String>,
    /// What it wrote after the game (its latest `reflect`).
    pub reflection: Option<String>,
}

impl Seat {
    /// The name a reader sees: a bot goes by its role's name in the reader's language (`sc` is
    /// the scenario in `lang`), a student by the name it gave.
    pub fn shown_name<'a>(&'a self, sc: &Scenario, lang: Lang) -> std::borrow::Cow<'a, str> {
        match (self.bot, self.role) {
            (true, Some(role)) if role.index() < sc.roles.len() => bot_name(sc, role, lang).into(),
            _ => self.name.as_str().into(),
        }
    }
}

/// A bot's name in a language: `Bot (<its role's name>)` in English (the name the log's fold
/// gives it), the phrase table's otherwise.
pub fn bot_name(sc: &Scenario, role: RoleId, lang: Lang) -> String {
    let name = sc.roles.lookup(role).map_or("", |r| r.name.as_str());
    crate::i18n::phrases::fill(lang.phrases().bot, &[("role", name)])
}

/// Who is looking: a player (by id), a spectator (the projector) or the session's instructor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    Player(String),
    Spectator,
    Instructor,
}

/// The round's clock, in unix milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Clock {
    /// When the running round resolves on its own.
    pub deadline_at: Option<i64>,
    /// While paused: what was left of the round.
    pub paused_remaining_ms: Option<u64>,
}

/// A message said at the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub seq: i64,
    pub at: i64,
    /// The round being played when it was said.
    pub round: u32,
    pub from: Sender,
    pub from_role: Option<RoleId>,
    /// `None`: everyone.
    pub to: Option<Vec<RoleId>>,
    pub text: String,
}

impl Message {
    /// Its recipients by role id (`None`: everyone).
    pub fn to_ids<'a>(&self, sc: &'a Scenario) -> Option<Vec<&'a str>> {
        self.to.as_ref().map(|to| to.iter().filter_map(|r| sc.roles.lookup(*r)).map(|r| r.id.as_str()).collect())
    }

    /// Whether the players of `role` may read it: said to everyone, to that role, or by it.
    pub fn for_role(&self, role: RoleId) -> bool {
        self.to.is_none() || self.from_role == Some(role) || self.to.as_ref().is_some_and(|to| to.contains(&role))
    }

    /// Whether this seat may read it. A player reads what its role may read since it took the
    /// role (and anything it said itself); a spectator reads what was said to everyone; the
    /// instructor reads everything.
    pub fn readable_by(&self, table: &Table, viewer: &Viewer) -> bool {
        match viewer {
            Viewer::Instructor => true,
            Viewer::Spectator => self.to.is_none(),
            Viewer::Player(id) => {
                if self.to.is_none() || self.from.player_id.as_deref() == Some(id.as_str()) {
                    return true;
                }
                table.seat(id).is_some_and(|seat| {
                    seat.role.is_some_and(|role| self.for_role(role)) && self.seq >= seat.role_since
                })
            }
        }
    }
}

/// One resolved round, as the fold saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub round: u32,
    /// The log position of its `round_resolved` event.
    pub seq: i64,
    /// The state the round was resolved from (after any injected events).
    pub before: GameState,
    pub orders: RoundOrders,
    pub report: RoundReport,
    /// The hash in the log, and the one the fold computed.
    pub stored_hash: String,
    pub hash: String,
    /// The roles bots played when it was resolved.
    pub bots: Vec<RoleId>,
}

/// Something in the log that the fold could not reproduce (as the replay's views list it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FoldError {
    pub seq: i64,
    pub round: u32,
    pub message: String,
}

/// One session's game. See the module documentation.
#[derive(Debug, Clone)]
pub struct Table {
    pub seed: u64,
    pub phase: Phase,
    /// The length of rounds to come, in seconds.
    pub round_secs: u64,
    pub state: GameState,
    /// Each role's draft for the current round, by role index.
    pub drafts: Vec<Vec<Order>>,
    /// Each role's lock for the current round.
    pub ready: Vec<bool>,
    /// Every seat ever taken, kicked ones included, in joining order.
    pub seats: Vec<Seat>,
    pub clock: Clock,
    /// The most recent messages (at most [`KEPT_MESSAGES`]).
    pub messages: VecDeque<Message>,
    /// Messages the students have sent in this session, all told (the instructor's not counted).
    pub students_said: u64,
    /// The last resolved round: its report is sent again to seats that come back.
    pub last_round: Option<Arc<Resolved>>,
    /// The last applied event's log position.
    pub seq: i64,
    pub errors: Vec<FoldError>,
    /// `(session, round)` when this session was forked from another.
    pub forked_from: Option<(String, u32)>,
    /// The instructor ended the game before its last round.
    pub ended: bool,
    /// The class this table belongs to (its rounds start with the class's), if any.
    pub class: Option<String>,
    /// Names (lowercased) and devices the instructor barred from joining again.
    pub banned_names: Vec<String>,
    pub banned_devices: Vec<String>,
}

impl Table {
    /// A table before its first event: the start state of the game from the seed.
    pub fn new(sc: &Scenario, seed: u64, round_secs: u64) -> Table {
        let roles = sc.roles.len();
        Table {
            seed,
            phase: Phase::Lobby,
            round_secs,
            state: GameState::new(sc, seed),
            drafts: vec![Vec::new(); roles],
            ready: vec![false; roles],
            seats: Vec::new(),
            clock: Clock::default(),
            messages: VecDeque::new(),
            last_round: None,
            seq: 0,
            errors: Vec::new(),
            forked_from: None,
            ended: false,
            class: None,
            banned_names: Vec::new(),
            banned_devices: Vec::new(),
            students_said: 0,
        }
    }

    /// A whole stored log, folded.
    pub fn fold(sc: &Scenario, seed: u64, round_secs: u64, log: &[EventRow]) -> Table {
        let mut table = Table::new(sc, seed, round_secs);
        for row in log {
            table.apply(sc, row.seq, row.at, &row.event);
        }
        table
    }

    /// A seat still in the game (not kicked), by player id.
    pub fn seat(&self, id: &str) -> Option<&Seat> {
        self.seats.iter().find(|s| s.id == id && !s.kicked)
    }

    /// The seats still in the game.
    pub fn present(&self) -> impl Iterator<Item = &Seat> {
        self.seats.iter().filter(|s| !s.kicked)
    }

    /// The players (and bot) of a role.
    pub fn members(&self, role: RoleId) -> impl Iterator<Item = &Seat> {
        self.present().filter(move |s| s.role == Some(role))
    }

    pub fn is_bot_role(&self, role: RoleId) -> bool {
        self.members(role).any(|s| s.bot)
    }

    pub fn has_humans(&self, role: RoleId) -> bool {
        self.members(role).any(|s| !s.bot)
    }

    /// Every role of the table's scenario, in order.
    pub fn roles(&self) -> impl Iterator<Item = RoleId> + use<> {
        (0..self.ready.len()).map(RoleId::new)
    }

    /// The roles bots play, in role order.
    pub fn bot_roles(&self) -> Vec<RoleId> {
        self.roles().filter(|r| self.is_bot_role(*r)).collect()
    }

    /// The role a viewer plays, if it is a seated player with a role.
    pub fn role_of(&self, viewer: &Viewer) -> Option<RoleId> {
        match viewer {
            Viewer::Player(id) => self.seat(id).and_then(|s| s.role),
            _ => None,
        }
    }

    /// What a viewer may see of tracks and reports.
    pub fn audience(&self, viewer: &Viewer) -> Audience {
        match viewer {
            Viewer::Instructor => Audience::All,
            Viewer::Spectator => Audience::Public,
            Viewer::Player(_) => self.role_of(viewer).map_or(Audience::Public, Audience::Role),
        }
    }

    /// Whether the round should resolve now: it runs, and every role with people in it has locked
    /// its orders (bots are always ready; a table of bots alone waits for its deadline).
    pub fn all_ready(&self) -> bool {
        if self.phase != Phase::Running {
            return false;
        }
        let mut roles = self.roles().filter(|r| self.has_humans(*r)).peekable();
        roles.peek().is_some() && roles.all(|r| self.ready[r])
    }

    /// The messages this seat may read, most recent last, at most `limit`.
    pub fn history_for<'a>(&'a self, viewer: &'a Viewer, limit: usize) -> impl Iterator<Item = &'a Message> {
        let readable: Vec<&Message> = self.messages.iter().filter(|m| m.readable_by(self, viewer)).collect();
        let skip = readable.len().saturating_sub(limit);
        readable.into_iter().skip(skip)
    }

    /// The sender of a message from this viewer.
    pub fn sender(&self, sc: &Scenario, viewer: &Viewer) -> Sender {
        match viewer {
            Viewer::Player(id) => {
                let seat = self.seat(id);
                Sender {
                    player_id: Some(id.clone()),
                    name: seat.map_or_else(String::new, |s| s.name.clone()),
                    role: seat.and_then(|s| s.role).map(|r| sc.roles[r].id.clone()),
                }
            }
            _ => Sender { player_id: None, name: "Instructor".into(), role: None },
        }
    }
}

#[cfg(test)]
mod tests;
