//! The few SQLite calls the writer's thread makes on its connection's raw handle, made safe.
//!
//! sqlx lends a connection's `sqlite3*` through [`LockedSqliteHandle`]: while it is held, sqlx's
//! own worker thread for that connection waits and nothing else touches the handle, so the
//! calls here are the only ones on it. [`Db`] borrows the locked handle and [`Statements`]
//! borrows the `Db`, so neither can outlive the lock; prepared statements are finalized when
//! [`Statements`] is dropped, before the handle goes back to sqlx.
//!
//! Every unsafe block below calls the SQLite C API on a handle or statement that is alive (by
//! those borrows) and passes pointers and lengths taken from live Rust values; text is bound
//! with `SQLITE_TRANSIENT`, so SQLite copies it and keeps no pointer into Rust memory.

use std::collections::HashMap;
use std::ffi::{c_int, CStr};
use std::marker::PhantomData;
use std::ptr::{self, NonNull};

use libsqlite3_sys as ffi;
use sqlx::sqlite::LockedSqliteHandle;

use super::statements::Param;
use super::{StoreError, STORAGE_FAULTS};

/// An error SQLite returned: its extended result code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RawError {
    pub code: i32,
    pub message: String,
}

impl RawError {
    /// A storage fault (disk full, I/O error, busy past the timeout…) is
    /// [`StoreError::Unavailable`]; anything else (a constraint) is [`StoreError::Failed`].
    pub(super) fn into_store_error(self) -> StoreError {
        let text = format!("{} (code: {})", self.message, self.code);
        if STORAGE_FAULTS.contains(&(self.code & 0xff)) {
            StoreError::Unavailable(text)
        } else {
            StoreError::Failed(text)
        }
    }
}

/// The connection's handle while sqlx lends it.
pub(super) struct Db<'h> {
    raw: NonNull<ffi::sqlite3>,
    _lent: PhantomData<&'h mut ()>,
}

impl<'h> Db<'h> {
    pub(super) fn new(handle: &'h mut LockedSqliteHandle<'_>) -> Db<'h> {
        Db { raw: handle.as_raw_handle(), _lent: PhantomData }
    }

    /// Runs SQL without parameters (`BEGIN IMMEDIATE`, `COMMIT`, `ROLLBACK`).
    pub(super) fn exec(&self, sql: &CStr) -> Result<(), RawError> {
        // SAFETY: a live handle (see the module documentation) and a NUL-terminated string; no
        // callback, no error string asked for (the message is read from the handle).
        let rc = unsafe { ffi::sqlite3_exec(self.raw.as_ptr(), sql.as_ptr(), None, ptr::null_mut(), ptr::null_mut()) };
        if rc == ffi::SQLITE_OK {
            Ok(())
        } else {
            Err(self.error(rc))
        }
    }

    /// Whether a transaction is open (SQLite rolls one back by itself on some errors).
    pub(super) fn in_transaction(&self) -> bool {
        // SAFETY: a live handle.
        unsafe { ffi::sqlite3_get_autocommit(self.raw.as_ptr()) == 0 }
    }

    fn prepare(&self, sql: &str) -> Result<NonNull<ffi::sqlite3_stmt>, RawError> {
        let len = c_int::try_from(sql.len())
            .map_err(|_| RawError { code: ffi::SQLITE_TOOBIG, message: "statement too long".into() })?;
        let mut stmt = ptr::null_mut();
        // SAFETY: a live handle; `sql` is valid for `len` bytes (SQLite reads no further); the
        // statement is written to `stmt`.
        let rc = unsafe {
            ffi::sqlite3_prepare_v3(
                self.raw.as_ptr(),
                sql.as_ptr().cast(),
                len,
                ffi::SQLITE_PREPARE_PERSISTENT,
                &mut stmt,
                ptr::null_mut(),
            )
        };
        if rc != ffi::SQLITE_OK {
            if let Some(stmt) = NonNull::new(stmt) {
                // SAFETY: a statement SQLite made, finalized once.
                unsafe { ffi::sqlite3_finalize(stmt.as_ptr()) };
            }
            return Err(self.error(rc));
        }
        NonNull::new(stmt).ok_or_else(|| RawError { code: ffi::SQLITE_MISUSE, message: "an empty statement".into() })
    }

    /// The handle's last error (`rc` when the handle has none).
    fn error(&self, rc: c_int) -> RawError {
        // SAFETY: a live handle; `sqlite3_errmsg` returns a NUL-terminated string owned by the
        // handle, copied at once.
        let (code, message) = unsafe {
            let code = ffi::sqlite3_extended_errcode(self.raw.as_ptr());
            let message = ffi::sqlite3_errmsg(self.raw.as_ptr());
            let message =
                if message.is_null() { String::new() } else { CStr::from_ptr(message).to_string_lossy().into_owned() };
            (code, message)
        };
        let code = if code == ffi::SQLITE_OK { rc } else { code };
        RawError { code, message }
    }
}

