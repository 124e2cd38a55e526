//! Stored data across versions and databases:
//! - a SQLite database made by an older build (`tests/fixtures/store-0004.db`, made by the
//!   server as it was before PostgreSQL came, with `make_fixture_with_an_older_build`) opens with
//!   this one: its migrations (moved to `migrations/sqlite/`, same versions and checksums) are
//!   recognised, not re-run; the fifth moves the log to its write-order layout row for row; and
//!   every stored game replays with its hashes equal;
//! - `third-neighbor migrate-store` copies it into PostgreSQL — a finished game, an unfinished
//!   one mid-round, a class, instructors, source essays — and every replay, debrief, list and
//!   export reads the same there; the unfinished game goes on; a second copy into the same
//!   database is refused.

use crate::common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use common::{http, pg, plan, spawn_node, test_dir, ChildServer, TestClient, ROLES};

/// A database made by the build before PostgreSQL (see `make_fixture_with_an_older_build`; its
/// unfinished round's deadline is in 2100, so that opening it never depends on today's date).
const FIXTURE: &str = "tests/fixtures/store-0004.db";
/// The fixture's instructor key and the seat tokens of its unfinished game (test data only).
const FIXTURE_SEATS: &str = "tests/fixtures/store-0004.json";

/// Plays rounds with `plan` until the session is finished (or `rounds` rounds were played).
async fn play_rounds(players: &mut [(String, TestClient)], teacher: &mut TestClient, rounds: u32) {
    for _ in 0..rounds {
        let state = teacher.state().await;
        if state["phase"] == "finished" {
            return;
        }
        let round = state["round"].as_u64().expect("round");
        for (role, c) in players.iter_mut() {
            c.request(json!({"type": "set_orders", "round": round, "orders": plan(role)})).await.expect("orders");
            c.request(json!({"type": "ready", "round": round, "ready": true})).await.expect("ready");
        }
        common::state_where(teacher, |s| s["round"].as_u64() != Some(round) || s["phase"] == "finished").await;
    }
}

/// A finished game, an unfinished one mid-round (drafts, a lock, press), a class with seated
/// students, a second instructor and a source essay; returns the seat tokens of the unfinished
/// game by role.
async fn populate(addr: SocketAddr, key: &str) -> Value {
    let create = |body: Value| async move {
        let (status, text) = http(addr, "POST", "/api/sessions", Some(key), Some(&body.to_string())).await;
        assert_eq!(status, 201, "{text}");
        let v: Value = serde_json::from_str(&text).expect("json");
        (v["session_id"].as_str().unwrap().to_string(), v["join_code"].as_str().unwrap().to_string())
    };
    let seat = |code: String, role: &'static str| async move {
        let mut c = TestClient::connect(addr).await;
        c.request(json!({"type": "join", "code": code, "name": role})).await.expect("join");
        let token = c.find("welcome").expect("welcome")["seat_token"].as_str().unwrap().to_string();
        c.request(json!({"type": "choose_role", "role": role})).await.expect("role");
        (c, token)
    };
    // A finished game.
    let (finished, code) = create(json!({"scenario": "tutorial", "seed": 5, "deadline_secs": 600})).await;
    let mut teacher = TestClient::connect(addr).await;
    teacher.request(json!({"type": "instructor", "session_id": finished, "key": key})).await.expect("console");
    let mut players = Vec::new();
    for role in ROLES {
        players.push((role.to_string(), seat(code.clone(), role).await.0));
    }
    teacher.request(json!({"type": "start"})).await.expect("start");
    play_rounds(&mut players, &mut teacher, 100).await;
    // An unfinished game of the lab, a bot as the US, in round 2 with drafts, a lock and press.
    let (open, code) = create(json!({"scenario": "lab", "seed": 6, "deadline_secs": 3600, "bots": ["us"]})).await;
    let mut teacher = TestClient::connect(addr).await;
    teacher.request(json!({"type": "instructor", "session_id": open, "key": key})).await.expect("console");
    let mut players = Vec::new();
    let mut tokens = serde_json::Map::new();
    for role in ["mongolia", "russia", "china"] {
        let (c, token) = seat(code.clone(), role).await;
        tokens.insert(role.to_string(), Value::from(token));
        players.push((role.to_string(), c));
    }
    teacher.request(json!({"type": "start"})).await.expect("start");
    play_rounds(&mut players, &mut teacher, 1).await;
    players[0].1.request(json!({"type": "set_orders", "round": 2, "orders": plan("mongolia")})).await.expect("draft");
    players[1].1.request(json!({"type": "say", "to": "all", "text": "before the move"})).await.expect("say");
    players[2].1.request(json!({"type": "set_orders", "round": 2, "orders": plan("china")})).await.expect("draft");
    players[2].1.request(json!({"type": "ready", "round": 2, "ready": true})).await.expect("lock");
    // A class with two students seated.
    let body = json!({"scenario": "tutorial", "tables": 1, "seed": 9}).to_string();
    let (status, text) = http(addr, "POST", "/api/classes", Some(key), Some(&body)).await;
    assert_eq!(status, 201, "{text}");
    let class: Value = serde_json::from_str(&text).expect("json");
    for name in ["Ana", "Bat"] {
        let mut c = TestClient::connect(addr).await;
        c.request(json!({"type": "join", "code": class["join_code"], "name": name})).await.expect("class join");
    }
    let (status, _) = http(addr, "PUT", "/api/scenarios/tutorial/source", Some(key), Some("¶1\n\n¶2\n")).await;
    assert_eq!(status, 200);
    json!({"key": key, "unfinished": open, "tokens": tokens})
}

