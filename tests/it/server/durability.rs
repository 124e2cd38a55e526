//! Durability: what was acknowledged survives `kill -9` of the server process, and a restarted
//! server continues the game with the same state hashes; a graceful shutdown closes sockets with
//! 1001 and loses nothing.

use crate::common;

use std::net::SocketAddr;

use serde_json::{json, Value};

use common::{http, orders, spawn_app, test_dir, ChildServer, TestClient};
use third_neighbor::engine::{parse_order, resolve_round, GameState};

async fn resume(addr: SocketAddr, token: &str) -> (TestClient, Value) {
    let mut c = TestClient::connect(addr).await;
    c.request(json!({"type": "resume", "seat_token": token})).await.expect("resume");
    let state = c.state().await;
    (c, state)
}

/// The hash the engine gives for this scenario, seed and rounds of (role, move) orders.
fn expected_hash(rounds: &[&[(&str, &str)]]) -> String {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/common/tutorial.toml")).unwrap();
    let sc = third_neighbor::scenario::parse("tutorial.toml", &text).unwrap();
    let mut state = GameState::new(&sc, 42);
    for round in rounds {
        let mut by_role = vec![Vec::new(); sc.roles.len()];
        for (role, mv) in *round {
            let r = sc.role_index(role).unwrap();
            by_role[r].push(parse_order(&sc, r, mv, None).unwrap());
        }
        state = resolve_round(&sc, &state, &by_role).0;
    }
    state.hash(&sc)
}

#[tokio::test]
async fn kill_9_loses_no_acknowledged_action_and_the_game_continues() {
    let (dir, scenarios, db) = test_dir();
    // SQLite, or PostgreSQL with THIRD_NEIGHBOR_TEST_STORE=postgres (the node's kill -9 then
    // releases its lock with its connection, and the restart takes the session back).
    let db = common::test_db(db).await;
    let server = ChildServer::start(&db, &scenarios);
    let key = server.key.clone().expect("first start prints the key");
    let body = json!({"scenario": "tutorial", "seed": 42}).to_string();
    let (status, text) = http(server.addr, "POST", "/api/sessions", Some(&key), Some(&body)).await;
    assert_eq!(status, 201, "{text}");
    let created: Value = serde_json::from_str(&text).unwrap();
    let (session_id, code) = (created["session_id"].as_str().unwrap(), created["join_code"].as_str().unwrap());

    let mut teacher = TestClient::connect(server.addr).await;
    teacher.request(json!({"type": "instructor", "session_id": session_id, "key": key})).await.expect("seat");
    let mut tokens = Vec::new();
    let mut players = Vec::new();
    for (name, role) in [("M", "mongolia"), ("R", "russia")] {
        let mut c = TestClient::connect(server.addr).await;
        c.request(json!({"type": "join", "code": code, "name": name})).await.expect("join");
        tokens.push(c.find("welcome").unwrap()["seat_token"].as_str().unwrap().to_string());
        c.request(json!({"type": "choose_role", "role": role})).await.expect("role");
        players.push(c);
    }
    teacher.request(json!({"type": "start"})).await.expect("start");
    let (m, r) = players.split_at_mut(1);
    let (m, r) = (&mut m[0], &mut r[0]);
    m.request(json!({"type": "set_orders", "round": 1, "orders": orders(&["reach_out"])})).await.expect("orders");
    r.request(json!({"type": "set_orders", "round": 1, "orders": orders(&["friendly_visit"])})).await.expect("orders");
    r.request(json!({"type": "ready", "round": 1})).await.expect("ready");
    m.request(json!({"type": "say", "to": "russia", "text": "acked-before-the-crash 5e5e"})).await.expect("say");
    // Right after the last ack: kill -9.
    server.kill();

    let server = ChildServer::start(&db, &scenarios);
    assert!(server.key.is_none(), "a restart creates no instructor");
    let (mut m, state) = resume(server.addr, &tokens[0]).await;
    assert_eq!((state["phase"].as_str(), state["round"].as_u64()), (Some("running"), Some(1)));
    assert_eq!(state["my_orders"], json!([{"move": "reach_out", "target": null}]));
    assert!(m.saw("acked-before-the-crash 5e5e"), "the message survived");
    let (mut r, state) = resume(server.addr, &tokens[1]).await;
    assert_eq!(state["my_orders"], json!([{"move": "friendly_visit", "target": null}]));
    assert_eq!(state["ready"], true, "the lock survived");

    // The game continues: round 1 resolves as the engine says it must.
    m.request(json!({"type": "ready", "round": 1})).await.expect("ready");
    let report = m.recv_until("report", |v| v["type"] == "round_resolved" && v["round"] == 1).await;
    let round1: &[(&str, &str)] = &[("mongolia", "reach_out"), ("russia", "friendly_visit")];
    assert_eq!(report["state_hash"], expected_hash(&[round1]));
    r.recv_until("report", |v| v["type"] == "round_resolved" && v["round"] == 1).await;
    server.kill();

    // Killed again after a resolution: the restart replays it to the same hash.
    let server = ChildServer::start(&db, &scenarios);
    let (mut m, state) = resume(server.addr, &tokens[0]).await;
    assert_eq!(state["round"], 2);
    let replayed = m.recv_until("replayed report", |v| v["type"] == "round_resolved").await;
    assert_eq!(replayed["state_hash"], expected_hash(&[round1]));
    let (mut r, _) = resume(server.addr, &tokens[1]).await;
    m.request(json!({"type": "set_orders", "round": 2, "orders": orders(&["stay_neutral"])})).await.expect("orders");
    m.request(json!({"type": "ready", "round": 2})).await.expect("ready");
    r.request(json!({"type": "ready", "round": 2})).await.expect("ready");
    let report = r.recv_until("report", |v| v["type"] == "round_resolved" && v["round"] == 2).await;
    assert_eq!(report["state_hash"], expected_hash(&[round1, &[("mongolia", "stay_neutral")]]));
    server.kill();
    drop(dir);
}

