//! Stored games, replayed: a game is played live over WebSocket, then read back through the HTTP
//! API in every lens, exported three ways, forked and deleted. The live frames each socket got are
//! the reference the replay must match, byte for byte.

use crate::common;

use serde_json::{json, Value};

use common::{plan, spawn_app, state_where, TestApp, TestClient, ROLES};
use third_neighbor::replay::{self, export};

const PUBLIC: &str = "PUBLIC-HELLO, everyone";
const SECRET: &str = "SECRET-M2R we will do trade_deal";
const TEAM: &str = "TEAM-RUSSIA-ONLY";
const QUOTED: &str = "He said \"yes\", then\nleft";

/// A finished lab game and every `round_resolved` frame each kind of socket received.
struct Recorded {
    session_id: String,
    code: String,
    /// By role, in `ROLES` order, then the spectator and the instructor.
    player_reports: Vec<Vec<Value>>,
    spectator_reports: Vec<Value>,
    teacher_reports: Vec<Value>,
    scores: Value,
}

async fn play_round(players: &mut [(TestClient, &str)], round: u64) {
    for (client, role) in players.iter_mut() {
        client.request(json!({"type": "set_orders", "round": round, "orders": plan(role)})).await.expect("orders");
    }
    for (client, _) in players.iter_mut() {
        client.request(json!({"type": "ready", "round": round, "ready": true})).await.expect("ready");
    }
}

/// Seats a student in every role of the game `code` (named `<prefix> <role>`), waits until the
/// instructor sees all four, and starts the game.
async fn seat_and_start(
    app: &TestApp,
    code: &str,
    teacher: &mut TestClient,
    prefix: &str,
) -> Vec<(TestClient, &'static str)> {
    let mut players = Vec::new();
    for role in ROLES {
        let (client, _) = app.player(code, &format!("{prefix} {role}"), role).await;
        players.push((client, role));
    }
    state_where(teacher, |s| s["players"].as_array().is_some_and(|p| p.len() == 4)).await;
    teacher.request(json!({"type": "start"})).await.expect("start");
    players
}

/// Plays the lab scenario with four students, messages of every kind and an injected event in
/// round 3, recording what each socket saw.
async fn play_recorded(app: &TestApp) -> Recorded {
    let (session_id, code) = app.create_session(json!({"scenario": "lab", "seed": 11})).await;
    let mut teacher = app.instructor(&session_id).await;
    let mut spectator = app.spectator(&code).await;
    let mut players = seat_and_start(app, &code, &mut teacher, "student").await;
    for round in 1..=3u64 {
        if round == 1 {
            let mongolia = &mut players[0].0;
            mongolia.request(json!({"type": "say", "to": "all", "text": PUBLIC})).await.expect("say");
            mongolia.request(json!({"type": "say", "to": "russia", "text": SECRET})).await.expect("say");
            mongolia.request(json!({"type": "say", "to": "all", "text": QUOTED})).await.expect("say");
            players[1].0.request(json!({"type": "say", "to": "russia", "text": TEAM})).await.expect("say");
        }
        if round == 3 {
            teacher.request(json!({"type": "inject_event", "event": "dzud"})).await.expect("inject");
        }
        play_round(&mut players, round).await;
    }
    let is_report = |v: &Value| v["type"] == "round_resolved";
    let mut player_reports = Vec::new();
    let mut scores = Value::Null;
    for (client, _) in players.iter_mut() {
        let over = client.recv_type("game_over").await;
        scores = over["scores"].clone();
        player_reports.push(client.frames().into_iter().filter(is_report).collect::<Vec<_>>());
    }
    teacher.recv_type("game_over").await;
    spectator.recv_type("game_over").await;
    Recorded {
        session_id,
        code,
        player_reports,
        spectator_reports: spectator.frames().into_iter().filter(is_report).collect(),
        teacher_reports: teacher.frames().into_iter().filter(is_report).collect(),
        scores,
    }
}

async fn get_json(app: &TestApp, path: &str) -> Value {
    let (status, body) = app.http("GET", path, Some(&app.instructor_key), None).await;
    assert_eq!(status, 200, "GET {path}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"))
}

fn reports(view: &Value) -> Vec<Value> {
    view["rounds"].as_array().expect("rounds").iter().map(|r| r["report"].clone()).collect()
}

