//! The single writer: one task owns the only write connection and group-commits.
//!
//! Each caller sends a list of [`Op`]s and waits. The task takes everything queued at that moment
//! (from every session), runs it in one transaction (`BEGIN IMMEDIATE` on SQLite, on the write
//! connection's own thread, see [`super::sqlite_thread`]; `BEGIN` on PostgreSQL, with the events
//! in multi-row `INSERT`s), commits (one fsync for the whole group under SQLite's
//! `synchronous=FULL` or PostgreSQL's `synchronous_commit=on`) and only then answers each caller.
//! If the group fails for a reason that belongs to one write (a constraint), each caller's ops are
//! retried alone, so that one bad write cannot fail another session's.
//!
//! Storage faults (disk full, I/O error, `SQLITE_BUSY` past the busy timeout because a backup or
//! another process holds the write lock, a read-only file, the database server gone) fail the
//! whole group at once with [`StoreError::Unavailable`]; nothing of it is kept. The transaction is
//! driven with plain `BEGIN` / `COMMIT` / `ROLLBACK` statements, not sqlx's `Transaction`: when
//! SQLite has already rolled a failed transaction back itself (it does on `SQLITE_FULL` and
//! `SQLITE_IOERR`), sqlx 0.8.6's own `ROLLBACK` fails with "no transaction is active" and leaves
//! its transaction depth at 1, after which every `begin` fails until a restart. Here the writer
//! (on SQLite, its thread) rolls back itself unless no transaction is active any more, and drops
//! and reopens the connection if the rollback fails. The next job commits as soon as the disk
//! allows.
//!
//! The writer keeps its [`Health`]: the result of its last write, and while writes fail, a probe
//! (a one-row write) after a growing pause (1 s doubling to 30 s) when nothing else is queued, so
//! that recovery shows even when nobody writes. Failures are logged with backoff: the 1st, 2nd,
//! 4th, 8th… in a row, and at least one line a minute, never one per failed job.
//!
//! **Ownership (PostgreSQL).** The write connection also holds this node's session-level advisory
//! locks, one per session or class it owns (a 64-bit hash of the id): [`Writer::claim`] takes one
//! with `pg_try_advisory_lock` (or names the node that holds it, from `pg_locks` and
//! `pg_stat_activity.application_name`), and dropping the [`Lease`] gives it back. Claims are
//! counted per id and tagged with the connection's epoch. Before a group is written, every event
//! in it must belong to a session this connection holds the lock of; a job that fails that check
//! is refused alone with [`StoreError::NotOwner`]. Because the check and the commit happen on
//! the connection that holds the locks, a commit can succeed only while they are held. When the
//! connection is lost (a failed statement after which it does not answer a ping, or a failed
//! keep-alive ping every 2 s while idle) every lock is gone with it: the epoch moves on, the
//! held set is emptied, and [`Writer::ownership_epoch`] tells the server to stop the sessions it
//! ran. One connection per node holds any number of locks, so a node costs the database
//! [`super::READERS`] + 1 connections however many sessions it runs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection, Executor, Postgres, QueryBuilder, Row};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::checkpointer::Written;
use super::ops::{Op, Work};
use super::sqlite_thread::SqliteThread;
use super::statements::{event_body, statements_of, Param, PROBE};
use super::{now_ms, pg_sql, StoreError};

/// Jobs queued for the writer, at most; callers wait when it is full (back-pressure).
const QUEUE: usize = 1024;
/// Jobs committed together, at most.
const GROUP: usize = 256;
/// Events per multi-row INSERT (5 parameters each, far below SQLite's limit).
const EVENTS_PER_INSERT: usize = 100;

