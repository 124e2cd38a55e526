//! One WebSocket connection, served by one task: it reads the client's frames and writes what
//! its bounded queue (the [`Outbox`]) holds, whichever comes first.
//!
//! The first message must take a seat (`join`, `resume`, `watch`, `instructor`) within the auth
//! timeout; secrets travel only in that message, never in the URL, and are never logged. After
//! that, frames go to the session's task. The connection also enforces the per-connection rate
//! limit (every frame counts: text, binary, ping and pong), the message size limit (closing with
//! 1009), the heartbeat and the idle timeout.
//!
//! Seat messages check the code, token or key first: a valid one is never refused for its
//! address's wrong guesses. Failures are charged to the address (and the server); a connection
//! is closed after a few of them, or at once after one answered from the tarpit.
//!
//! Writing: everything queued goes out in one vectored write. Text frames are written straight
//! from the bytes the session serialized once for all their readers (a frame header beside the
//! shared payload), so a connection keeps no copy and no send buffer of its own; control frames
//! (ping, close, tungstenite's pongs) go through tungstenite, flushed before any text. A client
//! that stops reading fills its queue; whoever pushes next is refused at once and the connection
//! is told to drop (`kill`), even in the middle of a write that waits on the socket.

use std::net::SocketAddr;

use std::io::IoSlice;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::sync::{mpsc, OwnedSemaphorePermit};
use tokio::time::{Instant, MissedTickBehavior};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::WebSocketStream;

use super::class::{ClassHandle, ClassViewer};
use super::deflate::{Inflating, SharedText};
use super::limits::{size_text, AddrSlot, Charged, FrameLimiter, Verdict};
use super::outbox::ConnId;
use super::outbox::{Out, Outbox};
use super::registry::Coded;
use super::secret;
use super::session::{self, SessionHandle, Who};
use super::App;
use crate::i18n::Lang;
use crate::protocol::{self, ClientMsg, ErrorCode, WireError};

/// Frames written in one go, at most.
const BATCH: usize = 64;

/// An upgraded connection, as tungstenite reads it (compressed messages inflated on the way).
pub(super) type Socket = WebSocketStream<Inflating<TokioIo<Upgraded>>>;

/// Why the connection stopped.
enum End {
    /// The client went away (or the socket failed).
    Gone,
    /// We closed it: the close frame was written.
    Closed,
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
    seat: Option<Seat>,
    limiter: FrameLimiter,
    /// Failed seat attempts on this connection.
    failures: u32,
    /// Held while this connection watches (the per-address cap on spectators).
    watch_slot: Option<AddrSlot>,
    /// The language a `set_lang` chose before the seat was taken (the seat message's own `lang`
    /// wins).
    lang: Lang,
}

/// What a connection has taken a seat at: a session (a table), or a class's console or projector.
#[derive(Clone)]
enum Seat {
    Session(SessionHandle),
    Class(ClassHandle),
}

impl Seat {
    async fn client(&self, conn: ConnId, re: Option<Value>, msg: ClientMsg) -> bool {
        match self {
            Seat::Session(session) => session.client(conn, re, msg).await,
            Seat::Class(class) => class.client(conn, re, msg).await,
        }
    }

    fn detach(&self, conn: ConnId) {
        match self {
            Seat::Session(session) => session.detach(conn),
            Seat::Class(class) => class.detach(conn),
        }
    }
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
pub(super) async fn serve(app: App, mut ws: Socket, peer: SocketAddr, _slots: (OwnedSemaphorePermit, AddrSlot)) {
    let _running = app.tracker().token();
    let limits = &app.config().limits;
    let (outbox, mut queue, kill) = Outbox::new(limits.send_queue);
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
        lang: Lang::En,
    };
    let mut shutdown = app.shutdown();
    let auth_deadline = tokio::time::sleep(limits.auth_timeout);
    tokio::pin!(auth_deadline);
    let mut heartbeat = tokio::time::interval_at(Instant::now() + limits.ping_interval, limits.ping_interval);
    heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut last_heard = Instant::now();
    // Once a close frame is queued, the connection only writes out what is queued before it.
    let mut closing = false;

