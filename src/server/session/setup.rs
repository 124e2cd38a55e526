//! Where sessions come from: created by an instructor, forked from a stored game, or read back
//! from their event log (at a restart, or on demand for a finished game). Reading back is the
//! table's fold — the same `apply` the live session runs after each commit — with every round
//! re-resolved through the engine and its stored hash checked.

use std::sync::Arc;

use serde::Deserialize;

use super::{Deps, Observer, Session, SessionHandle, RETRY_FIRST};
use crate::engine::RoleId;
use crate::log::{EventRow, LogEvent};
use crate::scenario::Loaded;
use crate::server::catalog::CatalogError;
use crate::server::secret::{self, RandomError};
use crate::server::App;
use crate::store::{now_ms, Claim, Lease, NewSession, Op, SessionRow, StoreError};
use crate::table::{Phase, Table, MAX_ROUND_SECS};

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
    #[error("this session belongs to another instructor")]
    NotOwner,
    /// Another live node runs it (several nodes on PostgreSQL): its name.
    #[error("the node `{0}` runs this session")]
    WrongNode(String),
}

/// Takes the ownership of a session (or class) for this node: on PostgreSQL its advisory lock,
/// refused when another live node holds it; on SQLite nothing to take.
pub(crate) async fn own(app: &App, id: &str) -> Result<Lease, LoadError> {
    match app.store().claim(id).await? {
        Claim::Owned(lease) => Ok(lease),
        Claim::Elsewhere { node } => Err(LoadError::WrongNode(node)),
    }
}

impl From<crate::server::ReserveError> for CreateError {
    fn from(e: crate::server::ReserveError) -> CreateError {
        match e {
            crate::server::ReserveError::Random(e) => CreateError::Random(e),
            crate::server::ReserveError::Store(_) => CreateError::Store,
        }
    }
}

impl From<crate::server::ReserveError> for ForkError {
    fn from(e: crate::server::ReserveError) -> ForkError {
        match e {
            crate::server::ReserveError::Random(e) => ForkError::Random(e),
            crate::server::ReserveError::Store(_) => ForkError::Store,
        }
    }
}

impl Deps {
    fn of(app: &App) -> Deps {
        Deps {
            store: app.store().clone(),
            registry: app.registry_handle(),
            limits: app.limits(),
            metrics: app.metrics_handle(),
        }
    }
}

/// A session with no event applied yet, owned through `lease`.
fn blank(app: &App, row: &SessionRow, loaded: Arc<Loaded>, lease: Lease) -> Session {
    let table = Table::new(&loaded.scenario, row.seed, row.deadline_secs);
    Session {
        id: row.id.as_str().into(),
        join_code: row.join_code.as_str().into(),
        instructor_id: row.instructor_id.as_str().into(),
        texts: app.catalog().localize(&loaded),
        loaded,
        table,
        deps: Deps::of(app),
        conns: Default::default(),
        budgets: Default::default(),
        chat_budgets: Default::default(),
        epoch: super::Epoch::new(app.limits().sleep_detection),
        wake: None,
        retry: RETRY_FIRST,
        retrying: false,
        presence: Default::default(),
        arriving: None,
        closed: None,
        unsure: false,
        observer: None,
        _lease: lease,
    }
}

/// Starts a session's task and registers it.
fn start(app: &App, mut session: Session) -> SessionHandle {
    session.tell_class();
    let live = session.table.phase != Phase::Finished && session.table.class.is_none();
    let handle = session.spawn(app.shutdown(), app.tracker().token());
    app.registry().insert(handle.clone(), live);
    handle
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
        class: row.class.clone(),
    });
    let created = LogEvent::Created {
        scenario: row.scenario_id.clone(),
        scenario_hash: row.scenario_hash.clone(),
        seed: row.seed,
        deadline_secs: row.deadline_secs,
        class: row.class.as_ref().map(|(id, _)| id.clone()),
    };
    (op, created)
}

fn bot_event(loaded: &Loaded, role: RoleId) -> LogEvent {
    LogEvent::BotAdded { player_id: uuid::Uuid::new_v4().to_string(), role: loaded.scenario.roles[role].id.clone() }
}

