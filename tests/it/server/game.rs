//! Whole games over WebSocket, as a class plays them: four students, bots, teams, reloads.

use crate::common;

use serde_json::{json, Value};

use common::{orders, plan, spawn_app, state_where, TestClient, ROLES};

async fn play_round(players: &mut [(TestClient, &str)], round: u64) -> Vec<Value> {
    for (client, role) in players.iter_mut() {
        client.request(json!({"type": "set_orders", "round": round, "orders": plan(role)})).await.expect("orders");
    }
    for (client, _) in players.iter_mut() {
        client.request(json!({"type": "ready", "round": round, "ready": true})).await.expect("ready");
    }
    let mut reports = Vec::new();
    for (client, _) in players.iter_mut() {
        reports.push(client.recv_until("report", |v| v["type"] == "round_resolved" && v["round"] == round).await);
    }
    reports
}

#[tokio::test]
async fn four_students_play_the_tutorial_to_game_over() {
    let app = spawn_app().await;
    let (session_id, code) = app.create_session(json!({"scenario": "tutorial"})).await;
    let mut teacher = app.instructor(&session_id).await;
    let mut players = Vec::new();
    let mut tokens = Vec::new();
    for role in ROLES {
        let (client, token) = app.player(&code, &format!("student {role}"), role).await;
        players.push((client, role));
        tokens.push(token);
    }
    let lobby = state_where(&mut teacher, |s| s["players"].as_array().is_some_and(|p| p.len() == 4)).await;
    assert_eq!(lobby["phase"], "lobby");
    teacher.request(json!({"type": "start"})).await.expect("start");

    for round in 1..=3 {
        let reports = play_round(&mut players, round).await;
        let hash = &reports[0]["state_hash"];
        assert!(hash.as_str().is_some_and(|h| h.len() == 64), "state hash: {hash}");
        for report in &reports {
            assert_eq!(&report["state_hash"], hash, "everyone sees the same resolution");
            assert_eq!(
                report["orders"]["mongolia"],
                json!([{"move": "reach_out", "target": null}, {"move": "trade_deal", "target": null}])
            );
            let outcomes = report["outcomes"].as_array().expect("outcomes");
            assert_eq!(outcomes.len(), 7);
            assert!(outcomes.iter().all(|o| o["narrative"].as_str().is_some_and(|n| !n.is_empty())));
            assert!(outcomes.iter().any(|o| o["move"] == "trade_deal" && o["succeeded"] == true), "joint move");
        }
        let mut teacher_report =
            teacher.recv_until("report", |v| v["type"] == "round_resolved" && v["round"] == round).await;
        assert_eq!(teacher_report["state_hash"].take(), *hash);
    }
    for (client, _) in players.iter_mut() {
        let over = client.recv_type("game_over").await;
        for role in ROLES {
            assert!(over["scores"][role].as_u64().is_some_and(|s| s <= 100), "{over}");
        }
        assert_eq!(over["debrief"]["rounds_played"], 3);
    }
    let finished = state_where(&mut teacher, |s| s["phase"] == "finished").await;
    assert_eq!(finished["round"], 3);
    // A screen opened now (a projector, say) gets a full state: every track's whole history.
    let mut late = app.instructor(&session_id).await;
    let full = late.state().await;
    let history = full["tracks"][0]["history"].as_array().expect("each track's history");
    assert_eq!(history.len(), 4, "the start and after each of three rounds");
    // A finished game takes no more orders.
    let (client, _) = &mut players[0];
    assert_eq!(client.refused(json!({"type": "set_orders", "round": 3, "orders": []})).await, "wrong_phase");
    // A student who reloads after the end sees the final scores again.
    let mut back = app.client().await;
    back.request(json!({"type": "resume", "seat_token": tokens[0]})).await.expect("resume after the end");
    let over = back.find("game_over").expect("game_over on resume");
    assert_eq!(over["debrief"]["rounds_played"], 3);
    let (status, list) = app.http("GET", "/api/sessions", Some(&app.instructor_key), None).await;
    assert_eq!(status, 200);
    assert!(list.contains("\"finished\""), "{list}");
}

