//! The live sessions and classes: by id, and by join code for those not finished.
//!
//! Invariant: a join code belongs to at most one live (unfinished) session or class. A code is
//! reserved before its session or class is written to the database and released when it
//! finishes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::class::ClassHandle;
use super::secret::{self, RandomError};
use super::session::{Directory, SessionHandle};

#[derive(Default)]
pub struct Registry {
    inner: Mutex<Inner>,
    /// One lock per session being read back from the database (or deleted), so that it is loaded
    /// once, and one slow load never holds up another session's.
    loading: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

#[derive(Default)]
struct Inner {
    sessions: HashMap<String, SessionHandle>,
    classes: HashMap<String, ClassHandle>,
    /// Join code → session or class id (empty while reserved for one being created).
    codes: HashMap<String, String>,
}

/// What a join code opens.
pub enum Coded {
    Session(SessionHandle),
    Class(ClassHandle),
}

impl Registry {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding this lock leaves two maps that are still consistent enough to
        // read; recover rather than take the whole server down.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The lock to hold while this session is read back or deleted.
    pub fn loading_lock(&self, id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.loading.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // Locks nobody holds or waits for are dropped as new ones are made.
        locks.retain(|_, lock| Arc::strong_count(lock) > 1);
        locks.entry(id.to_string()).or_default().clone()
    }

    /// A running session by id (`None` if unknown here or if its task has ended).
    pub fn get(&self, id: &str) -> Option<SessionHandle> {
        self.lock().sessions.get(id).filter(|h| !h.is_closed()).cloned()
    }

    /// The live session or class with this join code.
    pub fn by_code(&self, code: &str) -> Option<Coded> {
        let inner = self.lock();
        let id = inner.codes.get(code)?;
        if let Some(session) = inner.sessions.get(id).filter(|h| !h.is_closed()) {
            return Some(Coded::Session(session.clone()));
        }
        inner.classes.get(id).filter(|h| !h.is_closed()).cloned().map(Coded::Class)
    }

    /// Every session and class running here (to stop them all when this node loses their
    /// ownership).
    pub fn all(&self) -> (Vec<SessionHandle>, Vec<ClassHandle>) {
        let inner = self.lock();
        (inner.sessions.values().cloned().collect(), inner.classes.values().cloned().collect())
    }

    /// A running class by id.
    pub fn class(&self, id: &str) -> Option<ClassHandle> {
        self.lock().classes.get(id).filter(|h| !h.is_closed()).cloned()
    }

    /// Registers a running class; `live` says whether its join code is in use.
    pub fn insert_class(&self, handle: ClassHandle, live: bool) {
        let mut inner = self.lock();
        if live {
            inner.codes.insert(handle.join_code.to_string(), handle.id.to_string());
        }
        inner.classes.insert(handle.id.to_string(), handle);
    }

    /// Forgets a class (it ended or was deleted) and frees its code.
    pub fn remove_class(&self, id: &str) {
        let mut inner = self.lock();
        inner.classes.remove(id);
        inner.codes.retain(|_, owner| owner != id);
    }

    /// A fresh code, unique among live sessions, reserved until [`Registry::insert`] or
    /// [`Registry::release`].
    pub fn reserve_code(&self) -> Result<String, RandomError> {
        loop {
            let code = secret::join_code()?;
            let mut inner = self.lock();
            if !inner.codes.contains_key(&code) {
                inner.codes.insert(code.clone(), String::new());
                return Ok(code);
            }
        }
    }

    /// Registers a running session; `live` says whether its join code is in use.
    pub fn insert(&self, handle: SessionHandle, live: bool) {
        let mut inner = self.lock();
        if live {
            inner.codes.insert(handle.join_code.to_string(), handle.id.to_string());
        }
        inner.sessions.insert(handle.id.to_string(), handle);
    }

    /// Frees a join code (the session finished, or its creation failed).
    pub fn release(&self, code: &str, session_id: Option<&str>) {
        let mut inner = self.lock();
        let owned = inner.codes.get(code).is_some_and(|id| session_id.is_none_or(|s| s == id));
        if owned {
            inner.codes.remove(code);
        }
    }

    /// Forgets a session (it was deleted) and frees its code.
    pub fn remove(&self, id: &str) {
        let mut inner = self.lock();
        inner.sessions.remove(id);
        inner.codes.retain(|_, session| session != id);
    }

    /// Forgets a session whose task has ended (if this handle is still the registered one), so
    /// that finished games do not stay in memory; it is read back from the log if needed again.
    pub fn forget(&self, handle: &SessionHandle) {
        let mut inner = self.lock();
        if inner.sessions.get(&*handle.id).is_some_and(|h| h.same_task(handle)) {
            inner.sessions.remove(&*handle.id);
        }
    }
}

impl Directory for Registry {
    fn finished(&self, join_code: &str, session_id: &str) {
        self.release(join_code, Some(session_id));
    }

    fn ended(&self, handle: &SessionHandle) {
        self.forget(handle);
    }
}
