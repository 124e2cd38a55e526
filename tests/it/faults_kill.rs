//! `kill -9` at random moments under load: four players keep sending `set_orders`, `say` and
//! `ready` to the server binary while it is killed and restarted, again and again. After the
//! last restart every acknowledged action is in the stored log, no round was applied twice,
//! and every game's replay reproduces every stored state hash.
//!
//! `THIRD_NEIGHBOR_FAULT_KILLS` sets the number of kills (default 10; `scripts/faults-long` runs
//! 100 or more) and `THIRD_NEIGHBOR_FAULT_SEED` the random moments. Only `ack`/`error` frames
//! and HTTP answers are read, never `state` frames. A second test kills the server while a class
//! is mid-round: its tables, seats and one clock come back from the log.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use common::acked::{check_log, Acked};
use common::{http, plans, test_dir, ChildServer, TestClient};

/// A tiny deterministic generator for the kill moments.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

struct Game {
    session_id: String,
    tokens: Vec<(String, String)>, // (role, seat token)
}

async fn new_game(addr: SocketAddr, key: &str, n: usize) -> Game {
    let body = json!({"scenario": "tutorial", "seed": 7 + n as u64, "deadline_secs": 3600}).to_string();
    let (status, text) = http(addr, "POST", "/api/sessions", Some(key), Some(&body)).await;
    assert_eq!(status, 201, "{text}");
    let created: Value = serde_json::from_str(&text).expect("json");
    let session_id = created["session_id"].as_str().expect("id").to_string();
    let code = created["join_code"].as_str().expect("code").to_string();
    let mut teacher = TestClient::connect(addr).await;
    teacher.request(json!({"type": "instructor", "session_id": session_id, "key": key})).await.expect("seat");
    let mut tokens = Vec::new();
    for role in common::ROLES {
        let mut c = TestClient::connect(addr).await;
        c.request(json!({"type": "join", "code": code, "name": role})).await.expect("join");
        let token = c.find("welcome").expect("welcome")["seat_token"].as_str().expect("token").to_string();
        c.request(json!({"type": "choose_role", "role": role})).await.expect("role");
        tokens.push((role.to_string(), token));
    }
    teacher.request(json!({"type": "start"})).await.expect("start");
    Game { session_id, tokens }
}

/// The session's status and round, from the instructor's list.
async fn status_of(addr: SocketAddr, key: &str, session_id: &str) -> (String, u64) {
    let (status, text) = http(addr, "GET", "/api/sessions", Some(key), None).await;
    assert_eq!(status, 200, "{text}");
    let list: Value = serde_json::from_str(&text).expect("json");
    let row = list.as_array().expect("list").iter().find(|s| s["session_id"] == session_id).expect("listed").clone();
    (row["status"].as_str().unwrap_or_default().to_string(), row["round"].as_u64().unwrap_or(1))
}

