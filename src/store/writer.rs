//! The single writer: one task owns the only write connection and group-commits.
//!
//! Each caller sends a list of [`Op`]s and waits. The task takes everything queued at that moment
//! (from every session), runs it in one `BEGIN IMMEDIATE` transaction with the events in
//! multi-row `INSERT`s, commits (one fsync for the whole group under `synchronous=FULL`) and only
//! then answers each caller. If the group fails, each caller's ops are retried alone, so that one
//! bad write cannot fail another session's.

use sqlx::sqlite::SqliteConnection;
use sqlx::{Connection, QueryBuilder, Sqlite};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

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
    /// Kept once per distinct text (`INSERT OR IGNORE`).
    ScenarioText {
        hash: String,
        scenario_id: String,
        text: String,
    },
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
    Write { ops: Vec<Op>, done: oneshot::Sender<Result<(), StoreError>> },
    Stop,
}

/// The handle callers use; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Job>,
}

impl Writer {
    pub(super) fn start(conn: SqliteConnection) -> (Writer, JoinHandle<()>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        let task = tokio::spawn(run(conn, rx));
        (Writer { tx }, task)
    }

    /// Commits `ops` atomically; returns once they are durable.
    pub async fn commit(&self, ops: Vec<Op>) -> Result<(), StoreError> {
        let (done, answer) = oneshot::channel();
        self.tx.send(Job::Write { ops, done }).await.map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }

    /// Asks the writer to finish: everything queued before this is still committed.
    pub async fn stop(&self) {
        let _ = self.tx.send(Job::Stop).await;
    }
}

async fn run(mut conn: SqliteConnection, mut rx: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(GROUP);
    loop {
        jobs.clear();
        if rx.recv_many(&mut jobs, GROUP).await == 0 {
            break;
        }
        let mut writes = Vec::with_capacity(jobs.len());
        for job in jobs.drain(..) {
            match job {
                Job::Write { ops, done } => writes.push((ops, done)),
                // Refuse new jobs but commit those already queued: the loop ends when drained.
                Job::Stop => rx.close(),
            }
        }
        if !writes.is_empty() {
            commit_group(&mut conn, writes).await;
        }
    }
    if let Err(e) = conn.close().await {
        tracing::warn!(error = %e, "closing the write connection");
    }
    tracing::debug!("database writer stopped");
}

type Write = (Vec<Op>, oneshot::Sender<Result<(), StoreError>>);

async fn commit_group(conn: &mut SqliteConnection, writes: Vec<Write>) {
    let all: Vec<&Op> = writes.iter().flat_map(|(ops, _)| ops.iter()).collect();
    match execute(conn, &all).await {
        Ok(()) => {
            for (_, done) in writes {
                let _ = done.send(Ok(()));
            }
        }
        Err(e) if writes.len() == 1 => {
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
                if let Err(e) = &result {
                    tracing::error!(error = %e, "a write failed");
                }
                let _ = done.send(result);
            }
        }
    }
}

/// Runs the ops in one transaction: the row writes in order, then all events, in multi-row
/// INSERTs (their sessions and players are written first, so foreign keys hold).
async fn execute(conn: &mut SqliteConnection, ops: &[&Op]) -> Result<(), StoreError> {
    let now = now_ms();
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    let mut events = Vec::new();
    for op in ops {
        match op {
            Op::Instructor { id, name, key_hash } => {
                sqlx::query("INSERT INTO instructors (id, name, key_hash, created_at) VALUES (?, ?, ?, ?)")
                    .bind(id)
                    .bind(name)
                    .bind(key_hash)
                    .bind(now)
                    .execute(&mut *tx)
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
                .execute(&mut *tx)
                .await?;
            }
            Op::Source { scenario_id, text, instructor_id } => {
                sqlx::query(
                    "INSERT INTO scenario_sources (scenario_id, text, instructor_id, updated_at) VALUES (?, ?, ?, ?) \
                     ON CONFLICT (scenario_id) DO UPDATE SET text = excluded.text, \
                     instructor_id = excluded.instructor_id, updated_at = excluded.updated_at",
                )
                .bind(scenario_id)
                .bind(text)
                .bind(instructor_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            Op::Session(s) => {
                sqlx::query(
                    "INSERT INTO sessions (id, instructor_id, join_code, scenario_id, scenario_hash, seed, \
                     deadline_secs, status, round, created_at, updated_at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, 'lobby', 1, ?, ?)",
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
                .execute(&mut *tx)
                .await?;
            }
            Op::SessionStatus { id, status, round } => {
                sqlx::query("UPDATE sessions SET status = ?, round = ?, updated_at = ? WHERE id = ?")
                    .bind(*status)
                    .bind(i64::from(*round))
                    .bind(now)
                    .bind(id)
                    .execute(&mut *tx)
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
                .execute(&mut *tx)
                .await?;
            }
            Op::PlayerRole { id, role } => {
                sqlx::query("UPDATE players SET role = ? WHERE id = ?").bind(role).bind(id).execute(&mut *tx).await?;
            }
            Op::PlayerKicked { id } => {
                sqlx::query("UPDATE players SET kicked = 1, role = NULL WHERE id = ?")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            Op::DeleteSession { id } => {
                for sql in [
                    "DELETE FROM events WHERE session_id = ?",
                    "DELETE FROM players WHERE session_id = ?",
                    "DELETE FROM sessions WHERE id = ?",
                ] {
                    sqlx::query(sql).bind(id).execute(&mut *tx).await?;
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
        insert.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}
