//! One game read in several languages: each seat's frames in the language it chose (`lang` on
//! its seat message, `set_lang` after), scenario texts from the translation file with English
//! wherever a text is not translated, the report built once per audience and language, the
//! stored game viewable in any language afterwards, and `?lang=` / `Accept-Language` over HTTP.

use crate::common;

use serde_json::{json, Value};

use common::{header, http_get, plan, spawn_app_with, TestApp, TestClient};
use third_neighbor::scenario::{self, translation};
use third_neighbor::server::Metrics;

const TUTORIAL: &str = include_str!("../../common/tutorial.toml");

/// The marker of the partial Mongolian file: `МН <key>`.
fn mn(key: &str) -> String {
    format!("МН {key}")
}

/// The Mongolian file this test plays with: every text of the tutorial as `МН <key>`, except the
/// title and Russia's own texts (not translated: English is shown), and the summary, translated
/// from an English that is no longer the scenario's (stale: English is shown too).
fn partial_mongolian() -> String {
    let loaded = scenario::load_text("tutorial.toml", TUTORIAL).expect("the tutorial reads");
    let mut file = String::from("language = \"mn\"\n\n[texts]\n");
    for (key, english) in translation::keys(&loaded.scenario) {
        if key == "title" || key.starts_with("roles.russia.") {
            continue;
        }
        let source = if key == "summary" { "000000000000".to_string() } else { translation::source_hash(&english) };
        file.push_str(&format!(
            "{} = {{ text = {}, source = \"{source}\" }}\n",
            translation::quote(&key),
            translation::quote(&mn(&key))
        ));
    }
    file
}

async fn spawn() -> TestApp {
    spawn_app_with(|config| {
        let dir = config.scenarios.clone().expect("a scenario folder");
        std::fs::write(dir.join("tutorial.mn.toml"), partial_mongolian()).expect("write the Mongolian file");
    })
    .await
}

/// A seat message with a language; returns the client (its `state` and the rest pending).
async fn seat(app: &TestApp, msg: Value) -> TestClient {
    let mut c = app.client().await;
    c.request(msg).await.expect("seated");
    c
}

fn role<'a>(state: &'a Value, id: &str) -> &'a Value {
    state["roles"].as_array().and_then(|r| r.iter().find(|r| r["id"] == id)).expect("role")
}

fn narrative(report: &Value, mv: &str) -> String {
    let outcomes = report["outcomes"].as_array().expect("outcomes");
    let o = outcomes.iter().find(|o| o["move"] == mv).unwrap_or_else(|| panic!("no {mv} in {report}"));
    o["narrative"].as_str().expect("narrative").to_string()
}

fn built(app: &TestApp) -> u64 {
    Metrics::read(&app.app.metrics().reports_built)
}

