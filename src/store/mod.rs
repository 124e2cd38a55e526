//! The database: one SQLite file in WAL mode with `synchronous=FULL`, its migrations, one writer
//! task that owns the only write connection, and a pool of read connections.
//!
//! Invariants:
//! - every write goes through the [`Writer`], which group-commits everything queued in one
//!   `BEGIN IMMEDIATE` transaction and answers each caller only after the commit;
//! - the `events` table is append-only; a session's state is the fold of its events.

mod queries;
mod writer;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection};
use tokio::task::JoinHandle;

pub use queries::{InstructorRow, PlayerRow, SessionRow};
pub use writer::{NewPlayer, NewSession, Op, Writer};

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
}

/// A handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    reader: SqlitePool,
    writer: Writer,
}

/// Busy timeout for every connection: readers may briefly wait for a checkpoint.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

impl Store {
    /// Opens (creating if needed) the database file, applies the migrations and starts the
    /// writer task. The handle returned with it ends once [`Writer::stop`] has been called and
    /// everything queued before is committed.
    pub async fn open(path: &Path) -> Result<(Store, JoinHandle<()>), StoreError> {
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
            .busy_timeout(BUSY_TIMEOUT)
            .disable_statement_logging();
        let mut write_conn = options.connect().await?;
        sqlx::migrate!().run(&mut write_conn).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(0)
            .connect_with(options.read_only(true))
            .await?;
        let (writer, task) = Writer::start(write_conn);
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

    /// Whether the database answers: what `/healthz` checks.
    pub async fn healthy(&self) -> bool {
        match self.reader.acquire().await {
            Ok(mut conn) => conn.ping().await.is_ok(),
            Err(_) => false,
        }
    }
}

/// Now, in unix milliseconds (the unit of every stored time).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
