//! Keeps SQLite's write-ahead log short, off the commit path.
//!
//! In WAL mode every commit appends pages to the log, and a checkpoint copies them back into the
//! database file (and fsyncs it). SQLite's own automatic checkpoint runs inside the commit that
//! crosses its threshold, so that one commit — and every acknowledgement waiting on its group —
//! takes the whole copy: under load, the slowest commits of the writer (10–40 ms against a
//! median of 0.4 ms, `docs/performance.md`). Here a task with its own connection runs a
//! `PASSIVE` checkpoint shortly after writes, which copies what it can without taking the write
//! lock: the writer keeps committing meanwhile. The writer's automatic checkpoint stays on, with
//! a threshold far above what this task lets the log reach, as a safety net if it falls behind
//! or fails.

use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// After a commit, the checkpoint waits this long, so that it copies the pages of many commits.
const PAUSE: Duration = Duration::from_millis(100);
/// Failures are logged at most this often.
const LOG_EVERY: Duration = Duration::from_secs(60);

/// What the writer keeps: it calls [`Written::wrote`] after each commit.
#[derive(Clone)]
pub(super) struct Written(mpsc::Sender<()>);

impl Written {
    /// Pages were committed: checkpoint soon. Never waits.
    pub(super) fn wrote(&self) {
        let _ = self.0.try_send(());
    }
}

/// Starts the task; it ends when every [`Written`] is dropped.
pub(super) fn start(options: SqliteConnectOptions) -> Written {
    let (tx, rx) = mpsc::channel(1);
    tokio::spawn(run(options, rx));
    Written(tx)
}

async fn run(options: SqliteConnectOptions, mut written: mpsc::Receiver<()>) {
    let mut conn: Option<SqliteConnection> = None;
    let mut logged: Option<Instant> = None;
    while written.recv().await.is_some() {
        tokio::time::sleep(PAUSE).await;
        let c = match conn.as_mut() {
            Some(c) => c,
            None => match options.connect().await {
                Ok(c) => conn.insert(c),
                Err(e) => {
                    log_failure(&mut logged, &e);
                    continue;
                }
            },
        };
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&mut *c).await {
            log_failure(&mut logged, &e);
            conn = None;
        }
    }
    if let Some(c) = conn {
        let _ = c.close().await;
    }
}

fn log_failure(logged: &mut Option<Instant>, e: &sqlx::Error) {
    if logged.is_none_or(|at| at.elapsed() >= LOG_EVERY) {
        tracing::warn!(error = %e, "a WAL checkpoint failed; the writer's own checkpoint stays as a fallback");
        *logged = Some(Instant::now());
    }
}
