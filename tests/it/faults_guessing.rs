//! Guessing beside a class: a script guesses join codes, seat tokens and keys from the class's
//! own address (one school NAT) while the class joins, resumes and the instructor works. Nobody
//! with a valid credential is refused; the guesser is slowed and cut off. And instructor keys
//! revoked or rotated with the CLI stop working at once.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use common::{spawn_app_with, TestClient};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guessing_script_beside_a_class_joining_normally() {
    let app = spawn_app_with(|c| {
        // The defaults, with a shorter tarpit pause so that the test is quick.
        c.limits.guess_pause = Duration::from_millis(40);
    })
    .await;
    let (session_id, code) = app.create_session(json!({"scenario": "tutorial"})).await;
    let addr = app.addr;

    // The guesser: many connections, each guessing until it is closed.
    let guesses = Arc::new(AtomicUsize::new(0));
    let limited = Arc::new(AtomicUsize::new(0));
    let welcomed = Arc::new(AtomicUsize::new(0));
    // Stopped with `abort` at the end: a notification could be missed while it is between
    // connections, and then the guesser would run forever.
    let guesser = {
        let (guesses, limited, welcomed) = (guesses.clone(), limited.clone(), welcomed.clone());
        tokio::spawn(async move {
            let mut n = 0u64;
            loop {
                let mut c = TestClient::connect(addr).await;
                loop {
                    n += 1;
                    let frame = match n % 3 {
                        0 => json!({"type": "join", "code": format!("GUESS{n:03}"), "name": "g"}),
                        1 => json!({"type": "resume", "seat_token": format!("st_{n:032x}")}),
                        _ => json!({"type": "watch", "code": format!("W{n:07}")}),
                    };
                    match c.request_or_close(frame).await {
                        None => break, // closed: a new connection
                        Some(Ok(_)) => {
                            welcomed.fetch_add(1, Ordering::Relaxed);
                        }
                        Some(Err(code)) => {
                            guesses.fetch_add(1, Ordering::Relaxed);
                            if code == "rate_limited" {
                                limited.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                }
            }
        })
    };
    // Wait until the guesser has spent the address's budget (a refusal says rate_limited).
    let started = Instant::now();
    while limited.load(Ordering::Relaxed) == 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(started.elapsed() < Duration::from_secs(60), "the guesser never reached the limit");
    }
    let spent_after = guesses.load(Ordering::Relaxed);

    // Now the class: 30 students join and take roles, all from the same address.
    let mut students = Vec::new();
    let mut tokens = Vec::new();
    for i in 0..30 {
        let role = common::ROLES[i % 4];
        let (c, token) = app.player(&code, &format!("S{i}"), role).await;
        students.push(c);
        tokens.push(token);
    }
    // The instructor: the console over WebSocket and the API over HTTP, with a valid key.
    let mut teacher = app.instructor(&session_id).await;
    let (status, text) = app.http("GET", "/api/sessions", Some(&app.instructor_key), None).await;
    assert_eq!(status, 200, "a valid key is never refused: {text}");
    // A student's tab reloads: resume with the seat token works.
    drop(students.pop());
    let mut back = app.client().await;
    back.request(json!({"type": "resume", "seat_token": tokens[29]})).await.expect("resume beside the guesser");
    // The projector watches.
    let mut projector = app.spectator(&code).await;
    teacher.request(json!({"type": "start"})).await.expect("start");
    projector.sync().await;

    guesser.abort();
    let _ = guesser.await;
    let (total, limited) = (guesses.load(Ordering::Relaxed), limited.load(Ordering::Relaxed));
    assert_eq!(welcomed.load(Ordering::Relaxed), 0, "no guess got in");
    eprintln!(
        "guessing: {total} wrong guesses ({spent_after} before the class came, {limited} answered rate_limited \
         after the tarpit) in {:.1} s; 30 students, the instructor (WebSocket and HTTP), a resume and a \
         projector all got in",
        started.elapsed().as_secs_f64()
    );
}

#[tokio::test]
async fn a_connection_is_closed_after_a_few_wrong_guesses() {
    let app = spawn_app_with(|_| {}).await;
    let mut c = app.client().await;
    for i in 0..2 {
        assert_eq!(c.refused(json!({"type": "join", "code": format!("NOPE{i}"), "name": "x"})).await, "unknown_code");
    }
    c.send(json!({"type": "join", "code": "NOPE2", "name": "x", "id": "last"})).await;
    assert_eq!(c.recv_type("error").await["code"], "unknown_code");
    assert_eq!(c.closed().await, Some(1008), "the third failure closes the connection");
}

#[tokio::test]
async fn revoked_and_rotated_keys_stop_working_at_once() {
    let mut app = spawn_app_with(|_| {}).await;
    let (session_id, _) = app.create_session(json!({"scenario": "tutorial"})).await;
    let old = app.instructor_key.clone();
    let db = app.db_path.clone();
    let cli = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_third-neighbor"))
            .args(["instructor"])
            .args(args)
            .arg("--db")
            .arg(&db)
            .output()
            .expect("run the CLI");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };

    // Rotate, while the server runs on the same file: the new key works, the old one no more.
    let (ok, stdout, stderr) = cli(&["rotate", "default"]);
    assert!(ok, "{stderr}");
    let new = stdout.split_whitespace().find(|w| w.starts_with("ik_")).expect("the new key is printed").to_string();
    let (status, _) = app.http("GET", "/api/sessions", Some(&old), None).await;
    assert_eq!(status, 401, "the old key stops at once (HTTP)");
    let mut c = app.client().await;
    let refused = c.refused(json!({"type": "instructor", "session_id": session_id, "key": old})).await;
    assert_eq!(refused, "not_instructor", "and for new WebSocket seats");
    let (status, _) = app.http("GET", "/api/sessions", Some(&new), None).await;
    assert_eq!(status, 200);
    let mut c = app.client().await;
    c.request(json!({"type": "instructor", "session_id": session_id, "key": new})).await.expect("the new key");

    // Revoke: the key stops; the games stay.
    let (ok, _, stderr) = cli(&["revoke", "default"]);
    assert!(ok, "{stderr}");
    let (status, _) = app.http("GET", "/api/sessions", Some(&new), None).await;
    assert_eq!(status, 401, "a revoked key stops at once");
    let mut c = app.client().await;
    assert_eq!(c.refused(json!({"type": "instructor", "session_id": session_id, "key": new})).await, "not_instructor");
    let (ok, _, stderr) = cli(&["revoke", "nobody"]);
    assert!(!ok && stderr.contains("no instructor"), "{stderr}");
    let (ok, _, stderr) = cli(&["add", "default"]);
    assert!(!ok && stderr.contains("exists already"), "names stay unique: {stderr}");
    // Rotating a revoked instructor gives it a working key again, with its games.
    let (ok, stdout, _) = cli(&["rotate", "default"]);
    assert!(ok);
    let again = stdout.split_whitespace().find(|w| w.starts_with("ik_")).expect("key").to_string();
    let (status, text) = app.http("GET", "/api/sessions", Some(&again), None).await;
    assert_eq!(status, 200);
    let list: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(list[0]["session_id"], session_id.as_str(), "the games were kept");
    app.stop().await;
}
