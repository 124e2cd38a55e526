//! A connection's outgoing queue: bounded, filled without waiting by whoever has something to say
//! (its session, its own reader), drained by the connection's single writer task.
//!
//! Invariant: nobody ever waits on a client. When a client stops reading and its queue fills,
//! [`Outbox::send`] fails at once and the connection is told to drop (a slow consumer is
//! disconnected; the others do not slow down).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio::sync::{mpsc, Notify};

pub(super) use super::deflate::SharedText;

/// A connection's number, unique in this process.
pub(super) type ConnId = u64;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// What the writer task sends.
#[derive(Debug, Clone)]
pub enum Out {
    /// A JSON text frame (UTF-8), serialized once and shared between recipients (compressed
    /// once too, for those that negotiated it).
    Text(SharedText),
    Ping,
    /// A close frame; the writer stops after it.
    Close(u16, &'static str),
}

/// The sending side of a connection's queue; cheap to clone.
#[derive(Debug, Clone)]
pub struct Outbox {
    id: ConnId,
    tx: mpsc::Sender<Out>,
    kill: Arc<Notify>,
}

impl Outbox {
    /// A new queue of `capacity` frames; the receiver goes to the writer task, the `Notify` to
    /// the connection task (it fires when the queue overflows).
    pub fn new(capacity: usize) -> (Outbox, mpsc::Receiver<Out>, Arc<Notify>) {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        let kill = Arc::new(Notify::new());
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        (Outbox { id, tx, kill: kill.clone() }, rx, kill)
    }

    pub fn id(&self) -> ConnId {
        self.id
    }

    /// Queues a frame. `false` when the connection is gone or too slow (it is then dropped).
    pub fn push(&self, out: Out) -> bool {
        match self.tx.try_send(out) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::info!(conn = self.id, "send queue full: dropping a slow client");
                self.kill.notify_one();
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    pub fn string(&self, text: String) -> bool {
        self.push(Out::Text(SharedText::from(text)))
    }

    /// Asks the writer to send a close frame and stop.
    pub fn close(&self, code: u16, reason: &'static str) -> bool {
        self.push(Out::Close(code, reason))
    }
}
