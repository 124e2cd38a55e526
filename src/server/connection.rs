//! One WebSocket connection: a reader (this task) and a writer task joined by a bounded queue.
//!
//! The first message must take a seat (`join`, `resume`, `watch`, `instructor`) within the auth
//! timeout; secrets travel only in that message, never in the URL, and are never logged. After
//! that, frames go to the session's task. The reader also enforces the per-connection rate limit
//! (every frame counts: text, binary, ping and pong), the message size limit (the writer closes
//! with 1009), the heartbeat and the idle timeout.
//!
//! Seat messages check the code, token or key first: a valid one is never refused for its
//! address's wrong guesses. Failures are charged to the address (and the server); a connection
//! is closed after a few of them, or at once after one answered from the tarpit.

use std::net::SocketAddr;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::sync::{mpsc, OwnedSemaphorePermit};
use tokio::time::{Instant, MissedTickBehavior};

use super::limits::{AddrSlot, Charged, FrameLimiter, Verdict};
use super::outbox::{Out, Outbox};
use super::secret;
use super::session::{self, SessionHandle, Who};
use super::App;
use crate::protocol::{self, ClientMsg, ErrorCode, WireError};

/// Frames the writer sends before one flush, at most.
const BATCH: usize = 64;

/// Why the reader stopped.
enum End {
    /// The client went away (or the socket failed).
    Gone,
    /// We are closing: a close frame is queued.
    Closing,
    /// The client could not keep up: drop it at once.
    Killed,
}

/// What to do after a frame.
enum Flow {
    Continue,
    Close(u16, &'static str),
}

struct Connection {
    app: App,
    peer: SocketAddr,
    outbox: Outbox,
    seat: Option<SessionHandle>,
    limiter: FrameLimiter,
    /// Failed seat attempts on this connection.
    failures: u32,
    /// Held while this connection watches (the per-address cap on spectators).
    watch_slot: Option<AddrSlot>,
}

/// Why a seat was not taken, and whether the connection should close after the answer.
struct Refusal {
    error: WireError,
    close: bool,
}

impl From<WireError> for Refusal {
    fn from(error: WireError) -> Refusal {
        Refusal { error, close: false }
    }
}

/// Serves one upgraded WebSocket until it closes. `_slots` count it against the connection
/// limits (the server's and its address's).
pub async fn serve(app: App, socket: WebSocket, peer: SocketAddr, _slots: (OwnedSemaphorePermit, AddrSlot)) {
    let _running = app.tracker().token();
    let limits = app.config().limits.clone();
    let (sink, mut stream) = socket.split();
    let (outbox, queue, kill) = Outbox::new(limits.send_queue);
    let mut writer = tokio::spawn(write_loop(sink, queue));
    let conn_id = outbox.id();
    tracing::debug!(conn = conn_id, %peer, "websocket open");
    let mut conn = Connection {
        app: app.clone(),
        peer,
        outbox,
        seat: None,
        limiter: FrameLimiter::new(limits.rate_burst, limits.rate_per_sec, limits.rate_overdraft),
        failures: 0,
        watch_slot: None,
    };
    let mut shutdown = app.shutdown();
    let auth_deadline = tokio::time::sleep(limits.auth_timeout);
    tokio::pin!(auth_deadline);
    let mut heartbeat = tokio::time::interval_at(Instant::now() + limits.ping_interval, limits.ping_interval);
    heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut last_heard = Instant::now();

    let end = loop {
        tokio::select! {
            biased;
            () = kill.notified() => break End::Killed,
            () = shutdown.recv() => {
                conn.outbox.close(1001, "server shutting down");
                break End::Closing;
            }
            _ = &mut writer => break End::Gone,
            frame = stream.next() => {
                last_heard = Instant::now();
                match frame {
                    None | Some(Ok(Message::Close(_))) => break End::Gone,
                    Some(Err(e)) if is_too_large(&e) => {
                        conn.error(None, WireError::new(ErrorCode::TooLarge, "a message may not exceed 64 KiB"));
                        conn.outbox.close(1009, "message too large");
                        break End::Closing;
                    }
                    Some(Err(_)) => break End::Gone,
                    Some(Ok(Message::Text(text))) => {
                        if let Flow::Close(code, reason) = conn.on_text(text.as_str()).await {
                            conn.outbox.close(code, reason);
                            break End::Closing;
                        }
                    }
                    Some(Ok(Message::Binary(_))) => {
                        if let Flow::Close(code, reason) = conn.on_binary() {
                            conn.outbox.close(code, reason);
                            break End::Closing;
                        }
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => {
                        // Pings and pongs cost like any frame (tungstenite answers pings itself).
                        if let Err(Flow::Close(code, reason)) = conn.rate_check() {
                            conn.outbox.close(code, reason);
                            break End::Closing;
                        }
                    }
                }
            }
            () = &mut auth_deadline, if conn.seat.is_none() => {
                let message = "send join, resume, watch or instructor first";
                conn.error(None, WireError::new(ErrorCode::AuthTimeout, message));
                conn.outbox.close(1008, "no seat requested in time");
                break End::Closing;
            }
            _ = heartbeat.tick() => {
                if last_heard.elapsed() >= limits.idle_timeout {
                    conn.outbox.close(1000, "idle timeout");
                    break End::Closing;
                }
                conn.outbox.push(Out::Ping);
            }
        }
    };

    if let Some(session) = &conn.seat {
        session.detach(conn_id);
    }
    match end {
        End::Killed | End::Gone => writer.abort(),
        End::Closing => {
            // Let the close frame go out and give the client a moment to read it before the
            // socket is dropped (dropping it with unread input would reset the connection).
            let until = Instant::now() + limits.close_linger;
            let _ = tokio::time::timeout_at(until, &mut writer).await;
            let _ = tokio::time::timeout_at(until, drain(&mut stream)).await;
            writer.abort();
        }
    }
    tracing::debug!(conn = conn_id, "websocket closed");
}

/// Reads until the client closes; after a read error, just waits (the caller's timeout ends it).
async fn drain(stream: &mut SplitStream<WebSocket>) {
    loop {
        match stream.next().await {
            Some(Ok(_)) => {}
            None => return,
            Some(Err(_)) => std::future::pending::<()>().await,
        }
    }
}

/// The writer: feeds everything queued, then flushes once.
async fn write_loop(mut sink: SplitSink<WebSocket, Message>, mut queue: mpsc::Receiver<Out>) {
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        if queue.recv_many(&mut batch, BATCH).await == 0 {
            return;
        }
        let mut closing = false;
        for out in batch.drain(..) {
            let message = match out {
                Out::Text(text) => Message::Text(text),
                Out::Ping => Message::Ping(Default::default()),
                Out::Close(code, reason) => {
                    closing = true;
                    Message::Close(Some(CloseFrame { code, reason: reason.into() }))
                }
            };
            if sink.feed(message).await.is_err() {
                return;
            }
            if closing {
                break;
            }
        }
        if sink.flush().await.is_err() || closing {
            return;
        }
    }
}

/// Whether a read failed because the message or frame was over the size limit.
fn is_too_large(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if let Some(ws) = e.downcast_ref::<tungstenite::Error>() {
            return matches!(ws, tungstenite::Error::Capacity(_));
        }
        source = e.source();
    }
    false
}

