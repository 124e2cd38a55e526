//! Where sessions come from: created by an instructor, or read back from their event log (at a
//! restart, or on demand for a finished game).
//!
//! Reading back is a fold: start from the seed, apply every event in order and re-resolve every
//! stored round through the engine; each round's state hash is checked against the stored one.

use std::time::Duration;

use serde::Deserialize;
use tokio::time::Instant;

use super::{Deadline, Phase, Player, Session, SessionHandle};
use crate::engine::{GameState, RoleId};
use crate::server::catalog::CatalogError;
use crate::server::secret::{self, RandomError};
use crate::server::App;
use crate::store::{now_ms, LogEvent, NewSession, Op, SessionRow, StoreError};

/// The body of `POST /api/sessions`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateSession {
    pub scenario: String,
    #[serde(default)]
    pub deadline_secs: Option<u64>,
    #[serde(default)]
    pub seed: Option<u64>,
    #[serde(default)]
    pub bots: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("no scenario `{0}`")]
    UnknownScenario(String),
    #[error("the scenario has no role `{0}`")]
    UnknownRole(String),
    #[error("deadline_secs must be 1 to {max}")]
    BadDeadline { max: u64 },
    #[error(transparent)]
    Random(#[from] RandomError),
    #[error("the session could not be saved")]
    Store,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Scenario(#[from] CatalogError),
}

fn blank(app: &App, row: &SessionRow, loaded: std::sync::Arc<crate::scenario::Loaded>) -> Session {
    let roles = loaded.scenario.roles.len();
    let state = GameState::new(&loaded.scenario, row.seed);
    Session {
        app: app.clone(),
        id: row.id.as_str().into(),
        join_code: row.join_code.as_str().into(),
        instructor_id: row.instructor_id.as_str().into(),
        loaded,
        seed: row.seed,
        round_secs: row.deadline_secs,
        phase: Phase::Lobby,
        state,
        drafts: vec![Vec::new(); roles],
        ready: vec![false; roles],
        players: Vec::new(),
        conns: Default::default(),
        messages: Vec::new(),
        last_report: None,
        deadline: None,
        paused_remaining: None,
        seq: 0,
        presence_changed: false,
        closed: None,
    }
}

/// A new session's row and the first event of its log, both from the same facts.
fn birth(row: &SessionRow) -> (Op, LogEvent) {
    let op = Op::Session(NewSession {
        id: row.id.clone(),
        instructor_id: row.instructor_id.clone(),
        join_code: row.join_code.clone(),
        scenario_id: row.scenario_id.clone(),
        scenario_hash: row.scenario_hash.clone(),
        seed: row.seed,
        deadline_secs: row.deadline_secs,
    });
    let created = LogEvent::Created {
        scenario: row.scenario_id.clone(),
        scenario_hash: row.scenario_hash.clone(),
        seed: row.seed,
        deadline_secs: row.deadline_secs,
    };
    (op, created)
}

/// Creates a session for an instructor, commits it, and starts its task.
pub async fn create(app: &App, instructor_id: &str, request: CreateSession) -> Result<SessionHandle, CreateError> {
    let loaded = app.catalog().get(&request.scenario).ok_or(CreateError::UnknownScenario(request.scenario))?;
    let max = super::actions::MAX_ROUND_SECS;
    let deadline_secs = request.deadline_secs.unwrap_or(app.config().limits.default_deadline.as_secs());
    if deadline_secs == 0 || deadline_secs > max {
        return Err(CreateError::BadDeadline { max });
    }
    let mut bots: Vec<RoleId> = request
        .bots
        .iter()
        .map(|r| loaded.scenario.role_index(r).ok_or_else(|| CreateError::UnknownRole(r.clone())))
        .collect::<Result<_, _>>()?;
    bots.sort_unstable();
    bots.dedup();
    let seed = match request.seed {
        Some(seed) => seed,
        None => secret::seed()?,
    };
    let join_code = app.registry().reserve_code()?;
    let row = SessionRow {
        id: uuid::Uuid::new_v4().to_string(),
        instructor_id: instructor_id.to_string(),
        join_code: join_code.clone(),
        scenario_id: loaded.scenario.id.clone(),
        scenario_hash: loaded.hash.clone(),
        seed,
        deadline_secs,
        status: "lobby".into(),
        round: 1,
        created_at: now_ms(),
    };
    let mut session = blank(app, &row, loaded.clone());
    let mut ops = vec![Op::ScenarioText {
        hash: loaded.hash.clone(),
        scenario_id: loaded.scenario.id.clone(),
        text: loaded.text.clone(),
    }];
    let (session_op, created) = birth(&row);
    ops.push(session_op);
    let mut events = vec![created];
    for role in bots {
        let (bot_ops, bot_events, bot) = session.new_bot(role);
        ops.extend(bot_ops);
        events.extend(bot_events);
        session.players.push(bot);
    }
    if session.commit(events, ops).await.is_err() {
        app.registry().release(&join_code, None);
        return Err(CreateError::Store);
    }
    app.catalog().remember(&loaded);
    tracing::info!(session = %row.id, scenario = %row.scenario_id, "session created");
    let handle = session.spawn();
    app.registry().insert(handle.clone(), true);
    Ok(handle)
}

/// A running session by id, reading it back from the database if it is not in memory.
pub async fn get_or_load(app: &App, id: &str) -> Result<Option<SessionHandle>, LoadError> {
    if let Some(handle) = app.registry().get(id) {
        return Ok(Some(handle));
    }
    let _loading = app.registry().loading.lock().await;
    if let Some(handle) = app.registry().get(id) {
        return Ok(Some(handle));
    }
    match app.store().session(id).await? {
        Some(row) => load(app, &row).await.map(Some),
        None => Ok(None),
    }
}

/// Reads a session back from its log, checks every round's hash, re-arms its deadline and starts
/// its task.
pub async fn load(app: &App, row: &SessionRow) -> Result<SessionHandle, LoadError> {
    let loaded = app.catalog().by_hash(app.store(), &row.scenario_hash).await?;
    let mut session = blank(app, row, loaded.clone());
    let sc = &loaded.scenario;
    for p in app.store().players_of(&row.id).await? {
        let role = p.role.as_deref().and_then(|r| sc.role_index(r));
        session.players.push(Player { id: p.id, name: p.name, role, bot: p.is_bot, kicked: p.kicked });
    }
    let log = app.store().events_of(&row.id).await?;
    // The game itself is the replay's fold: every round re-resolved, every hash checked.
    let replay = crate::replay::rebuild(sc, row.seed, &log);
    for e in &replay.errors {
        tracing::error!(session = %row.id, seq = e.seq, round = e.round, "{}", e.message);
    }
    session.state = replay.final_state;
    session.last_report = replay.rounds.into_iter().last().map(|r| (r.report, r.hash));
    // What only a live session keeps: its phase, clock, the current round's drafts and locks,
    // and the messages.
    let round = session.state.round;
    let mut deadline_ms: Option<i64> = None;
    for stored in &log {
        session.seq = stored.seq;
        match &stored.event {
            LogEvent::Created { deadline_secs, .. } => session.round_secs = *deadline_secs,
            LogEvent::Started | LogEvent::Resumed => {
                session.phase = Phase::Running;
                session.paused_remaining = None;
            }
            LogEvent::Paused { remaining_ms } => {
                session.phase = Phase::Paused;
                session.paused_remaining = Some(Duration::from_millis(*remaining_ms));
                deadline_ms = None;
            }
            LogEvent::Ended => session.phase = Phase::Finished,
            LogEvent::RoundLengthSet { secs } => {
                session.round_secs = *secs;
                if session.phase == Phase::Paused {
                    session.paused_remaining = Some(Duration::from_secs(*secs));
                }
            }
            LogEvent::DeadlineSet { round: r, at } if *r == round => deadline_ms = Some(*at),
            LogEvent::OrdersSet { round: r, role, orders, .. } if *r == round => {
                if let Some(ri) = sc.role_index(role) {
                    let mut errors = Vec::new();
                    session.drafts[ri] =
                        crate::replay::fold::parse_stored(sc, ri, orders, (stored.seq, *r), &mut errors);
                    for e in errors {
                        tracing::error!(session = %row.id, seq = e.seq, "{}", e.message);
                    }
                }
            }
            LogEvent::ReadySet { round: r, role, ready, .. } if *r == round => {
                if let Some(ri) = sc.role_index(role) {
                    session.ready[ri] = *ready;
                }
            }
            said @ LogEvent::Said { .. } => {
                if let Some(said) = session.said(said) {
                    session.messages.push(said);
                }
            }
            // A resolution ends the round's clock; the state came from the fold above; seats
            // are read from the players table.
            LogEvent::RoundResolved { .. } => deadline_ms = None,
            LogEvent::PlayerJoined { .. }
            | LogEvent::BotAdded { .. }
            | LogEvent::RoleSet { .. }
            | LogEvent::PlayerKicked { .. }
            | LogEvent::DeadlineSet { .. }
            | LogEvent::OrdersSet { .. }
            | LogEvent::ReadySet { .. }
            | LogEvent::EventInjected { .. }
            | LogEvent::ForkedFrom { .. } => {}
        }
    }
    if session.state.is_finished() {
        session.phase = Phase::Finished;
    }
    if session.phase == Phase::Running {
        // A deadline that passed while the server was down gets a grace period, so that players
        // can reconnect before their round resolves.
        let at_ms = deadline_ms.unwrap_or_else(|| now_ms() + secs_ms(session.round_secs));
        let left = Duration::from_millis(u64::try_from(at_ms - now_ms()).unwrap_or(0));
        let left = left.max(app.config().limits.recovery_grace);
        let at_ms = now_ms() + i64::try_from(left.as_millis()).unwrap_or(i64::MAX);
        session.deadline = Some(Deadline { at: Instant::now() + left, at_ms });
    }
    tracing::info!(
        session = %row.id, phase = session.phase.as_str(), round = session.state.round,
        events = session.seq, mismatches = replay.errors.len(), "session read back from its log"
    );
    let live = session.phase != Phase::Finished;
    let handle = session.spawn();
    app.registry().insert(handle.clone(), live);
    Ok(handle)
}

fn secs_ms(secs: u64) -> i64 {
    i64::try_from(secs.saturating_mul(1000)).unwrap_or(i64::MAX)
}

#[derive(Debug, thiserror::Error)]
pub enum ForkError {
    #[error("round must be 1 to {last}: a fork starts at a round the stored game reached")]
    BadRound { last: u32 },
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Random(#[from] RandomError),
    #[error("the session could not be saved")]
    Store,
}

/// Starts a new session from a stored one at the beginning of `round`: same scenario text and
/// seed, the rounds before it copied as resolved (with their injected events), the original's
/// bots seated again, in the lobby with a new join code. Its state is then read back from the
/// new log, like any stored session, so the copied rounds are re-resolved and their hashes checked.
pub async fn fork(
    app: &App,
    source: &SessionRow,
    log: &[crate::store::EventRow],
    round: u32,
) -> Result<SessionHandle, ForkError> {
    let loaded = app.catalog().by_hash(app.store(), &source.scenario_hash).await.map_err(LoadError::from)?;
    let resolved = log.iter().filter(|e| matches!(e.event, LogEvent::RoundResolved { .. })).count();
    let last = u32::try_from(resolved + 1).unwrap_or(u32::MAX).min(loaded.scenario.round_count());
    if round == 0 || round > last {
        return Err(ForkError::BadRound { last });
    }
    let join_code = app.registry().reserve_code()?;
    let row = SessionRow {
        id: uuid::Uuid::new_v4().to_string(),
        instructor_id: source.instructor_id.clone(),
        join_code: join_code.clone(),
        scenario_id: source.scenario_id.clone(),
        scenario_hash: source.scenario_hash.clone(),
        seed: source.seed,
        deadline_secs: source.deadline_secs,
        status: "lobby".into(),
        round,
        created_at: now_ms(),
    };
    let mut session = blank(app, &row, loaded.clone());
    let (session_op, created) = birth(&row);
    let mut ops = vec![session_op, Op::SessionStatus { id: row.id.clone(), status: "lobby", round }];
    let mut events = vec![created, LogEvent::ForkedFrom { session: source.id.clone(), round }];
    let mut bots: Vec<RoleId> = Vec::new();
    for stored in log {
        match &stored.event {
            LogEvent::EventInjected { round: r, .. } | LogEvent::RoundResolved { round: r, .. } if *r < round => {
                events.push(stored.event.clone());
            }
            LogEvent::BotAdded { role, .. } => bots.extend(loaded.scenario.role_index(role)),
            _ => {}
        }
    }
    bots.sort_unstable();
    bots.dedup();
    for role in bots {
        let (bot_ops, bot_events, _) = session.new_bot(role);
        ops.extend(bot_ops);
        events.extend(bot_events);
    }
    if session.commit(events, ops).await.is_err() {
        app.registry().release(&join_code, None);
        return Err(ForkError::Store);
    }
    tracing::info!(session = %row.id, from = %source.id, round, "session forked");
    match load(app, &row).await {
        Ok(handle) => Ok(handle),
        Err(e) => {
            app.registry().release(&join_code, None);
            Err(e.into())
        }
    }
}
