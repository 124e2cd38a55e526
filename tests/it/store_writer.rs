//! The store's writer on SQLite, through its public API: every kind of value goes in and comes
//! back out as it was, one caller's bad write fails alone when it was committed in a group with
//! others, and what was acknowledged is in the file after the writer stops.

use std::path::Path;

use third_neighbor::log::LogEvent;
use third_neighbor::store::{NewPlayer, NewSession, Op, Store, WriteStatus};

fn joined(session: &str, seq: i64, name: &str) -> Op {
    Op::Event {
        session_id: session.into(),
        seq,
        at: 1_700_000_000_000 + seq,
        event: LogEvent::PlayerJoined { player_id: format!("p{seq}"), name: name.into(), device: None },
    }
}

async fn with_a_session(path: &Path) -> (Store, tokio::task::JoinHandle<()>) {
    let (store, task) = Store::open(path).await.expect("opens");
    store
        .commit(vec![
            Op::Instructor { id: "i1".into(), name: "Ms. Batbayar".into(), key_hash: "k".into() },
            Op::ScenarioText { hash: "h".into(), scenario_id: "tutorial".into(), text: "id = \"tutorial\"".into() },
            Op::Session(NewSession {
                id: "s1".into(),
                instructor_id: "i1".into(),
                join_code: "ABCD".into(),
                scenario_id: "tutorial".into(),
                scenario_hash: "h".into(),
                seed: u64::MAX,
                deadline_secs: 90,
                class: None,
            }),
            Op::Player(NewPlayer {
                id: "bot".into(),
                session_id: "s1".into(),
                name: "Bot".into(),
                role: None,
                is_bot: true,
                token_hash: None,
            }),
            Op::Player(NewPlayer {
                id: "student".into(),
                session_id: "s1".into(),
                name: "Сарнай 萨仁".into(),
                role: Some("mongolia".into()),
                is_bot: false,
                token_hash: Some("t".into()),
            }),
        ])
        .await
        .expect("rows commit");
    (store, task)
}

async fn values_round_trip_and_a_bad_write_fails_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("writer.db");
    let (store, task) = with_a_session(&path).await;

    let session = store.session("s1").await.expect("reads").expect("the session");
    assert_eq!(session.seed, u64::MAX, "a seed past i64 survives as text");
    let players = store.players_of("s1").await.expect("reads");
    let bot = players.iter().find(|p| p.id == "bot").expect("the bot");
    assert!(bot.is_bot && bot.role.is_none(), "a NULL role and a true flag: {bot:?}");
    let student = players.iter().find(|p| p.id == "student").expect("the student");
    assert_eq!(
        (student.name.as_str(), student.role.as_deref(), student.is_bot),
        ("Сарнай 萨仁", Some("mongolia"), false)
    );

    store.commit(vec![joined("s1", 1, "first")]).await.expect("the first event");
    // Sent together, so that the writer commits them in one group when it can: the second
    // repeats seq 1 and breaks the log's key; the others must not fail with it.
    let (good, bad, also_good) = tokio::join!(
        store.commit(vec![joined("s1", 2, "two"), joined("s1", 3, "three \"quoted\" \u{1F600}")]),
        store.commit(vec![joined("s1", 1, "a duplicate")]),
        store.commit(vec![Op::SessionStatus { id: "s1".into(), status: "running", round: 2 }]),
    );
    good.expect("a good write in the same group commits");
    also_good.expect("a status update in the same group commits");
    let e = bad.expect_err("the duplicate is refused");
    assert!(!e.is_unavailable(), "a constraint is the write's fault, not the storage's: {e}");
    assert!(e.to_string().contains("UNIQUE"), "SQLite's own words: {e}");
    assert_eq!(store.write_status(), WriteStatus::Ok, "the storage is fine");

    store.commit(vec![joined("s1", 4, "after")]).await.expect("the writer goes on");
    store.writer().stop().await;
    let _ = task.await;
    drop(store);

    // Everything acknowledged is in the file, read by a new store.
    let (store, _task) = Store::open(&path).await.expect("opens again");
    let events = store.events_of("s1").await.expect("reads");
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4]);
    let names: Vec<String> = events
        .iter()
        .map(|e| match &e.event {
            LogEvent::PlayerJoined { name, .. } => name.clone(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(names, ["first", "two", "three \"quoted\" \u{1F600}", "after"]);
    let session = store.session("s1").await.expect("reads").expect("the session");
    assert_eq!((session.status.as_str(), session.round), ("running", 2));
}

#[tokio::test]
async fn on_a_single_threaded_runtime() {
    values_round_trip_and_a_bad_write_fails_alone().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_multi_threaded_runtime() {
    values_round_trip_and_a_bad_write_fails_alone().await;
}

/// Committed pages are copied from the write-ahead log into the database file soon after, by
/// the store's checkpointer, not only when the log reaches the writer's own (much larger)
/// threshold inside a commit.
#[tokio::test]
async fn the_log_is_checkpointed_into_the_database_file_soon_after_writes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("checkpoint.db");
    let (store, _task) = with_a_session(&path).await;
    let before = std::fs::metadata(&path).expect("the file").len();
    let name = "x".repeat(4000);
    // About 2 MB of events in 20 commits: ~500 pages, far below the writer's threshold.
    for batch in 0..20 {
        let ops = (0..25).map(|i| joined("s1", batch * 25 + i + 1, &name)).collect();
        store.commit(ops).await.expect("commits");
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let size = std::fs::metadata(&path).expect("the file").len();
        if size >= before + 2_000_000 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the database file is still {size} bytes ({before} before the writes): nothing was checkpointed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(store.events_of("s1").await.expect("reads").len(), 500);
}
