//! The database: SQLite (one file, the embedded default) or PostgreSQL (shared by several game
//! nodes), behind one API. Each has its migrations (`migrations/sqlite`, `migrations/postgres`),
//! one writer task that owns the only write connection, and a pool of read connections. Every
//! statement that differs between the two dialects is written here, in `src/store/`, and nowhere
//! else.
//!
//! Invariants:
//! - every write goes through the [`Writer`], which group-commits everything queued in one
//!   transaction (`BEGIN IMMEDIATE` on SQLite, `BEGIN` with `synchronous_commit=on` on
//!   PostgreSQL) and answers each caller only after the commit;
//! - a storage fault (disk full, I/O error, the write lock held elsewhere past the busy timeout,
//!   the database server gone) is [`StoreError::Unavailable`]: nothing of the failed writes is
//!   kept, the writer stays usable and commits again as soon as the storage allows, and
//!   [`Store::write_status`] says so until then (what `/healthz` reports). Reads use their own
//!   pool and keep working;
//! - the `events` table is append-only; a session's state is the fold of its events;
//! - on PostgreSQL, a node appends to a session's log only while it owns the session: it holds a
//!   session-level advisory lock on the session's id on the writer's own connection
//!   ([`Store::claim`]), and the writer refuses events of sessions it holds no lock for. A commit
//!   on that connection can only succeed while the connection — and so the lock — is alive, so two
//!   nodes can never both append to one log. A node that dies releases its locks with its
//!   connection; a node whose connection drops loses them all at once ([`Store::ownership_lost`]).

mod checkpointer;
mod copy;
mod ops;
mod queries;
mod sqlite_raw;
mod sqlite_thread;
mod statements;
mod writer;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::migrate::{Migrate, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection};
use tokio::task::JoinHandle;

pub use copy::{copy_store, Copied, CopyError};
pub use ops::{NewClass, NewPlayer, NewSession, Op};
pub use queries::{ClassRow, InstructorRow, PlayerRow, SessionRow};
pub use writer::{Claim, Lease, WriteStatus, Writer};

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
    /// process past the busy timeout, a read-only file, the database server unreachable). Nothing
    /// was written; trying again later may work. Clients should be told `unavailable` (HTTP 503),
    /// not `internal`.
    #[error("the database cannot be written now: {0}")]
    Unavailable(String),
    /// Events of a session this node does not own (PostgreSQL): refused before anything was
    /// written. The session's owner changed (this node lost its database connection, and with it
    /// its locks): its clients reconnect to the node that owns it now.
    #[error("this node does not own the session {0} (anymore)")]
    NotOwner(String),
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

/// PostgreSQL's SQLSTATEs that mean "the storage, not this write, failed": connection
/// exceptions (08), insufficient resources such as a full disk (53), operator intervention such
/// as a shutdown (57P), system errors (58), a read-only transaction (25006, a standby), a lock or
/// a statement timed out (55P03, 57014).
fn pg_state_is_unavailable(code: &str) -> bool {
    ["08", "53", "57P", "58"].iter().any(|class| code.starts_with(class)) || ["25006", "55P03", "57014"].contains(&code)
}

impl StoreError {
    /// Whether this is a storage fault rather than a problem with what was written: the caller
    /// should answer `unavailable` (HTTP 503) and the client may try again later. True for
    /// [`StoreError::Unavailable`], a stopped writer, a lost ownership, SQLite's busy, locked,
    /// out-of-memory, read-only, I/O, corrupt, full and cannot-open errors, PostgreSQL's
    /// connection, resource and shutdown errors (from reads too), and a lost connection.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Unavailable(_) | StoreError::WriterGone | StoreError::NotOwner(_) => true,
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
            StoreError::NotOwner(id) => StoreError::NotOwner(id.clone()),
            other => StoreError::Failed(other.to_string()),
        }
    }
}

fn sql_is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
                return pg_state_is_unavailable(pg.code());
            }
            db.code()
                .and_then(|code| code.parse::<i32>().ok())
                .is_some_and(|code| STORAGE_FAULTS.contains(&(code & 0xff)))
        }
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        _ => false,
    }
}

/// Where the data lives: `--db` (and `THIRD_NEIGHBOR_DB`) is a SQLite file path, or a
/// `postgres://` (or `postgresql://`) URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

impl Location {
    pub fn of(db: &Path) -> Location {
        match db.to_str() {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Location::Postgres(url.to_string())
            }
            _ => Location::Sqlite(db.to_path_buf()),
        }
    }
}

impl std::fmt::Display for Location {
    /// The file, or the URL without its password: what logs and error messages may show.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "{}", path.display()),
            Location::Postgres(url) => f.write_str(&redact_url(url)),
        }
    }
}

