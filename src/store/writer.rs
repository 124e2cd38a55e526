//! The single writer: one task owns the only write connection and group-commits.
//!
//! Each caller sends a list of [`Op`]s and waits. The task takes everything queued at that moment
//! (from every session), runs it in one `BEGIN IMMEDIATE` transaction with the events in
//! multi-row `INSERT`s, commits (one fsync for the whole group under `synchronous=FULL`) and only
//! then answers each caller. If the group fails for a reason that belongs to one write (a
//! constraint), each caller's ops are retried alone, so that one bad write cannot fail another
//! session's.
//!
//! Storage faults (disk full, I/O error, `SQLITE_BUSY` past the busy timeout because a backup or
//! another process holds the write lock, a read-only file) fail the whole group at once with
//! [`StoreError::Unavailable`]; nothing of it is kept. The transaction is driven with plain
//! `BEGIN IMMEDIATE` / `COMMIT` / `ROLLBACK` statements, not sqlx's `Transaction`: when SQLite has
//! already rolled a failed transaction back itself (it does on `SQLITE_FULL` and `SQLITE_IOERR`),
//! sqlx 0.8.6's own `ROLLBACK` fails with "no transaction is active" and leaves its transaction
//! depth at 1, after which every `begin` fails until a restart. Here the writer rolls back
//! itself, ignores "no transaction is active", and drops and reopens the connection if the
//! rollback fails for any other reason. The next job commits as soon as the disk allows.
//!
//! The writer keeps its [`Health`]: the result of its last write, and while writes fail, a probe
//! (a one-row write) after a growing pause (1 s doubling to 30 s) when nothing else is queued, so
//! that recovery shows even when nobody writes. Failures are logged with backoff: the 1st, 2nd,
//! 4th, 8th… in a row, and at least one line a minute, never one per failed job.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection, Executor, QueryBuilder, Sqlite};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::{now_ms, StoreError};
use crate::log::LogEvent;

/// Jobs queued for the writer, at most; callers wait when it is full (back-pressure).
const QUEUE: usize = 1024;
/// Jobs committed together, at most.
const GROUP: usize = 256;
/// Events per multi-row INSERT (5 parameters each, far below SQLite's limit).
const EVENTS_PER_INSERT: usize = 100;

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

enum Job {
    Write {
        ops: Vec<Op>,
        done: oneshot::Sender<Result<(), StoreError>>,
    },
    /// A one-row write that tells whether writes work now (for `/healthz`).
    Probe {
        done: oneshot::Sender<Result<(), StoreError>>,
    },
    Stop,
}

/// What the writer knows about its own writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteStatus {
    /// The last write (or probe) committed.
    Ok,
    /// Writes fail since `for_secs` seconds, `failures` times in a row; `reason` is the last
    /// storage error (no data in it, only SQLite's words).
    Failing { reason: String, for_secs: u64, failures: u64 },
}

/// The writer's health, shared with the handles.
#[derive(Debug, Default)]
pub struct Health {
    inner: Mutex<HealthInner>,
}

#[derive(Debug, Default)]
struct HealthInner {
    failing: Option<Failing>,
    /// When a write or probe last committed, or failed.
    last_attempt: Option<Instant>,
}

#[derive(Debug)]
struct Failing {
    since: Instant,
    reason: String,
    failures: u64,
    logged_at: Instant,
}

/// Pauses between probes while writes fail: 1 s, doubling, at most this.
const PROBE_MAX: Duration = Duration::from_secs(30);
/// Failures in a row are logged at least this often (besides the 1st, 2nd, 4th, 8th…).
const LOG_EVERY: Duration = Duration::from_secs(60);
/// While writes work, a probe asked for within this long of the last attempt answers that
/// attempt's result. While they fail, every batch of probes writes (so that recovery shows at
/// once); probes queued together share one write.
const PROBE_COALESCE: Duration = Duration::from_secs(1);

