//! The fold: a stored log, in order, through the engine, into every round's states and report,
//! and the timeline of steps a replay viewer walks through.

use crate::engine::{
    parse_order, resolve_round, EventId, GameState, Order, RoleId, RoundOrders, RoundReport, Scenario,
};
use crate::store::{LogEvent, Sender, StoredOrder};

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

/// A message, with the round it was sent in.
#[derive(Debug, Clone)]
pub struct ReplayMessage {
    pub seq: i64,
    pub at: i64,
    pub round: u32,
    pub from: Sender,
    /// Role ids; `None` is everyone.
    pub to: Option<Vec<String>>,
    pub text: String,
}

impl ReplayMessage {
    /// Whether a player of this role could read it: what the live session delivers to a seat.
    pub fn readable_by(&self, sc: &Scenario, role: RoleId) -> bool {
        let id = sc.roles.get(role).map(|r| r.id.as_str());
        self.to.is_none()
            || self.from.role.as_deref() == id
            || self.to.as_ref().is_some_and(|to| to.iter().any(|t| Some(t.as_str()) == id))
    }
}

/// A role's draft as it was set (before resolution: secret to other roles).
#[derive(Debug, Clone)]
pub struct ReplayDraft {
    pub role: RoleId,
    pub orders: Vec<StoredOrder>,
}

/// A seat, as the log tells it.
#[derive(Debug, Clone)]
pub struct ReplayPlayer {
    pub id: String,
    pub name: String,
    pub role: Option<RoleId>,
    pub bot: bool,
    pub kicked: bool,
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayError {
    pub seq: i64,
    pub round: u32,
    pub message: String,
}

/// A whole stored game, rebuilt.
#[derive(Debug, Clone)]
pub struct Replay {
    pub seed: u64,
    pub start: GameState,
    pub rounds: Vec<ReplayRound>,
    pub messages: Vec<ReplayMessage>,
    pub drafts: Vec<ReplayDraft>,
    pub players: Vec<ReplayPlayer>,
    pub steps: Vec<Step>,
    pub errors: Vec<ReplayError>,
    pub final_state: GameState,
    pub final_hash: String,
    pub ended: bool,
    /// `(session, round)` when this session was forked from another.
    pub forked_from: Option<(String, u32)>,
}

impl Replay {
    /// No round's hash differs and every stored event could be replayed.
    pub fn ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// The roles that bots played (at the end of the game).
    pub fn bot_roles(&self) -> Vec<RoleId> {
        let mut roles: Vec<RoleId> =
            self.players.iter().filter(|p| p.bot && !p.kicked).filter_map(|p| p.role).collect();
        roles.sort_unstable();
        roles.dedup();
        roles
    }