impl Connection {
    fn error(&self, re: Option<&Value>, error: WireError) {
        self.outbox.string(protocol::error(re, &error));
    }

    fn rate_check(&mut self) -> Result<(), Flow> {
        match self.limiter.check() {
            Verdict::Allow => Ok(()),
            Verdict::Refuse => Err(Flow::Continue),
            Verdict::Close => {
                self.error(None, WireError::new(ErrorCode::RateLimited, "too many messages: closing"));
                Err(Flow::Close(1008, "rate limit exceeded"))
            }
        }
    }

    fn on_binary(&mut self) -> Flow {
        if let Err(flow) = self.rate_check() {
            return flow;
        }
        self.error(None, WireError::new(ErrorCode::BadJson, "send JSON in text frames"));
        Flow::Continue
    }

    async fn on_text(&mut self, text: &str) -> Flow {
        let limited = match self.rate_check() {
            Ok(()) => false,
            Err(Flow::Continue) => true,
            Err(close) => return close,
        };
        let frame = match protocol::parse(text) {
            Ok(frame) => frame,
            Err((re, e)) => {
                self.error(re.as_ref(), e);
                return Flow::Continue;
            }
        };
        if limited {
            self.error(frame.id.as_ref(), WireError::new(ErrorCode::RateLimited, "too many messages: slow down"));
            return Flow::Continue;
        }
        let (re, msg) = (frame.id, frame.msg);
        if msg == ClientMsg::Ping {
            self.outbox.string(protocol::pong());
            if let Some(re) = &re {
                self.outbox.string(protocol::ack(re));
            }
            return Flow::Continue;
        }
        match self.seat.clone() {
            Some(session) => {
                if !session.client(self.outbox.id(), re.clone(), msg).await {
                    self.error(re.as_ref(), WireError::new(ErrorCode::UnknownSession, "the session has closed"));
                    return Flow::Close(1001, "session closed");
                }
            }
            None if !msg.is_auth() => {
                self.error(
                    re.as_ref(),
                    WireError::new(ErrorCode::NotJoined, "send join, resume, watch or instructor first"),
                );
            }
            None => match self.take_seat(msg, re.clone()).await {
                Ok(session) => self.seat = Some(session),
                Err(Refusal { error, close }) => {
                    self.error(re.as_ref(), error);
                    if close {
                        return Flow::Close(1008, "too many wrong codes, tokens or keys");
                    }
                }
            },
        }
        Flow::Continue
    }