impl Health {
    fn lock(&self) -> std::sync::MutexGuard<'_, HealthInner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn status(&self) -> WriteStatus {
        let inner = self.lock();
        match &inner.failing {
            None => WriteStatus::Ok,
            Some(f) => WriteStatus::Failing {
                reason: f.reason.clone(),
                for_secs: f.since.elapsed().as_secs(),
                failures: f.failures,
            },
        }
    }

    /// How long since the last write or probe (None: there was none).
    pub fn since_last_attempt(&self) -> Option<Duration> {
        self.lock().last_attempt.map(|at| at.elapsed())
    }

    fn succeeded(&self) {
        let mut inner = self.lock();
        inner.last_attempt = Some(Instant::now());
        if let Some(f) = inner.failing.take() {
            tracing::warn!(failures = f.failures, secs = f.since.elapsed().as_secs(), "database writes work again");
        }
    }

    fn failed(&self, reason: &str) {
        let mut inner = self.lock();
        let now = Instant::now();
        inner.last_attempt = Some(now);
        match &mut inner.failing {
            None => {
                tracing::error!(reason, "database writes fail; retrying when the next write comes or in 1 s");
                inner.failing = Some(Failing { since: now, reason: reason.to_string(), failures: 1, logged_at: now });
            }
            Some(f) => {
                f.failures += 1;
                f.reason = reason.to_string();
                if f.failures.is_power_of_two() || now.saturating_duration_since(f.logged_at) >= LOG_EVERY {
                    f.logged_at = now;
                    tracing::error!(
                        reason,
                        failures = f.failures,
                        secs = now.saturating_duration_since(f.since).as_secs(),
                        "database writes still fail"
                    );
                }
            }
        }
    }

    fn is_failing(&self) -> bool {
        self.lock().failing.is_some()
    }
}

/// The handle callers use; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Job>,
    health: Arc<Health>,
}

impl Writer {
    /// Starts the writer. `gather`: under load (commits starting less than this apart), wait
    /// until this long after the last commit began before the next one, so that it carries the
    /// writes that arrive meanwhile (one fsync for more of them); zero never waits.
    pub(super) fn start(
        conn: SqliteConnection,
        options: SqliteConnectOptions,
        gather: Duration,
    ) -> (Writer, JoinHandle<()>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        let health = Arc::new(Health::default());
        let task = tokio::spawn(run(conn, options, rx, health.clone(), gather));
        (Writer { tx, health }, task)
    }

    /// Commits `ops` atomically; returns once they are durable. A storage fault gives
    /// [`StoreError::Unavailable`] (see [`StoreError::is_unavailable`]) and nothing of `ops` is
    /// kept.
    pub async fn commit(&self, ops: Vec<Op>) -> Result<(), StoreError> {
        let (done, answer) = oneshot::channel();
        self.tx.send(Job::Write { ops, done }).await.map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }

    /// Asks the writer for a one-row write now (or the result of an attempt less than a second
    /// old), waiting at most `within`.
    pub async fn probe(&self, within: Duration) -> Result<(), StoreError> {
        let ask = async {
            let (done, answer) = oneshot::channel();
            self.tx.send(Job::Probe { done }).await.map_err(|_| StoreError::WriterGone)?;
            answer.await.map_err(|_| StoreError::WriterGone)?
        };
        match tokio::time::timeout(within, ask).await {
            Ok(result) => result,
            Err(_) => Err(StoreError::Unavailable(format!(
                "the database writer did not answer within {} s",
                within.as_secs_f64()
            ))),
        }
    }

    /// The result of the last write or probe.
    pub fn health(&self) -> &Health {
        &self.health
    }

    /// Asks the writer to finish: everything queued before this is still committed.
    pub async fn stop(&self) {
        let _ = self.tx.send(Job::Stop).await;
    }
}

/// The write connection, reopened after a failure that left it in doubt.
struct Conn {
    conn: Option<SqliteConnection>,
    options: SqliteConnectOptions,
}

impl Conn {
    async fn get(&mut self) -> Result<&mut SqliteConnection, StoreError> {
        if self.conn.is_none() {
            let conn = self.options.connect().await.map_err(|e| unavailable_or(e.into()))?;
            tracing::info!("reopened the database write connection");
            self.conn = Some(conn);
        }
        self.conn.as_mut().ok_or(StoreError::WriterGone)
    }

    /// After a failed statement inside a transaction: roll back, ignoring "no transaction is
    /// active" (SQLite already did). If even that fails, drop the connection; the next job
    /// opens a new one.
    async fn roll_back(&mut self) {
        let Some(conn) = self.conn.as_mut() else { return };
        if let Err(e) = conn.execute("ROLLBACK").await {
            if !e.to_string().contains("no transaction is active") {
                tracing::warn!(error = %e, "rollback failed: reopening the write connection");
                if let Some(conn) = self.conn.take() {
                    drop(conn);
                }
            }
        }
    }

    async fn close(self) {
        if let Some(conn) = self.conn {
            if let Err(e) = conn.close().await {
                tracing::warn!(error = %e, "closing the write connection");
            }
        }
    }
}