enum Job {
    Write {
        ops: Vec<Op>,
        done: oneshot::Sender<Result<(), StoreError>>,
    },
    /// A one-row write that tells whether writes work now (for `/healthz`).
    Probe {
        done: oneshot::Sender<Result<(), StoreError>>,
    },
    /// Take the ownership of a session or class (PostgreSQL).
    Claim {
        id: String,
        done: oneshot::Sender<Result<Claim, StoreError>>,
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

/// What a node's connections are called on PostgreSQL, before the node's name: another node
/// finds a session's owner by it in `pg_stat_activity`.
pub(super) const APPLICATION_PREFIX: &str = "third-neighbor/";

/// While writes work on PostgreSQL, the connection is pinged when nothing was written for this
/// long: a lost connection (and with it the node's locks) is noticed within this time.
const KEEP_ALIVE: Duration = Duration::from_secs(2);

/// The outcome of [`Writer::claim`].
#[derive(Debug)]
pub enum Claim {
    /// This node owns it while the lease lives.
    Owned(Lease),
    /// Another live node owns it: its name.
    Elsewhere { node: String },
}

/// The ownership of a session or class; dropping it gives the ownership back (when no other
/// lease of this node holds the same id). On SQLite, it holds nothing.
#[derive(Debug)]
pub struct Lease {
    held: Option<(String, u64, Releases)>,
}

/// Where leases go back: `(id, epoch)`.
type Releases = mpsc::UnboundedSender<(String, u64)>;

impl Lease {
    /// A lease of nothing (one node: nothing to own).
    pub fn none() -> Lease {
        Lease { held: None }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some((id, epoch, releases)) = self.held.take() {
            let _ = releases.send((id, epoch));
        }
    }
}

/// The handle callers use; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Job>,
    health: Arc<Health>,
    /// PostgreSQL: where leases go back, and the epoch of the connection's locks.
    ownership: Option<(Releases, watch::Receiver<u64>)>,
}

impl Writer {
    /// Starts the writer on SQLite. `gather`: under load (commits starting less than this apart),
    /// wait until this long after the last commit began before the next one, so that it carries
    /// the writes that arrive meanwhile (one fsync for more of them); zero never waits.
    pub(super) fn start_sqlite(
        conn: SqliteConnection,
        options: SqliteConnectOptions,
        written: Written,
        gather: Duration,
    ) -> Result<(Writer, JoinHandle<()>), StoreError> {
        let (tx, rx) = mpsc::channel(QUEUE);
        let health = Arc::new(Health::default());
        let (releases_tx, releases) = mpsc::unbounded_channel();
        let (epoch_tx, _) = watch::channel(0);
        let thread = SqliteThread::start(conn, options, written)
            .map_err(|e| StoreError::Unavailable(format!("cannot start the writer's thread: {e}")))?;
        let conn = Conn::new(Raw::Sqlite(thread), Opts::Sqlite, releases_tx, epoch_tx);
        let task = tokio::spawn(run(conn, rx, releases, health.clone(), gather));
        Ok((Writer { tx, health, ownership: None }, task))
    }

    pub(super) fn start_postgres(
        conn: PgConnection,
        options: PgConnectOptions,
        node: Arc<str>,
        gather: Duration,
    ) -> (Writer, JoinHandle<()>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        let health = Arc::new(Health::default());
        let (releases_tx, releases) = mpsc::unbounded_channel();
        let (epoch_tx, epoch) = watch::channel(0);
        let conn = Conn::new(Raw::Postgres(conn), Opts::Postgres(Box::new(options)), releases_tx.clone(), epoch_tx);
        tracing::info!(node = %node, "database: PostgreSQL; this node owns the sessions it holds locks for");
        let task = tokio::spawn(run(conn, rx, releases, health.clone(), gather));
        (Writer { tx, health, ownership: Some((releases_tx, epoch)) }, task)
    }

    /// Commits `ops` atomically; returns once they are durable. A storage fault gives
    /// [`StoreError::Unavailable`] (see [`StoreError::is_unavailable`]) and nothing of `ops` is
    /// kept.
    pub async fn commit(&self, ops: Vec<Op>) -> Result<(), StoreError> {
        let (done, answer) = oneshot::channel();
        self.tx.send(Job::Write { ops, done }).await.map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }

    /// See [`super::Store::claim`].
    pub async fn claim(&self, id: &str) -> Result<Claim, StoreError> {
        if self.ownership.is_none() {
            return Ok(Claim::Owned(Lease::none()));
        }
        let (done, answer) = oneshot::channel();
        self.tx.send(Job::Claim { id: id.to_string(), done }).await.map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }

    /// See [`super::Store::ownership_lost`] (never changes on SQLite).
    pub fn ownership_epoch(&self) -> watch::Receiver<u64> {
        match &self.ownership {
            Some((_, epoch)) => epoch.clone(),
            None => watch::channel(0).1,
        }
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

/// A write connection of either database: SQLite's lives on its own thread, which reopens it
/// itself when needed.
enum Raw {
    Sqlite(SqliteThread),
    Postgres(PgConnection),
}

/// How to open the write connection again.
enum Opts {
    Sqlite,
    Postgres(Box<PgConnectOptions>),
}

/// The write connection, reopened after a failure that left it in doubt; on PostgreSQL also the
/// advisory locks it holds (see the module documentation).
struct Conn {
    conn: Option<Raw>,
    options: Opts,
    /// Ids this connection holds the lock of, with how many leases hold each.
    held: HashMap<String, u32>,
    /// Moves on each time the connection (and every lock) is lost.
    epoch: u64,
    epoch_tx: watch::Sender<u64>,
    releases: Releases,
}

impl Conn {
    fn new(
        raw: Raw,
        options: Opts,
        releases: mpsc::UnboundedSender<(String, u64)>,
        epoch_tx: watch::Sender<u64>,
    ) -> Conn {
        Conn { conn: Some(raw), options, held: HashMap::new(), epoch: 0, epoch_tx, releases }
    }

    fn is_postgres(&self) -> bool {
        matches!(self.options, Opts::Postgres(_))
    }

    async fn get(&mut self) -> Result<&mut Raw, StoreError> {
        if self.conn.is_none() {
            let raw = match &self.options {
                // Never dropped here: its thread reopens it.
                Opts::Sqlite => return Err(StoreError::WriterGone),
                Opts::Postgres(options) => {
                    Raw::Postgres(options.connect().await.map_err(|e| unavailable_or(e.into()))?)
                }
            };
            tracing::info!("reopened the database write connection");
            self.conn = Some(raw);
        }
        self.conn.as_mut().ok_or(StoreError::WriterGone)
    }

    /// Drops the connection; on PostgreSQL every lock goes with it.
    fn drop_connection(&mut self) {
        if self.conn.take().is_some() && self.is_postgres() {
            self.epoch += 1;
            let lost = self.held.len();
            self.held.clear();
            tracing::error!(
                sessions = lost,
                "the database connection was lost, and with it the ownership of every session"
            );
            self.epoch_tx.send_replace(self.epoch);
        }
    }

    /// After a failed statement inside a transaction: roll back, ignoring "no transaction is
    /// active" (SQLite already did). If even that fails, drop the connection; the next job
    /// opens a new one.
    async fn roll_back(&mut self) {
        let failed = match self.conn.as_mut() {
            None => return,
            // Its thread rolls back itself.
            Some(Raw::Sqlite(_)) => return,
            Some(Raw::Postgres(c)) => c.execute("ROLLBACK").await.err(),
        };
        if let Some(e) = failed {
            if !e.to_string().contains("no transaction is active") {
                tracing::warn!(error = %e, "rollback failed: reopening the write connection");
                self.drop_connection();
            }
        }
    }

    /// On PostgreSQL, after a storage fault: whether the connection still answers; if not it is
    /// dropped (with its locks).
    async fn check_alive(&mut self) {
        if let Some(Raw::Postgres(c)) = self.conn.as_mut() {
            if let Err(e) = c.ping().await {
                tracing::warn!(error = %e, "the write connection does not answer");
                self.drop_connection();
            }
        }
    }

    /// PostgreSQL, while idle: a ping, so that a lost connection is noticed.
    async fn keep_alive(&mut self) {
        self.check_alive().await;
    }

    /// Takes the lock of `id` (see [`Writer::claim`]).
    async fn claim(&mut self, id: &str) -> Result<Claim, StoreError> {
        if let Some(count) = self.held.get_mut(id) {
            *count += 1;
            return Ok(Claim::Owned(self.lease(id)));
        }
        let key = lock_key(id);
        let result = self.try_lock(key).await;
        match result {
            Ok(Ok(())) => {
                self.held.insert(id.to_string(), 1);
                Ok(Claim::Owned(self.lease(id)))
            }
            Ok(Err(node)) => Ok(Claim::Elsewhere { node }),
            Err(e) => {
                let e = unavailable_or(e);
                if e.is_unavailable() {
                    self.check_alive().await;
                }
                Err(e)
            }
        }
    }

    /// `pg_try_advisory_lock`; when another session holds it, the name of its node.
    async fn try_lock(&mut self, key: i64) -> Result<Result<(), String>, StoreError> {
        let c = match self.get().await? {
            Raw::Postgres(c) => c,
            // SQLite: one node, nothing to lock (never asked).
            Raw::Sqlite(_) => return Ok(Ok(())),
        };
        let (high, low) = lock_halves(key);
        for _ in 0..3 {
            let row = sqlx::query("SELECT pg_try_advisory_lock($1) AS got").bind(key).fetch_one(&mut *c).await?;
            if row.try_get::<bool, _>("got")? {
                return Ok(Ok(()));
            }
            let owner = sqlx::query(
                "SELECT a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
                 WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 \
                 AND l.classid::bigint = $1 AND l.objid::bigint = $2 LIMIT 1",
            )
            .bind(high)
            .bind(low)
            .fetch_optional(&mut *c)
            .await?;
            if let Some(row) = owner {
                let name: String = row.try_get("name")?;
                return Ok(Err(name.strip_prefix(APPLICATION_PREFIX).unwrap_or(&name).to_string()));
            }
            // Released in between: try again.
        }
        Ok(Err("another node".into()))
    }

    fn lease(&self, id: &str) -> Lease {
        Lease { held: Some((id.to_string(), self.epoch, self.releases.clone())) }
    }

    /// A lease was dropped: one fewer holds `id`; the last one unlocks it (unless the lock went
    /// with an older connection).
    async fn release(&mut self, id: String, epoch: u64) {
        if epoch != self.epoch {
            return;
        }
        match self.held.get_mut(&id) {
            Some(count) if *count > 1 => *count -= 1,
            Some(_) => {
                self.held.remove(&id);
                if let Some(Raw::Postgres(c)) = self.conn.as_mut() {
                    let unlocked =
                        sqlx::query("SELECT pg_advisory_unlock($1)").bind(lock_key(&id)).execute(&mut *c).await;
                    if let Err(e) = unlocked {
                        tracing::warn!(error = %e, "cannot release a session's lock");
                        self.check_alive().await;
                    }
                }
            }
            None => {}
        }
    }

    /// PostgreSQL: whether this connection holds the lock of every session `ops` appends to.
    fn may_write(&self, ops: &[Op]) -> Result<(), StoreError> {
        if !self.is_postgres() {
            return Ok(());
        }
        for op in ops {
            if let Op::Event { session_id, .. } = op {
                if !self.held.contains_key(session_id) {
                    return Err(StoreError::NotOwner(session_id.clone()));
                }
            }
        }
        Ok(())
    }

    async fn close(self) {
        let closed = match self.conn {
            Some(Raw::Sqlite(thread)) => {
                thread.close().await;
                Ok(())
            }
            Some(Raw::Postgres(c)) => c.close().await,
            None => Ok(()),
        };
        if let Err(e) = closed {
            tracing::warn!(error = %e, "closing the write connection");
        }
    }
}

/// The advisory lock key of a session or class id: 64 bits of SHA-256 (collisions between
/// live ids are negligible, and harmless on one node, where locks are counted).
pub(super) fn lock_key(id: &str) -> i64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("third-neighbor:{id}").as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

/// How `pg_locks` shows a bigint advisory key: its high and low 32 bits (`classid`, `objid`).
fn lock_halves(key: i64) -> (i64, i64) {
    let key = key as u64;
    ((key >> 32) as i64, (key & 0xffff_ffff) as i64)
}

async fn sleep_for(wait: Option<Duration>) {
    match wait {
        Some(wait) => tokio::time::sleep(wait).await,
        None => std::future::pending().await,
    }
}

async fn run(
    mut conn: Conn,
    mut rx: mpsc::Receiver<Job>,
    mut releases: mpsc::UnboundedReceiver<(String, u64)>,
    health: Arc<Health>,
    gather: Duration,
) {
    let mut jobs = Vec::with_capacity(GROUP);
    let mut pause = Duration::from_secs(1);
    let mut last_start: Option<tokio::time::Instant> = None;
    loop {
        jobs.clear();
        let failing = health.is_failing();
        if !failing {
            pause = Duration::from_secs(1);
        }
        // While failing, probe when nothing comes for a while, pausing longer each time; while
        // idle on PostgreSQL, ping.
        let idle = if failing {
            Some(pause)
        } else if conn.is_postgres() {
            Some(KEEP_ALIVE)
        } else {
            None
        };
        tokio::select! {
            biased;
            Some((id, epoch)) = releases.recv() => {
                conn.release(id, epoch).await;
                continue;
            }
            n = rx.recv_many(&mut jobs, GROUP) => {
                if n == 0 {
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
            () = sleep_for(idle) => {
                if failing {
                    let _ = probe(&mut conn, &health).await;
                    pause = (pause * 2).min(PROBE_MAX);
                } else {
                    conn.keep_alive().await;
                }
                continue;
            }
        }
        let mut writes = Vec::with_capacity(jobs.len());
        let mut probes = Vec::new();
        let mut claims = Vec::new();
        for job in jobs.drain(..) {
            match job {
                Job::Write { ops, done } => writes.push((ops, done)),
                Job::Probe { done } => probes.push(done),
                Job::Claim { id, done } => claims.push((id, done)),
                // Refuse new jobs but commit those already queued: the loop ends when drained.
                Job::Stop => rx.close(),
            }
        }
        // Leases dropped meanwhile go back first.
        while let Ok((id, epoch)) = releases.try_recv() {
            conn.release(id, epoch).await;
        }
        if !writes.is_empty() {
            commit_group(&mut conn, &health, writes).await;
        }
        for (id, done) in claims {
            let _ = done.send(conn.claim(&id).await);
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
    // Events of sessions this node does not own are refused before anything is written.
    let mut allowed = Vec::with_capacity(writes.len());
    for (ops, done) in writes {
        match conn.may_write(&ops) {
            Ok(()) => allowed.push((Arc::new(ops), done)),
            Err(e) => {
                tracing::warn!(error = %e, "refused a write");
                let _ = done.send(Err(e));
            }
        }
    }
    let writes = allowed;
    if writes.is_empty() {
        return;
    }
    let result = execute(conn, writes.iter().map(|(ops, _)| Arc::clone(ops)).collect()).await;
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
                let result = execute(conn, vec![ops]).await;
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

/// Runs `work` between `BEGIN` and `COMMIT`. SQLite: on its thread (`BEGIN IMMEDIATE`, which
/// takes the write lock at once; the thread rolls back itself). PostgreSQL: as plain statements;
/// on any failure the writer rolls back itself (see the module documentation). Storage faults
/// come back as [`StoreError::Unavailable`].
async fn transaction(conn: &mut Conn, work: Work) -> Result<(), StoreError> {
    let result = match conn.get().await? {
        Raw::Sqlite(thread) => return thread.run(work).await,
        Raw::Postgres(c) => pg_transaction(c, &work).await,
    };
    if let Err(e) = result {
        conn.roll_back().await;
        let e = unavailable_or(e);
        if e.is_unavailable() {
            conn.check_alive().await;
        }
        return Err(e);
    }
    Ok(())
}

async fn pg_transaction(c: &mut PgConnection, work: &Work) -> Result<(), StoreError> {
    c.execute("BEGIN").await?;
    match work {
        Work::Ops(groups) => {
            let ops: Vec<&Op> = groups.iter().flat_map(|ops| ops.iter()).collect();
            write_ops_postgres(c, &ops).await?;
        }
        Work::Probe => {
            sqlx::query(&pg_sql(PROBE)).bind(now_ms()).execute(&mut *c).await?;
        }
    }
    c.execute("COMMIT").await?;
    Ok(())
}

/// A storage fault as [`StoreError::Unavailable`]; other errors as they are.
fn unavailable_or(e: StoreError) -> StoreError {
    if e.is_unavailable() && !matches!(e, StoreError::NotOwner(_)) {
        StoreError::Unavailable(e.to_string())
    } else {
        e
    }
}

/// Runs the callers' ops in one transaction (see [`transaction`]).
async fn execute(conn: &mut Conn, groups: Vec<Arc<Vec<Op>>>) -> Result<(), StoreError> {
    transaction(conn, Work::Ops(groups)).await
}

/// The row writes in order, then all events, in multi-row INSERTs (their sessions and players
/// are written first, so foreign keys hold).
async fn write_ops_postgres(conn: &mut PgConnection, ops: &[&Op]) -> Result<(), StoreError> {
    let now = now_ms();
    let mut events = Vec::new();
    for op in ops {
        if let Op::Event { session_id, seq, at, event } = op {
            events.push((session_id.as_str(), *seq, *at, event.kind(), event_body(event)?));
            continue;
        }
        for statement in statements_of(op, now)? {
            let sql = pg_sql(statement.sql);
            let mut query = sqlx::query(&sql);
            for param in statement.params {
                query = match param {
                    Param::Text(text) => query.bind(text),
                    Param::Owned(text) => query.bind(text),
                    Param::Int(int) => query.bind(int),
                    Param::Bool(b) => query.bind(b),
                };
            }
            query.execute(&mut *conn).await?;
        }
    }
    for chunk in events.chunks(EVENTS_PER_INSERT) {
        let mut insert: QueryBuilder<Postgres> =
            QueryBuilder::new("INSERT INTO events (session_id, seq, at, kind, body) ");
        insert.push_values(chunk, |mut row, (session_id, seq, at, kind, body)| {
            row.push_bind(*session_id).push_bind(*seq).push_bind(*at).push_bind(*kind).push_bind(body.as_str());
        });
        insert.build().execute(&mut *conn).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_keys_are_stable_and_split_as_pg_locks_shows_them() {
        assert_eq!(lock_key("a"), lock_key("a"));
        assert_ne!(lock_key("a"), lock_key("b"));
        let (high, low) = lock_halves(-1);
        assert_eq!((high, low), (0xffff_ffff, 0xffff_ffff));
        let (high, low) = lock_halves(0x0000_0001_0000_0002);
        assert_eq!((high, low), (1, 2));
    }
}
