//! Refusals: every error code of the protocol, triggered from the outside, with the connection
//! staying open; instructor-only actions refused to everyone else; JSON errors over HTTP.

use crate::common;

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{json, Value};

use common::{orders, spawn_app, spawn_app_with, state_where, TestClient};

/// An HTTP request and the error it must get: method, path, key, body, status, code.
type HttpCase<'a> = (&'a str, &'a str, Option<&'a str>, Option<&'a str>, u16, &'a str);

/// Sends a frame that must be refused with `expected`; returns the code.
async fn check(client: &mut TestClient, frame: Value, expected: &str) -> String {
    let got = client.refused(frame.clone()).await;
    assert_eq!(got, expected, "{frame}");
    got
}
use third_neighbor::protocol::ErrorCode;

#[tokio::test]
async fn every_error_code_can_be_triggered_and_the_connection_stays_open() {
    let app = spawn_app_with(|c| {
        c.limits.auth_timeout = Duration::from_millis(800);
        c.limits.guess_burst = 6.0;
        c.limits.guess_per_sec = 0.0;
        c.limits.max_players = 2;
        c.limits.guess_per_connection = 10;
        c.limits.guess_pause = Duration::from_millis(50);
    })
    .await;
    let (session_id, code) = app.create_session(json!({"scenario": "lab"})).await;
    let mut teacher = app.instructor(&session_id).await;
    let mut seen = BTreeSet::new();

    // Before taking a seat.
    let mut c = app.client().await;
    c.send_text("this is not json").await;
    seen.insert(c.recv_type("error").await["code"].as_str().unwrap().to_string());
    c.send_text(r#"{"type":"fly","id":"x1"}"#).await;
    let e = c.recv_type("error").await;
    assert_eq!(e["re"], "x1", "errors answer the frame's id");
    seen.insert(e["code"].as_str().unwrap().to_string());
    for (frame, expected) in [
        (json!({"type": "join"}), "bad_request"),
        (json!({"type": "set_orders", "round": 1, "orders": []}), "not_joined"),
        (json!({"type": "join", "code": code, "name": "  "}), "bad_name"),
        (json!({"type": "join", "code": "ZZZZZZ", "name": "x"}), "unknown_code"),
        (json!({"type": "resume", "seat_token": "st_0000"}), "bad_token"),
        (json!({"type": "instructor", "session_id": session_id, "key": "ik_wrong"}), "not_instructor"),
        (json!({"type": "instructor", "session_id": "no-such-session", "key": app.instructor_key}), "unknown_session"),
    ] {
        let got = c.refused(frame.clone()).await;
        assert_eq!(got, expected, "{frame}");
        seen.insert(got);
    }
    c.request(json!({"type": "ping"})).await.expect("still open after eleven errors");
    // Another instructor's key does not open this session.
    let other_key = third_neighbor::server::add_instructor(app.app.store(), "other").await.unwrap();
    assert_eq!(
        c.refused(json!({"type": "instructor", "session_id": session_id, "key": other_key})).await,
        "not_instructor"
    );
    // No seat requested in time: `auth_timeout`, then the socket closes (1008).
    let mut silent = app.client().await;
    let e = silent.recv_type("error").await;
    seen.insert(e["code"].as_str().unwrap().to_string());
    assert_eq!(silent.closed().await, Some(1008));

    // With a seat.
    let (mut m, _) = app.join(&code, "M").await;
    let (mut r, _) = app.player(&code, "R", "russia").await;
    let mut third = app.client().await;
    let full = third.refused(json!({"type": "join", "code": code, "name": "Third"})).await;
    assert_eq!(full, "table_full", "two students is all this server takes per game");
    seen.insert(full);
    let twin = third.request(json!({"type": "join", "code": code, "name": "m"})).await.expect_err("taken");
    assert_eq!((twin["code"].as_str(), twin["detail"].as_str()), (Some("bad_name"), Some("taken")), "{twin}");
    seen.insert(check(&mut m, json!({"type": "join", "code": code, "name": "again"}), "already_joined").await);
    seen.insert(check(&mut m, json!({"type": "start"}), "not_instructor").await);
    seen.insert(check(&mut m, json!({"type": "set_orders", "round": 1, "orders": []}), "wrong_phase").await);
    seen.insert(check(&mut m, json!({"type": "choose_role", "role": "atlantis"}), "unknown_role").await);
    teacher.request(json!({"type": "add_bot", "role": "china"})).await.expect("bot");
    seen.insert(check(&mut m, json!({"type": "choose_role", "role": "china"}), "role_taken").await);
    seen.insert(check(&mut teacher, json!({"type": "add_bot", "role": "russia"}), "role_taken").await);
    seen.insert(check(&mut teacher, json!({"type": "kick", "player_id": "nobody"}), "unknown_player").await);
    seen.insert(check(&mut teacher, json!({"type": "inject_event", "event": "meteor"}), "unknown_event").await);
    teacher.request(json!({"type": "inject_event", "event": "dzud"})).await.expect("inject");
    seen.insert(check(&mut teacher, json!({"type": "inject_event", "event": "dzud"}), "event_in_play").await);
    seen.insert(check(&mut teacher, json!({"type": "set_deadline", "secs": 0}), "bad_request").await);
    teacher.request(json!({"type": "start"})).await.expect("start");
    seen.insert(check(&mut m, json!({"type": "set_orders", "round": 1, "orders": []}), "no_role").await);
    // Without a role, a message to a team would read as the instructor's: to everyone only.
    check(&mut m, json!({"type": "say", "to": "russia", "text": "from the teacher"}), "no_role").await;
    m.request(json!({"type": "say", "to": "all", "text": "may I join a team?"})).await.expect("to everyone");
    let mut named = app.client().await;
    let staff = named.request(json!({"type": "join", "code": code, "name": "Бат багш"})).await.expect_err("staff");
    assert_eq!((staff["code"].as_str(), staff["detail"].as_str()), (Some("bad_name"), Some("staff")), "{staff}");
    // A player without a role may still take one once the game runs...
    m.request(json!({"type": "choose_role", "role": "mongolia"})).await.expect("late role");
    // ...but changing role is a request the instructor answers.
    m.request(json!({"type": "choose_role", "role": "us"})).await.expect("a request");
    let asked = state_where(&mut teacher, |s| s["requests"].as_array().is_some_and(|r| r.len() == 1)).await;
    assert_eq!(asked["requests"][0]["role"], "us");
    let m_id = asked["requests"][0]["player_id"].clone();
    teacher.request(json!({"type": "answer_request", "player_id": m_id, "approve": false})).await.expect("deny");
    let no_request = json!({"type": "answer_request", "player_id": m_id, "approve": true});
    seen.insert(check(&mut teacher, no_request, "bad_request").await);
    seen.insert(check(&mut m, json!({"type": "set_orders", "round": 2, "orders": []}), "wrong_round").await);
    let fv = json!({"type": "set_orders", "round": 1, "orders": orders(&["friendly_visit"])});
    seen.insert(check(&mut m, fv, "not_your_role").await);
    let unknown = m.request(json!({"type": "set_orders", "round": 1, "orders": orders(&["fly"])})).await.unwrap_err();
    assert_eq!((unknown["code"].as_str(), unknown["detail"].as_str()), (Some("invalid_move"), Some("unknown_move")));
    seen.insert("invalid_move".into());
    let twice =
        m.request(json!({"type": "set_orders", "round": 1, "orders": orders(&["reach_out", "reach_out"])})).await;
    assert_eq!(twice.unwrap_err()["detail"], "duplicate_move");
    let costly = json!({"type": "set_orders", "round": 1, "orders": orders(&["energy_offer", "friendly_visit"])});
    seen.insert(check(&mut r, costly, "too_many_points").await);
    m.request(json!({"type": "ready", "round": 1})).await.expect("lock");
    seen.insert(check(&mut m, json!({"type": "set_orders", "round": 1, "orders": []}), "orders_locked").await);
    seen.insert(check(&mut m, json!({"type": "say", "to": "all", "text": "x".repeat(1001)}), "too_large").await);
    seen.insert(check(&mut m, json!({"type": "say", "to": "all", "text": "  "}), "bad_request").await);
    // Through all this, the connections stayed open and keep working.
    m.request(json!({"type": "say", "to": "all", "text": "still here"})).await.expect("open");

    // Guessing join codes runs out (per address): past the budget a wrong code is answered
    // `rate_limited` (after a pause) and the connection closes.
    // A ban bars the name from joining again.
    let players = teacher.state().await["players"].clone();
    let r_id = players.as_array().unwrap().iter().find(|p| p["name"] == "R").unwrap()["player_id"].clone();
    teacher.request(json!({"type": "kick", "player_id": r_id, "ban": true})).await.expect("ban");
    let mut back = app.client().await;
    let banned = back.refused(json!({"type": "join", "code": code, "name": "r"})).await;
    assert_eq!(banned, "banned");
    seen.insert(banned);

    let mut guesser = app.client().await;
    let mut guessed = 0;
    loop {
        let got = guesser.refused(json!({"type": "join", "code": "QQQQQQ", "name": "g"})).await;
        if got == "rate_limited" {
            seen.insert(got);
            break;
        }
        assert_eq!(got, "unknown_code");
        guessed += 1;
        assert!(guessed < 10, "guessing is limited");
    }

    let all: BTreeSet<String> = ErrorCode::ALL.iter().map(|c| c.as_str().to_string()).collect();
    // `unavailable` needs a failing disk: tests/it/faults_storage.rs triggers it; `wrong_node` needs
    // two nodes on PostgreSQL: tests/it/cluster_failover.rs triggers it; `chat_full`, a chat that
    // reached its limit: tests/it/server/abuse.rs triggers it.
    let untriggerable: BTreeSet<String> =
        ["internal", "unavailable", "wrong_node", "chat_full"].into_iter().map(String::from).collect();
    let missing: Vec<&String> = all.difference(&seen).filter(|c| !untriggerable.contains(*c)).collect();
    assert!(missing.is_empty(), "codes never triggered: {missing:?}");
    assert!(seen.is_subset(&all), "codes outside ErrorCode::ALL: {:?}", seen.difference(&all).collect::<Vec<_>>());
}

#[tokio::test]
async fn instructor_actions_are_refused_to_students_and_spectators() {
    let app = spawn_app().await;
    let (session_id, code) = app.create_session(json!({"scenario": "lab"})).await;
    let mut teacher = app.instructor(&session_id).await;
    let (mut student, _) = app.player(&code, "S", "mongolia").await;
    let player_id = student.find("welcome").unwrap()["player_id"].clone();
    let mut projector = app.spectator(&code).await;
    let actions = [
        json!({"type": "start"}),
        json!({"type": "pause"}),
        json!({"type": "resume_game"}),
        json!({"type": "force_resolve"}),
        json!({"type": "set_deadline", "secs": 10}),
        json!({"type": "inject_event", "event": "dzud"}),
        json!({"type": "assign_role", "player_id": player_id, "role": "us"}),
        json!({"type": "kick", "player_id": player_id}),
        json!({"type": "add_bot", "role": "china"}),
        json!({"type": "end"}),
    ];
    for action in &actions {
        assert_eq!(student.refused(action.clone()).await, "not_instructor", "{action}");
        assert_eq!(projector.refused(action.clone()).await, "not_instructor", "{action}");
    }
    // Nothing happened: still the lobby, still Mongolia, no bot, no event.
    let state = teacher.state().await;
    assert_eq!(state["phase"], "lobby");
    assert_eq!(state["events"], json!([]));
    assert!(state["players"].as_array().unwrap().iter().all(|p| p["bot"] == false));
    // The instructor can do them.
    teacher.request(json!({"type": "assign_role", "player_id": player_id, "role": "us"})).await.expect("assign");
    state_where(&mut student, |s| s["you"]["role"] == "us").await;
    teacher.request(json!({"type": "start"})).await.expect("start");
    teacher.request(json!({"type": "pause"})).await.expect("pause");
    state_where(&mut student, |s| s["phase"] == "paused").await;
    teacher.request(json!({"type": "resume_game"})).await.expect("resume");
    teacher.request(json!({"type": "force_resolve"})).await.expect("force");
    student.recv_until("report", |v| v["type"] == "round_resolved" && v["round"] == 1).await;
    teacher.request(json!({"type": "kick", "player_id": player_id})).await.expect("kick");
    assert_eq!(student.closed().await, Some(4001));
    teacher.request(json!({"type": "end"})).await.expect("end");
    projector.recv_type("game_over").await;
}

#[tokio::test]
async fn http_errors_are_json_with_fitting_statuses() {
    let app = spawn_app().await;
    let key = app.instructor_key.clone();
    let error_code = |body: &str| -> String {
        let v: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("JSON error body: {body}"));
        v["error"]["code"].as_str().expect("error.code").to_string()
    };
    let (status, body) = app.http("GET", "/healthz", None, None).await;
    assert_eq!((status, body.as_str()), (200, "ok"));
    let (status, body) = app.http("GET", "/api/scenarios", None, None).await;
    assert_eq!(status, 200);
    let list: Value = serde_json::from_str(&body).unwrap();
    assert!(list.as_array().unwrap().iter().any(|s| s["id"] == "tutorial" && s["rounds"] == 3));
    let (status, body) = app.http("GET", "/api/scenarios/tutorial", None, None).await;
    assert_eq!(status, 200);
    assert!(body.contains("\"moves\""));
    let (status, body) = app.http("GET", "/", None, None).await;
    assert_eq!(status, 200);
    assert!(body.contains("<html"));

    // (method, path, key, body, status, code)
    let cases: [HttpCase; 10] = [
        ("POST", "/api/sessions", None, Some(r#"{"scenario":"tutorial"}"#), 401, "unauthorized"),
        ("POST", "/api/sessions", Some("ik_wrong"), Some(r#"{"scenario":"tutorial"}"#), 401, "unauthorized"),
        ("POST", "/api/sessions", Some(&key), Some(r#"{"scenario":"nope"}"#), 404, "unknown_scenario"),
        ("POST", "/api/sessions", Some(&key), Some("{not json"), 400, "bad_request"),
        ("POST", "/api/sessions", Some(&key), Some(r#"{"scenario":"tutorial","bots":["mars"]}"#), 400, "unknown_role"),
        ("GET", "/api/sessions", None, None, 401, "unauthorized"),
        ("GET", "/api/scenarios/nope", None, None, 404, "unknown_scenario"),
        ("GET", "/api/scenarios/tutorial/source", None, None, 401, "unauthorized"),
        ("GET", "/api/scenarios/tutorial/source", Some(&key), None, 404, "no_source"),
        ("GET", "/no/such/page", None, None, 404, "not_found"),
    ];
    for (method, path, auth, body, status, code) in cases {
        let (got, text) = app.http(method, path, auth, body).await;
        assert_eq!((got, error_code(&text).as_str()), (status, code), "{method} {path}");
    }
    let (status, _) = app.http("DELETE", "/healthz", None, None).await;
    assert_eq!(status, 405);

    // The source essay: each instructor loads their own and reads it with their key.
    let essay = "First paragraph.\nSecond paragraph.\n";
    let (status, _) = app.http("PUT", "/api/scenarios/tutorial/source", None, Some(essay)).await;
    assert_eq!(status, 401);
    let (status, text) = app.http("GET", "/api/sources", Some(&key), None).await;
    assert_eq!((status, text.as_str()), (200, "[]"));
    let (status, text) = app.http("PUT", "/api/scenarios/tutorial/source", Some(&key), Some(essay)).await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("\"paragraphs\":2"));
    let (status, text) = app.http("GET", "/api/scenarios/tutorial/source", None, None).await;
    assert_eq!((status, error_code(&text).as_str()), (401, "unauthorized"), "not without a key");
    let (status, text) = app.http("GET", "/api/scenarios/tutorial/source", Some(&key), None).await;
    assert_eq!((status, text.as_str()), (200, essay));
    let (status, text) = app.http("GET", "/api/sources", Some(&key), None).await;
    assert_eq!((status, text.as_str()), (200, r#"[{"paragraphs":2,"scenario":"tutorial"}]"#));
    let someone = third_neighbor::server::add_instructor(app.app.store(), "someone").await.unwrap();
    let (status, text) = app.http("GET", "/api/scenarios/tutorial/source", Some(&someone), None).await;
    assert_eq!((status, error_code(&text).as_str()), (404, "no_source"), "another instructor has none");
    let (status, _) = app.http("PUT", "/api/scenarios/tutorial/source", Some(&someone), Some("Other.\n")).await;
    assert_eq!(status, 200);
    let (_, text) = app.http("GET", "/api/scenarios/tutorial/source", Some(&key), None).await;
    assert_eq!(text, essay, "another instructor's text replaces nobody's");
    // Sessions are listed per instructor, newest first.
    let (first, _) = app.create_session(json!({"scenario": "tutorial"})).await;
    let (second, _) = app.create_session(json!({"scenario": "lab", "deadline_secs": 60})).await;
    let (status, text) = app.http("GET", "/api/sessions", Some(&key), None).await;
    assert_eq!(status, 200);
    let list: Value = serde_json::from_str(&text).unwrap();
    let ids: Vec<&str> = list.as_array().unwrap().iter().map(|s| s["session_id"].as_str().unwrap()).collect();
    assert_eq!(ids, [second.as_str(), first.as_str()]);
    assert_eq!(list[0]["status"], "lobby");
    let other = third_neighbor::server::add_instructor(app.app.store(), "other").await.unwrap();
    let (_, text) = app.http("GET", "/api/sessions", Some(&other), None).await;
    assert_eq!(text, "[]");
    // A student reads their game's instructor's text with the seat token.
    let (_, code) = app.create_session(json!({"scenario": "tutorial"})).await;
    let (_, token) = app.join(&code, "reader").await;
    let (status, text) = app.http("GET", "/api/seat/source", Some(&token), None).await;
    assert_eq!(status, 200, "{text}");
    let seat: Value = serde_json::from_str(&text).unwrap();
    assert_eq!((seat["scenario"].as_str(), seat["text"].as_str()), (Some("tutorial"), Some(essay)));
    let (status, _) = app.http("GET", "/api/seat/source", Some("st_wrong"), None).await;
    assert_eq!(status, 401);
}