async fn run(
    conn: SqliteConnection,
    options: SqliteConnectOptions,
    mut rx: mpsc::Receiver<Job>,
    health: Arc<Health>,
    gather: Duration,
) {
    let mut conn = Conn { conn: Some(conn), options };
    let mut jobs = Vec::with_capacity(GROUP);
    let mut pause = Duration::from_secs(1);
    let mut last_start: Option<tokio::time::Instant> = None;
    loop {
        jobs.clear();
        if health.is_failing() {
            // While failing, probe when nothing comes for a while, pausing longer each time.
            match tokio::time::timeout(pause, rx.recv_many(&mut jobs, GROUP)).await {
                Ok(0) => break,
                Ok(_) => {}
                Err(_) => {
                    let _ = probe(&mut conn, &health).await;
                    pause = (pause * 2).min(PROBE_MAX);
                    continue;
                }
            }
        } else {
            pause = Duration::from_secs(1);
            if rx.recv_many(&mut jobs, GROUP).await == 0 {
                break;
            }
            // Under load, gather: the commit waits a little for the writes arriving meanwhile.
            if let Some(next) = last_start.map(|t| t + gather).filter(|next| *next > tokio::time::Instant::now()) {
                tokio::time::sleep_until(next).await;
                while jobs.len() < GROUP {
                    match rx.try_recv() {
                        Ok(job) => jobs.push(job),
                        Err(_) => break,
                    }
                }
            }
            if !gather.is_zero() {
                last_start = Some(tokio::time::Instant::now());
            }
        }
        let mut writes = Vec::with_capacity(jobs.len());
        let mut probes = Vec::new();
        for job in jobs.drain(..) {
            match job {
                Job::Write { ops, done } => writes.push((ops, done)),
                Job::Probe { done } => probes.push(done),
                // Refuse new jobs but commit those already queued: the loop ends when drained.
                Job::Stop => rx.close(),
            }
        }
        if !writes.is_empty() {
            commit_group(&mut conn, &health, writes).await;
        }
        if !probes.is_empty() {
            let recent = health.since_last_attempt().is_some_and(|d| d < PROBE_COALESCE);
            let result = if recent && !health.is_failing() { Ok(()) } else { probe(&mut conn, &health).await };
            for done in probes {
                let _ = done.send(result.as_ref().map_err(StoreError::shallow_clone).copied());
            }
        }
    }
    conn.close().await;
    tracing::debug!("database writer stopped");
}

/// A one-row write: does writing work now?
async fn probe(conn: &mut Conn, health: &Health) -> Result<(), StoreError> {
    let result = transaction(conn, Work::Probe).await;
    match &result {
        Ok(()) => health.succeeded(),
        Err(e) => health.failed(&e.to_string()),
    }
    result
}

type Write = (Vec<Op>, oneshot::Sender<Result<(), StoreError>>);

async fn commit_group(conn: &mut Conn, health: &Health, writes: Vec<Write>) {
    let all: Vec<&Op> = writes.iter().flat_map(|(ops, _)| ops.iter()).collect();
    let result = execute(conn, &all).await;
    drop(all);
    match result {
        Ok(()) => {
            health.succeeded();
            for (_, done) in writes {
                let _ = done.send(Ok(()));
            }
        }
        Err(e) if e.is_unavailable() => {
            // The storage, not a write, failed: every job fails, nothing is kept.
            health.failed(&e.to_string());
            for (_, done) in writes {
                let _ = done.send(Err(e.shallow_clone()));
            }
        }
        Err(e) if writes.len() == 1 => {
            health.succeeded();
            tracing::error!(error = %e, "a write failed");
            if let Some((_, done)) = writes.into_iter().next() {
                let _ = done.send(Err(e));
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, jobs = writes.len(), "a grouped write failed; retrying one by one");
            for (ops, done) in writes {
                let refs: Vec<&Op> = ops.iter().collect();
                let result = execute(conn, &refs).await;
                match &result {
                    Ok(()) => health.succeeded(),
                    Err(e) if e.is_unavailable() => health.failed(&e.to_string()),
                    Err(e) => tracing::error!(error = %e, "a write failed"),
                }
                let _ = done.send(result);
            }
        }
    }
}

/// What one transaction writes.
enum Work<'a> {
    Ops(&'a [&'a Op]),
    /// The health probe's one row.
    Probe,
}

