//! Two nodes never both run the same session (several nodes on one PostgreSQL): a node asked
//! for a session another live node runs refuses (`wrong_node`, naming it) and cannot append to
//! its log even when told to; two nodes racing to take over an orphaned session — one wins, the
//! other names the winner; a node that loses its database connection stops every session it ran
//! (its clients are closed with 1012 to reconnect) and its writes are refused from then on.
//!
//! Needs PostgreSQL (tests/common/pg.rs): skipped with a printed reason without it, except in CI.

use crate::common;

use std::path::PathBuf;

use serde_json::json;
use sqlx::Connection;

use common::{pg, spawn_node, TestApp};
use third_neighbor::log::LogEvent;
use third_neighbor::server::session::{self, LoadError};
use third_neighbor::store::{now_ms, Claim, Op, StoreError};

/// A fresh database and two nodes on it, `a` and `b`, that take the same instructor key.
async fn nodes_a_and_b() -> (PathBuf, TestApp, TestApp) {
    let db = PathBuf::from(pg::fresh_database().await);
    let a = spawn_node(db.clone(), "a").await;
    let mut b = spawn_node(db.clone(), "b").await;
    b.instructor_key = a.instructor_key.clone();
    (db, a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_another_live_node_runs_is_refused_and_its_log_is_fenced() {
    if pg::or_skip("a_session_another_live_node_runs_is_refused_and_its_log_is_fenced").is_none() {
        return;
    }
    let (_db, a, b) = nodes_a_and_b().await;
    let (session_id, code) = a.create_session(json!({"scenario": "tutorial"})).await;
    let (_player, _) = a.player(&code, "M", "mongolia").await;

    // Asked directly, B's store says who owns it.
    match b.app.store().claim(&session_id).await.expect("claim") {
        Claim::Elsewhere { node } => assert_eq!(node, "a"),
        Claim::Owned(_) => panic!("node B took a session node A runs"),
    }
    // Its writer refuses to append to the log (nothing is written).
    let before = a.app.store().events_of(&session_id).await.expect("log").len();
    let seq = i64::try_from(before).expect("seq") + 1;
    let append = Op::Event { session_id: session_id.clone(), seq, at: now_ms(), event: LogEvent::Held };
    let refused = b.app.store().commit(vec![append]).await.expect_err("B may not append");
    assert!(matches!(refused, StoreError::NotOwner(ref id) if *id == session_id), "{refused}");
    assert_eq!(a.app.store().events_of(&session_id).await.expect("log").len(), before);
    // Loading it on B is refused, naming A; every seat on B is refused the same way.
    match session::get_or_load(&b.app, &session_id, None).await {
        Err(LoadError::WrongNode(node)) => assert_eq!(node, "a"),
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("node B runs a session node A runs"),
    }
    let mut c = b.client().await;
    let e = c.request(json!({"type": "join", "code": code, "name": "X"})).await.expect_err("wrong node");
    assert_eq!((e["code"].as_str(), e["node"].as_str()), (Some("wrong_node"), Some("a")), "{e}");
    // Still one game on A, which goes on.
    let (_russia, _) = a.player(&code, "R", "russia").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_racing_to_take_over_an_orphaned_session_never_both_win() {
    if pg::or_skip("two_nodes_racing_to_take_over_an_orphaned_session_never_both_win").is_none() {
        return;
    }
    let db = PathBuf::from(pg::fresh_database().await);
    let mut a = spawn_node(db.clone(), "a").await;
    let mut ids = Vec::new();
    for _ in 0..12 {
        let (id, code) = a.create_session(json!({"scenario": "tutorial"})).await;
        let (_p, _) = a.player(&code, "M", "mongolia").await;
        ids.push(id);
    }
    // B and C start while A runs them all: they read none of them back.
    let b = spawn_node(db.clone(), "b").await;
    let c = spawn_node(db.clone(), "c").await;
    for id in &ids {
        match session::get_or_load(&c.app, id, None).await {
            Err(LoadError::WrongNode(node)) => assert_eq!(node, "a"),
            _ => panic!("C runs a session A runs"),
        }
    }
    // A goes away: its sessions have no owner now. B and C race for each of them.
    a.stop().await;
    let mut wins = [0usize; 2];
    for id in &ids {
        let (x, y) = tokio::join!(session::get_or_load(&b.app, id, None), session::get_or_load(&c.app, id, None));
        let won = [matches!(x, Ok(Some(_))), matches!(y, Ok(Some(_)))];
        assert_eq!(won.iter().filter(|w| **w).count(), 1, "exactly one node takes {id} over");
        let (loser, winner) = if won[0] { (y, "b") } else { (x, "c") };
        match loser {
            Err(LoadError::WrongNode(node)) => assert_eq!(node, winner),
            _ => panic!("the loser names the winner"),
        }
        wins[usize::from(won[1])] += 1;
    }
    eprintln!("takeover race over {} orphaned sessions: b won {}, c won {}; never both", ids.len(), wins[0], wins[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_that_loses_its_database_connection_stops_its_sessions_and_writes_nothing_more() {
    if pg::or_skip("a_node_that_loses_its_database_connection_stops_its_sessions_and_writes_nothing_more").is_none() {
        return;
    }
    let (db, a, b) = nodes_a_and_b().await;
    let (session_id, code) = a.create_session(json!({"scenario": "tutorial"})).await;
    let (mut player, token) = a.player(&code, "M", "mongolia").await;

    // A's write connection (its locks) is terminated by the database (this test's database
    // only: other tests of this process run nodes called `a` too).
    let mut admin = sqlx::PgConnection::connect(db.to_str().expect("url")).await.expect("admin");
    let killed: Vec<(bool,)> = sqlx::query_as(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE application_name = 'third-neighbor/a' AND datname = current_database()",
    )
    .fetch_all(&mut admin)
    .await
    .expect("terminate");
    assert_eq!(killed.len(), 1, "one write connection per node");
    // A notices within its keep-alive (2 s): the player's socket is closed with 1012.
    assert_eq!(player.closed().await, Some(1012), "told to reconnect");
    // The player reconnects (the proxy sends it to B): B takes the session over.
    let mut back = b.client().await;
    back.request(json!({"type": "resume", "seat_token": token})).await.expect("resumed on B");
    back.request(json!({"type": "say", "to": "all", "text": "on b"})).await.expect("B writes");
    // A, reconnected, holds no lock anymore: its writes for the session are refused.
    let seq = i64::try_from(a.app.store().events_of(&session_id).await.expect("log").len()).expect("seq") + 1;
    let append = Op::Event { session_id: session_id.clone(), seq, at: now_ms(), event: LogEvent::Held };
    let refused = a.app.store().commit(vec![append]).await.expect_err("A lost the session");
    assert!(matches!(refused, StoreError::NotOwner(_)), "{refused}");
    let mut again = a.client().await;
    let e = again.request(json!({"type": "resume", "seat_token": token})).await.expect_err("B runs it");
    assert_eq!(e["node"], "b", "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_that_passed_while_no_node_ran_the_game_gets_the_grace_on_takeover() {
    if pg::or_skip("a_deadline_that_passed_while_no_node_ran_the_game_gets_the_grace_on_takeover").is_none() {
        return;
    }
    let db = PathBuf::from(pg::fresh_database().await);
    let mut a = spawn_node(db.clone(), "a").await;
    let b = spawn_node(db.clone(), "b").await;
    let body = json!({"scenario": "tutorial", "deadline_secs": 1, "bots": ["russia", "china", "us"]});
    let (session_id, code) = a.create_session(body).await;
    let (_player, _) = a.player(&code, "M", "mongolia").await;
    let mut teacher = a.instructor(&session_id).await;
    teacher.request(json!({"type": "start"})).await.expect("start");
    let started = teacher.state().await;
    let deadline = started["deadline_at"].as_i64().expect("a deadline");
    // A goes away before the deadline; nobody runs the game when it passes.
    drop(teacher);
    a.stop().await;
    while now_ms() <= deadline + 200 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let log_before = b.app.store().events_of(&session_id).await.expect("log");
    let taken_at = now_ms();
    session::get_or_load(&b.app, &session_id, None).await.expect("B takes it over").expect("found");
    let log = b.app.store().events_of(&session_id).await.expect("log");
    let moved: Vec<&third_neighbor::log::EventRow> = log[log_before.len()..].iter().collect();
    match moved.first().map(|row| &row.event) {
        Some(LogEvent::DeadlineSet { round: 1, at }) => {
            assert!(*at >= taken_at + 29_000, "the new deadline is the grace after the takeover: {at} vs {taken_at}")
        }
        other => panic!("expected a deadline_set after the takeover, got {other:?}"),
    }
    assert!(
        !log.iter().any(|row| matches!(row.event, LogEvent::RoundResolved { .. })),
        "the round did not resolve while nobody ran it, nor at once on takeover"
    );
}