    /// The names of the students and bots who played a role.
    pub fn names_of(&self, role: RoleId) -> Vec<&str> {
        self.players.iter().filter(|p| !p.kicked && p.role == Some(role)).map(|p| p.name.as_str()).collect()
    }
}

/// Stored orders into engine orders; one that no longer reads becomes an error entry.
pub fn parse_stored(
    sc: &Scenario,
    role: RoleId,
    orders: &[StoredOrder],
    at: (i64, u32),
    errors: &mut Vec<ReplayError>,
) -> Vec<Order> {
    orders
        .iter()
        .filter_map(|o| match parse_order(sc, role, &o.mv, o.target.as_deref()) {
            Ok(order) => Some(order),
            Err(e) => {
                errors.push(ReplayError {
                    seq: at.0,
                    round: at.1,
                    message: format!("a stored order `{}` cannot be read: {}", o.mv, e.code()),
                });
                None
            }
        })
        .collect()
}

/// Folds a log (`(seq, at, event)` in order) through the engine. `seed` is the session's; the
/// `created` event's seed, if present, must agree (a difference is an error entry).
pub fn fold<'a>(sc: &Scenario, seed: u64, log: impl IntoIterator<Item = (i64, i64, &'a LogEvent)>) -> Replay {
    let mut state = GameState::new(sc, seed);
    let start = state.clone();
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
    };
    for (seq, at, event) in log {
        let round = state.round;
        let error = |message: String| ReplayError { seq, round, message };
        let kind = match event {
            LogEvent::Created { seed: logged, .. } => {
                if *logged != seed {
                    replay.errors.push(error(format!("the log's seed {logged} differs from the session's {seed}")));
                }
                None
            }
            LogEvent::ForkedFrom { session, round } => {
                replay.forked_from = Some((session.clone(), *round));
                None
            }
            LogEvent::PlayerJoined { player_id, name } => {
                let player =
                    ReplayPlayer { id: player_id.clone(), name: name.clone(), role: None, bot: false, kicked: false };
                replay.players.push(player);
                None
            }
            LogEvent::BotAdded { player_id, role } => {
                let role = sc.role_index(role);
                let name = role.map_or_else(|| "Bot".to_string(), |r| format!("Bot ({})", sc.roles[r].name));
                replay.players.push(ReplayPlayer { id: player_id.clone(), name, role, bot: true, kicked: false });
                None
            }
            LogEvent::RoleSet { player_id, role, .. } => {
                if let Some(p) = replay.players.iter_mut().find(|p| &p.id == player_id) {
                    p.role = role.as_deref().and_then(|r| sc.role_index(r));
                }
                None
            }
            LogEvent::PlayerKicked { player_id } => {
                if let Some(p) = replay.players.iter_mut().find(|p| &p.id == player_id) {
                    p.kicked = true;
                }
                None
            }
            LogEvent::Started => Some(StepKind::Started),
            LogEvent::Ended => {
                replay.ended = true;
                Some(StepKind::Ended)
            }
            LogEvent::Said { from, to, text, at: said_at } => {
                replay.messages.push(ReplayMessage {
                    seq,
                    at: if *said_at > 0 { *said_at } else { at },
                    round,
                    from: from.clone(),
                    to: to.clone(),
                    text: text.clone(),
                });
                Some(StepKind::Message(replay.messages.len() - 1))
            }
            LogEvent::OrdersSet { round: r, role, orders, .. } if *r == round => match sc.role_index(role) {
                Some(role) => {
                    replay.drafts.push(ReplayDraft { role, orders: orders.clone() });
                    Some(StepKind::Draft(replay.drafts.len() - 1))
                }
                None => {
                    replay.errors.push(error(format!("a draft names no role of the scenario: `{role}`")));
                    None
                }
            },
            LogEvent::EventInjected { round: r, event } if *r == round => {
                match sc.event_index(event).map(|e| (e, state.inject_event(sc, e))) {
                    Some((e, Ok(next))) => {
                        state = next;
                        Some(StepKind::EventInjected(e))
                    }
                    _ => {
                        replay.errors.push(error(format!("the injected event `{event}` cannot be replayed")));
                        None
                    }
                }
            }
            LogEvent::RoundResolved { round: r, orders, state_hash } => {
                if *r != round {
                    let message = format!("round {r} is stored out of order (the replay is at round {round})");
                    replay.errors.push(error(message));
                }
                let mut by_role: RoundOrders = vec![Vec::new(); sc.roles.len()];
                for (role_id, list) in orders {
                    match sc.role_index(role_id) {
                        Some(ri) => by_role[ri] = parse_stored(sc, ri, list, (seq, round), &mut replay.errors),
                        None => replay.errors.push(error(format!("no role `{role_id}` in the scenario"))),
                    }
                }
                let (next, report) = resolve_round(sc, &state, &by_role);
                let hash = next.hash(sc);
                if &hash != state_hash {
                    let message = format!("round {round}: state hash mismatch: stored {state_hash}, replayed {hash}");
                    replay.errors.push(error(message));
                }
                replay.rounds.push(ReplayRound {
                    round,
                    seq,
                    before: std::mem::replace(&mut state, next),
                    after: state.clone(),
                    orders: by_role,
                    report,
                    stored_hash: state_hash.clone(),
                    hash,
                });
                Some(StepKind::RoundResolved(replay.rounds.len() - 1))
            }
            // Drafts and injections of another round than the one being played were never in
            // play; deadlines, pauses and ready lights change no state.
            LogEvent::OrdersSet { .. }
            | LogEvent::EventInjected { .. }
            | LogEvent::ReadySet { .. }
            | LogEvent::DeadlineSet { .. }
            | LogEvent::RoundLengthSet { .. }
            | LogEvent::Paused { .. }
            | LogEvent::Resumed => None,
        };
        if let Some(kind) = kind {
            replay.steps.push(Step { seq, at, round, kind, tracks: state.tracks.clone() });
        }
    }
    replay.final_hash = state.hash(sc);
    replay.final_state = state;
    replay
}