#[tokio::test]
async fn two_bots_fill_the_empty_roles_and_are_labelled() {
    let app = spawn_app().await;
    let (session_id, code) =
        app.create_session(json!({"scenario": "tutorial", "bots": ["china", "us"], "seed": 7})).await;
    let mut teacher = app.instructor(&session_id).await;
    let (mongolia, _) = app.player(&code, "Bolor", "mongolia").await;
    let (russia, _) = app.player(&code, "Ivan", "russia").await;
    let mut players = vec![(mongolia, "mongolia"), (russia, "russia")];

    let state = state_where(&mut players[0].0, |s| s["players"].as_array().is_some_and(|p| p.len() == 4)).await;
    let bots: Vec<&Value> = state["players"].as_array().unwrap().iter().filter(|p| p["bot"] == true).collect();
    assert_eq!(bots.len(), 2);
    assert!(bots.iter().all(|b| b["name"].as_str().is_some_and(|n| n.starts_with("Bot"))));
    let roles = state["roles"].as_array().unwrap();
    assert!(roles.iter().any(|r| r["id"] == "china" && r["bot"] == true));
    assert!(roles.iter().any(|r| r["id"] == "mongolia" && r["bot"] == false));
    // People cannot take a bot's role.
    assert_eq!(players[1].0.refused(json!({"type": "choose_role", "role": "us"})).await, "role_taken");

    teacher.request(json!({"type": "start"})).await.expect("start");
    for round in 1..=3 {
        let reports = play_round(&mut players, round).await;
        let report = &reports[0];
        let bot_moves =
            report["orders"]["china"].as_array().unwrap().len() + report["orders"]["us"].as_array().unwrap().len();
        assert!(bot_moves > 0, "the bots played: {report}");
    }
    for (client, _) in players.iter_mut() {
        client.recv_type("game_over").await;
    }
}

#[tokio::test]
async fn a_team_of_three_shares_one_role_draft_lock_and_chat() {
    let app = spawn_app().await;
    let (session_id, code) = app.create_session(json!({"scenario": "tutorial"})).await;
    let mut teacher = app.instructor(&session_id).await;
    let (mut a, _) = app.player(&code, "A", "mongolia").await;
    let (mut b, _) = app.player(&code, "B", "mongolia").await;
    let (mut c, _) = app.player(&code, "C", "mongolia").await;
    let (mut russia, _) = app.player(&code, "R", "russia").await;
    teacher.request(json!({"type": "start"})).await.expect("start");

    let state = state_where(&mut a, |s| s["phase"] == "running").await;
    let team = state["roles"].as_array().unwrap().iter().find(|r| r["id"] == "mongolia").unwrap().clone();
    assert_eq!(team["players"].as_array().unwrap().len(), 3);

    // One member drafts; the others see the shared draft.
    a.request(json!({"type": "set_orders", "round": 1, "orders": orders(&["reach_out"])})).await.expect("orders");
    for member in [&mut b, &mut c] {
        state_where(member, |s| s["my_orders"] == json!([{"move": "reach_out", "target": null}])).await;
    }
    // Another edits it.
    b.request(json!({"type": "set_orders", "round": 1, "orders": orders(&["reach_out", "stay_neutral"])}))
        .await
        .expect("edit");
    state_where(&mut a, |s| s["my_orders"].as_array().is_some_and(|o| o.len() == 2)).await;
    // A third locks it; nobody can edit it until it is unlocked.
    c.request(json!({"type": "ready", "round": 1})).await.expect("lock");
    state_where(&mut a, |s| s["ready"] == true).await;
    assert_eq!(a.refused(json!({"type": "set_orders", "round": 1, "orders": []})).await, "orders_locked");

    // Team chat reaches the team (and the instructor), not Russia.
    a.request(json!({"type": "say", "to": "mongolia", "text": "team-only plan 7f3a"})).await.expect("say");
    for member in [&mut a, &mut b, &mut c, &mut teacher] {
        let m = member.recv_until("message", |v| v["type"] == "message").await;
        assert_eq!(m["text"], "team-only plan 7f3a");
        assert_eq!(m["from"]["role"], "mongolia");
    }
    russia.sync().await;
    assert!(!russia.saw("7f3a"));

    // Russia readies too: the round resolves with the team's draft.
    russia.request(json!({"type": "ready", "round": 1})).await.expect("ready");
    for member in [&mut a, &mut b, &mut c] {
        let report = member.recv_until("report", |v| v["type"] == "round_resolved").await;
        assert_eq!(report["orders"]["mongolia"].as_array().unwrap().len(), 2);
    }
}

