//! The database: one SQLite file in WAL mode with `synchronous=FULL`, its migrations, one writer
//! task that owns the only write connection, and a pool of read connections.
//!
//! Invariants:
//! - every write goes through the [`Writer`], which group-commits everything queued in one
//!   `BEGIN IMMEDIATE` transaction and answers each caller only after the commit;
//! - a storage fault (disk full, I/O error, the write lock held elsewhere past the busy timeout)
//!   is [`StoreError::Unavailable`]: nothing of the failed writes is kept, the writer stays
//!   usable and commits again as soon as the storage allows, and [`Store::write_status`] says so
//!   until then (what `/healthz` reports). Reads use their own pool and keep working;
//! - the `events` table is append-only; a session's state is the fold of its events.

mod queries;
mod writer;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection};
use tokio::task::JoinHandle;

pub use queries::{ClassRow, InstructorRow, PlayerRow, SessionRow};
pub use writer::{NewClass, NewPlayer, NewSession, Op, WriteStatus, Writer};

/// What can go wrong with the database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the folder {path}: {source}")]
    Folder { path: String, source: std::io::Error },
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("cannot apply the migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("a stored event cannot be read: {0}")]
    BadEvent(String),
    #[error("the database writer has stopped")]
    WriterGone,
    /// The storage cannot take writes now (disk full, I/O error, the write lock held by another
    /// process past the busy timeout, a read-only file). Nothing was written; trying again later
    /// may work. Clients should be told `unavailable` (HTTP 503), not `internal`.
    #[error("the database cannot be written now: {0}")]
    Unavailable(String),
    /// Another database error, as text (the same failure answered to several callers).
    #[error("database error: {0}")]
    Failed(String),
}

/// SQLite's primary result codes that mean "the storage, not this write, failed".
const STORAGE_FAULTS: &[i32] = &[
    5,  // SQLITE_BUSY: the write lock is held elsewhere past the busy timeout
    6,  // SQLITE_LOCKED
    7,  // SQLITE_NOMEM
    8,  // SQLITE_READONLY
    10, // SQLITE_IOERR (and its extended codes)
    11, // SQLITE_CORRUPT
    13, // SQLITE_FULL: disk full
    14, // SQLITE_CANTOPEN
    15, // SQLITE_PROTOCOL
    26, // SQLITE_NOTADB
];

impl StoreError {
    /// Whether this is a storage fault rather than a problem with what was written: the caller
    /// should answer `unavailable` (HTTP 503) and the client may try again later. True for
    /// [`StoreError::Unavailable`], a stopped writer, and SQLite's busy, locked, out-of-memory,
    /// read-only, I/O, corrupt, full and cannot-open errors (from reads too).
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Unavailable(_) | StoreError::WriterGone => true,
            StoreError::Sql(e) => sql_is_unavailable(e),
            StoreError::Folder { .. } | StoreError::Migrate(_) | StoreError::BadEvent(_) | StoreError::Failed(_) => {
                false
            }
        }
    }

    /// A copy of this error for another caller of the same failed group.
    pub(crate) fn shallow_clone(&self) -> StoreError {
        match self {
            StoreError::Unavailable(reason) => StoreError::Unavailable(reason.clone()),
            StoreError::WriterGone => StoreError::WriterGone,
            other => StoreError::Failed(other.to_string()),
        }
    }
}

fn sql_is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => db
            .code()
            .and_then(|code| code.parse::<i32>().ok())
            .is_some_and(|code| STORAGE_FAULTS.contains(&(code & 0xff))),
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => true,
        _ => false,
    }
}

/// A handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    reader: SqlitePool,
    writer: Writer,
}

/// Busy timeout for every connection unless told otherwise: readers may briefly wait for a
/// checkpoint, and the writer waits this long for a lock held by another process (a backup, the
/// `instructor` command) before its writes fail with [`StoreError::Unavailable`].
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

impl Store {
    /// Opens (creating if needed) the database file, applies the migrations and starts the
    /// writer task. The handle returned with it ends once [`Writer::stop`] has been called and
    /// everything queued before is committed.
    pub async fn open(path: &Path) -> Result<(Store, JoinHandle<()>), StoreError> {
        Store::open_with(path, BUSY_TIMEOUT).await
    }

    /// [`Store::open`] with another busy timeout.
    pub async fn open_with(path: &Path, busy_timeout: Duration) -> Result<(Store, JoinHandle<()>), StoreError> {
        Store::open_tuned(path, busy_timeout, Duration::ZERO).await
    }

    /// [`Store::open`] with another busy timeout and a commit-gathering window (see
    /// [`Writer`]: under load a commit waits up to `gather` after the previous one began, so that
    /// one fsync carries more writes).
    pub async fn open_tuned(
        path: &Path,
        busy_timeout: Duration,
        gather: Duration,
    ) -> Result<(Store, JoinHandle<()>), StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|source| StoreError::Folder { path: parent.display().to_string(), source })?;
        }
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(busy_timeout)
            // Checkpoint the WAL into the database every ~16 MiB rather than every ~4 MiB: a busy
            // server then writes each hot page back once per checkpoint, not four times.
            .pragma("wal_autocheckpoint", "4000")
            .disable_statement_logging();
        let mut write_conn = options.connect().await?;
        sqlx::migrate!().run(&mut write_conn).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(0)
            .connect_with(options.clone().read_only(true))
            .await?;
        let (writer, task) = Writer::start(write_conn, options, gather);
        Ok((Store { reader, writer }, task))
    }

    pub fn writer(&self) -> &Writer {
        &self.writer
    }

    /// Commits these writes in one transaction (possibly grouped with others) and returns after.
    pub async fn commit(&self, ops: Vec<Op>) -> Result<(), StoreError> {
        self.writer.commit(ops).await
    }

    /// Closes the read pool (the writer is stopped separately).
    pub async fn close_readers(&self) {
        self.reader.close().await;
    }

    /// Whether reads work: a read connection answers a ping.
    pub async fn reads_work(&self) -> bool {
        match self.reader.acquire().await {
            Ok(mut conn) => conn.ping().await.is_ok(),
            Err(_) => false,
        }
    }

    /// The writer's health: the result of its last write or probe, without waiting.
    pub fn write_status(&self) -> WriteStatus {
        self.writer.health().status()
    }

    /// Whether writes work now. While the last write failed, or when nothing was written for
    /// `idle` (a disk can fill while nobody writes), the writer is asked for a one-row write,
    /// waiting at most `within`; otherwise the last result answers at once. Probes are
    /// coalesced (at most one a second), so that asking often costs no more writes.
    pub async fn check_writes(&self, idle: Duration, within: Duration) -> WriteStatus {
        let health = self.writer.health();
        let stale = health.since_last_attempt().is_none_or(|d| d >= idle);
        if health.status() == WriteStatus::Ok && !stale {
            return WriteStatus::Ok;
        }
        match self.writer.probe(within).await {
            Ok(()) => WriteStatus::Ok,
            Err(e) => match health.status() {
                WriteStatus::Ok => WriteStatus::Failing { reason: e.to_string(), for_secs: 0, failures: 1 },
                failing => failing,
            },
        }
    }
}

/// Now, in unix milliseconds (the unit of every stored time).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
