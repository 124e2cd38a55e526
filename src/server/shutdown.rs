//! Graceful shutdown: one signal that every long-lived task listens to, and a count of the tasks
//! still running so that the server can wait for them (as in mini-redis).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::sync::{watch, Notify};

/// Tells tasks to stop; cheap to clone.
#[derive(Debug, Clone)]
pub(super) struct Shutdown {
    rx: watch::Receiver<bool>,
}

impl Shutdown {
    /// Resolves once shutdown has begun.
    pub(super) async fn recv(&mut self) {
        // An error means the sender is gone, which only happens when the server is gone.
        let _ = self.rx.wait_for(|stop| *stop).await;
    }
}

/// The sending side of [`Shutdown`].
#[derive(Debug)]
pub(super) struct Trigger {
    tx: watch::Sender<bool>,
}

impl Trigger {
    pub(super) fn new() -> (Trigger, Shutdown) {
        let (tx, rx) = watch::channel(false);
        (Trigger { tx }, Shutdown { rx })
    }

    pub(super) fn fire(&self) {
        self.tx.send_replace(true);
    }

    pub(super) fn subscribe(&self) -> Shutdown {
        Shutdown { rx: self.tx.subscribe() }
    }
}

/// Counts running tasks: each holds a [`Token`]; [`Tracker::wait`] returns when none is left.
#[derive(Debug, Clone, Default)]
pub(super) struct Tracker {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    running: AtomicUsize,
    idle: Notify,
}

/// Held by a running task.
#[derive(Debug)]
pub(super) struct Token {
    inner: Arc<Inner>,
}

impl Tracker {
    pub(super) fn token(&self) -> Token {
        self.inner.running.fetch_add(1, Ordering::SeqCst);
        Token { inner: self.inner.clone() }
    }

    pub(super) fn running(&self) -> usize {
        self.inner.running.load(Ordering::SeqCst)
    }

    pub(super) async fn wait(&self) {
        loop {
            let idle = self.inner.idle.notified();
            tokio::pin!(idle);
            idle.as_mut().enable();
            if self.running() == 0 {
                return;
            }
            idle.await;
        }
    }
}

impl Drop for Token {
    fn drop(&mut self) {
        if self.inner.running.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.inner.idle.notify_waiters();
        }
    }
}