    let end = loop {
        // What a branch wants closed; the close frame is queued, then written below.
        let mut close: Option<(u16, &'static str)> = None;
        tokio::select! {
            biased;
            () = kill.notified() => break End::Killed,
            () = shutdown.recv(), if !closing => close = Some((1001, "server shutting down")),
            first = queue.recv() => {
                let Some(first) = first else { break End::Gone };
                tokio::select! {
                    biased;
                    () = kill.notified() => break End::Killed,
                    written = write(&mut ws, first, &mut queue) => match written {
                        Ok(false) => {}
                        Ok(true) => break End::Closed,
                        Err(()) => break End::Gone,
                    },
                }
            }
            frame = ws.next(), if !closing => {
                last_heard = Instant::now();
                match frame {
                    None | Some(Ok(Message::Close(_))) => break End::Gone,
                    Some(Err(e)) if is_too_large(&e) => {
                        let most = size_text(limits.max_message);
                        conn.error(None, WireError::new(ErrorCode::TooLarge, format!("a message may not exceed {most}")));
                        close = Some((1009, "message too large"));
                    }
                    Some(Err(_)) => break End::Gone,
                    Some(Ok(Message::Text(text))) => {
                        if let Flow::Close(code, reason) = conn.on_text(text.as_str()).await {
                            close = Some((code, reason));
                        }
                    }
                    Some(Ok(Message::Binary(_))) => {
                        if let Flow::Close(code, reason) = conn.on_binary() {
                            close = Some((code, reason));
                        }
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {
                        // Pings and pongs cost like any frame (tungstenite answers pings itself).
                        if let Err(Flow::Close(code, reason)) = conn.rate_check() {
                            close = Some((code, reason));
                        }
                    }
                }
            }
            () = &mut auth_deadline, if conn.seat.is_none() && !closing => {
                let message = "send join, resume, watch or instructor first";
                conn.error(None, WireError::new(ErrorCode::AuthTimeout, message));
                close = Some((1008, "no seat requested in time"));
            }
            _ = heartbeat.tick(), if !closing => {
                if last_heard.elapsed() >= limits.idle_timeout {
                    close = Some((1000, "idle timeout"));
                } else {
                    conn.outbox.push(Out::Ping);
                }
            }
        }
        if let Some((code, reason)) = close {
            // Frames queued before it (an error, say) go out first; the loop writes them next.
            closing = true;
            conn.outbox.close(code, reason);
        }
    };

    if let Some(seat) = &conn.seat {
        seat.detach(conn_id);
    }
    if let End::Closed = end {
        // Give the client a moment to read the close frame before the socket is dropped
        // (dropping it with unread input would reset the connection).
        let _ = tokio::time::timeout(limits.close_linger, drain(&mut ws)).await;
    }
    tracing::debug!(conn = conn_id, "websocket closed");
}

/// Writes `first` and everything else queued (up to a batch). `Ok(true)` once a close frame was
/// written (the connection ends), `Err` when the socket failed.
async fn write(ws: &mut Socket, first: Out, queue: &mut mpsc::Receiver<Out>) -> Result<bool, ()> {
    let mut texts: Vec<SharedText> = Vec::new();
    let mut next = Some(first);
    let mut taken = 0;
    while let Some(out) = next.take() {
        match out {
            Out::Text(text) => texts.push(text),
            Out::Ping => {
                write_texts(ws, &mut texts).await?;
                ws.feed(Message::Ping(Default::default())).await.map_err(|_| ())?;
            }
            Out::Close(code, reason) => {
                write_texts(ws, &mut texts).await?;
                let frame = CloseFrame { code: CloseCode::from(code), reason: reason.into() };
                ws.send(Message::Close(Some(frame))).await.map_err(|_| ())?;
                return Ok(true);
            }
        }
        taken += 1;
        if taken < BATCH {
            next = queue.try_recv().ok();
        }
    }
    write_texts(ws, &mut texts).await?;
    ws.flush().await.map_err(|_| ())?;
    Ok(false)
}

/// Writes text frames straight to the socket in one vectored write: each a header (FIN, text,
/// unmasked, its length; RSV1 when compressed) and the shared payload, compressed when the
/// connection negotiated it and the text is worth it. Whatever tungstenite has buffered (a pong)
/// is flushed first, so frames never interleave.
async fn write_texts(ws: &mut Socket, texts: &mut Vec<SharedText>) -> Result<(), ()> {
    if texts.is_empty() {
        return Ok(());
    }
    ws.flush().await.map_err(|_| ())?;
    let deflate = ws.get_ref().enabled();
    let payloads: Vec<(&Bytes, bool)> = texts
        .iter()
        .map(|t| match t.deflated().filter(|_| deflate) {
            Some(packed) => (packed, true),
            None => (t.plain(), false),
        })
        .collect();
    let headers: Vec<([u8; 10], usize)> =
        payloads.iter().map(|(payload, packed)| text_header(payload.len(), *packed)).collect();
    let mut slices: Vec<IoSlice<'_>> = Vec::with_capacity(texts.len() * 2);
    for ((header, len), (payload, _)) in headers.iter().zip(payloads.iter()) {
        slices.push(IoSlice::new(&header[..*len]));
        slices.push(IoSlice::new(payload));
    }
    let io = ws.get_mut();
    let mut rest: &mut [IoSlice<'_>] = &mut slices;
    while !rest.is_empty() {
        let n = io.write_vectored(rest).await.map_err(|_| ())?;
        if n == 0 {
            return Err(());
        }
        IoSlice::advance_slices(&mut rest, n);
    }
    drop(slices);
    drop(payloads);
    texts.clear();
    Ok(())
}

/// The header of a server's text frame (FIN set, RSV1 when `deflated`, opcode 1, no mask) for a
/// payload of `len` bytes, and how many of its bytes are used (RFC 6455 §5.2, RFC 7692 §6).
fn text_header(len: usize, deflated: bool) -> ([u8; 10], usize) {
    let mut header = [0u8; 10];
    header[0] = if deflated { 0xc1 } else { 0x81 };
    if len < 126 {
        header[1] = len as u8;
        (header, 2)
    } else if let Ok(len) = u16::try_from(len) {
        header[1] = 126;
        header[2..4].copy_from_slice(&len.to_be_bytes());
        (header, 4)
    } else {
        header[1] = 127;
        header[2..10].copy_from_slice(&(len as u64).to_be_bytes());
        (header, 10)
    }
}

/// Reads until the client closes; after a read error, just waits (the caller's timeout ends it).
async fn drain(ws: &mut Socket) {
    loop {
        match ws.next().await {
            Some(Ok(_)) => {}
            None => return,
            Some(Err(_)) => std::future::pending::<()>().await,
        }
    }
}

/// Whether a read failed because the message or frame was over the size limit.
fn is_too_large(error: &tungstenite::Error) -> bool {
    matches!(error, tungstenite::Error::Capacity(_))
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
            Some(seat) => {
                if !seat.client(self.outbox.id(), re.clone(), msg).await {
                    self.error(re.as_ref(), WireError::new(ErrorCode::UnknownSession, "the session has closed"));
                    return Flow::Close(1001, "session closed");
                }
            }
            // Before a seat, the language is kept for the seat message.
            None if matches!(msg, ClientMsg::SetLang { .. }) => {
                if let ClientMsg::SetLang { lang } = msg {
                    self.lang = lang;
                }
                if let Some(re) = &re {
                    self.outbox.string(protocol::ack(re));
                }
            }
            None if !msg.is_auth() => {
                self.error(
                    re.as_ref(),
                    WireError::new(ErrorCode::NotJoined, "send join, resume, watch or instructor first"),
                );
            }
            // Boxed: taking a seat awaits the store and the session, a large future that every
            // idle connection would otherwise carry in its task for good.
            None => match Box::pin(self.take_seat(msg, re.clone())).await {
                Ok(seat) => self.seat = Some(seat),
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
    async fn take_seat(&mut self, msg: ClientMsg, re: Option<Value>) -> Result<Seat, Refusal> {
        let internal = |e: &crate::store::StoreError| {
            tracing::error!(error = %e, "cannot take a seat");
            if e.is_unavailable() {
                WireError::new(ErrorCode::Unavailable, "the server cannot reach its database; try again in a minute")
            } else {
                WireError::internal()
            }
        };
        let outbox = self.outbox.clone();
        let lang = msg.lang().unwrap_or(self.lang);
        match msg {
            ClientMsg::Join { code, name, device, .. } => {
                let name = crate::table::clean_name(&name)?;
                let Some(coded) = self.coded(&code).await? else {
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
                match coded {
                    Coded::Session(session) => {
                        let who = Who::Join { name, token, token_hash, device, role: None };
                        session.attach(outbox, who, lang, re).await?;
                        Ok(Seat::Session(session))
                    }
                    // A class places the student at one of its tables, which it then talks to.
                    Coded::Class(class) => {
                        Ok(Seat::Session(class.join(outbox, (name, token, token_hash), device, lang, re).await?))
                    }
                }
            }
            ClientMsg::Resume { seat_token, .. } => {
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
                        session::LoadError::WrongNode(node) => WireError::wrong_node(&node),
                        other => internal_display(&other),
                    })?
                    .ok_or_else(|| WireError::new(ErrorCode::BadToken, "this seat's game is gone"))?;
                session.attach(outbox, Who::Resume { player_id: player.id }, lang, re).await?;
                Ok(Seat::Session(session))
            }
            ClientMsg::Watch { code, .. } => {
                let Some(coded) = self.coded(&code).await? else {
                    let e = WireError::new(ErrorCode::UnknownCode, "no game has this code");
                    return Err(self.guess_failed(e).await);
                };
                let limits = &self.app.config().limits;
                let Some(slot) = self.app.watchers_per_address().try_acquire(self.peer.ip(), limits.watch_per_address)
                else {
                    let message = "too many spectators from this address";
                    return Err(WireError::new(ErrorCode::RateLimited, message).into());
                };
                let seat = match coded {
                    Coded::Session(session) => {
                        session.attach(outbox, Who::Watch, lang, re).await?;
                        Seat::Session(session)
                    }
                    Coded::Class(class) => {
                        class.attach(outbox, ClassViewer::Spectator, lang, re).await?;
                        Seat::Class(class)
                    }
                };
                self.watch_slot = Some(slot);
                Ok(seat)
            }
            ClientMsg::Instructor { session_id, class_id, key, .. } => {
                let instructor =
                    self.app.store().instructor_by_key_hash(&secret::hash(&key.0)).await.map_err(|e| internal(&e))?;
                let Some(instructor) = instructor else {
                    let e = WireError::new(ErrorCode::NotInstructor, "unknown (or revoked) instructor key");
                    return Err(self.guess_failed(e).await);
                };
                let session_id = match (session_id, class_id) {
                    (Some(id), None) => id,
                    (None, Some(class_id)) => {
                        let class = match self.app.registry().class(&class_id) {
                            Some(class) => Some(class),
                            // Several nodes: a class another node ran, and no live node runs now.
                            None if self.app.store().clustered() => {
                                super::class::get_or_load(&self.app, &class_id).await.map_err(class_refusal)?
                            }
                            None => None,
                        };
                        let class = class
                            .ok_or_else(|| WireError::new(ErrorCode::UnknownSession, "no running class has this id"))?;
                        if *class.instructor_id != *instructor.id {
                            let e =
                                WireError::new(ErrorCode::NotInstructor, "this class belongs to another instructor");
                            return Err(e.into());
                        }
                        class.attach(outbox, ClassViewer::Instructor, lang, re).await?;
                        return Ok(Seat::Class(class));
                    }
                    _ => {
                        let message = "send either session_id (a table's console) or class_id (a class's)";
                        return Err(WireError::new(ErrorCode::BadRequest, message).into());
                    }
                };
                let session = session::get_or_load(&self.app, &session_id, Some(&instructor.id))
                    .await
                    .map_err(|e| match e {
                        session::LoadError::NotOwner => {
                            WireError::new(ErrorCode::NotInstructor, "this session belongs to another instructor")
                        }
                        session::LoadError::WrongNode(node) => WireError::wrong_node(&node),
                        session::LoadError::Store(e) => internal(&e),
                        other => internal_display(&other),
                    })?
                    .ok_or_else(|| WireError::new(ErrorCode::UnknownSession, "no session has this id"))?;
                session.attach(outbox, Who::Instructor, lang, re).await?;
                Ok(Seat::Session(session))
            }
            _ => Err(WireError::new(ErrorCode::NotJoined, "send join, resume, watch or instructor first").into()),
        }
    }
}

impl Connection {
    /// The live session or class a join code opens: the one running here, or the one in the
    /// store that is not running (a dormant session, read back now; with several nodes on
    /// PostgreSQL, a game no live node runs, which this node then takes over). A game another
    /// live node runs is refused with `wrong_node` naming it.
    async fn coded(&self, code: &str) -> Result<Option<Coded>, Refusal> {
        let code = secret::normalize_code(code);
        if let Some(coded) = self.app.registry().by_code(&code) {
            return Ok(Some(coded));
        }
        let found = self.app.store().live_code(&code).await.map_err(|e| store_refusal(&e))?;
        Ok(match found {
            None => None,
            Some((id, true)) => {
                super::class::get_or_load(&self.app, &id).await.map_err(class_refusal)?.map(Coded::Class)
            }
            Some((id, false)) => session::get_or_load(&self.app, &id, None)
                .await
                .map_err(|e| match e {
                    session::LoadError::WrongNode(node) => WireError::wrong_node(&node),
                    session::LoadError::Store(e) => store_refusal(&e),
                    other => internal_display(&other),
                })?
                .map(Coded::Session),
        })
    }
}

fn store_refusal(e: &crate::store::StoreError) -> WireError {
    tracing::error!(error = %e, "cannot take a seat");
    if e.is_unavailable() {
        WireError::new(ErrorCode::Unavailable, "the server cannot reach its database; try again in a minute")
    } else {
        WireError::internal()
    }
}

fn class_refusal(e: super::class::ClassError) -> WireError {
    match e {
        super::class::ClassError::WrongNode(node) => WireError::wrong_node(&node),
        super::class::ClassError::Store(e) => store_refusal(&e),
        other => internal_display(&other),
    }
}

fn internal_display(e: &dyn std::fmt::Display) -> WireError {
    tracing::error!(error = %e, "cannot take a seat");
    WireError::internal()
}

#[cfg(test)]
mod tests {
    use super::text_header;

    #[test]
    fn text_frame_headers_follow_rfc_6455() {
        assert_eq!(text_header(5, false), ([0x81, 5, 0, 0, 0, 0, 0, 0, 0, 0], 2));
        assert_eq!(text_header(125, false).1, 2);
        let (h, n) = text_header(126, false);
        assert_eq!((&h[..n], n), (&[0x81, 126, 0, 126][..], 4));
        let (h, n) = text_header(65_536, false);
        assert_eq!(&h[..n], &[0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0]);
        // A compressed message's frame sets RSV1 (RFC 7692 §6).
        assert_eq!(text_header(5, true).0[0], 0xc1);
    }
}