/// Creates a session for an instructor, commits it, and starts its task.
pub async fn create(app: &App, instructor_id: &str, request: CreateSession) -> Result<SessionHandle, CreateError> {
    let loaded = app.catalog().get(&request.scenario).ok_or(CreateError::UnknownScenario(request.scenario))?;
    let deadline_secs = request.deadline_secs.unwrap_or(app.config().limits.default_deadline.as_secs());
    if deadline_secs == 0 || deadline_secs > MAX_ROUND_SECS {
        return Err(CreateError::BadDeadline { max: MAX_ROUND_SECS });
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
    let join_code = crate::server::reserve_code(app).await?;
    let row = SessionRow {
        id: uuid::Uuid::new_v4().to_string(),
        instructor_id: instructor_id.to_string(),
        join_code: join_code.clone(),
        scenario_id: loaded.scenario.id.clone(),
        scenario_hash: loaded.hash.clone(),
        seed,
        deadline_secs,
        status: Phase::Lobby.as_str().into(),
        round: 1,
        created_at: now_ms(),
        class: None,
    };
    let Ok(lease) = own(app, &row.id).await else {
        app.registry().release(&join_code, None);
        return Err(CreateError::Store);
    };
    let mut session = blank(app, &row, loaded.clone(), lease);
    let (session_op, created) = birth(&row);
    let text = Op::ScenarioText {
        hash: loaded.hash.clone(),
        scenario_id: loaded.scenario.id.clone(),
        text: loaded.text.clone(),
    };
    let mut events = vec![created];
    events.extend(bots.into_iter().map(|role| bot_event(&loaded, role)));
    if session.commit_and_apply(events, vec![text, session_op]).await.is_err() {
        app.registry().release(&join_code, None);
        return Err(CreateError::Store);
    }
    app.catalog().remember(&loaded);
    tracing::info!(session = %row.id, scenario = %row.scenario_id, "session created");
    Ok(start(app, session))
}

/// Creates a table for a class (a session of the class's scenario, seed and round length, with
/// no bots yet: the class seats them when it starts), commits it and starts its task.
pub async fn create_table(
    app: &App,
    class: &crate::store::ClassRow,
    table: u32,
    seed: u64,
    deadline_secs: u64,
    observer: Observer,
) -> Result<SessionHandle, CreateError> {
    let loaded = app
        .catalog()
        .by_hash(app.store(), &class.scenario_hash)
        .await
        .map_err(|_| CreateError::UnknownScenario(class.scenario_id.clone()))?;
    // A class's table is reached through the class's code: it has none of its own.
    let row = SessionRow {
        id: uuid::Uuid::new_v4().to_string(),
        instructor_id: class.instructor_id.clone(),
        join_code: class.join_code.clone(),
        scenario_id: class.scenario_id.clone(),
        scenario_hash: class.scenario_hash.clone(),
        seed,
        deadline_secs,
        status: Phase::Lobby.as_str().into(),
        round: 1,
        created_at: now_ms(),
        class: Some((class.id.clone(), table)),
    };
    let lease = own(app, &row.id).await.map_err(|_| CreateError::Store)?;
    let mut session = blank(app, &row, loaded, lease);
    session.observer = Some(observer);
    let (session_op, created) = birth(&row);
    if session.commit_and_apply(vec![created], vec![session_op]).await.is_err() {
        return Err(CreateError::Store);
    }
    tracing::info!(session = %row.id, class = %class.id, table, "class table created");
    Ok(start(app, session))
}

/// A running session by id, reading it back from the database if it is not in memory. With
/// `owner`, a session of another instructor is refused before anything is read back.
pub async fn get_or_load(app: &App, id: &str, owner: Option<&str>) -> Result<Option<SessionHandle>, LoadError> {
    let check = |instructor: &str| match owner {
        Some(owner) if owner != instructor => Err(LoadError::NotOwner),
        _ => Ok(()),
    };
    if let Some(handle) = app.registry().get(id) {
        check(&handle.instructor_id)?;
        return Ok(Some(handle));
    }
    let lock = app.registry().loading_lock(id);
    let loading = lock.lock().await;
    if let Some(handle) = app.registry().get(id) {
        check(&handle.instructor_id)?;
        return Ok(Some(handle));
    }
    match app.store().session(id).await? {
        Some(row) => {
            check(&row.instructor_id)?;
            if let (true, Some((class_id, _))) = (app.store().clustered(), &row.class) {
                // Several nodes: a class's live table is run by the node that runs its class,
                // which reads all its tables back (a finished class's table loads alone).
                let open = app.store().class(class_id).await?.is_some_and(|c| !c.is_finished());
                if open {
                    drop(loading);
                    crate::server::class::get_or_load(app, class_id).await.map_err(|e| match e {
                        crate::server::class::ClassError::WrongNode(node) => LoadError::WrongNode(node),
                        crate::server::class::ClassError::Store(e) => LoadError::Store(e),
                        other => LoadError::Store(StoreError::Failed(other.to_string())),
                    })?;
                    if let Some(handle) = app.registry().get(id) {
                        return Ok(Some(handle));
                    }
                    // A finished table is not kept running by its class: read it back alone.
                    let lock = app.registry().loading_lock(id);
                    let _loading = lock.lock().await;
                    if let Some(handle) = app.registry().get(id) {
                        return Ok(Some(handle));
                    }
                    return load(app, &row).await.map(Some);
                }
            }
            load(app, &row).await.map(Some)
        }
        None => Ok(None),
    }
}

/// Reads a session back from its log (every round re-resolved, every hash checked), re-arms its
/// deadline and starts its task. A deadline that passed while the server was down is moved a
/// grace period into the future (and that move is logged like any other), so that players can
/// reconnect before their round resolves.
pub async fn load(app: &App, row: &SessionRow) -> Result<SessionHandle, LoadError> {
    load_table(app, row, None).await
}

/// [`load`], for a class's table: it reports to its class.
pub async fn load_table(app: &App, row: &SessionRow, observer: Option<Observer>) -> Result<SessionHandle, LoadError> {
    // The ownership first: the log read after it is complete (no other node appends anymore).
    let lease = own(app, &row.id).await?;
    let loaded = app.catalog().by_hash(app.store(), &row.scenario_hash).await?;
    let log = app.store().events_of(&row.id).await?;
    let mut session = blank(app, row, loaded.clone(), lease);
    session.observer = observer;
    session.table = Table::fold(&loaded.scenario, row.seed, row.deadline_secs, &log);
    for e in session.table.errors.drain(..) {
        tracing::error!(session = %row.id, seq = e.seq, round = e.round, "{}", e.message);
    }
    if session.table.phase == Phase::Running {
        if let Some(moved) = session.grace_for_a_passed_deadline() {
            if let Err(e) = session.commit_and_apply(vec![moved], Vec::new()).await {
                tracing::error!(session = %row.id, error = %e, "cannot move the deadline after a restart");
            }
        }
        session.wake = session.table.clock.deadline_at.map(|at| session.epoch.instant_at(at));
    }
    tracing::info!(
        session = %row.id, phase = session.table.phase.as_str(), round = session.table.state.round,
        events = session.table.seq, "session read back from its log"
    );
    Ok(start(app, session))
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
/// bots (those still seated) seated again, in the lobby with a new join code. Its state is then
/// read back from the new log, like any stored session, so the copied rounds are re-resolved and
/// their hashes checked.
pub async fn fork(app: &App, source: &SessionRow, log: &[EventRow], round: u32) -> Result<SessionHandle, ForkError> {
    let loaded = app.catalog().by_hash(app.store(), &source.scenario_hash).await.map_err(LoadError::from)?;
    let resolved = log.iter().filter(|e| matches!(e.event, LogEvent::RoundResolved { .. })).count();
    let last = u32::try_from(resolved + 1).unwrap_or(u32::MAX).min(loaded.scenario.round_count());
    if round == 0 || round > last {
        return Err(ForkError::BadRound { last });
    }
    let join_code = crate::server::reserve_code(app).await?;
    let row = SessionRow {
        id: uuid::Uuid::new_v4().to_string(),
        instructor_id: source.instructor_id.clone(),
        join_code: join_code.clone(),
        scenario_id: source.scenario_id.clone(),
        scenario_hash: source.scenario_hash.clone(),
        seed: source.seed,
        deadline_secs: source.deadline_secs,
        status: Phase::Lobby.as_str().into(),
        round,
        created_at: now_ms(),
        class: None,
    };
    let original = Table::fold(&loaded.scenario, source.seed, source.deadline_secs, log);
    let (session_op, created) = birth(&row);
    let ops = vec![session_op];
    let mut events = vec![created, LogEvent::ForkedFrom { session: source.id.clone(), round }];
    for stored in log {
        match &stored.event {
            LogEvent::EventInjected { round: r, .. } | LogEvent::RoundResolved { round: r, .. } if *r < round => {
                events.push(stored.event.clone());
            }
            _ => {}
        }
    }
    events.extend(original.bot_roles().into_iter().map(|role| bot_event(&loaded, role)));
    let Ok(lease) = own(app, &row.id).await else {
        app.registry().release(&join_code, None);
        return Err(ForkError::Store);
    };
    let mut session = blank(app, &row, loaded.clone(), lease);
    if session.commit_and_apply(events, ops).await.is_err() {
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
