//! SQLite's write connection on a thread of its own.
//!
//! sqlx runs each SQLite connection on a worker thread and talks to it over channels: one
//! message per statement and one back per result. For the writer, which commits a group every
//! millisecond or so under load, those hand-offs were most of the server's context switches
//! (measured in `docs/performance.md`). So the write connection — opened, configured and
//! migrated by sqlx — is lent to this thread once through sqlx's
//! [`lock_handle`](sqlx::SqliteConnection::lock_handle), and the thread runs whole transactions
//! on it: `BEGIN IMMEDIATE`, every statement (prepared once and kept), `COMMIT`, then one answer.
//! A commit costs the writer task one hand-off each way, and the fsync blocks this thread, not
//! the async runtime. After each commit the thread tells the [`super::checkpointer`], which
//! copies the log back into the database file off this thread.
//!
//! Failures are handled as the writer's module documentation says: on any error the thread
//! rolls back itself unless SQLite already did; if even the rollback fails, the connection is
//! closed and a new one is opened (with the same options) for the next transaction.

use std::ffi::CStr;
use std::sync::mpsc as std_mpsc;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use tokio::runtime::Handle;
use tokio::sync::oneshot;

use super::checkpointer::Written;
use super::ops::Work;
use super::sqlite_raw::{Db, Statements};
use super::statements::{statements_of, Param, PROBE};
use super::{now_ms, StoreError};

enum Request {
    Run { work: Work, done: oneshot::Sender<Result<(), StoreError>> },
    Close { done: oneshot::Sender<()> },
}

/// The handle the writer task keeps.
pub(super) struct SqliteThread {
    requests: std_mpsc::Sender<Request>,
}

/// Why the thread gave its connection back.
enum Ended {
    /// A rollback failed: the connection is in doubt and is replaced.
    Reopen,
    Close(oneshot::Sender<()>),
    /// The writer is gone.
    Gone,
}

impl SqliteThread {
    /// Moves `conn` to a new thread. `options` open a replacement if it must be dropped;
    /// `written` hears of every commit.
    pub(super) fn start(
        conn: SqliteConnection,
        options: SqliteConnectOptions,
        written: Written,
    ) -> std::io::Result<SqliteThread> {
        let (requests, rx) = std_mpsc::channel();
        let runtime = Handle::current();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || serve(conn, &options, &runtime, &rx, &written))?;
        Ok(SqliteThread { requests })
    }

    /// Runs `work` in one transaction; answers after the commit (or the rollback).
    pub(super) async fn run(&self, work: Work) -> Result<(), StoreError> {
        let (done, answer) = oneshot::channel();
        self.requests.send(Request::Run { work, done }).map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }

    /// Gives the connection back to sqlx and closes it.
    pub(super) async fn close(self) {
        let (done, closed) = oneshot::channel();
        if self.requests.send(Request::Close { done }).is_ok() {
            let _ = closed.await;
        }
    }
}

fn serve(
    first: SqliteConnection,
    options: &SqliteConnectOptions,
    runtime: &Handle,
    requests: &std_mpsc::Receiver<Request>,
    written: &Written,
) {
    let mut conn = Some(first);
    let mut closed = None;
    while let Ok(request) = requests.recv() {
        let (work, done) = match request {
            Request::Run { work, done } => (work, done),
            Request::Close { done } => {
                closed = Some(done);
                break;
            }
        };
        let c = match conn.as_mut() {
            Some(c) => c,
            None => match runtime.block_on(options.connect()) {
                Ok(c) => {
                    tracing::info!("reopened the database write connection");
                    conn.insert(c)
                }
                Err(e) => {
                    let _ = done.send(Err(StoreError::Unavailable(e.to_string())));
                    continue;
                }
            },
        };
        match lend(c, runtime, work, done, requests, written) {
            Ended::Reopen => {
                if let Some(c) = conn.take() {
                    let _ = runtime.block_on(c.close());
                }
            }
            Ended::Close(done) => {
                closed = Some(done);
                break;
            }
            Ended::Gone => break,
        }
    }
    match (conn, closed) {
        (Some(c), Some(done)) => {
            if let Err(e) = runtime.block_on(c.close()) {
                tracing::warn!(error = %e, "closing the write connection");
            }
            let _ = done.send(());
        }
        (None, Some(done)) => {
            let _ = done.send(());
        }
        // The writer is gone without closing (its runtime is shutting down): the connection is
        // dropped, which ends sqlx's worker without waiting on a runtime that may be gone.
        (c, None) => drop(c),
    }
    tracing::debug!("SQLite writer thread stopped");
}

/// Holds `conn`'s handle and runs transactions on it, from `work` on, until the writer closes
/// or a transaction leaves the connection in doubt.
fn lend(
    conn: &mut SqliteConnection,
    runtime: &Handle,
    mut work: Work,
    mut done: oneshot::Sender<Result<(), StoreError>>,
    requests: &std_mpsc::Receiver<Request>,
    written: &Written,
) -> Ended {
    let mut handle = match runtime.block_on(conn.lock_handle()) {
        Ok(handle) => handle,
        Err(e) => {
            let _ = done.send(Err(StoreError::Unavailable(e.to_string())));
            return Ended::Reopen;
        }
    };
    let db = Db::new(&mut handle);
    let mut prepared = Statements::new(&db);
    loop {
        let (result, in_doubt) = transaction(&db, &mut prepared, &work);
        if result.is_ok() {
            written.wrote();
        }
        let _ = done.send(result);
        if in_doubt {
            return Ended::Reopen;
        }
        match requests.recv() {
            Ok(Request::Run { work: next, done: answer }) => {
                work = next;
                done = answer;
            }
            Ok(Request::Close { done }) => return Ended::Close(done),
            Err(_) => return Ended::Gone,
        }
    }
}

const BEGIN: &CStr = c"BEGIN IMMEDIATE";
const COMMIT: &CStr = c"COMMIT";
const ROLLBACK: &CStr = c"ROLLBACK";

/// One transaction; also whether the connection is in doubt (a failed rollback).
fn transaction(db: &Db<'_>, prepared: &mut Statements<'_>, work: &Work) -> (Result<(), StoreError>, bool) {
    let written = (|| {
        db.exec(BEGIN).map_err(|e| e.into_store_error())?;
        let now = now_ms();
        match work {
            Work::Ops(groups) => {
                for op in groups.iter().flat_map(|ops| ops.iter()) {
                    for statement in statements_of(op, now)? {
                        prepared.run(statement.sql, &statement.params).map_err(|e| e.into_store_error())?;
                    }
                }
            }
            Work::Probe => prepared.run(PROBE, &[Param::Int(Some(now))]).map_err(|e| e.into_store_error())?,
        }
        db.exec(COMMIT).map_err(|e| e.into_store_error())
    })();
    let Err(e) = written else {
        return (Ok(()), false);
    };
    // SQLite rolls some failed transactions back itself (disk full, I/O errors); else roll back.
    if db.in_transaction() {
        if let Err(rollback) = db.exec(ROLLBACK) {
            tracing::warn!(error = %rollback.message, "rollback failed: reopening the write connection");
            return (Err(e), true);
        }
    }
    (Err(e), false)
}
