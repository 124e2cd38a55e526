//! Deadlines, with tokio's clock frozen and moved by hand: no test waits for real time.

use crate::common;

use std::time::Duration;

use serde_json::json;

use common::{freeze_clock, orders, spawn_app_with, state_where, watchdog, TestClient};
use third_neighbor::config::Config;

fn no_heartbeat(c: &mut Config) {
    // Hours of frozen time pass in these tests; the sockets themselves stay quiet.
    c.limits.ping_interval = Duration::from_secs(24 * 3600);
    c.limits.idle_timeout = Duration::from_secs(24 * 3600);
    // With the clock frozen, a commit that waited to gather others would wait for good.
    c.limits.commit_gather = Duration::ZERO;
}

/// A round trip through the session's task (a no-op that is acknowledged by the session).
async fn settle(client: &mut TestClient, role: &str) {
    client.request(json!({"type": "choose_role", "role": role})).await.expect("no-op");
}

fn resolved(client: &TestClient, round: u64) -> bool {
    client.pending_has(|v| v["type"] == "round_resolved" && v["round"] == round)
}

#[tokio::test]
async fn rounds_resolve_at_their_deadline_which_the_instructor_can_move_and_pause() {
    let _watchdog = watchdog(Duration::from_secs(60));
    let app = spawn_app_with(no_heartbeat).await;
    let (session_id, code) = app.create_session(json!({"scenario": "tutorial", "deadline_secs": 60})).await;
    let mut teacher = app.instructor(&session_id).await;
    let (mut m, _) = app.player(&code, "M", "mongolia").await;
    let (mut r, _) = app.player(&code, "R", "russia").await;
    teacher.request(json!({"type": "start"})).await.expect("start");
    let state = state_where(&mut m, |s| s["phase"] == "running").await;
    assert!(state["deadline_at"].as_i64().is_some(), "clients see the deadline");
    m.request(json!({"type": "set_orders", "round": 1, "orders": orders(&["reach_out"])})).await.expect("orders");
    let _frozen = freeze_clock();

    // Round 1: nothing at 59 s, resolved at 61 s; Russia gave no orders, so it holds.
    tokio::time::advance(Duration::from_secs(59)).await;
    settle(&mut m, "mongolia").await;
    assert!(!resolved(&m, 1), "resolved before the deadline");
    tokio::time::advance(Duration::from_secs(2)).await;
    let report = m.recv_until("report", |v| v["type"] == "round_resolved" && v["round"] == 1).await;
    assert_eq!(report["orders"]["mongolia"], json!([{"move": "reach_out", "target": null}]));
    assert_eq!(report["orders"]["russia"], json!([]), "no orders is a hold");

    // Round 2: the instructor gives two minutes from now instead of one.
    teacher.request(json!({"type": "set_deadline", "secs": 120})).await.expect("set deadline");
    tokio::time::advance(Duration::from_secs(100)).await;
    settle(&mut r, "russia").await;
    assert!(!resolved(&r, 2), "resolved before the moved deadline");
    tokio::time::advance(Duration::from_secs(21)).await;
    r.recv_until("report", |v| v["type"] == "round_resolved" && v["round"] == 2).await;

    // Round 3: a pause stops the clock; resuming gives back what was left.
    tokio::time::advance(Duration::from_secs(20)).await;
    teacher.request(json!({"type": "pause"})).await.expect("pause");
    tokio::time::advance(Duration::from_secs(3600)).await;
    settle(&mut m, "mongolia").await;
    assert!(!resolved(&m, 3), "a paused round resolved");
    teacher.request(json!({"type": "resume_game"})).await.expect("resume");
    tokio::time::advance(Duration::from_secs(39)).await;
    settle(&mut m, "mongolia").await;
    assert!(!resolved(&m, 3), "the pause ate the remaining time");
    tokio::time::advance(Duration::from_secs(2)).await;
    m.recv_until("report", |v| v["type"] == "round_resolved" && v["round"] == 3).await;
    m.recv_type("game_over").await;
}