    /// Charges a failed code, token or key (waiting in the tarpit past the budgets); the
    /// refusal closes the connection after a few failures, or after a tarpitted one.
    async fn guess_failed(&mut self, error: WireError) -> Refusal {
        self.failures += 1;
        let charged = self.app.guesses().failed(self.peer.ip()).await;
        if charged == Charged::Tarpitted {
            let message = format!("{}; too many wrong codes, tokens or keys from this address", error.message);
            return Refusal { error: WireError::new(ErrorCode::RateLimited, message), close: true };
        }
        Refusal { error, close: self.failures >= self.app.config().limits.guess_per_connection }
    }

    /// Handles the authenticating message: the credential is checked first, and only a wrong
    /// one is charged to the address (see [`Connection::guess_failed`]).
    async fn take_seat(&mut self, msg: ClientMsg, re: Option<Value>) -> Result<SessionHandle, Refusal> {
        let internal = |e: &crate::store::StoreError| {
            tracing::error!(error = %e, "cannot take a seat");
            if e.is_unavailable() {
                WireError::new(ErrorCode::Unavailable, "the server cannot reach its database; try again in a minute")
            } else {
                WireError::internal()
            }
        };
        let outbox = self.outbox.clone();
        match msg {
            ClientMsg::Join { code, name, device } => {
                let name = crate::table::clean_name(&name)?;
                let Some(session) = self.app.registry().by_code(&secret::normalize_code(&code)) else {
                    let e = WireError::new(ErrorCode::UnknownCode, "no game has this code");
                    return Err(self.guess_failed(e).await);
                };
                let token = secret::new_secret("st_").map_err(|e| {
                    tracing::error!(error = %e, "cannot take a seat");
                    WireError::internal()
                })?;
                let token_hash = secret::hash(&token);
                // Only a hash of the device's id is kept, and only to bar it after a ban.
                let device = device.map(|d| secret::hash(&d.0));
                session.attach(outbox, Who::Join { name, token, token_hash, device }, re).await?;
                Ok(session)
            }
            ClientMsg::Resume { seat_token } => {
                let hash = secret::hash(&seat_token.0);
                let player = self.app.store().player_by_token_hash(&hash).await.map_err(|e| internal(&e))?;
                let Some(player) = player.filter(|p| !p.kicked) else {
                    let e = WireError::new(ErrorCode::BadToken, "this seat token is not valid");
                    return Err(self.guess_failed(e).await);
                };
                let session = session::get_or_load(&self.app, &player.session_id, None)
                    .await
                    .map_err(|e| match e {
                        session::LoadError::Store(e) => internal(&e),
                        other => internal_display(&other),
                    })?
                    .ok_or_else(|| WireError::new(ErrorCode::BadToken, "this seat's game is gone"))?;
                session.attach(outbox, Who::Resume { player_id: player.id }, re).await?;
                Ok(session)
            }
            ClientMsg::Watch { code } => {
                let Some(session) = self.app.registry().by_code(&secret::normalize_code(&code)) else {
                    let e = WireError::new(ErrorCode::UnknownCode, "no game has this code");
                    return Err(self.guess_failed(e).await);
                };
                let limits = &self.app.config().limits;
                let Some(slot) = self.app.watchers_per_address().try_acquire(self.peer.ip(), limits.watch_per_address)
                else {
                    let message = "too many spectators from this address";
                    return Err(WireError::new(ErrorCode::RateLimited, message).into());
                };
                session.attach(outbox, Who::Watch, re).await?;
                self.watch_slot = Some(slot);
                Ok(session)
            }
            ClientMsg::Instructor { session_id, key } => {
                let instructor =
                    self.app.store().instructor_by_key_hash(&secret::hash(&key.0)).await.map_err(|e| internal(&e))?;
                let Some(instructor) = instructor else {
                    let e = WireError::new(ErrorCode::NotInstructor, "unknown (or revoked) instructor key");
                    return Err(self.guess_failed(e).await);
                };
                let session = session::get_or_load(&self.app, &session_id, Some(&instructor.id))
                    .await
                    .map_err(|e| match e {
                        session::LoadError::NotOwner => {
                            WireError::new(ErrorCode::NotInstructor, "this session belongs to another instructor")
                        }
                        session::LoadError::Store(e) => internal(&e),
                        other => internal_display(&other),
                    })?
                    .ok_or_else(|| WireError::new(ErrorCode::UnknownSession, "no session has this id"))?;
                session.attach(outbox, Who::Instructor, re).await?;
                Ok(session)
            }
            _ => Err(WireError::new(ErrorCode::NotJoined, "send join, resume, watch or instructor first").into()),
        }
    }
}

fn internal_display(e: &dyn std::fmt::Display) -> WireError {
    tracing::error!(error = %e, "cannot take a seat");
    WireError::internal()
}
