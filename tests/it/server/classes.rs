//! Classes: one join code for a room, students placed at tables, tables run and timed together.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use common::{spawn_app, state_where, TestClient, ROLES};

/// A student who joined the class: its socket, token, table (session id and number) and role.
struct Student {
    client: TestClient,
    token: String,
    session_id: String,
    table: u64,
    role: String,
}

async fn join_class(app: &common::TestApp, code: &str, name: &str) -> Student {
    let (mut client, token) = app.join(code, name).await;
    let state = state_where(&mut client, |s| s["you"]["role"].is_string()).await;
    Student {
        token,
        session_id: state["session"]["id"].as_str().expect("table").to_string(),
        table: state["session"]["table"].as_u64().expect("table number"),
        role: state["you"]["role"].as_str().expect("role").to_string(),
        client,
    }
}

#[tokio::test]
async fn thirty_students_with_one_code_sit_once_each_spread_over_balanced_tables() {
    let app = spawn_app().await;
    let (class_id, code) = app.create_class(json!({"scenario": "tutorial", "tables": 8})).await;
    let mut students = Vec::new();
    for i in 0..30 {
        students.push(join_class(&app, &code, &format!("student {i}")).await);
    }
    // Every student has one seat; every table holds 3 or 4, one per role.
    let mut by_table: BTreeMap<u64, Vec<&Student>> = BTreeMap::new();
    for s in &students {
        by_table.entry(s.table).or_default().push(s);
    }
    assert_eq!(by_table.len(), 8, "eight tables");
    for (table, seated) in &by_table {
        assert!((3..=4).contains(&seated.len()), "table {table}: {}", seated.len());
        let roles: BTreeSet<&str> = seated.iter().map(|s| s.role.as_str()).collect();
        assert_eq!(roles.len(), seated.len(), "table {table}: one student per role before any team");
        assert!(roles.iter().all(|r| ROLES.contains(r)));
        let sessions: BTreeSet<&str> = seated.iter().map(|s| s.session_id.as_str()).collect();
        assert_eq!(sessions.len(), 1, "a table is one session");
    }
    let tokens: BTreeSet<&str> = students.iter().map(|s| s.token.as_str()).collect();
    assert_eq!(tokens.len(), 30, "thirty seats");
    // The class as the instructor reads it over HTTP.
    let (status, body) = app.http("GET", &format!("/api/classes/{class_id}"), Some(&app.instructor_key), None).await;
    assert_eq!(status, 200, "{body}");
    let class: Value = serde_json::from_str(&body).expect("json");
    let seated: usize =
        class["tables"].as_array().expect("tables").iter().map(|t| t["players"].as_array().map_or(0, Vec::len)).sum();
    assert_eq!(seated, 30);
    // The first four who joined one after another did not all land at one table.
    let first: BTreeSet<u64> = students[..4].iter().map(|s| s.table).collect();
    assert!(first.len() > 1, "the first four joiners were all placed at table {first:?}");
}

#[tokio::test]
async fn class_wide_controls_reach_every_table_and_rounds_start_together() {
    let app = spawn_app().await;
    let (class_id, code) = app.create_class(json!({"scenario": "tutorial", "tables": 2, "bots": true})).await;
    let mut console = app.class_console(&class_id).await;
    let first = console.recv_type("class_state").await;
    assert_eq!(first["tables"].as_array().map(Vec::len), Some(2));
    let mut students = Vec::new();
    for i in 0..4 {
        students.push(join_class(&app, &code, &format!("s{i}")).await);
    }
    console.request(json!({"type": "start"})).await.expect("start all");
    for s in students.iter_mut() {
        let state = state_where(&mut s.client, |v| v["phase"] == "running").await;
        // Bots took the roles the small class left empty.
        assert!(state["roles"]
            .as_array()
            .expect("roles")
            .iter()
            .all(|r| r["bot"] == true || !r["players"].as_array().expect("players").is_empty()));
    }
    // One table's students lock their orders: that table resolves and waits for the class.
    let table_one: Vec<usize> = (0..students.len()).filter(|i| students[*i].table == 1).collect();
    let table_two: Vec<usize> = (0..students.len()).filter(|i| students[*i].table == 2).collect();
    assert!(!table_one.is_empty() && !table_two.is_empty(), "both tables have students");
    for i in &table_one {
        students[*i].client.request(json!({"type": "ready", "round": 1})).await.expect("ready");
    }
    let waiting = state_where(&mut students[table_one[0]].client, |v| v["phase"] == "waiting").await;
    assert_eq!(waiting["round"], 2, "resolved, waiting for the class before round 2");
    let other = students[table_two[0]].client.state().await;
    assert_eq!((other["phase"].as_str(), other["round"].as_u64()), (Some("running"), Some(1)));
    // The class pauses and resumes every table; then the other table resolves and both start
    // round 2 together, with one deadline.
    console.request(json!({"type": "pause"})).await.expect("pause all");
    state_where(&mut students[table_two[0]].client, |v| v["phase"] == "paused").await;
    console.request(json!({"type": "resume_game"})).await.expect("resume all");
    state_where(&mut students[table_two[0]].client, |v| v["phase"] == "running").await;
    console.request(json!({"type": "force_resolve"})).await.expect("resolve all");
    let a = state_where(&mut students[table_one[0]].client, |v| v["phase"] == "running" && v["round"] == 2).await;
    let b = state_where(&mut students[table_two[0]].client, |v| v["phase"] == "running" && v["round"] == 2).await;
    assert_eq!(a["deadline_at"], b["deadline_at"], "one clock for the class");
    // Extend all, inject an event into all, end all.
    console.request(json!({"type": "set_deadline", "secs": 600})).await.expect("extend all");
    console
        .request(json!({"type": "inject_event", "event": "dzud"}))
        .await
        .expect_err("the tutorial has no such event");
    console.request(json!({"type": "end"})).await.expect("end all");
    for s in students.iter_mut() {
        s.client.recv_type("game_over").await;
    }
    let done =
        console.recv_until("the class finished", |v| v["type"] == "class_state" && v["phase"] == "finished").await;
    assert_eq!(done["tables"].as_array().map(Vec::len), Some(2));
    // Each finished table says where its public tracks ended (the projector's last view).
    for table in done["tables"].as_array().expect("tables") {
        let tracks = table["tracks"].as_object().expect("tracks by id");
        assert!(!tracks.is_empty() && tracks.values().all(Value::is_i64), "{table}");
    }
}