#[tokio::test]
async fn graceful_shutdown_closes_sockets_with_1001_and_keeps_everything() {
    let mut app = spawn_app().await;
    let (session_id, code) = app.create_session(json!({"scenario": "tutorial"})).await;
    let mut teacher = app.instructor(&session_id).await;
    let (mut m, token) = app.player(&code, "M", "mongolia").await;
    teacher.request(json!({"type": "start"})).await.expect("start");
    m.request(json!({"type": "set_orders", "round": 1, "orders": orders(&["trade_deal"])})).await.expect("orders");
    let mut idle = app.client().await;

    app.restart().await;
    assert_eq!(m.closed().await, Some(1001));
    assert_eq!(teacher.closed().await, Some(1001));
    assert_eq!(idle.closed().await, Some(1001), "sockets without a seat too");
    let (_, state) = resume(app.addr, &token).await;
    assert_eq!(state["my_orders"], json!([{"move": "trade_deal", "target": null}]));
}

/// A game nobody has touched for a while is left dormant at a restart (not read back into
/// memory), and comes back the moment anyone uses it: its join code, a seat token or the
/// instructor's console. A game changed since stays read back.
#[tokio::test]
async fn a_restart_leaves_old_untouched_games_dormant_until_someone_comes_back() {
    let mut app = common::spawn_app_with(|c| c.dormant_after = Some(std::time::Duration::from_secs(2))).await;
    let (old_id, old_code) = app.create_session(json!({"scenario": "tutorial"})).await;
    let (_, token) = app.player(&old_code, "Ana", "mongolia").await;
    let (watched_id, watched_code) = app.create_session(json!({"scenario": "tutorial"})).await;
    let (_, other_token) = app.player(&watched_code, "Boris", "russia").await;
    let (kept_id, kept_code) = app.create_session(json!({"scenario": "tutorial"})).await;
    tokio::time::sleep(std::time::Duration::from_millis(2300)).await;
    // Only this one changes within the last two seconds.
    app.player(&kept_code, "Chen", "china").await;

    app.restart().await;
    let running = |app: &common::TestApp, id: &str| app.app.registry().get(id).is_some();
    assert!(running(&app, &kept_id), "a game changed lately is read back");
    assert!(!running(&app, &old_id) && !running(&app, &watched_id), "older games are left dormant");

    // A student joins the dormant game by its code: it is read back, and the seats in it are
    // the ones it had.
    let (mut dana, _) = app.join(&old_code, "Dana").await;
    let state = dana.state().await;
    assert_eq!(state["session"]["id"], old_id.as_str());
    assert!(state["players"].to_string().contains("Ana"), "its players come back with it: {state}");
    assert!(running(&app, &old_id));
    // A seat token of another dormant game brings that one back too.
    let (_, state) = resume(app.addr, &other_token).await;
    assert_eq!(state["you"]["role"], "russia");
    assert!(running(&app, &watched_id));
    let (_, state) = resume(app.addr, &token).await;
    assert_eq!(state["you"]["role"], "mongolia");
}

/// The instructor's console opens a dormant game too.
#[tokio::test]
async fn the_console_brings_a_dormant_game_back() {
    let mut app = common::spawn_app_with(|c| c.dormant_after = Some(std::time::Duration::from_millis(300))).await;
    let (id, code) = app.create_session(json!({"scenario": "tutorial"})).await;
    app.player(&code, "Ana", "mongolia").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    app.restart().await;
    assert!(app.app.registry().get(&id).is_none(), "dormant after the restart");
    let mut teacher = app.instructor(&id).await;
    let state = common::state_where(&mut teacher, |s| s["players"].as_array().is_some_and(|p| p.len() == 1)).await;
    assert_eq!(state["phase"], "lobby");
    teacher.request(json!({"type": "start"})).await.expect("a dormant game starts when its instructor is back");
}