#[tokio::test]
async fn each_seat_reads_the_game_in_its_language_with_english_where_a_text_is_not_translated() {
    let app = spawn().await;
    let (session_id, code) =
        app.create_session(json!({"scenario": "tutorial", "bots": ["china", "us"], "seed": 5})).await;
    let key = app.instructor_key.clone();
    let mut teacher = app.instructor(&session_id).await;
    let mut bolor = seat(&app, json!({"type": "join", "code": code, "name": "Bolor", "lang": "mn"})).await;
    let mut ivan = seat(&app, json!({"type": "join", "code": code, "name": "Ivan", "lang": "ru"})).await;
    // A language chosen before the seat holds for a seat message that names none.
    let mut wall = app.client().await;
    wall.request(json!({"type": "set_lang", "lang": "mn"})).await.expect("set_lang before a seat");
    wall.request(json!({"type": "watch", "code": code})).await.expect("watch");
    let mut wall2 = seat(&app, json!({"type": "watch", "code": code, "lang": "mn"})).await;
    let mut hall = seat(&app, json!({"type": "watch", "code": code})).await;
    bolor.request(json!({"type": "choose_role", "role": "mongolia"})).await.expect("role");
    ivan.request(json!({"type": "choose_role", "role": "russia"})).await.expect("role");

    // Mongolian: translated texts, English for the untranslated and the stale, bots in Mongolian.
    let s = bolor.state().await;
    assert_eq!(s["session"]["title"], "Tutorial: three rounds between two neighbours", "title: not translated");
    assert_eq!(role(&s, "mongolia")["name"], mn("roles.mongolia.name"));
    assert_eq!(role(&s, "russia")["name"], "Russia", "Russia's texts: not translated");
    assert_eq!(s["you"]["role"], "mongolia");
    let names: Vec<&str> =
        s["players"].as_array().expect("players").iter().filter_map(|p| p["name"].as_str()).collect();
    assert!(names.contains(&format!("Бот ({})", mn("roles.china.name")).as_str()), "{names:?}");
    let moves: Vec<&str> = s["moves"].as_array().expect("moves").iter().filter_map(|m| m["name"].as_str()).collect();
    assert!(moves.contains(&mn("moves.mongolia.reach_out.name").as_str()), "{moves:?}");
    // Russian (the shared fixture: `[ru] <key>`, no title); English for the instructor.
    let s = ivan.state().await;
    assert_eq!(role(&s, "russia")["name"], "[ru] roles.russia.name");
    assert_eq!(s["session"]["title"], "Tutorial: three rounds between two neighbours");
    let s = teacher.state().await;
    assert_eq!(role(&s, "mongolia")["name"], "Mongolia");
    assert_eq!(role(&wall.state().await, "mongolia")["name"], mn("roles.mongolia.name"));
    assert_eq!(role(&hall.state().await, "mongolia")["name"], "Mongolia");

    teacher.request(json!({"type": "start"})).await.expect("start");
    let before = built(&app);
    for (c, r) in [(&mut bolor, "mongolia"), (&mut ivan, "russia")] {
        c.request(json!({"type": "set_orders", "round": 1, "orders": plan(r)})).await.expect("orders");
    }
    for c in [&mut bolor, &mut ivan] {
        c.request(json!({"type": "ready", "round": 1, "ready": true})).await.expect("ready");
    }
    let report = |v: &Value| v["type"] == "round_resolved" && v["round"] == 1;
    let mn_report = bolor.recv_until("report", report).await;
    let ru_report = ivan.recv_until("report", report).await;
    let en_report = teacher.recv_until("report", report).await;
    let wall_report = wall.recv_until("report", report).await;
    let wall2_report = wall2.recv_until("report", report).await;
    let hall_report = hall.recv_until("report", report).await;
    // One build per (audience, language): Mongolia/mn, Russia/ru, the instructor/en, the public
    // in mn (two spectators share it) and the public in en.
    assert_eq!(built(&app) - before, 5, "reports built once per audience and language");
    assert_eq!(wall_report, wall2_report, "spectators of one language share one frame");
    assert_ne!(wall_report, hall_report);
    // The engine is language-free: one resolution whatever the reader's language.
    for r in [&ru_report, &en_report, &wall_report, &hall_report] {
        assert_eq!(r["state_hash"], mn_report["state_hash"]);
    }
    let line = narrative(&mn_report, "reach_out");
    assert!(line.contains(&mn("moves.mongolia.reach_out.name")) && line.contains("амжилттай"), "{line}");
    // Per key: Russia's name is not translated, its move's is.
    let line = narrative(&mn_report, "friendly_visit");
    assert!(line.starts_with(&format!("Russia: {}", mn("moves.russia.friendly_visit.name"))), "{line}");
    let line = narrative(&ru_report, "friendly_visit");
    assert!(line.contains("[ru] moves.russia.friendly_visit.name") && line.contains("успешно"), "{line}");
    assert!(narrative(&en_report, "friendly_visit").contains("succeeded"));
    assert!(!en_report.to_string().contains("МН") && !en_report.to_string().contains("[ru]"));

    // `set_lang`: the ack, then a whole `state` in the new language; the next report in it.
    ivan.request(json!({"type": "set_lang", "lang": "zh"})).await.expect("set_lang");
    ivan.clear(); // what came before the ack
    let next = ivan.recv().await;
    assert_eq!(next["type"], "state", "a whole state follows the ack: {next}");
    assert_eq!(role(&next, "russia")["name"], "[zh] roles.russia.name");
    assert_eq!(next["session"]["title"], "[zh] title");
    assert!(next["tracks"][0]["name"].as_str().is_some_and(|n| n.starts_with("[zh] ")), "a full state: {next}");
    assert_eq!(ivan.refused(json!({"type": "set_lang", "lang": "fr"})).await, "bad_request");
    for round in 2..=3 {
        for (c, r) in [(&mut bolor, "mongolia"), (&mut ivan, "russia")] {
            c.request(json!({"type": "set_orders", "round": round, "orders": plan(r)})).await.expect("orders");
        }
        for c in [&mut bolor, &mut ivan] {
            c.request(json!({"type": "ready", "round": round, "ready": true})).await.expect("ready");
        }
        let r = ivan.recv_until("report", |v| v["type"] == "round_resolved" && v["round"] == round).await;
        assert!(narrative(&r, "friendly_visit").contains("[zh] moves.russia.friendly_visit.name"), "{r}");
    }
    let over = ivan.recv_type("game_over").await;
    assert!(over.to_string().contains("[zh] roles.russia.objective"), "{over}");
    let over = bolor.recv_type("game_over").await;
    assert!(over.to_string().contains(&mn("roles.mongolia.objective")), "{over}");

    // The stored log is language-free, and the game reads in any language afterwards.
    let (status, export) = app.http("GET", &format!("/api/sessions/{session_id}/export.json"), Some(&key), None).await;
    assert_eq!(status, 200);
    assert!(!export.contains("МН") && !export.contains("[zh]") && !export.contains("\"lang\""), "{export}");
    let path = format!("/api/sessions/{session_id}/debrief?lang=mn");
    let (status, head, body) = http_get(app.addr, &path, Some(&key), "").await;
    assert_eq!((status, header(&head, "content-language").as_deref()), (200, Some("mn")), "{body}");
    assert!(body.contains(&mn("moves.mongolia.reach_out.name")), "{body}");
    assert!(body.contains(&format!("Бот ({})", mn("roles.china.name"))), "a bot by its name in mn: {body}");
    let path = format!("/api/sessions/{session_id}/debrief");
    let (_, head, body) = http_get(app.addr, &path, Some(&key), "Accept-Language: zh-CN, en;q=0.5\r\n").await;
    assert_eq!(header(&head, "content-language").as_deref(), Some("zh"));
    assert!(body.contains("[zh] moves.mongolia.reach_out.name"), "{body}");
    let path = format!("/api/sessions/{session_id}/replay?lang=ru");
    let (status, head, body) = http_get(app.addr, &path, Some(&key), "Accept-Language: mn\r\n").await;
    assert_eq!((status, header(&head, "content-language").as_deref()), (200, Some("ru")), "?lang= wins");
    assert!(body.contains("[ru] moves.russia.friendly_visit.name"));
    let (_, head, body) = http_get(app.addr, &path.replace("ru", "en"), Some(&key), "").await;
    assert_eq!(header(&head, "content-language").as_deref(), Some("en"));
    assert!(!body.contains("[ru]") && !body.contains("МН"));
    let (status, head, body) = http_get(app.addr, "/api/sessions?lang=zh", Some(&key), "").await;
    assert_eq!((status, header(&head, "content-language").as_deref()), (200, Some("zh")));
    assert!(body.contains("[zh] title"), "{body}");
}