/// Runs `work` between `BEGIN IMMEDIATE` and `COMMIT` as plain statements; on any failure rolls
/// back itself (see the module documentation) and maps storage faults to
/// [`StoreError::Unavailable`].
async fn transaction(conn: &mut Conn, work: Work<'_>) -> Result<(), StoreError> {
    let c = conn.get().await?;
    if let Work::Ops(ops) = work {
        if ops.iter().all(|op| matches!(op, Op::Event { .. } | Op::SessionStatus { .. })) {
            // The common group (moves, locks, press, resolutions): one round trip to sqlx's
            // worker thread for the whole transaction instead of one per statement.
            if let Err(e) = one_shot(c, ops).await {
                conn.roll_back().await;
                return Err(unavailable_or(e));
            }
            return Ok(());
        }
    }
    if let Err(e) = c.execute("BEGIN IMMEDIATE").await {
        // Nothing began (busy, or the file cannot be written); roll back in case it did.
        conn.roll_back().await;
        return Err(unavailable_or(e.into()));
    }
    let written = match work {
        Work::Ops(ops) => write_ops(c, ops).await,
        Work::Probe => sqlx::query(
            "INSERT INTO writer_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at",
        )
        .bind(now_ms())
        .execute(&mut *c)
        .await
        .map(|_| ())
        .map_err(StoreError::from),
    };
    let result = match written {
        Ok(()) => c.execute("COMMIT").await.map(|_| ()).map_err(StoreError::from),
        Err(e) => Err(e),
    };
    if let Err(e) = result {
        conn.roll_back().await;
        return Err(unavailable_or(e));
    }
    Ok(())
}

/// A storage fault as [`StoreError::Unavailable`]; other errors as they are.
fn unavailable_or(e: StoreError) -> StoreError {
    if e.is_unavailable() {
        StoreError::Unavailable(e.to_string())
    } else {
        e
    }
}

/// Runs the ops in one transaction (see [`transaction`]).
async fn execute(conn: &mut Conn, ops: &[&Op]) -> Result<(), StoreError> {
    transaction(conn, Work::Ops(ops)).await
}

/// Events and session status updates as one multi-statement query: `BEGIN IMMEDIATE`, the
/// updates, the events in multi-row INSERTs, `COMMIT` (sqlx binds each statement's parameters in
/// turn). On failure the caller rolls back.
async fn one_shot(conn: &mut SqliteConnection, ops: &[&Op]) -> Result<(), StoreError> {
    let now = now_ms();
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new("BEGIN IMMEDIATE; ");
    let mut events = Vec::new();
    for op in ops {
        match op {
            Op::SessionStatus { id, status, round } => {
                query.push("UPDATE sessions SET status = ");
                query.push_bind(*status).push(", round = ").push_bind(i64::from(*round));
                query.push(", updated_at = ").push_bind(now).push(" WHERE id = ").push_bind(id.as_str()).push("; ");
            }
            Op::Event { session_id, seq, at, event } => {
                let body = serde_json::to_string(event).map_err(|e| StoreError::BadEvent(e.to_string()))?;
                events.push((session_id.as_str(), *seq, *at, event.kind(), body));
            }
            _ => return Err(StoreError::BadEvent("one_shot takes events and status updates only".into())),
        }
    }
    for chunk in events.chunks(EVENTS_PER_INSERT) {
        query.push("INSERT INTO events (session_id, seq, at, kind, body) ");
        query.push_values(chunk, |mut row, (session_id, seq, at, kind, body)| {
            row.push_bind(*session_id).push_bind(*seq).push_bind(*at).push_bind(*kind).push_bind(body.as_str());
        });
        query.push("; ");
    }
    query.push("COMMIT");
    query.build().execute(&mut *conn).await?;
    Ok(())
}