#[tokio::test]
async fn a_reconnecting_student_keeps_seat_role_and_draft() {
    let app = spawn_app().await;
    let (session_id, code) = app.create_session(json!({"scenario": "tutorial"})).await;
    let mut teacher = app.instructor(&session_id).await;
    let (mut first, token) = app.player(&code, "Bolor", "mongolia").await;
    let player_id = first.find("welcome").unwrap()["player_id"].clone();
    teacher.request(json!({"type": "start"})).await.expect("start");
    first
        .request(json!({"type": "set_orders", "round": 1, "orders": orders(&["stay_neutral"])}))
        .await
        .expect("orders");
    first.ws.close(None).await.expect("close");
    drop(first);
    state_where(&mut teacher, |s| s["players"][0]["connected"] == false).await;

    let mut again = app.client().await;
    again.request(json!({"type": "resume", "seat_token": token})).await.expect("resume");
    let welcome = again.find("welcome").unwrap();
    assert_eq!(welcome["player_id"], player_id);
    let state = again.state().await;
    assert_eq!(state["you"]["role"], "mongolia");
    assert_eq!(state["phase"], "running");
    assert_eq!(state["my_orders"], json!([{"move": "stay_neutral", "target": null}]));
    state_where(&mut teacher, |s| s["players"][0]["connected"] == true).await;
    // And the seat still plays.
    again.request(json!({"type": "ready", "round": 1})).await.expect("ready");
    again.recv_until("report", |v| v["type"] == "round_resolved").await;
}

#[tokio::test]
async fn the_others_hear_of_a_new_student_once_and_as_connected() {
    let app = spawn_app().await;
    let (session_id, code) = app.create_session(json!({"scenario": "tutorial"})).await;
    let mut teacher = app.instructor(&session_id).await;
    let (mut first, _) = app.join(&code, "Bolor").await;
    teacher.sync().await;
    first.sync().await;
    let before = (teacher.frames().len(), first.frames().len());

    let (_second, _) = app.join(&code, "Tuya").await;
    teacher.sync().await;
    first.sync().await;
    for (who, frames, from) in [("the instructor", teacher.frames(), before.0), ("a student", first.frames(), before.1)]
    {
        let about: Vec<&serde_json::Value> =
            frames[from..].iter().filter(|f| f["type"] == "player" && f["name"] == "Tuya").collect();
        assert_eq!(about.len(), 1, "{who} hears of the new student once: {about:?}");
        assert_eq!(about[0]["connected"], true, "{who} sees the new student connected from the start");
    }
}

#[tokio::test]
async fn a_second_tab_with_the_same_token_shares_the_seat() {
    let app = spawn_app().await;
    let (session_id, code) = app.create_session(json!({"scenario": "tutorial"})).await;
    let mut teacher = app.instructor(&session_id).await;
    let (mut tab1, token) = app.player(&code, "Bolor", "mongolia").await;
    let mut tab2 = app.client().await;
    tab2.request(json!({"type": "resume", "seat_token": token})).await.expect("second tab");
    teacher.request(json!({"type": "start"})).await.expect("start");

    tab2.request(json!({"type": "set_orders", "round": 1, "orders": orders(&["reach_out"])})).await.expect("orders");
    state_where(&mut tab1, |s| s["my_orders"] == json!([{"move": "reach_out", "target": null}])).await;
    tab1.request(json!({"type": "say", "to": "all", "text": "hello from tab one"})).await.expect("say");
    tab2.recv_until("message", |v| v["type"] == "message" && v["text"] == "hello from tab one").await;
    // Closing one tab leaves the other connected.
    tab1.ws.close(None).await.expect("close");
    drop(tab1);
    tab2.request(json!({"type": "ready", "round": 1})).await.expect("ready from the remaining tab");
    let report = tab2.recv_until("report", |v| v["type"] == "round_resolved").await;
    assert_eq!(report["orders"]["mongolia"], json!([{"move": "reach_out", "target": null}]));
}