/// Makes the fixture with the server binary named by `THIRD_NEIGHBOR_FIXTURE_BIN` (an older
/// build): `THIRD_NEIGHBOR_FIXTURE_BIN=/path/to/old/third-neighbor cargo test --test it
/// store_migration -- --ignored make_fixture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "makes tests/fixtures/store-0004.db with an older build"]
async fn make_fixture_with_an_older_build() {
    let binary = PathBuf::from(std::env::var("THIRD_NEIGHBOR_FIXTURE_BIN").expect("THIRD_NEIGHBOR_FIXTURE_BIN"));
    let (dir, scenarios, db) = test_dir();
    let server = ChildServer::start_binary(&binary, &db, &scenarios, &[]);
    let key = server.key.clone().expect("first start");
    let seats = populate(server.addr, &key).await;
    server.kill();
    // Everything into the main file (no -wal beside it).
    let mut conn =
        <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!("sqlite:{}", db.display())).await.expect("open");
    // The unfinished game's round deadline moves to 2100, so that opening the fixture never finds
    // it passed: a node that takes a game over past its deadline logs a new `deadline_set`, and
    // the copies compared below would then differ by the moment each was opened. The log is
    // append-only (a trigger), so the trigger is set aside for this one edit of test data.
    let trigger: (String,) =
        sqlx::query_as("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'events_are_append_only'")
            .fetch_one(&mut conn)
            .await
            .expect("the append-only trigger");
    sqlx::query("DROP TRIGGER events_are_append_only").execute(&mut conn).await.expect("drop trigger");
    sqlx::query(
        "UPDATE events SET body = json_set(body, '$.at', 4102444800000) \
         WHERE session_id = ? AND kind = 'deadline_set' AND seq = (SELECT max(seq) FROM events WHERE session_id = ?)",
    )
    .bind(seats["unfinished"].as_str().expect("id"))
    .bind(seats["unfinished"].as_str().expect("id"))
    .execute(&mut conn)
    .await
    .expect("move the deadline");
    sqlx::query(&trigger.0).execute(&mut conn).await.expect("restore trigger");
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut conn).await.expect("checkpoint");
    sqlx::query("PRAGMA journal_mode=DELETE").execute(&mut conn).await.expect("journal mode");
    drop(conn);
    std::fs::copy(&db, FIXTURE).expect("write the fixture");
    std::fs::write(FIXTURE_SEATS, serde_json::to_string_pretty(&seats).expect("json")).expect("write the seats");
    drop(dir);
}

