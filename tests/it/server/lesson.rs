//! The lesson around the game, over the real server: memos and private objectives reach only
//! their role's seats (and the instructor); the discussion prompts reach the instructor and the
//! projector with the round report; reflections after the game are stored, acknowledged and
//! read back in the debrief, the exports and the declassified replay.

use crate::common;

use std::path::PathBuf;

use serde_json::{json, Value};

use common::{spawn_app, spawn_app_with, state_where, TestClient, ROLES};

/// Whether any string inside `v` contains `needle` (frames are searched parsed, so that quotes
/// or escapes in a memo cannot hide it).
fn holds(v: &Value, needle: &str) -> bool {
    match v {
        Value::String(s) => s.contains(needle),
        Value::Array(items) => items.iter().any(|i| holds(i, needle)),
        Value::Object(map) => map.values().any(|i| holds(i, needle)),
        _ => false,
    }
}

fn saw(c: &TestClient, needle: &str) -> bool {
    c.frames().iter().any(|f| holds(f, needle))
}

/// A piece of text from the middle of `text` (its first 60 characters after the first 20).
fn marker(text: &str) -> String {
    text.chars().skip(20).take(60).collect()
}

#[tokio::test]
async fn memos_and_private_objectives_reach_only_their_role() {
    let shipped = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let app = spawn_app_with(|c| c.scenarios = Some(shipped)).await;
    let sc = "mongolia-2024";

    // The guide is the instructor's; it holds every memo.
    let (status, _) = app.http("GET", &format!("/api/scenarios/{sc}/guide"), None, None).await;
    assert_eq!(status, 401, "the guide needs the instructor's key");
    let (status, body) = app.http("GET", &format!("/api/scenarios/{sc}/guide"), Some(&app.instructor_key), None).await;
    assert_eq!(status, 200, "{body}");
    let guide: Value = serde_json::from_str(&body).expect("json");
    let mut memos = Vec::new();
    let mut aims = Vec::new();
    for role in ROLES {
        let entry = guide["roles"].as_array().expect("roles").iter().find(|r| r["id"] == role).expect("role");
        let memo = entry["memo"].as_str().expect("every shipped role has a memo");
        let aim = entry["private_objective"]["summary"].as_str().expect("and a private objective");
        memos.push((role, memo.to_string(), marker(memo)));
        aims.push((role, marker(aim)));
    }
    assert!(guide["lesson"]["objectives"].as_array().is_some_and(|o| !o.is_empty()));
    assert!(guide["paragraphs"].as_array().is_some_and(|p| !p.is_empty()), "the ¶ map");
    // The caveats are the teacher's: in the guide, in the guide's language, and not public.
    let caveats = guide["lesson"]["caveats"].as_array().expect("the guide's caveats");
    let first_caveat = caveats.first().and_then(Value::as_str).expect("a caveat").to_string();
    assert!(first_caveat.contains("¶9"), "{first_caveat}");
    let (status, body) =
        app.http("GET", &format!("/api/scenarios/{sc}/guide?lang=ru"), Some(&app.instructor_key), None).await;
    assert_eq!(status, 200, "{body}");
    let in_russian: Value = serde_json::from_str(&body).expect("json");
    let russian = in_russian["lesson"]["caveats"][0].as_str().expect("a caveat in Russian");
    assert!(russian != first_caveat && russian.contains("¶9") && russian.contains("Украин"), "{russian}");

    // The public description has the lesson and the prompts, never a memo or a private aim.
    let (status, body) = app.http("GET", &format!("/api/scenarios/{sc}"), None, None).await;
    assert_eq!(status, 200);
    let public: Value = serde_json::from_str(&body).expect("json");
    assert!(public["lesson"]["terms"].as_array().is_some_and(|t| !t.is_empty()), "{}", public["lesson"]);
    assert!(public["lesson"].get("caveats").is_none() && !holds(&public, &marker(&first_caveat)));
    assert!(public["rounds"].as_array().expect("rounds").iter().all(|r| r["discussion"].is_string()));
    for (_, _, m) in &memos {
        assert!(!holds(&public, m), "a memo in the public description");
    }
    for (_, m) in &aims {
        assert!(!holds(&public, m), "a private objective in the public description");
    }

    // A table: one player per role, a projector, the instructor.
    let (session_id, code) = app.create_session(json!({"scenario": sc})).await;
    let mut teacher = app.instructor(&session_id).await;
    let mut players = Vec::new();
    for role in ROLES {
        let (mut client, _) = app.player(&code, &format!("student {role}"), role).await;
        // In the lobby already, the seat reads its role's memo.
        let state = state_where(&mut client, |s| s["you"]["role"] == role && s["you"]["memo"].is_string()).await;
        let (_, memo, _) = memos.iter().find(|(r, _, _)| *r == role).expect("memo");
        assert_eq!(state["you"]["memo"].as_str(), Some(memo.as_str()));
        assert!(state["you"]["private_objective"]["summary"].is_string());
        players.push((role, client));
    }
    let mut projector = app.spectator(&code).await;
    teacher.request(json!({"type": "start"})).await.expect("start");
    for (_, client) in players.iter_mut() {
        let state = state_where(client, |s| s["phase"] == "running").await;
        assert!(state["you"]["memo"].is_string(), "the memo stays with the seat's view after the start");
    }
    for (_, client) in players.iter_mut() {
        client.request(json!({"type": "ready", "round": 1})).await.expect("ready");
    }
    let report = projector.recv_until("the report", |v| v["type"] == "round_resolved").await;
    assert!(report["discussion"].as_str().is_some_and(|d| d.contains('¶')), "the projector's prompt: {report}");
    let report = teacher.recv_until("the report", |v| v["type"] == "round_resolved").await;
    assert!(report["discussion"].is_string(), "the instructor's prompt");
    for (_, client) in players.iter_mut() {
        let report = client.recv_until("the report", |v| v["type"] == "round_resolved").await;
        assert!(report.get("discussion").is_none(), "the prompt is the teacher's to ask");
        client.sync().await;
    }
    projector.sync().await;

    // Nobody read another role's memo or private aim; the projector read none.
    for (role, client) in &players {
        for (other, _, m) in &memos {
            assert_eq!(saw(client, m), role == other, "{role}'s seat and {other}'s memo");
        }
        for (other, m) in &aims {
            assert_eq!(saw(client, m), role == other, "{role}'s seat and {other}'s private objective");
        }
    }
    for (_, _, m) in &memos {
        assert!(!saw(&projector, m), "a memo reached the projector");
    }
    for (_, m) in &aims {
        assert!(!saw(&projector, m), "a private objective reached the projector");
    }

    // After the game, the role's lens of the replay and the debrief reveal them.
    teacher.request(json!({"type": "end"})).await.expect("end");
    let key = Some(app.instructor_key.as_str());
    let (_, body) = app.http("GET", &format!("/api/sessions/{session_id}/replay?lens=role:russia"), key, None).await;
    let replay: Value = serde_json::from_str(&body).expect("json");
    let russia = memos.iter().find(|(r, _, _)| *r == "russia").expect("russia");
    assert_eq!(replay["memos"].as_array().map(Vec::len), Some(1));
    assert_eq!(replay["memos"][0]["memo"].as_str(), Some(russia.1.as_str()));
    let (_, body) = app.http("GET", &format!("/api/sessions/{session_id}/replay?lens=public"), key, None).await;
    let public_replay: Value = serde_json::from_str(&body).expect("json");
    assert!(memos.iter().all(|(_, _, m)| !holds(&public_replay, m)), "the public lens shows no memo");
    let (_, body) = app.http("GET", &format!("/api/sessions/{session_id}/debrief"), key, None).await;
    let debrief: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(debrief["memos"].as_array().map(Vec::len), Some(ROLES.len()));
    assert!(debrief["debrief_questions"].as_array().is_some_and(|q| (4..=6).contains(&q.len())));
}

