//! Memory per idle WebSocket connection, measured on the real server binary.
//!
//! Starts `third-neighbor serve` in a child process on a fresh database, creates sessions, reads
//! the child's RSS, opens many connections that each take a seat (players and spectators, as a
//! class would) and then sit idle, and reads the RSS again. Prints the figures; asserts nothing.
//!
//!     cargo bench --bench idle_connections            # 1000 connections
//!     IDLE_CONNECTIONS=5000 cargo bench --bench idle_connections

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

/// Seats per session: 4 players (one per role) and spectators.
const PER_SESSION: usize = 20;

fn rss_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn start(db: &std::path::Path) -> (Child, SocketAddr, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_third-neighbor"))
        .args(["serve", "--addr", "127.0.0.1:0", "--scenarios", concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")])
        // Every connection comes from this one address: lift the per-address caps.
        .args(["--max-connections", "100000", "--per-address-connections", "100000"])
        .args(["--per-address-spectators", "100000"])
        .arg("--db")
        .arg(db)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the server");
    let mut key = String::new();
    let mut addr = None;
    for line in BufReader::new(child.stdout.take().expect("stdout")).lines() {
        let line = line.expect("stdout");
        if let Some(k) = line.split_whitespace().find(|w| w.starts_with("ik_")) {
            key = k.to_string();
        }
        if let Some(a) = line.strip_prefix("listening on http://") {
            addr = Some(a.trim().parse().expect("address"));
            break;
        }
    }
    (child, addr.expect("address"), key)
}

async fn create_session(addr: SocketAddr, key: &str) -> String {
    let body = json!({"scenario": "tutorial"}).to_string();
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let request = format!(
        "POST /api/sessions HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {key}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("read");
    let json = response.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
    let v: Value = serde_json::from_str(json).expect("json");
    v["join_code"].as_str().expect("code").to_string()
}

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn seat(addr: SocketAddr, first: Value) -> Ws {
    let config = WebSocketConfig::default().read_buffer_size(4096);
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(format!("ws://{addr}/ws"), Some(config), true)
        .await
        .expect("connect");
    let mut first = first;
    first["id"] = Value::from("seat");
    ws.send(Message::text(first.to_string())).await.expect("send");
    while let Some(Ok(frame)) = ws.next().await {
        if let Message::Text(text) = frame {
            if text.contains("\"re\":\"seat\"") {
                break;
            }
        }
    }
    ws
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let connections: usize = std::env::var("IDLE_CONNECTIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut child, addr, key) = start(&dir.path().join("bench.db"));
    let sessions = connections.div_ceil(PER_SESSION);
    let mut codes = Vec::new();
    for _ in 0..sessions {
        codes.push(create_session(addr, &key).await);
    }
    // Warm up the allocator and the code paths with a few connections, then measure.
    let mut warm = Vec::new();
    for i in 0..PER_SESSION {
        warm.push(seat(addr, json!({"type": "watch", "code": codes[i % codes.len()]})).await);
    }
    drop(warm);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (before, _) = rss_kib(child.id());

    let roles = ["mongolia", "russia", "china", "us"];
    let mut open = Vec::with_capacity(connections);
    for i in 0..connections {
        let code = &codes[i / PER_SESSION];
        let slot = i % PER_SESSION;
        let ws = if slot < roles.len() {
            let mut ws = seat(addr, json!({"type": "join", "code": code, "name": format!("p{i}")})).await;
            let choose = json!({"type": "choose_role", "role": roles[slot]}).to_string();
            ws.send(Message::text(choose)).await.expect("send");
            ws
        } else {
            seat(addr, json!({"type": "watch", "code": code})).await
        };
        open.push(ws);
    }
    // Let the last broadcasts drain, then read the idle figure.
    tokio::time::sleep(Duration::from_secs(1)).await;
    for ws in &mut open {
        while let Ok(Some(_)) = tokio::time::timeout(Duration::from_millis(1), ws.next()).await {}
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (after, peak) = rss_kib(child.id());
    let per = (after.saturating_sub(before) as f64) / connections as f64;
    println!("idle WebSocket connections: {connections} ({sessions} sessions, {PER_SESSION} seats each)");
    println!("server RSS before: {before} KiB, with the connections: {after} KiB (peak {peak} KiB)");
    println!("memory per idle connection: {per:.1} KiB");
    drop(open);
    let _ = child.kill();
    let _ = child.wait();
}