#[tokio::test]
async fn http_picks_the_scenario_text_by_lang_or_accept_language_and_refuses_an_unknown_code() {
    let app = spawn().await;
    let (status, head, body) = http_get(app.addr, "/api/scenarios/tutorial?lang=mn", None, "").await;
    assert_eq!((status, header(&head, "content-language").as_deref()), (200, Some("mn")));
    let sc: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(sc["title"], "Tutorial: three rounds between two neighbours", "untranslated: English");
    assert!(body.contains(&mn("roles.mongolia.name")) && body.contains("\"Russia\""), "per key");
    assert_eq!(sc["language"], "mn");
    assert_eq!(sc["languages"], json!(["en", "mn", "ru", "zh"]));

    let (status, head, body) =
        http_get(app.addr, "/api/scenarios/tutorial", None, "Accept-Language: ru-RU,ru;q=0.9\r\n").await;
    assert_eq!((status, header(&head, "content-language").as_deref()), (200, Some("ru")));
    assert!(body.contains("[ru] roles.russia.name"), "{body}");
    let (_, head, body) = http_get(app.addr, "/api/scenarios/tutorial", None, "Accept-Language: de, fr\r\n").await;
    assert_eq!(header(&head, "content-language").as_deref(), Some("en"), "none it speaks: English");
    assert!(body.contains("\"Mongolia\""));
    let (_, head, body) = http_get(app.addr, "/api/scenarios?lang=zh", None, "").await;
    assert_eq!(header(&head, "content-language").as_deref(), Some("zh"));
    assert!(body.contains("[zh] title") && body.contains("[zh] roles.us.name"), "{body}");
    let guide = "/api/scenarios/tutorial/guide?lang=mn";
    let (status, head, body) = http_get(app.addr, guide, Some(&app.instructor_key), "").await;
    assert_eq!((status, header(&head, "content-language").as_deref()), (200, Some("mn")), "{body}");
    assert!(body.contains(&mn("rounds.1.briefing")), "{body}");

    for path in ["/api/scenarios/tutorial?lang=fr", "/api/scenarios?lang=MN", "/api/scenarios/tutorial?lang=zh-TW"] {
        let (status, _, body) = http_get(app.addr, path, None, "Accept-Language: mn\r\n").await;
        assert_eq!(status, 400, "{path}: {body}");
        let e: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(e["error"]["code"], "bad_request");
        assert!(e["error"]["message"].as_str().is_some_and(|m| m.contains("en, mn, ru or zh")), "{body}");
    }
}