/// A URL with its password (and any query string, which may carry one) replaced by `***`.
fn redact_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let (rest, query) = match rest.split_once('?') {
        Some((rest, _)) => (rest, "?***"),
        None => (rest, ""),
    };
    let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
    let authority = match authority.rsplit_once('@') {
        Some((user, host)) => {
            let user = user.split_once(':').map_or(user.to_string(), |(name, _)| format!("{name}:***"));
            format!("{user}@{host}")
        }
        None => authority.to_string(),
    };
    let slash = if rest.contains('/') { "/" } else { "" };
    format!("{scheme}://{authority}{slash}{path}{query}")
}

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The read pool, of either database.
#[derive(Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    reader: Pool,
    writer: Writer,
    node: Arc<str>,
}

/// Busy timeout for every connection unless told otherwise: readers may briefly wait for a
/// checkpoint, and the writer waits this long for a lock held by another process (a backup, the
/// `instructor` command) before its writes fail with [`StoreError::Unavailable`].
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Read connections per node, at most (PostgreSQL: the writer's one connection besides).
const READERS: u32 = 4;

impl Store {
    /// Opens (creating if needed) the database, applies the migrations and starts the writer
    /// task. The handle returned with it ends once [`Writer::stop`] has been called and
    /// everything queued before is committed.
    pub async fn open(db: &Path) -> Result<(Store, JoinHandle<()>), StoreError> {
        Store::open_with(db, BUSY_TIMEOUT).await
    }

    /// [`Store::open`] with another busy timeout.
    pub async fn open_with(db: &Path, busy_timeout: Duration) -> Result<(Store, JoinHandle<()>), StoreError> {
        Store::open_node(db, busy_timeout, "", Duration::ZERO).await
    }

    /// [`Store::open_with`] for a game node called `node` (shown to other nodes as the owner of
    /// its sessions, on PostgreSQL; empty: the host's name), with a commit-gathering window (see
    /// [`Writer`]: under load a commit waits up to `gather` after the previous one began, so that
    /// one fsync carries more writes; zero never waits).
    pub async fn open_node(
        db: &Path,
        busy_timeout: Duration,
        node: &str,
        gather: Duration,
    ) -> Result<(Store, JoinHandle<()>), StoreError> {
        let node: Arc<str> = if node.is_empty() { default_node_name().into() } else { node.into() };
        match Location::of(db) {
            Location::Sqlite(path) => Store::open_sqlite(&path, busy_timeout, node, gather).await,
            Location::Postgres(url) => Store::open_postgres(&url, busy_timeout, node, gather).await,
        }
    }

    async fn open_sqlite(
        path: &Path,
        busy_timeout: Duration,
        node: Arc<str>,
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
            .disable_statement_logging();
        // The checkpointer copies the WAL back shortly after writes, off the commit path; the
        // writer's own automatic checkpoint (inside a commit) only if the WAL reaches ~64 MiB.
        let write_options = options.clone().pragma("wal_autocheckpoint", "16000");
        let mut write_conn = write_options.connect().await?;
        // The files moved from `migrations/` to `migrations/sqlite/` unchanged: same versions,
        // same checksums, so databases made before the move upgrade as before.
        migrate(&sqlx::migrate!("migrations/sqlite"), &mut write_conn).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(READERS)
            .min_connections(0)
            .connect_with(options.clone().read_only(true))
            .await?;
        let written = checkpointer::start(options);
        let (writer, task) = Writer::start_sqlite(write_conn, write_options, written, gather)?;
        Ok((Store { reader: Pool::Sqlite(reader), writer, node }, task))
    }

    async fn open_postgres(
        url: &str,
        busy_timeout: Duration,
        node: Arc<str>,
        gather: Duration,
    ) -> Result<(Store, JoinHandle<()>), StoreError> {
        let lock_timeout = format!("{}ms", busy_timeout.as_millis().max(1));
        let options = PgConnectOptions::from_str(url)?
            // Other nodes read a session's owner from `pg_stat_activity` by this name.
            .application_name(&format!("{}{node}", writer::APPLICATION_PREFIX))
            .options([("synchronous_commit", "on"), ("lock_timeout", lock_timeout.as_str())])
            .disable_statement_logging();
        let mut write_conn = options.connect().await?;
        migrate(&sqlx::migrate!("migrations/postgres"), &mut write_conn).await?;
        let reader = PgPoolOptions::new()
            .max_connections(READERS)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options.clone().application_name(&format!("{}{node} (reads)", writer::APPLICATION_PREFIX)))
            .await?;
        let (writer, task) = Writer::start_postgres(write_conn, options, node.clone(), gather);
        Ok((Store { reader: Pool::Postgres(reader), writer, node }, task))
    }

    pub fn writer(&self) -> &Writer {
        &self.writer
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        match self.reader {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Whether several nodes may share this database (PostgreSQL): sessions then have owners.
    pub fn clustered(&self) -> bool {
        self.backend() == Backend::Postgres
    }

    /// This node's name (what other nodes name as a session's owner).
    pub fn node(&self) -> &str {
        &self.node
    }

    /// Commits these writes in one transaction (possibly grouped with others) and returns after.
    pub async fn commit(&self, ops: Vec<Op>) -> Result<(), StoreError> {
        self.writer.commit(ops).await
    }

    /// Takes ownership of a session or class by id for as long as the returned [`Lease`] lives
    /// (and this node's database connection does): [`Claim::Owned`], or [`Claim::Elsewhere`]
    /// with the name of the live node that owns it. Claims are counted: the same id claimed
    /// twice is released when both leases are dropped. On SQLite (one node) always `Owned`.
    pub async fn claim(&self, id: &str) -> Result<Claim, StoreError> {
        self.writer.claim(id).await
    }

    /// Changes each time this node loses the ownership of everything it held (its PostgreSQL
    /// connection dropped): its sessions must stop and their clients reconnect.
    pub fn ownership_lost(&self) -> tokio::sync::watch::Receiver<u64> {
        self.writer.ownership_epoch()
    }

    /// Closes the read pool (the writer is stopped separately).
    pub async fn close_readers(&self) {
        match &self.reader {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }

    /// Whether reads work: a read connection answers a ping.
    pub async fn reads_work(&self) -> bool {
        match &self.reader {
            Pool::Sqlite(pool) => match pool.acquire().await {
                Ok(mut conn) => conn.ping().await.is_ok(),
                Err(_) => false,
            },
            Pool::Postgres(pool) => match pool.acquire().await {
                Ok(mut conn) => conn.ping().await.is_ok(),
                Err(_) => false,
            },
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

/// The host's name, else `node`.
fn default_node_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "node".into())
}

/// Now, in unix milliseconds (the unit of every stored time).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A statement written with SQLite's placeholders (`?`, `?N`) in PostgreSQL's (`$N`). The
/// statements of this module contain no `?` inside a string literal.
pub(crate) fn pg_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut next = 0u32;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '?' {
            out.push(c);
            continue;
        }
        out.push('$');
        if chars.peek().is_some_and(char::is_ascii_digit) {
            while let Some(d) = chars.next_if(char::is_ascii_digit) {
                out.push(d);
            }
        } else {
            next += 1;
            out.push_str(&next.to_string());
        }
    }
    out
}

/// Applies the migrations `conn` lacks, saying in the log which ones before they run — an upgrade
/// that rewrites a large table keeps the server from listening for a while, and the operator
/// should see why — and how long they took.
async fn migrate(migrator: &Migrator, conn: &mut impl Migrate) -> Result<(), StoreError> {
    // Listed under the migrator's lock, as it takes it: nodes starting together on one fresh
    // PostgreSQL database must not create the bookkeeping table at the same moment.
    conn.lock().await?;
    let applied = async {
        conn.ensure_migrations_table().await?;
        conn.list_applied_migrations().await
    }
    .await;
    conn.unlock().await?;
    let applied: Vec<i64> = applied?.into_iter().map(|m| m.version).collect();
    let pending: Vec<String> = migrator
        .iter()
        .filter(|m| !m.migration_type.is_down_migration() && !applied.contains(&m.version))
        .map(|m| format!("{} {}", m.version, m.description))
        .collect();
    if !pending.is_empty() && !applied.is_empty() {
        tracing::info!(migrations = ?pending, "upgrading the database (on a large one this can take a while)");
    }
    // Always run: it also refuses a database whose applied migrations were edited since.
    let started = Instant::now();
    migrator.run_direct(conn).await?;
    if !pending.is_empty() {
        let seconds = started.elapsed().as_secs_f64();
        tracing::info!(count = pending.len(), seconds, "database migrations applied");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_numbered() {
        assert_eq!(pg_sql("SELECT a FROM t WHERE b = ? AND c = ?"), "SELECT a FROM t WHERE b = $1 AND c = $2");
        assert_eq!(pg_sql("WHERE x = ?1 AND (?2 IS NULL OR y = ?2)"), "WHERE x = $1 AND ($2 IS NULL OR y = $2)");
    }

    #[test]
    fn urls_are_shown_without_their_password() {
        let url = "postgres://game:s3cret@db.example:5432/third?sslmode=require&password=x";
        let shown = Location::of(Path::new(url)).to_string();
        assert_eq!(shown, "postgres://game:***@db.example:5432/third?***");
        assert!(!shown.contains("s3cret"));
        assert_eq!(Location::of(Path::new("postgresql://db/x")).to_string(), "postgresql://db/x");
        assert_eq!(Location::of(Path::new("./data/x.db")), Location::Sqlite("./data/x.db".into()));
    }

    #[test]
    fn postgres_storage_faults_are_unavailable() {
        for code in ["08006", "53100", "57P01", "58030", "25006"] {
            assert!(pg_state_is_unavailable(code), "{code}");
        }
        for code in ["23505", "23503", "42P01"] {
            assert!(!pg_state_is_unavailable(code), "{code}");
        }
    }
}