#[tokio::test]
async fn the_console_sees_a_student_connect_and_leave() {
    let app = spawn_app().await;
    let (class_id, code) = app.create_class(json!({"scenario": "tutorial", "tables": 1})).await;
    let mut console = app.class_console(&class_id).await;
    console.recv_type("class_state").await;
    let student = join_class(&app, &code, "Ariunaa").await;
    let connected = |online: bool| {
        move |v: &Value| {
            v["type"] == "class_table"
                && v["table"]["roles"].as_array().is_some_and(|roles| {
                    roles
                        .iter()
                        .flat_map(|r| r["players"].as_array().into_iter().flatten())
                        .any(|p| p["name"] == "Ariunaa" && p["connected"] == online)
                })
        }
    };
    console.recv_until("the student shown connected", connected(true)).await;
    drop(student);
    console.recv_until("the student shown gone", connected(false)).await;
}

#[tokio::test]
async fn a_class_survives_a_restart_mid_round() {
    let mut app = spawn_app().await;
    let (class_id, code) = app.create_class(json!({"scenario": "tutorial", "tables": 2})).await;
    let mut console = app.class_console(&class_id).await;
    let mut students = Vec::new();
    for i in 0..8 {
        students.push(join_class(&app, &code, &format!("s{i}")).await);
    }
    console.request(json!({"type": "start"})).await.expect("start");
    let ready_table = students[0].table;
    for s in students.iter_mut().filter(|s| s.table == ready_table) {
        s.client.request(json!({"type": "ready", "round": 1})).await.expect("ready");
    }
    state_where(&mut students[0].client, |v| v["phase"] == "waiting").await;
    drop(console);
    let seats: Vec<(String, String, u64, String)> =
        students.iter().map(|s| (s.token.clone(), s.session_id.clone(), s.table, s.role.clone())).collect();
    drop(students);
    app.restart().await;

    // Everyone comes back to the same table and role; the class carries on from where it was.
    let mut back = Vec::new();
    for (token, session_id, table, role) in &seats {
        let mut c = app.client().await;
        c.request(json!({"type": "resume", "seat_token": token})).await.expect("resume");
        let state = c.state().await;
        assert_eq!(state["session"]["id"].as_str(), Some(session_id.as_str()));
        assert_eq!(state["session"]["table"].as_u64(), Some(*table));
        assert_eq!(state["you"]["role"].as_str(), Some(role.as_str()));
        back.push((c, *table));
    }
    let mut console = app.class_console(&class_id).await;
    let class = console.recv_type("class_state").await;
    assert_eq!(class["phase"], "running");
    let waiting: Vec<&Value> =
        class["tables"].as_array().expect("tables").iter().filter(|t| t["phase"] == "waiting").collect();
    assert_eq!(waiting.len(), 1, "the table that had resolved still waits: {class}");
    for (c, table) in back.iter_mut().filter(|(_, t)| *t != ready_table) {
        let _ = table;
        c.request(json!({"type": "ready", "round": 1})).await.expect("ready");
    }
    for (c, _) in back.iter_mut() {
        state_where(c, |v| v["phase"] == "running" && v["round"] == 2).await;
    }
}