#[tokio::test]
async fn a_round_resolves_early_when_every_role_with_people_is_ready() {
    let _watchdog = watchdog(Duration::from_secs(60));
    let app = spawn_app_with(no_heartbeat).await;
    let (session_id, code) = app.create_session(json!({"scenario": "tutorial", "bots": ["us"]})).await;
    let mut teacher = app.instructor(&session_id).await;
    let (mut m, _) = app.player(&code, "M", "mongolia").await;
    let (mut r, _) = app.player(&code, "R", "russia").await;
    teacher.request(json!({"type": "start"})).await.expect("start");
    let _frozen = freeze_clock();
    m.request(json!({"type": "ready", "round": 1})).await.expect("ready");
    settle(&mut m, "mongolia").await;
    assert!(!resolved(&m, 1), "Russia is not ready yet");
    // China has nobody and the US is a bot: they do not hold the round up.
    r.request(json!({"type": "ready", "round": 1})).await.expect("ready");
    m.recv_until("report", |v| v["type"] == "round_resolved" && v["round"] == 1).await;
}

#[tokio::test]
async fn a_restart_re_arms_the_deadline() {
    let _watchdog = watchdog(Duration::from_secs(60));
    let mut app = spawn_app_with(no_heartbeat).await;
    let (session_id, code) = app.create_session(json!({"scenario": "tutorial", "deadline_secs": 600})).await;
    let mut teacher = app.instructor(&session_id).await;
    let (m, token) = app.player(&code, "M", "mongolia").await;
    teacher.request(json!({"type": "start"})).await.expect("start");
    drop((m, teacher));
    app.restart().await;
    let mut m = app.client().await;
    m.request(json!({"type": "resume", "seat_token": token})).await.expect("resume");
    let state = m.state().await;
    assert_eq!(state["phase"], "running");
    let _frozen = freeze_clock();
    tokio::time::advance(Duration::from_secs(590)).await;
    settle(&mut m, "mongolia").await;
    assert!(!resolved(&m, 1));
    tokio::time::advance(Duration::from_secs(11)).await;
    m.recv_until("report", |v| v["type"] == "round_resolved" && v["round"] == 1).await;
}

/// A teacher's laptop that sleeps mid-round (its lid closed): the monotonic clock that fires the
/// deadline stands still while the wall clock that the students' countdowns read runs on. Nobody
/// could play while it slept, so the round keeps the time it had left, and the students are told
/// the deadline that now holds (the countdown would otherwise show 0:00 until the timer fired,
/// and every later round would start short by the time slept).
#[tokio::test]
async fn a_round_keeps_the_time_it_had_left_when_the_computer_sleeps() {
    let _watchdog = watchdog(Duration::from_secs(60));
    let app = spawn_app_with(no_heartbeat).await;
    let (session_id, code) = app.create_session(json!({"scenario": "tutorial", "deadline_secs": 60})).await;
    let mut teacher = app.instructor(&session_id).await;
    let (mut m, _) = app.player(&code, "M", "mongolia").await;
    teacher.request(json!({"type": "start"})).await.expect("start");
    let state = state_where(&mut m, |s| s["phase"] == "running").await;
    let deadline = state["deadline_at"].as_i64().expect("a deadline");
    let _frozen = freeze_clock();

    // The computer sleeps: this thread, which runs the server, blocks while the wall clock runs
    // on and tokio's (monotonic) clock stands still.
    std::thread::sleep(Duration::from_millis(6_500));
    settle(&mut m, "mongolia").await;
    assert!(m.pending_has(|v| v["type"] == "clock"), "the students are told the moved deadline");
    let clock = m.recv_until("the moved deadline", |v| v["type"] == "clock").await;
    let moved = clock["deadline_at"].as_i64().expect("a deadline");
    let slept = moved - deadline;
    assert!((6_500..=10_000).contains(&slept), "the deadline moved on by the time slept, not {slept} ms");
    let left = moved - third_neighbor::store::now_ms();
    assert!((55_000..=60_000).contains(&left), "a countdown reads {left} ms left");

    // The timer agrees with what the students were told.
    tokio::time::advance(Duration::from_secs(57)).await;
    settle(&mut m, "mongolia").await;
    assert!(!resolved(&m, 1), "resolved before the deadline the students were told");
    tokio::time::advance(Duration::from_secs(4)).await;
    m.recv_until("report", |v| v["type"] == "round_resolved" && v["round"] == 1).await;

    // The move is in the log, so a replay and a restart agree with it.
    let (status, log) =
        app.http("GET", &format!("/api/sessions/{session_id}/export.json"), Some(&app.instructor_key), None).await;
    assert_eq!(status, 200);
    let log: serde_json::Value = serde_json::from_str(&log).expect("json");
    let moves =
        log["events"].as_array().expect("events").iter().filter(|e| e["event"]["type"] == "deadline_set").count();
    assert_eq!(moves, 3, "the start's, the sleep's and round 2's deadline: {log}");
}
