//! Deadlines, with tokio's clock frozen and moved by hand: no test waits for real time.

use crate::common;

use std::time::Duration;

use serde_json::json;

use common::{freeze_clock, orders, spawn_app_with, state_where, watchdog, TestClient};
use third_neighbor::config::{Config, SleepDetection};

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

/// Round 1, on the frozen clock: still open `open_for` seconds on, resolved 3 s later (`when`
/// says which moment that is).
async fn round_1_resolves_after(m: &mut TestClient, open_for: u64, when: &str) {
    tokio::time::advance(Duration::from_secs(open_for)).await;
    settle(m, "mongolia").await;
    assert!(!resolved(m, 1), "resolved before {when}");
    tokio::time::advance(Duration::from_secs(3)).await;
    settle(m, "mongolia").await;
    assert!(resolved(m, 1), "round 1 did not resolve at {when}");
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

/// A game of the tutorial running round 1 (60 s), with one player; its deadline as told.
async fn a_running_round(app: &common::TestApp) -> (TestClient, TestClient, String, i64) {
    let (session_id, code) = app.create_session(json!({"scenario": "tutorial", "deadline_secs": 60})).await;
    let mut teacher = app.instructor(&session_id).await;
    let (mut m, _) = app.player(&code, "M", "mongolia").await;
    teacher.request(json!({"type": "start"})).await.expect("start");
    let state = state_where(&mut m, |s| s["phase"] == "running").await;
    let told = state["deadline_at"].as_i64().expect("a deadline");
    (teacher, m, session_id, told)
}

/// A server whose sessions take any lead of the wall clock over their own for a sleep: a test
/// cannot suspend the machine, so it stops the session's clock instead (`sleep_the_computer`).
/// (By default a session asks the system how long it was suspended, and a wall clock put forward
/// is not a sleep; `a_wall_clock_put_forward_is_not_a_sleep` in the session's unit tests.)
fn sleeps_read_from_the_wall_clock(c: &mut Config) {
    no_heartbeat(c);
    c.limits.sleep_detection = SleepDetection::WallClock;
}

/// The computer sleeps: this thread, which runs the server, blocks while the wall clock runs on
/// and tokio's (monotonic, here frozen) clock stands still, as a laptop with its lid closed.
fn sleep_the_computer() {
    std::thread::sleep(Duration::from_millis(6_500));
}

/// After a teacher's laptop slept mid-round, the deadline fires at the time the students were
/// told. It fired as much later as the laptop slept, while the countdowns showed 0:00, and every
/// later round of the game started short by that much.
#[tokio::test]
async fn after_the_computer_sleeps_the_deadline_keeps_to_the_time_the_students_were_told() {
    let _watchdog = watchdog(Duration::from_secs(60));
    let app = spawn_app_with(sleeps_read_from_the_wall_clock).await;
    let (_teacher, mut m, _, _) = a_running_round(&app).await;
    let _frozen = freeze_clock();
    sleep_the_computer();
    settle(&mut m, "mongolia").await;
    assert!(!m.pending_has(|v| v["type"] == "clock"), "a deadline still ahead is not moved");
    // About 53.5 s of the 60 are left on the wall clock: the round resolves then, not 60 s on.
    round_1_resolves_after(&mut m, 52, "the deadline the students were told").await;
}

/// A deadline that passed while the laptop slept gets the grace a restart gives (30 s), logged
/// and told, so that students can reconnect before their round resolves.
#[tokio::test]
async fn a_deadline_that_passed_while_the_computer_slept_gets_the_grace_of_a_restart() {
    let _watchdog = watchdog(Duration::from_secs(60));
    let app = spawn_app_with(sleeps_read_from_the_wall_clock).await;
    let (mut teacher, mut m, session_id, _) = a_running_round(&app).await;
    let _frozen = freeze_clock();
    teacher.request(json!({"type": "set_deadline", "secs": 3})).await.expect("set deadline");
    sleep_the_computer();
    settle(&mut m, "mongolia").await;
    let grace = |v: &serde_json::Value| {
        v["type"] == "clock"
            && v["deadline_at"].as_i64().is_some_and(|at| at > third_neighbor::store::now_ms() + 20_000)
    };
    assert!(m.pending_has(grace), "the students are told the grace");
    let clock = m.recv_until("the grace", grace).await;
    let left = clock["deadline_at"].as_i64().expect("a deadline") - third_neighbor::store::now_ms();
    assert!((25_000..=30_000).contains(&left), "a countdown reads {left} ms left");
    round_1_resolves_after(&mut m, 28, "the end of the grace").await;

    // The grace is in the log, so a replay and a restart agree with it: the start's deadline,
    // the instructor's 3 s, the grace, and round 2's.
    let path = format!("/api/sessions/{session_id}/export.json");
    let (status, log) = app.http("GET", &path, Some(&app.instructor_key), None).await;
    assert_eq!(status, 200);
    let log: serde_json::Value = serde_json::from_str(&log).expect("json");
    let events = log["events"].as_array().expect("events");
    let moves = events.iter().filter(|e| e["event"]["type"] == "deadline_set").count();
    assert_eq!(moves, 4, "{log}");
}