/// The row writes in order, then all events, in multi-row INSERTs (their sessions and players
/// are written first, so foreign keys hold).
async fn write_ops(conn: &mut SqliteConnection, ops: &[&Op]) -> Result<(), StoreError> {
    let now = now_ms();
    let mut events = Vec::new();
    for op in ops {
        match op {
            Op::Instructor { id, name, key_hash } => {
                sqlx::query("INSERT INTO instructors (id, name, key_hash, created_at) VALUES (?, ?, ?, ?)")
                    .bind(id)
                    .bind(name)
                    .bind(key_hash)
                    .bind(now)
                    .execute(&mut *conn)
                    .await?;
            }
            Op::InstructorKey { id, key_hash } => {
                sqlx::query("UPDATE instructors SET key_hash = ?, revoked_at = NULL WHERE id = ?")
                    .bind(key_hash)
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
            }
            Op::RevokeInstructor { id } => {
                sqlx::query("UPDATE instructors SET revoked_at = ? WHERE id = ?")
                    .bind(now)
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
            }
            Op::ScenarioText { hash, scenario_id, text } => {
                sqlx::query(
                    "INSERT OR IGNORE INTO scenario_texts (hash, scenario_id, text, created_at) VALUES (?, ?, ?, ?)",
                )
                .bind(hash)
                .bind(scenario_id)
                .bind(text)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            }
            Op::Source { scenario_id, text, instructor_id } => {
                sqlx::query(
                    "INSERT INTO instructor_sources (instructor_id, scenario_id, text, updated_at) VALUES (?, ?, ?, ?) \
                     ON CONFLICT (instructor_id, scenario_id) DO UPDATE SET text = excluded.text, \
                     updated_at = excluded.updated_at",
                )
                .bind(instructor_id)
                .bind(scenario_id)
                .bind(text)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            }
            Op::Session(s) => {
                sqlx::query(
                    "INSERT INTO sessions (id, instructor_id, join_code, scenario_id, scenario_hash, seed, \
                     deadline_secs, status, round, created_at, updated_at, class_id, class_table) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, 'lobby', 1, ?, ?, ?, ?)",
                )
                .bind(&s.id)
                .bind(&s.instructor_id)
                .bind(&s.join_code)
                .bind(&s.scenario_id)
                .bind(&s.scenario_hash)
                .bind(s.seed.to_string())
                .bind(i64::try_from(s.deadline_secs).unwrap_or(i64::MAX))
                .bind(now)
                .bind(now)
                .bind(s.class.as_ref().map(|(id, _)| id.as_str()))
                .bind(s.class.as_ref().map(|(_, table)| i64::from(*table)))
                .execute(&mut *conn)
                .await?;
            }
            Op::SessionStatus { id, status, round } => {
                sqlx::query("UPDATE sessions SET status = ?, round = ?, updated_at = ? WHERE id = ?")
                    .bind(*status)
                    .bind(i64::from(*round))
                    .bind(now)
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
            }
            Op::Player(p) => {
                sqlx::query(
                    "INSERT INTO players (id, session_id, name, role, is_bot, token_hash, kicked, joined_at) \
                     VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
                )
                .bind(&p.id)
                .bind(&p.session_id)
                .bind(&p.name)
                .bind(&p.role)
                .bind(p.is_bot)
                .bind(&p.token_hash)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            }
            Op::PlayerRole { id, role } => {
                sqlx::query("UPDATE players SET role = ? WHERE id = ?").bind(role).bind(id).execute(&mut *conn).await?;
            }
            Op::PlayerKicked { id } => {
                sqlx::query("UPDATE players SET kicked = 1, role = NULL WHERE id = ?")
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
            }
            Op::PlayerSession { id, session_id } => {
                sqlx::query("UPDATE players SET session_id = ?, kicked = 0 WHERE id = ?")
                    .bind(session_id)
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
            }
            Op::Class(c) => {
                sqlx::query(
                    "INSERT INTO classes (id, instructor_id, join_code, scenario_id, scenario_hash, settings, status, \
                     created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?)",
                )
                .bind(&c.id)
                .bind(&c.instructor_id)
                .bind(&c.join_code)
                .bind(&c.scenario_id)
                .bind(&c.scenario_hash)
                .bind(&c.settings)
                .bind(now)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            }
            Op::ClassFinished { id } => {
                sqlx::query("UPDATE classes SET status = 'finished', updated_at = ? WHERE id = ?")
                    .bind(now)
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
            }
            Op::DeleteClass { id } => {
                sqlx::query("DELETE FROM classes WHERE id = ?").bind(id).execute(&mut *conn).await?;
            }
            Op::DeleteSession { id } => {
                for sql in [
                    "DELETE FROM events WHERE session_id = ?",
                    "DELETE FROM players WHERE session_id = ?",
                    "DELETE FROM sessions WHERE id = ?",
                ] {
                    sqlx::query(sql).bind(id).execute(&mut *conn).await?;
                }
            }
            Op::Event { session_id, seq, at, event } => {
                let body = serde_json::to_string(event).map_err(|e| StoreError::BadEvent(e.to_string()))?;
                events.push((session_id.as_str(), *seq, *at, event.kind(), body));
            }
        }
    }
    for chunk in events.chunks(EVENTS_PER_INSERT) {
        let mut insert: QueryBuilder<Sqlite> =
            QueryBuilder::new("INSERT INTO events (session_id, seq, at, kind, body) ");
        insert.push_values(chunk, |mut row, (session_id, seq, at, kind, body)| {
            row.push_bind(*session_id).push_bind(*seq).push_bind(*at).push_bind(*kind).push_bind(body.as_str());
        });
        insert.build().execute(&mut *conn).await?;
    }
    Ok(())
}
