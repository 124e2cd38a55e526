//! Hidden information: what one role drafts or whispers never reaches another role's socket
//! before the round resolves, nor any spectator; sessions never see each other's traffic.

use crate::common;

use serde_json::json;

use common::{orders, spawn_app, state_where, TestClient};

#[tokio::test]
async fn orders_and_private_messages_reach_only_their_role_until_resolution() {
    let app = spawn_app().await;
    let (session_id, code) = app.create_session(json!({"scenario": "lab"})).await;
    let mut teacher = app.instructor(&session_id).await;
    let (mut mongolia, _) = app.player(&code, "M", "mongolia").await;
    let (mut russia, _) = app.player(&code, "R", "russia").await;
    let (mut china, _) = app.player(&code, "C", "china").await;
    let (mut us, _) = app.player(&code, "U", "us").await;
    let mut projector = app.spectator(&code).await;
    teacher.request(json!({"type": "start"})).await.expect("start");

    // Mongolia's draft: `reach_out` is a move only Mongolia has, so its id is a marker.
    mongolia
        .request(json!({"type": "set_orders", "round": 1, "orders": orders(&["reach_out"])}))
        .await
        .expect("orders");
    mongolia.request(json!({"type": "say", "to": "mongolia", "text": "MARKER-team-51c2"})).await.expect("team");
    mongolia.request(json!({"type": "say", "to": "china", "text": "MARKER-china-9d04"})).await.expect("to china");
    mongolia.request(json!({"type": "say", "to": ["china", "us"], "text": "MARKER-pair-77ab"})).await.expect("list");
    russia.request(json!({"type": "say", "to": "all", "text": "public hello e1e1"})).await.expect("all");
    // Russia's private track and its draft that moves it.
    russia
        .request(json!({"type": "set_orders", "round": 1, "orders": orders(&["friendly_visit"])}))
        .await
        .expect("orders");

    for c in [&mut mongolia, &mut russia, &mut china, &mut us, &mut projector, &mut teacher] {
        c.sync().await;
    }
    // The instructor sees everything pending.
    let view = teacher.state().await;
    assert_eq!(view["orders"]["mongolia"], json!([{"move": "reach_out", "target": null}]));
    for marker in ["MARKER-team-51c2", "MARKER-china-9d04", "MARKER-pair-77ab", "e1e1", "russian_leverage"] {
        assert!(teacher.saw(marker), "the instructor sees {marker}");
    }
    // Addressees see their messages; nobody else does.
    assert!(china.saw("MARKER-china-9d04") && china.saw("MARKER-pair-77ab"));
    assert!(us.saw("MARKER-pair-77ab") && !us.saw("MARKER-china-9d04"));
    assert!(mongolia.saw("MARKER-china-9d04"), "the sender sees what it said");
    for c in [&russia, &china, &us, &projector] {
        assert!(!c.saw("reach_out"), "another role's draft leaked");
        assert!(!c.saw("MARKER-team-51c2"), "team chat leaked");
    }
    assert!(!russia.saw("MARKER-china-9d04") && !russia.saw("MARKER-pair-77ab"));
    assert!(!projector.saw("MARKER"), "a spectator saw private press");
    assert!(projector.saw("e1e1"), "a spectator sees public press");
    // Russia's private track: only Russia (and the instructor) know it exists.
    assert!(russia.saw("russian_leverage"));
    for c in [&mongolia, &china, &us, &projector] {
        assert!(!c.saw("russian_leverage"), "a private track leaked");
        assert!(!c.saw("friendly_visit"), "Russia's draft leaked");
    }

    // After resolution, everyone learns every role's orders, but still not the private track.
    for c in [&mut mongolia, &mut russia, &mut china, &mut us] {
        c.request(json!({"type": "ready", "round": 1})).await.expect("ready");
    }
    let report = projector.recv_until("report", |v| v["type"] == "round_resolved").await;
    assert_eq!(report["orders"]["mongolia"], json!([{"move": "reach_out", "target": null}]));
    assert!(!report.to_string().contains("russian_leverage"));
    let report = china.recv_until("report", |v| v["type"] == "round_resolved").await;
    assert!(!report.to_string().contains("russian_leverage"));
    let report = russia.recv_until("report", |v| v["type"] == "round_resolved").await;
    let tracks = report["tracks"].as_array().unwrap();
    let leverage = tracks.iter().find(|t| t["id"] == "russian_leverage").expect("Russia sees its track");
    assert_eq!((leverage["before"].as_i64(), leverage["value"].as_i64()), (Some(3), Some(5)));
}