#[tokio::test]
async fn a_reflection_after_the_game_is_kept_and_read_back_everywhere() {
    let mut app = spawn_app().await;
    let (session_id, code) = app.create_session(json!({"scenario": "tutorial"})).await;
    let mut teacher = app.instructor(&session_id).await;
    let (mut student, token) = app.player(&code, "Oyun", "mongolia").await;
    let mut projector = app.spectator(&code).await;

    let early = student.request(json!({"type": "reflect", "text": "too soon"})).await.expect_err("not yet");
    assert_eq!(early["code"], "wrong_phase");
    teacher.request(json!({"type": "start"})).await.expect("start");
    teacher.request(json!({"type": "end"})).await.expect("end");
    student.recv_type("game_over").await;

    let spectator = projector.request(json!({"type": "reflect", "text": "I watched"})).await.expect_err("no seat");
    assert_eq!(spectator["code"], "not_joined");
    let long = "x".repeat(2001);
    let too_long = student.request(json!({"type": "reflect", "text": long})).await.expect_err("too long");
    assert_eq!(too_long["code"], "too_large");
    let hidden = student.request(json!({"type": "reflect", "text": "a\u{202e}b"})).await.expect_err("hidden");
    assert_eq!(hidden["code"], "bad_request");
    student.request(json!({"type": "reflect", "text": "first thoughts"})).await.expect("reflect");
    let text = "Hosting the visit kept the fuel coming; MARKER-reflect-3f1a.";
    student.request(json!({"type": "reflect", "text": text})).await.expect("a second one replaces it");
    let mine = state_where(&mut student, |s| s["you"]["reflection"] == text).await;
    assert_eq!(mine["phase"], "finished");
    let console = state_where(&mut teacher, |s| s["reflections"][0]["text"] == text).await;
    assert_eq!(console["reflections"].as_array().map(Vec::len), Some(1), "one per player: the latest");
    assert_eq!(console["reflections"][0]["text"], text);
    assert_eq!(console["reflections"][0]["role"], "mongolia");
    projector.sync().await;
    assert!(!saw(&projector, "MARKER-reflect"), "a reflection is the teacher's to read");

    // Acknowledged means stored: after a restart everything reads it back.
    app.restart().await;
    let key = Some(app.instructor_key.as_str());
    let (status, body) = app.http("GET", &format!("/api/sessions/{session_id}/debrief"), key, None).await;
    assert_eq!(status, 200, "{body}");
    let debrief: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(
        debrief["reflections"],
        json!([{"player_id": debrief["reflections"][0]["player_id"], "player": "Oyun", "role": "mongolia", "text": text}])
    );
    let (status, csv) =
        app.http("GET", &format!("/api/sessions/{session_id}/export.csv?what=reflections"), key, None).await;
    assert_eq!(status, 200);
    assert!(
        csv.starts_with("player,role,text") && csv.contains("Oyun,mongolia,") && csv.contains("MARKER-reflect-3f1a")
    );
    assert!(!csv.contains("first thoughts"), "the latest reflection only");
    let (_, export) = app.http("GET", &format!("/api/sessions/{session_id}/export.json"), key, None).await;
    let export: Value = serde_json::from_str(&export).expect("json");
    let reflected =
        export["events"].as_array().expect("events").iter().filter(|e| e["event"]["type"] == "reflected").count();
    assert_eq!(reflected, 2, "both reflections are in the log");
    let (_, body) = app.http("GET", &format!("/api/sessions/{session_id}/replay?lens=declassified"), key, None).await;
    let replay: Value = serde_json::from_str(&body).expect("json");
    let steps = replay["steps"].as_array().expect("steps");
    assert!(steps.iter().any(|s| s["kind"] == "reflected" && s["text"] == text && s["player"] == "Oyun"));
    let (_, body) = app.http("GET", &format!("/api/sessions/{session_id}/replay?lens=role:mongolia"), key, None).await;
    assert!(!body.contains("MARKER-reflect"), "only the declassified lens shows reflections");

    // The student, back on its seat, sees what it wrote.
    let mut again = app.client().await;
    again.send(json!({"type": "resume", "seat_token": token})).await;
    let state = again.state().await;
    assert_eq!(state["you"]["reflection"], text);
}