fn steps_of<'a>(view: &'a Value, kind: &str) -> Vec<&'a Value> {
    view["steps"].as_array().expect("steps").iter().filter(|s| s["kind"] == kind).collect()
}

#[tokio::test]
async fn every_lens_matches_what_its_sockets_saw_live() {
    let app = spawn_app().await;
    let game = play_recorded(&app).await;
    let base = format!("/api/sessions/{}/replay", game.session_id);

    // Declassified (the default): the instructor's frames, every draft and message, the raw log.
    let all = get_json(&app, &base).await;
    assert_eq!(all["lens"], "declassified");
    assert_eq!(all["ok"], true, "{}", all["errors"]);
    assert_eq!(reports(&all), game.teacher_reports, "the replayed reports are the live ones");
    let last_hash = game.teacher_reports.last().expect("three reports")["state_hash"].clone();
    assert_eq!(all["final"]["state_hash"], last_hash);
    assert_eq!(all["final"]["scores"], game.scores);
    for round in all["rounds"].as_array().unwrap() {
        assert_eq!(round["hash_ok"], true);
        // The state after each round, in the canonical form: its SHA-256 is the stored hash.
        use sha2::Digest as _;
        let bytes = serde_json::to_vec(&round["state"]).unwrap();
        let hash: String = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hash, round["state_hash"].as_str().unwrap(), "round {}", round["round"]);
    }
    let text = all.to_string();
    assert!(text.contains(SECRET) && text.contains(TEAM) && text.contains("russian_leverage"));
    let drafted: Vec<&str> = steps_of(&all, "draft").iter().filter_map(|s| s["role"].as_str()).collect();
    for role in ROLES {
        assert!(drafted.contains(&role), "{role}'s drafts are declassified");
    }
    assert_eq!(steps_of(&all, "event_injected").len(), 1);
    assert_eq!(steps_of(&all, "round_resolved").len(), 3);
    assert!(all["events"].as_array().is_some_and(|e| e.len() > 20), "the raw log");
    // Steps are numbered in order, with the state after each.
    for (i, step) in all["steps"].as_array().unwrap().iter().enumerate() {
        assert_eq!(step["index"], i);
        assert!(step["tracks"]["autonomy"].is_i64());
    }

    // Public: exactly what the projector got.
    let public = get_json(&app, &format!("{base}?lens=public")).await;
    assert_eq!(reports(&public), game.spectator_reports);
    let text = public.to_string();
    assert!(text.contains("PUBLIC-HELLO"));
    assert!(public["rounds"][0].get("state").is_none(), "the whole state (private tracks, RNG) is declassified only");
    for secret in [SECRET, TEAM, "russian_leverage", "\"draft\""] {
        assert!(!text.contains(secret), "the public lens shows {secret}");
    }
    assert!(public.get("events").is_none(), "no raw log outside the declassified lens");

    // As one role: exactly what that role's sockets got, nothing more.
    for (i, role) in ROLES.iter().enumerate() {
        let view = get_json(&app, &format!("{base}?lens=role:{role}")).await;
        assert_eq!(reports(&view), game.player_reports[i], "{role}'s reports");
        for draft in steps_of(&view, "draft") {
            assert_eq!(draft["role"], *role, "{role} never sees another role's draft");
        }
        assert!(!steps_of(&view, "draft").is_empty());
        let text = view.to_string();
        let insider = matches!(*role, "mongolia" | "russia");
        assert_eq!(text.contains(SECRET), insider, "{role} and the private message");
        assert_eq!(text.contains(TEAM), *role == "russia", "{role} and Russia's team chat");
        assert_eq!(text.contains("russian_leverage"), *role == "russia", "{role} and Russia's private track");
    }

    let (status, body) = app.http("GET", &format!("{base}?lens=role:nobody"), Some(&app.instructor_key), None).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("bad_lens"));
    let (status, _) = app.http("GET", &format!("{base}?lens=secret"), Some(&app.instructor_key), None).await;
    assert_eq!(status, 400);
}

/// Minimal RFC 4180 reader: fields, quotes, doubled quotes, CRLF records.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', true) => quoted = false,
            ('"', false) if field.is_empty() => quoted = true,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\r', false) if chars.peek() == Some(&'\n') => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => field.push(c),
        }
    }
    rows
}

