//! The reference server: what the stack (tokio + tokio-tungstenite) does on this machine with no
//! game in it. Rooms of clients; each text frame a client sends goes, unchanged, to every member
//! of its room, the sender included. Built the way the anchors say a lean server is built:
//! `TCP_NODELAY`, an 8 KiB read buffer, a writer task per connection behind a bounded queue that
//! feeds everything queued and then flushes once, and each broadcast serialized once (the
//! `Utf8Bytes` is shared, not copied). No persistence, no rules, no JSON on the hot path.
//!
//! The first frame names the room: `{"type":"room","room":N,"id":I}`, answered with
//! `{"type":"ack","re":I}`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

/// Frames queued for one connection before it is dropped as too slow (as the real server).
const QUEUE: usize = 256;
/// Frames fed before one flush, at most (as the real server).
const BATCH: usize = 64;

type Members = Vec<(u64, mpsc::Sender<Utf8Bytes>)>;

#[derive(Default)]
struct Rooms {
    rooms: Mutex<HashMap<u64, Members>>,
    next: AtomicU64,
}

/// The same socket settings as the real server's (`src/config.rs`).
pub(crate) fn config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(8 * 1024)
        .write_buffer_size(8 * 1024)
        .max_write_buffer_size(1024 * 1024)
        .max_message_size(Some(64 * 1024))
        .max_frame_size(Some(64 * 1024))
}

/// Accepts connections forever.
pub(crate) async fn serve(listener: TcpListener) {
    let rooms = Arc::new(Rooms::default());
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(connection(stream, rooms.clone()));
    }
}

/// Runs the reference server on its own multi-threaded runtime (like the real server's) until
/// the process ends; prints `listening on http://ADDR` first.
pub(crate) fn main(addr: &str) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let listener = TcpListener::bind(addr).await?;
        println!("listening on http://{}", listener.local_addr()?);
        serve(listener).await;
        Ok(())
    })
}

async fn connection(stream: TcpStream, rooms: Arc<Rooms>) {
    let Ok(ws) = tokio_tungstenite::accept_async_with_config(stream, Some(config())).await else { return };
    let (mut sink, mut stream) = ws.split();
    let (tx, mut rx) = mpsc::channel::<Utf8Bytes>(QUEUE);
    let writer = tokio::spawn(async move {
        let mut batch = Vec::with_capacity(BATCH);
        while rx.recv_many(&mut batch, BATCH).await > 0 {
            for text in batch.drain(..) {
                if sink.feed(Message::Text(text)).await.is_err() {
                    return;
                }
            }
            if sink.flush().await.is_err() {
                return;
            }
        }
    });
    let me = rooms.next.fetch_add(1, Ordering::Relaxed);
    let mut room = None;
    while let Some(Ok(frame)) = stream.next().await {
        let Message::Text(text) = frame else { continue };
        match room {
            Some(room) => {
                if let Ok(all) = rooms.rooms.lock() {
                    for (_, member) in all.get(&room).into_iter().flatten() {
                        // A full queue means a stuck client: the frame is dropped (the real
                        // server would drop the client).
                        let _ = member.try_send(text.clone());
                    }
                }
            }
            None => {
                let Some((n, id)) = room_request(text.as_str()) else { break };
                if let Ok(mut all) = rooms.rooms.lock() {
                    all.entry(n).or_default().push((me, tx.clone()));
                }
                room = Some(n);
                let _ = tx.try_send(Utf8Bytes::from(format!("{{\"type\":\"ack\",\"re\":{id}}}")));
            }
        }
    }
    if let (Some(room), Ok(mut all)) = (room, rooms.rooms.lock()) {
        if let Some(members) = all.get_mut(&room) {
            members.retain(|(id, _)| *id != me);
            if members.is_empty() {
                all.remove(&room);
            }
        }
    }
    drop(tx);
    writer.abort();
}

/// `{"type":"room","room":N,"id":I}` → (N, I).
fn room_request(text: &str) -> Option<(u64, u64)> {
    #[derive(serde::Deserialize)]
    struct Join {
        room: u64,
        id: u64,
    }
    let join: Join = serde_json::from_str(text).ok()?;
    Some((join.room, join.id))
}