#[tokio::test]
async fn a_bad_lang_on_a_seat_message_is_a_bad_request() {
    let app = spawn().await;
    let (_, code) = app.create_session(json!({"scenario": "tutorial"})).await;
    let mut c = app.client().await;
    for lang in [json!("fr"), json!("MN"), json!(7)] {
        let e = c.request(json!({"type": "join", "code": code, "name": "Bolor", "lang": lang})).await;
        let e = e.expect_err("refused");
        assert_eq!(e["code"], "bad_request", "{e}");
    }
    assert_eq!(c.refused(json!({"type": "set_lang", "lang": "de"})).await, "bad_request");
    c.request(json!({"type": "join", "code": code, "name": "Bolor", "lang": "mn"})).await.expect("then a good one");
}

#[tokio::test]
async fn a_class_console_and_its_students_each_have_their_language() {
    let app = spawn().await;
    let (class_id, code) = app.create_class(json!({"scenario": "tutorial", "tables": 1})).await;
    let mut console = app.client().await;
    let msg = json!({"type": "instructor", "class_id": class_id, "key": app.instructor_key, "lang": "zh"});
    console.request(msg).await.expect("console");
    let state = console.recv_type("class_state").await;
    assert_eq!(state["class"]["title"], "[zh] title");
    console.request(json!({"type": "set_lang", "lang": "ru"})).await.expect("set_lang");
    console.clear();
    let state = console.recv().await;
    assert_eq!(state["type"], "class_state", "a whole class_state follows the ack");
    assert_eq!(state["class"]["title"], "Tutorial: three rounds between two neighbours", "ru has no title");
    let mut student = seat(&app, json!({"type": "join", "code": code, "name": "Saraa", "lang": "mn"})).await;
    let s = student.state().await;
    let mine = s["you"]["role"].as_str().expect("placed in a role").to_string();
    let name = role(&s, &mine)["name"].as_str().expect("name").to_string();
    assert!(name == mn(&format!("roles.{mine}.name")) || mine == "russia", "{name}");

    // The class over HTTP, in the language asked for.
    let key = Some(app.instructor_key.as_str());
    let (status, head, body) = http_get(app.addr, &format!("/api/classes/{class_id}?lang=zh"), key, "").await;
    assert_eq!((status, header(&head, "content-language").as_deref()), (200, Some("zh")), "{body}");
    assert_eq!(serde_json::from_str::<Value>(&body).expect("json")["title"], "[zh] title");
    let (_, head, body) = http_get(app.addr, "/api/classes", key, "Accept-Language: zh-CN\r\n").await;
    assert_eq!(header(&head, "content-language").as_deref(), Some("zh"));
    assert_eq!(serde_json::from_str::<Value>(&body).expect("json")[0]["title"], "[zh] title", "{body}");
}

/// The shipped scenarios and their translation files: `Accept-Language: mn` gets the Mongolian.
#[tokio::test]
async fn accept_language_mn_gets_the_shipped_mongolian_scenario() {
    let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let file =
        translation::Translation::load(&shipped.join("mongolia-2024.mn.toml")).expect("the Mongolian file reads");
    let title = file.entry("title").expect("a title").text.clone();
    let app = spawn_app_with(|config| config.scenarios = Some(shipped)).await;
    let (status, head, body) =
        http_get(app.addr, "/api/scenarios/mongolia-2024", None, "Accept-Language: mn\r\n").await;
    assert_eq!((status, header(&head, "content-language").as_deref()), (200, Some("mn")));
    let sc: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(sc["title"], title.as_str());
    assert_ne!(sc["title"], "Third Neighbor: Mongolia between giants, 2024–25");
}
