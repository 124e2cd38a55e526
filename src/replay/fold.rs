//! A stored log, in order, through the table's own fold ([`Table::apply`], the reducer the live
//! session runs): every round's states and report, every message and draft, the seats, and the
//! timeline of steps a replay viewer walks through.

use std::borrow::Cow;

use crate::engine::{EventId, GameState, RoleId, RoundOrders, RoundReport, Scenario};
use crate::i18n::Lang;
use crate::log::{LogEvent, OrderRef};
use crate::table::{Change, FoldError, Message, Seat, Table};

/// One resolved round, as replayed.
#[derive(Debug, Clone)]
pub struct ReplayRound {
    pub round: u32,
    /// The log position of its `round_resolved` event.
    pub seq: i64,
    /// The state the round was resolved from (after any injected events).
    pub before: GameState,
    pub after: GameState,
    pub orders: RoundOrders,
    pub report: RoundReport,
    /// The hash in the log, and the one the replay computed.
    pub stored_hash: String,
    pub hash: String,
}

/// A role's draft as it was set (before resolution: secret to other roles).
#[derive(Debug, Clone)]
pub struct ReplayDraft {
    pub role: RoleId,
    pub orders: Vec<OrderRef>,
}

/// What happened at one point of the log that a viewer can step to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepKind {
    Started,
    /// An index into [`Replay::messages`].
    Message(usize),
    /// An index into [`Replay::drafts`].
    Draft(usize),
    EventInjected(EventId),
    /// An index into [`Replay::rounds`].
    RoundResolved(usize),
    /// An index into [`Replay::reflections`].
    Reflected(usize),
    Ended,
}

#[derive(Debug, Clone)]
pub struct Step {
    pub seq: i64,
    pub at: i64,
    /// The round being played when it happened.
    pub round: u32,
    pub kind: StepKind,
    /// Every track's value right after it.
    pub tracks: Vec<i64>,
}

/// Something in the log that the replay could not reproduce.
pub type ReplayError = FoldError;

/// A whole stored game, rebuilt.
#[derive(Debug, Clone)]
pub struct Replay {
    pub seed: u64,
    pub start: GameState,
    pub rounds: Vec<ReplayRound>,
    /// Every message, in order (the table itself keeps only the recent ones).
    pub messages: Vec<Message>,
    pub drafts: Vec<ReplayDraft>,
    /// Every seat, kicked ones included.
    pub players: Vec<Seat>,
    pub steps: Vec<Step>,
    pub errors: Vec<ReplayError>,
    pub final_state: GameState,
    pub final_hash: String,
    pub ended: bool,
    /// `(session, round)` when this session was forked from another.
    pub forked_from: Option<(String, u32)>,
    /// Every reflection as written (a player's later one replaces its earlier one in
    /// [`Replay::players`]).
    pub reflections: Vec<ReplayReflection>,
}

/// A reflection as it was written: the seat's name and role then.
#[derive(Debug, Clone)]
pub struct ReplayReflection {
    pub player_id: String,
    pub player: String,
    pub role: Option<RoleId>,
    pub text: String,
}

impl Replay {
    /// No round's hash differs and every stored event could be replayed.
    pub fn ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// Whether the game is over: its last round was resolved, or the instructor ended it.
    pub fn finished(&self) -> bool {
        self.final_state.is_finished() || self.ended
    }

    /// The roles that bots played (at the end of the game).
    pub fn bot_roles(&self) -> Vec<RoleId> {
        let mut roles: Vec<RoleId> =
            self.players.iter().filter(|p| p.bot && !p.kicked).filter_map(|p| p.role).collect();
        roles.sort_unstable();
        roles.dedup();
        roles
    }

    /// The names of the students and bots who played a role, as a reader in `lang` sees them
    /// (`sc` is the scenario in it): a bot's in that language, a student's as typed.
    pub fn names_of<'a>(&'a self, sc: &Scenario, lang: Lang, role: RoleId) -> Vec<Cow<'a, str>> {
        self.players.iter().filter(|p| !p.kicked && p.role == Some(role)).map(|p| p.shown_name(sc, lang)).collect()
    }
}

/// Folds a log (`(seq, at, event)` in order) through the table. `seed` is the session's; the
/// `created` event's seed, if present, must agree (a difference is an error entry).
pub fn fold<'a>(sc: &Scenario, seed: u64, log: impl IntoIterator<Item = (i64, i64, &'a LogEvent)>) -> Replay {
    let mut table = Table::new(sc, seed, 0);
    let start = table.state.clone();
    let mut replay = Replay {
        seed,
        start: start.clone(),
        rounds: Vec::new(),
        messages: Vec::new(),
        drafts: Vec::new(),
        players: Vec::new(),
        steps: Vec::new(),
        errors: Vec::new(),
        final_state: start,
        final_hash: String::new(),
        ended: false,
        forked_from: None,
        reflections: Vec::new(),
    };
    for (seq, at, event) in log {
        let round = table.state.round;
        let kind = match table.apply(sc, seq, at, event) {
            Change::Phase => match event {
                LogEvent::Started => Some(StepKind::Started),
                LogEvent::Ended => Some(StepKind::Ended),
                _ => None,
            },
            Change::Said => {
                replay.messages.extend(table.messages.back().cloned());
                Some(StepKind::Message(replay.messages.len() - 1))
            }
            Change::Draft(role) => {
                let LogEvent::OrdersSet { orders, .. } = event else { continue };
                replay.drafts.push(ReplayDraft { role, orders: orders.clone() });
                Some(StepKind::Draft(replay.drafts.len() - 1))
            }
            Change::EventInjected(e) => Some(StepKind::EventInjected(e)),
            Change::Reflected(i) => {
                let seat = &table.seats[i];
                replay.reflections.push(ReplayReflection {
                    player_id: seat.id.clone(),
                    player: seat.name.clone(),
                    role: seat.role,
                    text: seat.reflection.clone().unwrap_or_default(),
                });
                Some(StepKind::Reflected(replay.reflections.len() - 1))
            }
            Change::RoundResolved(resolved) => {
                replay.rounds.push(ReplayRound {
                    round: resolved.round,
                    seq,
                    before: resolved.before.clone(),
                    after: table.state.clone(),
                    orders: resolved.orders.clone(),
                    report: resolved.report.clone(),
                    stored_hash: resolved.stored_hash.clone(),
                    hash: resolved.hash.clone(),
                });
                Some(StepKind::RoundResolved(replay.rounds.len() - 1))
            }
            Change::Nothing
            | Change::Seat(_)
            | Change::Request(_)
            | Change::Clock
            | Change::Ready(_)
            | Change::Refused => None,
        };
        if let Some(kind) = kind {
            replay.steps.push(Step { seq, at, round, kind, tracks: table.state.tracks.clone() });
        }
    }
    replay.final_hash = table.state.hash(sc);
    replay.final_state = table.state;
    replay.players = table.seats;
    replay.errors = table.errors;
    replay.ended = table.ended;
    replay.forked_from = table.forked_from;
    replay
}