#[tokio::test]
async fn two_sessions_never_see_each_others_traffic() {
    let app = spawn_app().await;
    let (id_a, code_a) = app.create_session(json!({"scenario": "tutorial"})).await;
    let (id_b, code_b) = app.create_session(json!({"scenario": "tutorial"})).await;
    assert_ne!(code_a, code_b);
    let mut teacher_a = app.instructor(&id_a).await;
    let mut teacher_b = app.instructor(&id_b).await;
    let (mut a1, _) = app.player(&code_a, "alice-in-A", "mongolia").await;
    let (mut a2, _) = app.player(&code_a, "anna-in-A", "china").await;
    let (mut b1, _) = app.player(&code_b, "bob-in-B", "mongolia").await;
    let (mut b2, _) = app.player(&code_b, "bea-in-B", "china").await;
    let mut watch_b = app.spectator(&code_b).await;
    teacher_a.request(json!({"type": "start"})).await.expect("start A");
    teacher_b.request(json!({"type": "start"})).await.expect("start B");

    a1.request(json!({"type": "say", "to": "all", "text": "SESSION-A-all-4410"})).await.expect("say");
    a1.request(json!({"type": "set_orders", "round": 1, "orders": orders(&["trade_deal"])})).await.expect("orders");
    b1.request(json!({"type": "say", "to": "all", "text": "SESSION-B-all-8be0"})).await.expect("say");
    for c in [&mut a1, &mut a2] {
        c.request(json!({"type": "ready", "round": 1})).await.expect("ready");
    }
    a2.recv_until("report", |v| v["type"] == "round_resolved").await;
    for c in [&mut a1, &mut a2, &mut b1, &mut b2, &mut watch_b, &mut teacher_a, &mut teacher_b] {
        c.sync().await;
    }

    let in_a: [&TestClient; 3] = [&a1, &a2, &teacher_a];
    let in_b: [&TestClient; 4] = [&b1, &b2, &watch_b, &teacher_b];
    for c in in_a {
        assert!(c.saw("SESSION-A-all-4410"));
        for marker in ["SESSION-B", "bob-in-B", "bea-in-B", id_b.as_str(), code_b.as_str()] {
            assert!(!c.saw(marker), "session A saw {marker}");
        }
    }
    for c in in_b {
        assert!(c.saw("SESSION-B-all-8be0"));
        for marker in ["SESSION-A", "alice-in-A", "anna-in-A", id_a.as_str(), code_a.as_str(), "round_resolved"] {
            assert!(!c.saw(marker), "session B saw {marker}");
        }
    }
}

#[tokio::test]
async fn a_second_device_cannot_read_or_steer_another_team_without_the_instructor() {
    let app = spawn_app().await;
    let (session_id, code) = app.create_session(json!({"scenario": "lab"})).await;
    let mut teacher = app.instructor(&session_id).await;
    let (mut us, _) = app.player(&code, "U", "us").await;
    let (_mongolia, _) = app.player(&code, "M", "mongolia").await;
    teacher.request(json!({"type": "start"})).await.expect("start");
    us.request(json!({"type": "set_orders", "round": 1, "orders": orders(&["english_classes"])})).await.expect("draft");
    us.request(json!({"type": "say", "to": "us", "text": "MARKER-before-3a1f"})).await.expect("team");

    // A classmate's second device joins with the code on the projector and asks for the US.
    let (mut spy, spy_token) = app.join(&code, "Sam").await;
    spy.request(json!({"type": "choose_role", "role": "us"})).await.expect("a request, not a seat");
    let mine = spy.state().await;
    assert_eq!(mine["you"]["role"], serde_json::Value::Null);
    assert_eq!(mine["you"]["requested_role"], "us");
    assert_eq!(spy.refused(json!({"type": "set_orders", "round": 1, "orders": []})).await, "no_role");
    assert_eq!(spy.refused(json!({"type": "ready", "round": 1})).await, "no_role");
    us.request(json!({"type": "say", "to": "us", "text": "MARKER-waiting-77c0"})).await.expect("team");
    spy.sync().await;
    assert!(!spy.saw("english_classes"), "the team's draft leaked before approval");
    assert!(!spy.saw("MARKER-before") && !spy.saw("MARKER-waiting"), "team chat leaked before approval");

    // The instructor approves: from then on the newcomer is on the team, and reads the team's
    // messages from its approval on, not before (not even on a reload).
    let asked = state_where(&mut teacher, |s| s["requests"].as_array().is_some_and(|r| !r.is_empty())).await;
    let spy_id = asked["requests"][0]["player_id"].clone();
    teacher.request(json!({"type": "answer_request", "player_id": spy_id, "approve": true})).await.expect("approve");
    let joined = state_where(&mut spy, |s| s["you"]["role"] == "us").await;
    assert_eq!(joined["my_orders"], json!([{"move": "english_classes", "target": null}]), "now it is its team's draft");
    us.request(json!({"type": "say", "to": "us", "text": "MARKER-after-5b2e"})).await.expect("team");
    spy.sync().await;
    assert!(spy.saw("MARKER-after-5b2e"));
    let mut reloaded = app.client().await;
    reloaded.request(json!({"type": "resume", "seat_token": spy_token})).await.expect("resume");
    reloaded.sync().await;
    assert!(reloaded.saw("MARKER-after-5b2e"));
    assert!(!reloaded.saw("MARKER-before") && !reloaded.saw("MARKER-waiting"), "history from before approval");
}