/// A view of a game still being played, outside the instructor's own lens, carries neither its
/// join code nor its seed; once the game is over (or in the instructor's lens) both are there.
#[tokio::test]
async fn a_running_game_shared_as_a_view_gives_away_neither_its_code_nor_its_seed() {
    let app = spawn_app().await;
    let (session_id, code) = app.create_session(json!({"scenario": "lab", "seed": 11})).await;
    let mut teacher = app.instructor(&session_id).await;
    let mut players = seat_and_start(&app, &code, &mut teacher, "student").await;
    play_round(&mut players, 1).await;
    state_where(&mut teacher, |s| s["round"] == 2).await;

    let base = format!("/api/sessions/{session_id}/replay");
    for lens in ["public", "role:mongolia"] {
        let view = get_json(&app, &format!("{base}?lens={lens}")).await;
        assert_eq!(view["final"]["finished"], false);
        assert_eq!(view["seed"], Value::Null, "{lens}: the seed of a running game");
        assert_eq!(view["join_code"], Value::Null, "{lens}: the code of a running game");
        assert_eq!(view["rounds"].as_array().map(Vec::len), Some(1), "{lens}: the round played is there");
        assert!(!view.to_string().contains(&code), "{lens}: the code nowhere");
    }
    let page_path = format!("/api/sessions/{session_id}/export.html");
    let (status, page) = app.http("GET", &page_path, Some(&app.instructor_key), None).await;
    assert_eq!(status, 200);
    assert!(!page.contains(&code), "the public page of a running game names no code");
    let own = get_json(&app, &base).await;
    assert_eq!((own["seed"].as_u64(), own["join_code"].as_str()), (Some(11), Some(code.as_str())));

    // Over: the code is dead and the seed draws nothing more, so every view has them.
    teacher.request(json!({"type": "end"})).await.expect("end");
    state_where(&mut teacher, |s| s["phase"] == "finished").await;
    let public = get_json(&app, &format!("{base}?lens=public")).await;
    assert_eq!((public["seed"].as_u64(), public["join_code"].as_str()), (Some(11), Some(code.as_str())));
}

