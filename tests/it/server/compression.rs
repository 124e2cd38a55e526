//! WebSocket compression (permessage-deflate, RFC 7692) over the real server, with a hand-written
//! client (tungstenite knows no extension): the offer is accepted with no context takeover, large
//! frames arrive compressed, compressed client messages are read, and a compressed bomb closes
//! only its own connection.

use crate::common;

use std::net::SocketAddr;
use std::time::Duration;

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use common::{spawn_app, spawn_app_with};

const WAIT: Duration = Duration::from_secs(10);

/// A client speaking WebSocket by hand, offering permessage-deflate.
struct Raw {
    stream: TcpStream,
    /// The handshake's `Sec-WebSocket-Extensions` answer, if any.
    extensions: Option<String>,
    /// Bytes on the wire of every frame read, and of those that came compressed.
    wire: usize,
    compressed_frames: usize,
}

impl Raw {
    async fn connect(addr: SocketAddr, offer: &str) -> Raw {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        let request = format!(
            "GET /ws HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
             Sec-WebSocket-Extensions: {offer}\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await.expect("write");
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            let n = tokio::time::timeout(WAIT, stream.read(&mut byte)).await.expect("in time").expect("read");
            assert!(n > 0, "the server closed during the handshake");
            head.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&head).to_string();
        assert!(head.starts_with("HTTP/1.1 101"), "{head}");
        let extensions = head
            .lines()
            .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("sec-websocket-extensions")))
            .map(|(_, v)| v.trim().to_string());
        Raw { stream, extensions, wire: 0, compressed_frames: 0 }
    }

    /// Sends a masked text frame, compressed (RSV1) or not.
    async fn send(&mut self, payload: &[u8], compressed: bool) {
        let key = [0x37, 0xfa, 0x21, 0x3d];
        let mut frame = vec![if compressed { 0xc1 } else { 0x81 }];
        match payload.len() {
            n if n < 126 => frame.push(0x80 | n as u8),
            n if n <= 0xffff => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                frame.push(0x80 | 127);
                frame.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        frame.extend_from_slice(&key);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
        self.stream.write_all(&frame).await.expect("send");
    }

    async fn send_json(&mut self, v: Value, compressed: bool) {
        let text = v.to_string();
        if compressed {
            let packed = deflate(text.as_bytes());
            self.send(&packed, true).await;
        } else {
            self.send(text.as_bytes(), false).await;
        }
    }

    /// The next text frame, inflated if it came compressed; `None` once the server closed.
    async fn recv(&mut self) -> Option<Value> {
        loop {
            let mut head = [0u8; 2];
            tokio::time::timeout(WAIT, self.stream.read_exact(&mut head)).await.expect("a frame in time").ok()?;
            let mut len = u64::from(head[1] & 0x7f);
            let mut size = 2;
            if len == 126 {
                let mut ext = [0u8; 2];
                self.stream.read_exact(&mut ext).await.ok()?;
                len = u64::from(u16::from_be_bytes(ext));
                size += 2;
            } else if len == 127 {
                let mut ext = [0u8; 8];
                self.stream.read_exact(&mut ext).await.ok()?;
                len = u64::from_be_bytes(ext);
                size += 8;
            }
            assert_eq!(head[1] & 0x80, 0, "server frames are not masked");
            let mut payload = vec![0u8; usize::try_from(len).expect("length")];
            self.stream.read_exact(&mut payload).await.ok()?;
            self.wire += size + payload.len();
            match head[0] & 0x0f {
                0x8 => return None,
                0x9 | 0xa => continue,
                0x1 => {}
                other => panic!("unexpected opcode {other}"),
            }
            assert_eq!(head[0] & 0x80, 0x80, "the server sends whole messages");
            let text = if head[0] & 0x40 != 0 {
                self.compressed_frames += 1;
                inflate(&payload)
            } else {
                payload
            };
            return Some(serde_json::from_slice(&text).expect("json"));
        }
    }

    async fn recv_type(&mut self, ty: &str) -> Value {
        loop {
            let v = self.recv().await.unwrap_or_else(|| panic!("closed before a {ty}"));
            if v["type"] == ty {
                return v;
            }
        }
    }
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut c = Compress::new(Compression::default(), false);
    let mut out = Vec::with_capacity(data.len() + 64);
    c.compress_vec(data, &mut out, FlushCompress::Sync).expect("deflate");
    assert!(out.ends_with(&[0, 0, 0xff, 0xff]));
    out.truncate(out.len() - 4);
    out
}