/// Prepared statements, kept by their SQL text for as long as the handle is lent.
pub(super) struct Statements<'d> {
    db: &'d Db<'d>,
    prepared: HashMap<&'static str, NonNull<ffi::sqlite3_stmt>>,
}

impl<'d> Statements<'d> {
    pub(super) fn new(db: &'d Db<'d>) -> Statements<'d> {
        Statements { db, prepared: HashMap::new() }
    }

    /// Runs `sql` with `params` bound in order, to the end (rows it returns are skipped).
    pub(super) fn run(&mut self, sql: &'static str, params: &[Param<'_>]) -> Result<(), RawError> {
        let stmt = match self.prepared.get(sql) {
            Some(stmt) => *stmt,
            None => {
                let stmt = self.db.prepare(sql)?;
                self.prepared.insert(sql, stmt);
                stmt
            }
        };
        let stmt = stmt.as_ptr();
        // SAFETY: `stmt` was prepared on this handle and is finalized only on drop; each bound
        // text pointer is valid for its length and copied by SQLite (`SQLITE_TRANSIENT`).
        unsafe {
            ffi::sqlite3_reset(stmt);
            ffi::sqlite3_clear_bindings(stmt);
            if usize::try_from(ffi::sqlite3_bind_parameter_count(stmt)).ok() != Some(params.len()) {
                return Err(RawError {
                    code: ffi::SQLITE_RANGE,
                    message: format!("{} values for the placeholders of {sql}", params.len()),
                });
            }
            for (i, param) in params.iter().enumerate() {
                let index = c_int::try_from(i + 1).unwrap_or(c_int::MAX);
                let rc = match param {
                    Param::Text(Some(s)) => bind_text(stmt, index, s),
                    Param::Owned(s) => bind_text(stmt, index, s),
                    Param::Text(None) | Param::Int(None) => ffi::sqlite3_bind_null(stmt, index),
                    Param::Int(Some(v)) => ffi::sqlite3_bind_int64(stmt, index, *v),
                    Param::Bool(b) => ffi::sqlite3_bind_int64(stmt, index, i64::from(*b)),
                };
                if rc != ffi::SQLITE_OK {
                    return Err(self.db.error(rc));
                }
            }
            loop {
                match ffi::sqlite3_step(stmt) {
                    ffi::SQLITE_ROW => continue,
                    ffi::SQLITE_DONE => break,
                    rc => {
                        let e = self.db.error(rc);
                        ffi::sqlite3_reset(stmt);
                        return Err(e);
                    }
                }
            }
            ffi::sqlite3_reset(stmt);
        }
        Ok(())
    }
}

/// # Safety
/// `stmt` is a live statement.
unsafe fn bind_text(stmt: *mut ffi::sqlite3_stmt, index: c_int, s: &str) -> c_int {
    // The length is 64-bit, so no text is cut; SQLite copies the bytes before returning.
    ffi::sqlite3_bind_text64(
        stmt,
        index,
        s.as_ptr().cast(),
        s.len() as u64,
        ffi::SQLITE_TRANSIENT(),
        ffi::SQLITE_UTF8 as u8,
    )
}

impl Drop for Statements<'_> {
    fn drop(&mut self) {
        for (_, stmt) in self.prepared.drain() {
            // SAFETY: each statement was prepared on the lent handle, which is still lent (the
            // borrow of `db`), and is finalized exactly once.
            unsafe { ffi::sqlite3_finalize(stmt.as_ptr()) };
        }
    }
}