/// Everything the API says about the stored games: the list, and each game's replay, debrief
/// and JSON export; each class's page.
async fn stored(addr: SocketAddr, key: &str) -> Value {
    let get = |path: String| async move {
        let (status, text) = http(addr, "GET", &path, Some(key), None).await;
        assert_eq!(status, 200, "{path}: {text}");
        serde_json::from_str::<Value>(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    let list = get("/api/sessions".into()).await;
    let mut games = serde_json::Map::new();
    for s in list.as_array().expect("list") {
        let id = s["session_id"].as_str().expect("id");
        let replay = get(format!("/api/sessions/{id}/replay?lens=declassified")).await;
        assert_eq!(replay["ok"], true, "{id}: {}", replay["errors"]);
        games.insert(
            id.to_string(),
            json!({
                "replay": replay,
                "debrief": get(format!("/api/sessions/{id}/debrief")).await,
                "export": get(format!("/api/sessions/{id}/export.json")).await,
            }),
        );
    }
    let classes = get("/api/classes".into()).await;
    let mut pages = Vec::new();
    for c in classes.as_array().expect("classes") {
        pages.push(get(format!("/api/classes/{}", c["class_id"].as_str().or(c["id"].as_str()).expect("id"))).await);
    }
    let sources = get("/api/sources".into()).await;
    json!({"list": list, "games": games, "classes": classes, "class_pages": pages, "sources": sources})
}

fn copy_fixture(dir: &Path) -> PathBuf {
    let db = dir.join("data").join("old.db");
    std::fs::create_dir_all(db.parent().expect("parent")).expect("folder");
    std::fs::copy(FIXTURE, &db).expect("copy the fixture");
    db
}

/// Every event of a SQLite file, as stored, by session and position.
async fn event_rows(db: &Path) -> Vec<(String, i64, i64, String, String)> {
    let mut conn =
        <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!("sqlite:{}", db.display())).await.expect("open");
    sqlx::query_as("SELECT session_id, seq, at, kind, body FROM events ORDER BY session_id, seq")
        .fetch_all(&mut conn)
        .await
        .expect("read the log")
}

fn migrate_store(from: &Path, to: &Path) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_third-neighbor"))
        .arg("migrate-store")
        .arg("--from")
        .arg(from)
        .arg("--to")
        .arg(to)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run migrate-store");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_sqlite_database_opens_unchanged_and_migrates_to_postgres_with_identical_replays() {
    let seats: Value = serde_json::from_str(&std::fs::read_to_string(FIXTURE_SEATS).expect("seats")).expect("json");
    let key = seats["key"].as_str().expect("key").to_string();
    let (dir, _, _) = test_dir();
    let old = copy_fixture(dir.path());
    let logged = event_rows(&old).await;
    assert!(logged.len() > 50, "the fixture holds whole games: {} events", logged.len());

    // This build opens the older file: same migrations recognised, every game replays.
    let mut app = spawn_node(old.clone(), "").await;
    let before = stored(app.addr, &key).await;
    assert_eq!(before["list"].as_array().map(Vec::len), Some(3), "two games and a class's table");
    assert_eq!(before["classes"].as_array().map(Vec::len), Some(1));
    app.stop().await;
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!("sqlite:{}", old.display()))
        .await
        .expect("open");
    let versions: Vec<(i64,)> = sqlx::query_as("SELECT version FROM _sqlx_migrations ORDER BY version")
        .fetch_all(&mut conn)
        .await
        .expect("read");
    // The four older migrations are recognised, not re-run; the fifth (the log in write order)
    // is applied once and keeps every event as it was.
    assert_eq!(versions, vec![(1,), (2,), (3,), (4,), (5,)], "no migration re-run");
    drop(conn);
    assert_eq!(event_rows(&old).await, logged, "the log survives its new layout row for row");

    if pg::or_skip("migrate-store into PostgreSQL").is_none() {
        return;
    }
    let url = PathBuf::from(pg::fresh_database().await);
    let (ok, text) = migrate_store(&old, &url);
    assert!(ok, "migrate-store: {text}");
    assert!(text.contains("3 sessions") && text.contains("1 classes"), "{text}");
    // A second copy into the same (now non-empty) database is refused; nothing changes.
    let (again, text) = migrate_store(&old, &url);
    assert!(!again, "a copy into a database with data is refused: {text}");
    assert!(text.contains("empty database"), "{text}");

    // The same games, read from PostgreSQL: identical.
    let mut node = spawn_node(url.clone(), "m").await;
    node.instructor_key = key.clone();
    let after = stored(node.addr, &key).await;
    for (id, game) in before["games"].as_object().expect("games") {
        for part in ["replay", "debrief", "export"] {
            assert_eq!(after["games"][id][part], game[part], "{id}: {part} differs after the copy");
        }
    }
    for part in ["list", "classes", "class_pages", "sources"] {
        assert_eq!(after[part], before[part], "{part} differs after the copy");
    }

    // The unfinished game goes on there: its players resume with their seat tokens.
    let open = seats["unfinished"].as_str().expect("id");
    let mut teacher = node.instructor(open).await;
    let mut players = Vec::new();
    for role in ["mongolia", "russia", "china"] {
        let mut c = node.client().await;
        c.request(json!({"type": "resume", "seat_token": seats["tokens"][role]})).await.expect("resume");
        players.push((role.to_string(), c));
    }
    let state = teacher.state().await;
    assert_eq!(state["round"], 2, "{state}");
    players[2].1.request(json!({"type": "ready", "round": 2, "ready": false})).await.expect("unlock");
    play_rounds(&mut players, &mut teacher, 100).await;
    assert_eq!(teacher.state().await["phase"], "finished");
    node.stop().await;
}