fn inflate(data: &[u8]) -> Vec<u8> {
    let mut d = Decompress::new(false);
    let mut input = data.to_vec();
    input.extend_from_slice(&[0, 0, 0xff, 0xff]);
    let mut out = Vec::with_capacity(data.len() * 8 + 1024);
    d.decompress_vec(&input, &mut out, FlushDecompress::Sync).expect("inflate");
    assert_eq!(d.total_in(), input.len() as u64, "the output buffer was large enough");
    out
}

#[tokio::test]
async fn large_frames_travel_compressed_and_compressed_messages_are_read() {
    let app = spawn_app().await;
    let (_, code) = app.create_session(json!({"scenario": "lab"})).await;
    let mut raw = Raw::connect(app.addr, "permessage-deflate; client_max_window_bits").await;
    assert_eq!(
        raw.extensions.as_deref(),
        Some("permessage-deflate; server_no_context_takeover; client_no_context_takeover")
    );
    // A compressed `join`, then a plain `choose_role`: both are read.
    raw.send_json(json!({"type": "join", "code": code, "name": "Zaya", "id": "j"}), true).await;
    raw.recv_type("welcome").await;
    let before = raw.wire;
    let state = raw.recv_type("state").await;
    assert_eq!(state["phase"], "lobby");
    assert_eq!(raw.compressed_frames, 1, "the state came compressed, the welcome plain");
    let (plain, wire) = (state.to_string().len(), raw.wire - before);
    assert!(wire * 3 < plain * 2, "{wire} bytes on the wire for a {plain}-byte state");
    raw.send_json(json!({"type": "choose_role", "role": "mongolia", "id": "r"}), false).await;
    while raw.recv_type("ack").await["re"] != "r" {}
    // A compressed message split over two frames.
    let packed = deflate(json!({"type": "say", "to": "all", "text": "fragments", "id": "s"}).to_string().as_bytes());
    let (a, b) = packed.split_at(packed.len() / 2);
    let key = [1, 2, 3, 4];
    let mut frames = vec![0x41, 0x80 | a.len() as u8];
    frames.extend_from_slice(&key);
    frames.extend(a.iter().enumerate().map(|(i, x)| x ^ key[i % 4]));
    frames.extend([0x80, 0x80 | b.len() as u8]);
    frames.extend_from_slice(&key);
    frames.extend(b.iter().enumerate().map(|(i, x)| x ^ key[i % 4]));
    raw.stream.write_all(&frames).await.expect("write");
    let said = raw.recv_type("message").await;
    assert_eq!(said["text"], "fragments");
}

#[tokio::test]
async fn a_compressed_bomb_closes_its_connection_only() {
    let app = spawn_app().await;
    let (_, code) = app.create_session(json!({"scenario": "lab"})).await;
    let (mut other, _) = app.join(&code, "Bat").await;
    let mut raw = Raw::connect(app.addr, "permessage-deflate").await;
    let bomb = deflate(&vec![b' '; 4 * 1024 * 1024]);
    assert!(bomb.len() < 64 * 1024, "small on the wire");
    raw.send(&bomb, true).await;
    assert!(raw.recv().await.is_none(), "the connection is closed");
    other.request(json!({"type": "ping"})).await.expect("the server keeps serving the others");
}

#[tokio::test]
async fn without_an_offer_or_with_compression_off_nothing_is_compressed() {
    let app = spawn_app_with(|c| c.limits.compression = false).await;
    let (_, code) = app.create_session(json!({"scenario": "lab"})).await;
    let mut raw = Raw::connect(app.addr, "permessage-deflate").await;
    assert_eq!(raw.extensions, None, "the server declines when compression is off");
    raw.send_json(json!({"type": "join", "code": code, "name": "Nara"}), false).await;
    raw.recv_type("state").await;
    assert_eq!(raw.compressed_frames, 0);
    // A declined offer of a window the server cannot honour, on a server that compresses.
    let app = spawn_app().await;
    let raw = Raw::connect(app.addr, "permessage-deflate; server_max_window_bits=9").await;
    assert_eq!(raw.extensions, None);
}