/// The source essay as a teacher pastes it out of a PDF: each paragraph wrapped over several
/// lines, a blank line between paragraphs. Read line by line it would have far more paragraphs
/// than the scenario cites (every ¶ would open the wrong text); it is kept one paragraph per
/// line, and a student's page gets the same.
#[tokio::test]
async fn a_source_pasted_from_a_pdf_is_read_into_the_paragraphs_the_scenario_cites() {
    let app = spawn_app().await;
    let key = app.instructor_key.clone();
    let pasted: Vec<String> =
        (1..=19).map(|n| format!("Stand-in paragraph {n}, whose text\nwraps over\nthree lines.")).collect();
    let pasted = pasted.join("\n\n");
    let (status, body) = app.http("PUT", "/api/scenarios/tutorial/source", Some(&key), Some(&pasted)).await;
    assert_eq!(status, 200, "{body}");
    let answer: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(answer["paragraphs"], 19, "{answer}");
    assert_eq!(answer["expected_paragraphs"], 19);
    assert_eq!(answer["joined_lines"], true);
    let (status, kept) = app.http("GET", "/api/scenarios/tutorial/source", Some(&key), None).await;
    assert_eq!(status, 200);
    let lines: Vec<&str> = kept.lines().collect();
    assert_eq!(lines.len(), 19, "{kept}");
    assert_eq!(lines[6], "Stand-in paragraph 7, whose text wraps over three lines.");

    // A student of this instructor's game reads ¶7 as its seventh line.
    let (_, code) = app.create_session(json!({"scenario": "tutorial"})).await;
    let (_, token) = app.join(&code, "Ana").await;
    let (status, seat) = app.http("GET", "/api/seat/source", Some(&token), None).await;
    assert_eq!(status, 200, "{seat}");
    let seat: Value = serde_json::from_str(&seat).expect("json");
    let text = seat["text"].as_str().expect("the text");
    assert_eq!(text.lines().nth(6), Some("Stand-in paragraph 7, whose text wraps over three lines."));

    // One paragraph per line is kept as it was given.
    let per_line: String = (1..=19).map(|n| format!("Paragraph {n}.\n")).collect();
    let (_, body) = app.http("PUT", "/api/scenarios/tutorial/source", Some(&key), Some(&per_line)).await;
    let answer: Value = serde_json::from_str(&body).expect("json");
    assert_eq!((answer["paragraphs"].clone(), answer["joined_lines"].clone()), (json!(19), json!(false)));
    let (_, kept) = app.http("GET", "/api/scenarios/tutorial/source", Some(&key), None).await;
    assert_eq!(kept, per_line);
}
