//! Load faults with the real server: a reconnect storm (1,000 resumes of the class's seats in
//! about 10 s, as after a Wi-Fi outage) and a slow consumer that never reads while three others
//! play. The server keeps serving, memory comes back, the others are not held up and the slow
//! one is cut off at its queue bound. Figures are printed, not asserted as timings.
//!
//! These tests read `ack`/`error` frames (and `message`/`round_resolved`), never `state`.

use crate::common;

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use common::{http, spawn_app_with, test_dir, ChildServer, TestClient};

/// Keeps reading a client's socket in the background (as a browser does); returns its frames.
fn drain(mut c: TestClient) -> tokio::task::JoinHandle<usize> {
    tokio::spawn(async move {
        let mut n = 0;
        while let Some(Ok(frame)) = c.ws.next().await {
            if matches!(frame, Message::Text(_)) {
                n += 1;
            }
        }
        n
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconnect_storm_of_1000_resumes() {
    // The release-like binary in a child process, so that its own memory can be read.
    let (dir, scenarios, db) = test_dir();
    let server = ChildServer::start(&db, &scenarios);
    let key = server.key.clone().expect("first start prints the key");
    let addr = server.addr;
    let body = json!({"scenario": "tutorial"}).to_string();
    let (status, text) = http(addr, "POST", "/api/sessions", Some(&key), Some(&body)).await;
    assert_eq!(status, 201, "{text}");
    let created: Value = serde_json::from_str(&text).expect("json");
    let (session_id, code) = (created["session_id"].as_str().unwrap(), created["join_code"].as_str().unwrap());
    let mut teacher = TestClient::connect(addr).await;
    teacher.request(json!({"type": "instructor", "session_id": session_id, "key": key})).await.expect("seat");
    let mut tokens = Vec::new();
    let mut readers = Vec::new();
    for (i, role) in common::ROLES.iter().enumerate() {
        let mut c = TestClient::connect(addr).await;
        c.request(json!({"type": "join", "code": code, "name": format!("P{i}")})).await.expect("join");
        tokens.push(c.find("welcome").expect("welcome")["seat_token"].as_str().expect("token").to_string());
        c.request(json!({"type": "choose_role", "role": role})).await.expect("role");
        readers.push(drain(c));
    }
    teacher.request(json!({"type": "start"})).await.expect("start");
    let watcher = drain(teacher);
    let before = server.rss_kib();

    // 1,000 reconnects: 20 at a time, each resumes a seat and goes away (half without a close).
    let started = Instant::now();
    let mut done = 0u32;
    let mut peak = before;
    for wave in 0..50 {
        let batch: Vec<_> = (0..20)
            .map(|i| {
                let token = tokens[(wave * 20 + i) % tokens.len()].clone();
                tokio::spawn(async move {
                    let mut c = TestClient::connect(addr).await;
                    let ok = c.request(json!({"type": "resume", "seat_token": token})).await.is_ok();
                    if i % 2 == 0 {
                        let _ = c.ws.close(None).await;
                    }
                    ok
                })
            })
            .collect();
        for task in batch {
            assert!(task.await.expect("task"), "a resume was refused during the storm");
            done += 1;
        }
        peak = peak.max(server.rss_kib());
    }
    let storm = started.elapsed();
    // The server keeps serving: a player plays, health is fine, a new student joins.
    let mut p = TestClient::connect(addr).await;
    p.request(json!({"type": "join", "code": code, "name": "after the storm"})).await.expect("join");
    p.request(json!({"type": "say", "to": "all", "text": "still here"})).await.expect("say");
    let mut m = TestClient::connect(addr).await;
    m.request(json!({"type": "resume", "seat_token": tokens[0]})).await.expect("resume");
    m.request(json!({"type": "set_orders", "round": 1, "orders": common::plan("mongolia")})).await.expect("orders");
    let (status, _) = http(addr, "GET", "/healthz", None, None).await;
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = server.rss_kib();
    eprintln!(
        "reconnect storm: {done} resumes in {:.1} s ({:.0}/s); server RSS {} KiB before, {} KiB at the peak, \
         {} KiB 2 s after",
        storm.as_secs_f64(),
        f64::from(done) / storm.as_secs_f64(),
        before,
        peak,
        after
    );
    assert!(after < before + 32 * 1024, "memory came back: {before} KiB -> {after} KiB");
    drop((p, m));
    for r in readers {
        r.abort();
    }
    watcher.abort();
    server.kill();
    drop(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_consumer_is_cut_off_while_three_others_play() {
    let app = spawn_app_with(|c| {
        c.limits.send_queue = 32;
        c.limits.rate_burst = 1e9;
        // The chat is the write load here, far past a person's pace.
        c.limits.chat_burst = 1e9;
    })
    .await;
    let (session_id, code) = app.create_session(json!({"scenario": "tutorial", "deadline_secs": 3600})).await;
    let mut teacher = app.instructor(&session_id).await;
    // The slow one: a tiny receive buffer, then it never reads again.
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("small buffer");
    let stream = socket.connect(app.addr).await.expect("connect");
    let (mut slow, _) =
        tokio_tungstenite::client_async(format!("ws://{}/ws", app.addr), stream).await.expect("handshake");
    futures_util::SinkExt::send(
        &mut slow,
        Message::text(json!({"type": "join", "code": code, "name": "slow", "id": 1}).to_string()),
    )
    .await
    .expect("join");
    let mut players = Vec::new();
    for (i, role) in ["mongolia", "russia", "china"].iter().enumerate() {
        players.push(app.player(&code, &format!("P{i}"), role).await.0);
    }
    teacher.request(json!({"type": "start"})).await.expect("start");
    let watcher = drain(teacher);

    // Three players talk (3 KB messages) and play a round each few messages.
    let text = "蒙古".repeat(496);
    let mut slowest = Duration::ZERO;
    let (mut said, mut rounds) = (0usize, 0u32);
    for step in 0..2400 {
        let i = step % 3;
        let started = Instant::now();
        players[i].request(json!({"type": "say", "to": "all", "text": format!("{step} {text}")})).await.expect("say");
        slowest = slowest.max(started.elapsed());
        said += 1;
        if step % 800 == 799 && rounds < 2 {
            rounds += 1;
            for (p, role) in players.iter_mut().zip(["mongolia", "russia", "china"]) {
                let started = Instant::now();
                p.request(json!({"type": "set_orders", "round": rounds, "orders": common::plan(role)}))
                    .await
                    .expect("orders");
                p.request(json!({"type": "ready", "round": rounds})).await.expect("ready");
                slowest = slowest.max(started.elapsed());
            }
            for p in &mut players {
                p.recv_until("report", |v| v["type"] == "round_resolved" && v["round"] == rounds).await;
            }
        }
        for p in &mut players {
            p.clear();
        }
    }
    // Every player got every message (a ping round trip brings in the last ones).
    for p in &mut players {
        p.sync().await;
    }
    for (i, p) in players.iter().enumerate() {
        let got = p.seen.iter().filter(|f| f.contains("\"type\":\"message\"")).count();
        assert!(got >= said, "player {i} got {got} of {said} messages");
    }
    // The slow one now reads: what was queued for it, then the end (it was dropped), well
    // short of everything.
    let mut frames = 0;
    loop {
        match tokio::time::timeout(Duration::from_secs(10), slow.next()).await.expect("the socket ends") {
            Some(Ok(Message::Text(_))) => frames += 1,
            Some(Ok(_)) => {}
            Some(Err(_)) | None => break,
        }
    }
    assert!(frames < said, "the slow consumer was cut off ({frames} frames of {said}+)");
    eprintln!(
        "slow consumer: cut off after {frames} frames (queue bound 32 + socket buffers) while 3 players \
         sent {said} messages of 3 KB and played {rounds} rounds; slowest answer {} ms",
        slowest.as_millis()
    );
    watcher.abort();
}