#[tokio::test]
async fn the_class_debrief_is_the_sum_of_its_tables() {
    let app = spawn_app().await;
    let (class_id, code) =
        app.create_class(json!({"scenario": "tutorial", "tables": 3, "bots": true, "seed": 5})).await;
    let mut console = app.class_console(&class_id).await;
    let mut students = Vec::new();
    for i in 0..6 {
        students.push(join_class(&app, &code, &format!("s{i}")).await);
    }
    console.request(json!({"type": "start"})).await.expect("start");
    for round in 1..=3u64 {
        for s in students.iter_mut() {
            state_where(&mut s.client, |v| v["phase"] == "running" && v["round"] == round).await;
            let moves = s.client.state().await["moves"].clone();
            let first =
                moves.as_array().and_then(|m| m.first()).map(|m| json!([{"move": m["id"]}])).unwrap_or(json!([]));
            s.client.request(json!({"type": "set_orders", "round": round, "orders": first})).await.expect("orders");
            s.client.request(json!({"type": "ready", "round": round})).await.expect("ready");
        }
    }
    console.recv_until("the class finished", |v| v["type"] == "class_state" && v["phase"] == "finished").await;
    let (status, body) =
        app.http("GET", &format!("/api/classes/{class_id}/debrief"), Some(&app.instructor_key), None).await;
    assert_eq!(status, 200, "{body}");
    let debrief: Value = serde_json::from_str(&body).expect("json");
    let tables = debrief["tables"].as_array().expect("tables");
    assert_eq!(tables.len(), 3);
    let mut all_scores: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for table in tables {
        let session_id = table["session_id"].as_str().expect("id");
        let (status, body) =
            app.http("GET", &format!("/api/sessions/{session_id}/debrief"), Some(&app.instructor_key), None).await;
        assert_eq!(status, 200, "{body}");
        let own: Value = serde_json::from_str(&body).expect("json");
        for row in own["scores"].as_array().expect("scores") {
            let role = row["role"].as_str().expect("role");
            assert_eq!(table["scores"][role], row["score"], "table {}'s {role}", table["table"]);
            all_scores.entry(role.to_string()).or_default().push(row["score"].as_i64().expect("score"));
        }
    }
    for spread in debrief["spread"]["roles"].as_array().expect("spread") {
        let values = &all_scores[spread["role"].as_str().expect("role")];
        assert_eq!(spread["scores"]["min"].as_i64(), values.iter().min().copied());
        assert_eq!(spread["scores"]["max"].as_i64(), values.iter().max().copied());
    }
    // The class's exports carry every table.
    let (status, body) =
        app.http("GET", &format!("/api/classes/{class_id}/export.json"), Some(&app.instructor_key), None).await;
    assert_eq!(status, 200);
    let export: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(export["tables"].as_array().map(Vec::len), Some(3));
    let (status, csv) =
        app.http("GET", &format!("/api/classes/{class_id}/export.csv"), Some(&app.instructor_key), None).await;
    assert_eq!(status, 200);
    assert!(csv.starts_with("table,round,role,move"), "{}", &csv[..csv.len().min(80)]);
}

#[tokio::test]
async fn the_instructor_moves_a_student_to_another_table_and_its_seat_follows() {
    let app = spawn_app().await;
    let (class_id, code) = app.create_class(json!({"scenario": "tutorial", "tables": 2})).await;
    let mut console = app.class_console(&class_id).await;
    let mut a = join_class(&app, &code, "Ana").await;
    let b = join_class(&app, &code, "Bat").await;
    assert_ne!(a.table, b.table, "two students, two tables");
    let player_id = a.client.state().await["you"]["player_id"].clone();
    // Before the start: to the other table, as the US.
    console
        .request(json!({"type": "move_player", "player_id": player_id, "table": b.table, "role": "us"}))
        .await
        .expect("move");
    let moved = a.client.recv_type("moved").await;
    assert_eq!(moved["session_id"].as_str(), Some(b.session_id.as_str()));
    // Its token opens the new table now.
    let mut again = app.client().await;
    again.request(json!({"type": "resume", "seat_token": a.token})).await.expect("resume");
    let state = again.state().await;
    assert_eq!(state["session"]["table"].as_u64(), Some(b.table));
    assert_eq!(state["you"]["role"], "us");
    let class = console
        .recv_until("the move", |v| {
            v["type"] == "class_state"
                && v["tables"].as_array().is_some_and(|t| {
                    t.iter().any(|t| {
                        t["table"] == a.table
                            && t["roles"]
                                .as_array()
                                .is_some_and(|r| r.iter().all(|r| r["players"].as_array().is_some_and(Vec::is_empty)))
                    })
                })
        })
        .await;
    assert_eq!(class["tables"].as_array().map(Vec::len), Some(2));
    // Within a table: another role.
    console.request(json!({"type": "move_player", "player_id": player_id, "role": "china"})).await.expect("role");
    state_where(&mut again, |v| v["you"]["role"] == "china").await;
    a.client.closed().await;
}