/// One player under load until its socket dies (the kill) or its game ends.
async fn play(addr: SocketAddr, role: String, token: String, mut round: u64, tag: String) -> Acked {
    let mut acked = Acked::default();
    let mut c = TestClient::connect(addr).await;
    match c.request_or_close(json!({"type": "resume", "seat_token": token})).await {
        Some(Ok(_)) => {}
        _ => return acked,
    }
    let [a, b] = plans(&role);
    let mut step = 0u64;
    loop {
        step += 1;
        let moves = if step.is_multiple_of(2) { a.clone() } else { b.clone() };
        let frame = match step % 4 {
            0 | 2 => json!({"type": "set_orders", "round": round, "orders": common::orders(&moves)}),
            1 => json!({"type": "say", "to": "all", "text": format!("{tag}-{role}-{step}")}),
            _ => json!({"type": "ready", "round": round, "ready": step % 8 == 3}),
        };
        match c.request_or_close(frame.clone()).await {
            None => return acked,
            Some(Ok(_)) => acked.record(&role, &frame),
            Some(Err(code)) => match code.as_str() {
                "wrong_round" => round += 1,
                "orders_locked" => {
                    let unlock = json!({"type": "ready", "round": round, "ready": false});
                    if let Some(Ok(_)) = c.request_or_close(unlock.clone()).await {
                        acked.record(&role, &unlock);
                    }
                }
                "wrong_phase" => return acked, // the game is over
                // Past the frame budget (40, then 10 a second): a real client slows down.
                "rate_limited" => tokio::time::sleep(Duration::from_millis(100)).await,
                other => panic!("unexpected refusal {other} for {frame}"),
            },
        }
        if round > 4 {
            return acked;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_load_loses_nothing_acknowledged() {
    let kills: usize = std::env::var("THIRD_NEIGHBOR_FAULT_KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    let seed: u64 = std::env::var("THIRD_NEIGHBOR_FAULT_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x5eed);
    let mut rng = XorShift(seed | 1);
    let (dir, scenarios, db) = test_dir();
    let started = Instant::now();

    let mut server = ChildServer::start(&db, &scenarios);
    let key = server.key.clone().expect("first start prints the key");
    let mut games = vec![new_game(server.addr, &key, 0).await];
    // What each game's players had acknowledged, by session id.
    let mut acked: BTreeMap<String, Acked> = BTreeMap::new();
    for kill in 0..kills {
        let addr = server.addr;
        let (status, round) = status_of(addr, &key, &games[games.len() - 1].session_id).await;
        if status == "finished" {
            let n = games.len();
            games.push(new_game(addr, &key, n).await);
        }
        let game = &games[games.len() - 1];
        let tasks: Vec<_> = game
            .tokens
            .iter()
            .map(|(role, token)| {
                let tag = format!("k{kill}");
                tokio::spawn(play(addr, role.clone(), token.clone(), round, tag))
            })
            .collect();
        // Kill at a random moment: 50 to 600 ms into the load.
        tokio::time::sleep(Duration::from_millis(50 + rng.next() % 550)).await;
        server.kill();
        for task in tasks {
            let got = task.await.expect("player task");
            acked.entry(game.session_id.clone()).or_default().extend(got);
        }
        server = ChildServer::start(&db, &scenarios);
    }

    // After the last restart: every acknowledged action is in the log, every replay is whole.
    let addr = server.addr;
    let (mut rounds, mut events) = (0usize, 0usize);
    let mut lost = Vec::new();
    let mut all = Acked::default();
    for game in &games {
        let game_acked = acked.remove(&game.session_id).unwrap_or_default();
        let check = check_log(addr, &key, &game.session_id, &game_acked).await;
        lost.extend(check.lost);
        events += check.events;
        rounds += check.rounds_resolved;
        all.extend(game_acked);
    }
    let total = all.total();
    eprintln!(
        "kill -9: {kills} kills (seed {seed}) in {:.1} s; {total} acknowledged actions ({} say, {} set_orders, \
         {} locks, {} unlocks) over {} games, {events} events, {rounds} rounds resolved; {} lost, 0 rounds \
         applied twice, every replay's hashes equal",
        started.elapsed().as_secs_f64(),
        all.says.len(),
        all.orders.len(),
        all.locks.len(),
        all.unlocks,
        games.len(),
        lost.len()
    );
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    assert!(total > kills, "the load ran between the kills ({total} acknowledged actions)");
    server.kill();
    drop(dir);
}

/// A student of a class: its seat token, table (session id) and role.
struct ClassStudent {
    token: String,
    session_id: String,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_round_keeps_a_class_and_its_one_clock() {
    let (dir, scenarios, db) = test_dir();
    let server = ChildServer::start(&db, &scenarios);
    let key = server.key.clone().expect("first start prints the key");
    let body = json!({"scenario": "tutorial", "tables": 2, "deadline_secs": 600}).to_string();
    let (status, text) = http(server.addr, "POST", "/api/classes", Some(&key), Some(&body)).await;
    assert_eq!(status, 201, "{text}");
    let created: Value = serde_json::from_str(&text).expect("json");
    let (class_id, code) = (created["class_id"].as_str().expect("id"), created["join_code"].as_str().expect("code"));

    let mut students = Vec::new();
    for i in 0..8 {
        let mut c = TestClient::connect(server.addr).await;
        c.request(json!({"type": "join", "code": code, "name": format!("s{i}")})).await.expect("join");
        let token = c.find("welcome").expect("welcome")["seat_token"].as_str().expect("token").to_string();
        let state = c.recv_until("a seat", |v| v["type"] == "state" && v["you"]["role"].is_string()).await;
        students.push((c, ClassStudent { token, session_id: state["session"]["id"].as_str().expect("id").into() }));
    }
    let mut console = TestClient::connect(server.addr).await;
    console.request(json!({"type": "instructor", "class_id": class_id, "key": key})).await.expect("console");
    console.request(json!({"type": "start"})).await.expect("start all");
    // One table locks and waits for the class; the other is mid-round when the server dies.
    let waiting = students[0].1.session_id.clone();
    for (c, s) in students.iter_mut().filter(|(_, s)| s.session_id == waiting) {
        c.request(json!({"type": "ready", "round": 1}))
            .await
            .unwrap_or_else(|e| panic!("lock at {}: {e}", s.session_id));
    }
    let deadline_before = {
        let (c, _) = &mut students[0];
        c.recv_until("waiting", |v| v["type"] == "state" && v["phase"] == "waiting").await;
        let other = students.iter().position(|(_, s)| s.session_id != waiting).expect("another table");
        let (c, _) = &mut students[other];
        c.recv_until("running", |v| v["type"] == "state" && v["phase"] == "running").await["deadline_at"].clone()
    };
    server.kill();
    let server = ChildServer::start(&db, &scenarios);

    // Every student takes its seat back at its table; the waiting table still waits, the other
    // still plays round 1 with the same deadline.
    let mut back = Vec::new();
    for (_, s) in &students {
        let mut c = TestClient::connect(server.addr).await;
        c.send(json!({"type": "resume", "seat_token": s.token})).await;
        let state = c.recv_until("its state", |v| v["type"] == "state").await;
        assert_eq!(state["session"]["id"].as_str(), Some(s.session_id.as_str()), "the same table");
        if s.session_id == waiting {
            assert_eq!((state["phase"].as_str(), state["round"].as_u64()), (Some("waiting"), Some(2)));
        } else {
            assert_eq!((state["phase"].as_str(), state["round"].as_u64()), (Some("running"), Some(1)));
            assert_eq!(state["deadline_at"], deadline_before, "the class's clock survived");
        }
        back.push((c, s));
    }
    let mut console = TestClient::connect(server.addr).await;
    console.request(json!({"type": "instructor", "class_id": class_id, "key": key})).await.expect("console");
    let class = console.recv_type("class_state").await;
    assert_eq!(class["tables"].as_array().map(Vec::len), Some(2), "{class}");
    // The other table locks: both start round 2 together, on one deadline.
    for (c, s) in back.iter_mut().filter(|(_, s)| s.session_id != waiting) {
        c.request(json!({"type": "ready", "round": 1})).await.unwrap_or_else(|e| panic!("{} {e}", s.session_id));
    }
    let mut deadlines = BTreeSet::new();
    for (c, _) in back.iter_mut() {
        let state =
            c.recv_until("round 2", |v| v["type"] == "state" && v["phase"] == "running" && v["round"] == 2).await;
        deadlines.insert(state["deadline_at"].to_string());
    }
    assert_eq!(deadlines.len(), 1, "one clock for the class after the crash: {deadlines:?}");
    server.kill();
    drop(dir);
}