#[tokio::test]
async fn exports_parse_back_and_the_json_replays_to_the_same_hash() {
    let app = spawn_app().await;
    let game = play_recorded(&app).await;
    let base = format!("/api/sessions/{}", game.session_id);
    let all = get_json(&app, &format!("{base}/replay")).await;

    // JSON: enough to replay the game elsewhere.
    let (status, body) = app.http("GET", &format!("{base}/export.json"), Some(&app.instructor_key), None).await;
    assert_eq!(status, 200);
    let log = export::read_json(&body).expect("the export reads back");
    assert_eq!(log.seed, 11);
    let sc = third_neighbor::scenario::parse("export", &log.scenario.text).expect("scenario text");
    let rebuilt = replay::rebuild(&sc, log.seed, &log.rows());
    assert!(rebuilt.ok(), "{:?}", rebuilt.errors);
    assert_eq!(rebuilt.final_hash, all["final"]["state_hash"].as_str().unwrap());
    assert_eq!(log.final_hash, rebuilt.final_hash);

    // ... and through the command line, as someone without the server would.
    let file = app.dir.path().join("game.json");
    std::fs::write(&file, &body).expect("write export");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_third-neighbor"))
        .arg("replay")
        .arg(&file)
        .output()
        .expect("run the binary");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains(&format!("final: {}", rebuilt.final_hash)), "{stdout}");
    assert_eq!(stdout.matches(" ok").count(), 3, "{stdout}");

    // A tampered log is caught: the mismatch is reported, never hidden.
    let mut tampered: Value = serde_json::from_str(&body).unwrap();
    let events = tampered["events"].as_array_mut().unwrap();
    let resolved = events.iter_mut().find(|e| e["event"]["type"] == "round_resolved").expect("a round");
    resolved["event"]["state_hash"] = json!("0".repeat(64));
    let bad_file = app.dir.path().join("tampered.json");
    std::fs::write(&bad_file, tampered.to_string()).expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_third-neighbor"))
        .arg("replay")
        .arg(&bad_file)
        .output()
        .expect("run the binary");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("MISMATCH"));
    let bad = export::read_json(&tampered.to_string()).expect("still readable");
    let rebuilt = replay::rebuild(&sc, bad.seed, &bad.rows());
    assert!(!rebuilt.ok() && rebuilt.errors[0].message.contains("state hash mismatch"), "{:?}", rebuilt.errors);
    // An edited scenario text no longer matches its hash.
    let mut edited = tampered.clone();
    edited["scenario"]["text"] = json!(format!("{}\n# edited", log.scenario.text));
    assert!(matches!(export::read_json(&edited.to_string()), Err(export::ImportError::ScenarioHash)));

    // CSV: one row per order, one per message, quoting intact.
    let (status, body) = app.http("GET", &format!("{base}/export.csv"), Some(&app.instructor_key), None).await;
    assert_eq!(status, 200);
    let rows = parse_csv(&body);
    assert_eq!(rows[0], ["round", "role", "move", "target", "succeeded", "status", "essay"]);
    let outcomes: usize = game.teacher_reports.iter().map(|r| r["outcomes"].as_array().unwrap().len()).sum();
    assert_eq!(rows.len() - 1, outcomes);
    assert!(rows[1..].iter().all(|r| r.len() == 7 && (r[4] == "true" || r[4] == "false")));
    assert!(rows.iter().any(|r| r[1] == "mongolia" && r[2] == "trade_deal" && r[4] == "true"));
    let (status, body) =
        app.http("GET", &format!("{base}/export.csv?what=messages"), Some(&app.instructor_key), None).await;
    assert_eq!(status, 200);
    let rows = parse_csv(&body);
    assert_eq!(rows[0], ["round", "at", "from", "role", "to", "text"]);
    assert_eq!(rows.len() - 1, 4);
    assert!(rows.iter().any(|r| r[5] == QUOTED && r[4] == "all"), "{rows:?}");
    assert!(rows.iter().any(|r| r[5] == SECRET && r[4] == "russia" && r[3] == "mongolia"));

    // HTML: one self-contained page (public by default) with the replay inside.
    let (status, page) = app.http("GET", &format!("{base}/export.html"), Some(&app.instructor_key), None).await;
    assert_eq!(status, 200);
    for external in ["src=\"http", "href=\"http", "src=\"//", "@import", "url(", "fetch(", "XMLHttpRequest"] {
        assert!(!page.contains(external), "the page must not load anything: {external}");
    }
    let start = page.find("id=\"data\">").expect("embedded data") + "id=\"data\">".len();
    let end = start + page[start..].find("</script>").expect("end of data");
    let data: Value = serde_json::from_str(&page[start..end]).expect("embedded JSON");
    assert_eq!(data["replay"]["lens"], "public");
    assert_eq!(reports(&data["replay"]), game.spectator_reports);
    assert!(page.contains("PUBLIC-HELLO") && !page.contains("SECRET-M2R"));
    let (_, declassified) =
        app.http("GET", &format!("{base}/export.html?lens=declassified"), Some(&app.instructor_key), None).await;
    assert!(declassified.contains("SECRET-M2R"));
    // The essay's paragraphs go with the page once loaded, unless the instructor leaves them out.
    let essay = "First stand-in paragraph (essay-marker-1).\nSecond stand-in paragraph (essay-marker-2).";
    let (status, _) = app.http("PUT", "/api/scenarios/lab/source", Some(&app.instructor_key), Some(essay)).await;
    assert_eq!(status, 200);
    let (_, with) = app.http("GET", &format!("{base}/export.html"), Some(&app.instructor_key), None).await;
    assert!(with.contains("essay-marker-2"));
    let (_, without) = app.http("GET", &format!("{base}/export.html?source=0"), Some(&app.instructor_key), None).await;
    assert!(!without.contains("essay-marker") && without.contains("PUBLIC-HELLO"));
    let (status, _) =
        app.http("GET", &format!("{base}/export.html?source=maybe"), Some(&app.instructor_key), None).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_fork_continues_from_the_state_at_its_round() {
    let app = spawn_app().await;
    let game = play_recorded(&app).await;
    let original = get_json(&app, &format!("/api/sessions/{}/replay", game.session_id)).await;
    let key = Some(app.instructor_key.as_str());
    let fork_path = format!("/api/sessions/{}/fork", game.session_id);
    for bad in [json!({"round": 0}), json!({"round": 4}), json!({"round": "two"}), json!({})] {
        let (status, body) = app.http("POST", &fork_path, key, Some(&bad.to_string())).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    let (status, body) = app.http("POST", &fork_path, key, Some(r#"{"round": 2}"#)).await;
    assert_eq!(status, 201, "{body}");
    let fork: Value = serde_json::from_str(&body).unwrap();
    let (fork_id, code) = (fork["session_id"].as_str().unwrap(), fork["join_code"].as_str().unwrap());
    assert_ne!(code, game.code);
    assert_eq!(fork["round"], 2);

    // It starts at round 2 with the state the original had after round 1.
    let mut teacher = app.instructor(fork_id).await;
    let state = teacher.state().await;
    assert_eq!(state["phase"], "lobby");
    assert_eq!(state["round"], 2);
    let after_one = &original["rounds"][0]["tracks"];
    for track in state["tracks"].as_array().unwrap() {
        assert_eq!(track["value"], after_one[track["id"].as_str().unwrap()], "{track}");
    }
    let fork_replay = get_json(&app, &format!("/api/sessions/{fork_id}/replay")).await;
    assert_eq!(fork_replay["forked_from"], json!({"session_id": game.session_id, "round": 2}));
    assert_eq!(fork_replay["rounds"].as_array().unwrap().len(), 1, "round 1 copied");

    // Played with the same orders, round 2 comes out exactly as it did in the original.
    let mut players = seat_and_start(&app, code, &mut teacher, "again").await;
    play_round(&mut players, 2).await;
    let report = teacher.recv_until("report", |v| v["type"] == "round_resolved" && v["round"] == 2).await;
    assert_eq!(report["state_hash"], original["rounds"][1]["state_hash"]);
    assert_eq!(report, game.teacher_reports[1]);
}

#[tokio::test]
async fn the_debrief_finds_turning_points_what_ifs_and_promises() {
    let app = spawn_app().await;
    let game = play_recorded(&app).await;
    let debrief = get_json(&app, &format!("/api/sessions/{}/debrief", game.session_id)).await;
    assert_eq!(debrief["ok"], true);
    assert_eq!(debrief["rounds_played"], 3);
    let scores = debrief["scores"].as_array().unwrap();
    assert_eq!(scores.len(), 4);
    for row in scores {
        assert_eq!(row["score"], game.scores[row["role"].as_str().unwrap()]);
        assert!(row["objective"].as_str().is_some_and(|o| !o.is_empty()));
    }
    assert_eq!(debrief["tracks"][0]["history"].as_array().unwrap().len(), 4, "start and three rounds");
    let points = debrief["turning_points"].as_array().unwrap();
    assert!(!points.is_empty(), "{debrief}");
    assert!(points.iter().all(|p| p["essay"].as_array().is_some_and(|e| !e.is_empty())));
    let with_what_if: Vec<&Value> = points.iter().filter(|p| !p["what_if"].is_null()).collect();
    assert!(!with_what_if.is_empty(), "{points:?}");
    for p in with_what_if {
        let w = &p["what_if"];
        assert!(w["narrative"].as_str().is_some_and(|n| n.starts_with("Without")), "{w}");
        assert!(w["differences"].as_array().is_some_and(|d| !d.is_empty()) || w["fired_without"] == false);
    }
    let decisions = debrief["decisions"].as_array().unwrap();
    let mongolia = decisions.iter().find(|d| d["role"] == "mongolia").unwrap();
    assert_eq!(mongolia["orders"].as_array().unwrap().len(), 6, "two moves a round");
    let promises = debrief["promises"].as_array().unwrap();
    let promise = promises.iter().find(|p| p["text"] == SECRET).expect("the message names trade_deal");
    assert_eq!(promise["move"], "trade_deal");
    assert_eq!(promise["made"], "same_round");
    assert_eq!(promise["made_in_round"], 1);
}

#[tokio::test]
async fn stored_games_are_listed_filtered_owned_and_deleted() {
    let app = spawn_app().await;
    let game = play_recorded(&app).await;
    let (lobby_id, lobby_code) = app.create_session(json!({"scenario": "tutorial"})).await;
    let key = Some(app.instructor_key.as_str());

    let list = get_json(&app, "/api/sessions").await;
    let ids: Vec<&str> = list.as_array().unwrap().iter().filter_map(|s| s["session_id"].as_str()).collect();
    assert_eq!(ids, [lobby_id.as_str(), game.session_id.as_str()], "newest first");
    assert_eq!(list[0]["rounds"], 3);
    assert!(list[0]["title"].as_str().is_some_and(|t| !t.is_empty()));
    let finished = get_json(&app, "/api/sessions?status=finished").await;
    assert_eq!(finished.as_array().unwrap().len(), 1);
    assert_eq!(finished[0]["session_id"], game.session_id);
    let tutorial = get_json(&app, "/api/sessions?scenario=tutorial").await;
    assert_eq!(tutorial[0]["session_id"], lobby_id.as_str());
    assert_eq!(get_json(&app, "/api/sessions?status=finished&scenario=tutorial").await, json!([]));
    assert_eq!(app.http("GET", "/api/sessions?status=won", key, None).await.0, 400);

    // Another instructor may not touch them; nobody may without a key.
    let other = third_neighbor::server::add_instructor(app.app.store(), "other").await.unwrap();
    let base = format!("/api/sessions/{}", game.session_id);
    for (method, path) in [
        ("GET", format!("{base}/replay")),
        ("GET", format!("{base}/debrief")),
        ("GET", format!("{base}/export.json")),
        ("GET", format!("{base}/export.csv")),
        ("GET", format!("{base}/export.html")),
        ("POST", format!("{base}/fork")),
        ("DELETE", base.clone()),
    ] {
        let body = (method == "POST").then_some(r#"{"round": 1}"#);
        let (status, text) = app.http(method, &path, Some(&other), body).await;
        assert_eq!((status, text.contains("not_instructor")), (403, true), "{method} {path}: {text}");
        assert_eq!(app.http(method, &path, None, body).await.0, 401, "{method} {path}");
    }
    assert_eq!(get_json(&app, "/api/sessions").await.as_array().unwrap().len(), 2);
    let (status, text) = app.http("GET", "/api/sessions/nope/replay", key, None).await;
    assert_eq!((status, text.contains("unknown_session")), (404, true));

    // Deleting a live game closes its sockets first, then removes every row.
    let (mut student, _) = app.join(&lobby_code, "Saraa").await;
    let (status, body) = app.http("DELETE", &format!("/api/sessions/{lobby_id}"), key, None).await;
    assert_eq!(status, 204, "{body}");
    let gone = student.recv_until("error", |v| v["type"] == "error").await;
    assert_eq!(gone["code"], "unknown_session");
    assert!(student.closed().await.is_some());
    assert_eq!(app.http("GET", &format!("/api/sessions/{lobby_id}/replay"), key, None).await.0, 404);
    assert_eq!(app.http("DELETE", &format!("/api/sessions/{lobby_id}"), key, None).await.0, 404);
    let (status, _) = app.http("DELETE", &base, key, None).await;
    assert_eq!(status, 204);
    assert_eq!(get_json(&app, "/api/sessions").await, json!([]));
    let mut student = app.client().await;
    let refused = student.refused(json!({"type": "join", "code": lobby_code, "name": "Late"})).await;
    assert_eq!(refused, "unknown_code");

    let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", app.db_path.display())).await.expect("open db");
    for table in ["events", "players", "sessions"] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&pool).await.unwrap();
        assert_eq!(n, 0, "{table} emptied");
    }
}

#[tokio::test]
async fn a_log_that_no_longer_replays_is_reported_in_every_view() {
    let app = spawn_app().await;
    let game = play_recorded(&app).await;
    let base = format!("/api/sessions/{}", game.session_id);
    let before = get_json(&app, &format!("{base}/replay")).await;
    assert_eq!(before["ok"], true);
    // Append a round whose stored hash no engine would give (as a corrupted or hand-edited
    // database would have it).
    let last = before["events"].as_array().unwrap().last().unwrap()["seq"].as_i64().unwrap();
    let bogus = third_neighbor::log::LogEvent::RoundResolved {
        round: 4,
        orders: Default::default(),
        state_hash: "0".repeat(64),
    };
    let op =
        third_neighbor::store::Op::Event { session_id: game.session_id.clone(), seq: last + 1, at: 0, event: bogus };
    app.app.store().commit(vec![op]).await.expect("append");

    for lens in ["declassified", "public", "role:china"] {
        let view = get_json(&app, &format!("{base}/replay?lens={lens}")).await;
        assert_eq!(view["ok"], false, "{lens}");
        let errors = view["errors"].to_string();
        assert!(errors.contains("state hash mismatch"), "{lens}: {errors}");
        assert!(view["rounds"].as_array().unwrap().iter().any(|r| r["hash_ok"] == false));
    }
    let debrief = get_json(&app, &format!("{base}/debrief")).await;
    assert_eq!(debrief["ok"], false);
    let (_, page) = app.http("GET", &format!("{base}/export.html"), Some(&app.instructor_key), None).await;
    assert!(page.contains("state hash mismatch"));
}

#[tokio::test]
async fn tables_of_one_class_are_compared_side_by_side() {
    let app = spawn_app().await;
    let first = play_recorded(&app).await;
    let second = play_recorded(&app).await;
    let (tutorial, _) = app.create_session(json!({"scenario": "tutorial"})).await;
    let ids = format!("{},{}", first.session_id, second.session_id);

    let cmp = get_json(&app, &format!("/api/compare?sessions={ids}")).await;
    assert_eq!(cmp["scenario"]["id"], "lab");
    let tables = cmp["tables"].as_array().unwrap();
    assert_eq!(tables.len(), 2);
    assert_eq!(tables[0]["join_code"], first.code.as_str(), "in the order given");
    assert_eq!(tables[1]["join_code"], second.code.as_str());
    for (table, game) in tables.iter().zip([&first, &second]) {
        assert_eq!(table["scores"], game.scores);
        assert_eq!(table["rounds_played"], 3);
        assert_eq!(table["tracks"]["autonomy"].as_array().unwrap().len(), 4);
        assert_eq!(table["ok"], true);
    }
    let moves = cmp["moves"].as_array().unwrap();
    let deal = moves.iter().find(|m| m["role"] == "mongolia" && m["move"] == "trade_deal").expect("a move both made");
    for cell in deal["tables"].as_array().unwrap() {
        assert_eq!(cell["rounds"], json!([1, 2, 3]));
        assert_eq!(cell["succeeded"], json!([true, true, true]));
    }
    assert!(moves.iter().all(|m| m["tables"].as_array().unwrap().iter().any(|c| c["rounds"] != json!([]))));

    let app = &app;
    let ask = |query: String| async move {
        app.http("GET", &format!("/api/compare?{query}"), Some(&app.instructor_key), None).await
    };
    let (status, body) = ask(format!("sessions={ids},{tutorial}")).await;
    assert_eq!((status, body.contains("mixed_scenarios")), (400, true), "{body}");
    let (status, _) = ask(format!("sessions={},{}", first.session_id, first.session_id)).await;
    assert_eq!(status, 400);
    assert_eq!(ask(String::new()).await.0, 400);
    assert_eq!(ask(format!("sessions={ids},nope")).await.0, 404);
    let other = third_neighbor::server::add_instructor(app.app.store(), "other").await.unwrap();
    let (status, body) = app.http("GET", &format!("/api/compare?sessions={ids}"), Some(&other), None).await;
    assert_eq!((status, body.contains("not_instructor")), (403, true));
}

#[tokio::test]
async fn the_main_scenario_with_bots_replays_debriefs_and_forks() {
    let app = common::spawn_app_with(|config| {
        let dir = config.scenarios.clone().expect("a scenario folder");
        let main = include_str!("../../scenarios/mongolia-2024.toml");
        std::fs::write(dir.join("mongolia-2024.toml"), main).expect("write the main scenario");
    })
    .await;
    let (session_id, _) = app.create_session(json!({"scenario": "mongolia-2024", "seed": 5, "bots": ROLES})).await;
    let mut teacher = app.instructor(&session_id).await;
    teacher.request(json!({"type": "start"})).await.expect("start");
    for round in 1..=4u64 {
        teacher.request(json!({"type": "force_resolve"})).await.expect("force");
        teacher.recv_until("report", |v| v["type"] == "round_resolved" && v["round"] == round).await;
    }
    let over = teacher.recv_type("game_over").await;
    let base = format!("/api/sessions/{session_id}");

    let all = get_json(&app, &format!("{base}/replay")).await;
    assert_eq!(all["ok"], true, "{}", all["errors"]);
    assert_eq!(all["rounds"].as_array().unwrap().len(), 4);
    assert_eq!(all["final"]["scores"], over["scores"]);
    assert_eq!(all["bots"].as_array().unwrap().len(), 4);
    let outcomes: usize =
        all["rounds"].as_array().unwrap().iter().map(|r| r["report"]["outcomes"].as_array().unwrap().len()).sum();

    let debrief = get_json(&app, &format!("{base}/debrief")).await;
    let points = debrief["turning_points"].as_array().unwrap();
    assert_eq!(points.len(), 3, "{points:?}");
    assert!(points.windows(2).all(|w| w[0]["round"].as_u64() < w[1]["round"].as_u64()), "in round order");
    assert!(points.iter().any(|p| !p["what_if"].is_null()), "{points:?}");
    // In this game some turning point has an order without which it would not have happened.
    assert!(points.iter().any(|p| p["what_if"]["fired_without"] == false), "{points:?}");
    let decided: usize =
        debrief["decisions"].as_array().unwrap().iter().map(|d| d["orders"].as_array().unwrap().len()).sum();
    assert_eq!(decided, outcomes, "every order, with its paragraph");

    let (_, csv) = app.http("GET", &format!("{base}/export.csv"), Some(&app.instructor_key), None).await;
    assert_eq!(parse_csv(&csv).len() - 1, outcomes);

    // A fork after the UN vote's round continues from the state the original had then.
    let (status, body) =
        app.http("POST", &format!("{base}/fork"), Some(&app.instructor_key), Some(r#"{"round": 4}"#)).await;
    assert_eq!(status, 201, "{body}");
    let fork: Value = serde_json::from_str(&body).unwrap();
    let forked = get_json(&app, &format!("/api/sessions/{}/replay", fork["session_id"].as_str().unwrap())).await;
    assert_eq!(forked["ok"], true);
    assert_eq!(forked["rounds"].as_array().unwrap().len(), 3);
    assert_eq!(forked["rounds"][2]["state_hash"], all["rounds"][2]["state_hash"]);
    assert_eq!(forked["bots"], all["bots"], "the bots are seated again");
}

#[tokio::test]
async fn a_game_whose_scenario_text_no_longer_reads_says_so_and_harms_no_other() {
    let mut app = spawn_app().await;
    let game = play_recorded(&app).await;
    let (other, _) = app.create_session(json!({"scenario": "tutorial"})).await;
    // The stored text of the lab scenario is damaged (by hand, or a stricter future reader) ...
    let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", app.db_path.display())).await.expect("open db");
    sqlx::query("UPDATE scenario_texts SET text = 'id = \"lab\"\nrounds = [' WHERE scenario_id = 'lab'")
        .execute(&pool)
        .await
        .expect("damage the text");
    pool.close().await;
    // ... and the file is gone from the folder (the same text on disk would be used instead).
    let folder = app.config.scenarios.clone().expect("a scenario folder");
    std::fs::remove_file(folder.join("lab.toml")).expect("remove the file");
    app.restart().await;

    let (status, body) =
        app.http("GET", &format!("/api/sessions/{}/replay", game.session_id), Some(&app.instructor_key), None).await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("scenario_unreadable") && body.contains("cannot be replayed"), "{body}");
    let fork = format!("/api/sessions/{}/fork", game.session_id);
    let (status, body) = app.http("POST", &fork, Some(&app.instructor_key), Some(r#"{"round": 1}"#)).await;
    assert_eq!((status, body.contains("scenario_unreadable")), (409, true), "{body}");
    // Everything else still works.
    assert_eq!(get_json(&app, &format!("/api/sessions/{other}/replay")).await["ok"], true);
    assert_eq!(get_json(&app, "/api/sessions").await.as_array().unwrap().len(), 2);
}
