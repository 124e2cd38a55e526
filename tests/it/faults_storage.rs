//! Storage faults with the real server and real SQLite: a full disk (a small tmpfs, when run as
//! root) and a backup holding the write lock. While writes fail, changes are refused with an
//! error (never acknowledged), HTTP writes answer `503 unavailable`, `/healthz` answers 503 and
//! reads keep working; once the storage allows, writes work again without a restart and
//! everything acknowledged is in the log (and nothing refused is).
//!
//! These tests read `ack`/`error` frames and HTTP answers only, not `state` frames.

use crate::common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};
use sqlx::{Connection, Executor};

use common::{spawn_app_with, TestApp, TestClient};

/// The codes a refused change may carry while the storage fails: `unavailable` once the session
/// maps storage faults, `internal` before.
const REFUSED: [&str; 2] = ["unavailable", "internal"];

/// A tmpfs of `size` mounted on `dir` for the test's life (root only).
struct Tmpfs {
    dir: PathBuf,
}

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Result<Tmpfs, String> {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            return Err("not running as root, so no tmpfs can be mounted".into());
        }
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .status()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !status.success() {
            return Err(format!("mount -t tmpfs failed ({status})"));
        }
        Ok(Tmpfs { dir: dir.to_path_buf() })
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg("-l").arg(&self.dir).status();
    }
}

/// Fills the file system holding `dir` with one file until the disk is full; returns its path.
fn fill_disk(dir: &Path) -> PathBuf {
    use std::io::Write as _;
    let path = dir.join("filler");
    let mut file = std::fs::File::create(&path).expect("create the filler");
    let chunk = vec![0x5au8; 64 * 1024];
    loop {
        if file.write_all(&chunk).is_err() {
            break;
        }
    }
    // The last few bytes too.
    let mut small = [0x5au8; 512];
    while file.write_all(&small).is_ok() {}
    small[0] = 0;
    while file.write_all(&small[..1]).is_ok() {}
    path
}

fn error_code(text: &str) -> String {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| v["error"]["code"].as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A started game with two players; returns (session id, instructor socket, the two players).
async fn game(app: &TestApp) -> (String, TestClient, TestClient, TestClient) {
    let (session_id, code) = app.create_session(json!({"scenario": "tutorial", "seed": 5})).await;
    let mut teacher = app.instructor(&session_id).await;
    let (m, _) = app.player(&code, "Mo", "mongolia").await;
    let (r, _) = app.player(&code, "Ru", "russia").await;
    teacher.request(json!({"type": "start"})).await.expect("start");
    (session_id, teacher, m, r)
}

/// The texts of the session's `said` events, from the stored log.
/// `third-neighbor health` against the app: whether it exited 0, and what it printed.
async fn health_command(app: &TestApp) -> (bool, String) {
    let addr = app.addr.to_string();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_third-neighbor"))
            .args(["health", "--addr", &addr])
            .env_remove("THIRD_NEIGHBOR_ADDR")
            .output()
            .expect("the binary runs")
    })
    .await
    .expect("the command's thread");
    let printed = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), printed)
}

async fn said(app: &TestApp, session_id: &str) -> Vec<String> {
    let log = app.app.store().events_of(session_id).await.expect("the log reads");
    log.iter()
        .filter_map(|row| match &row.event {
            third_neighbor::log::LogEvent::Said { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

/// Sends `say`s until `n` were refused (or `max` were sent); returns (acked, refused) texts.
async fn says(c: &mut TestClient, tag: &str, max: usize, n: usize) -> (Vec<String>, Vec<String>) {
    let (mut acked, mut refused) = (Vec::new(), Vec::new());
    for i in 0..max {
        let text = format!("{tag}-{i}");
        match c.request(json!({"type": "say", "to": "all", "text": text})).await {
            Ok(_) => acked.push(text),
            Err(e) => {
                let code = e["code"].as_str().unwrap_or_default().to_string();
                assert!(REFUSED.contains(&code.as_str()), "refused with {code}: {e}");
                refused.push(text);
                if refused.len() >= n {
                    break;
                }
            }
        }
    }
    (acked, refused)
}

#[tokio::test]
async fn a_full_disk_refuses_writes_then_they_work_again_without_a_restart() {
    let root = tempfile::tempdir().expect("temp dir");
    let disk = root.path().join("disk");
    let tmpfs = match Tmpfs::mount(&disk, "8m") {
        Ok(t) => t,
        Err(reason) => {
            eprintln!("SKIPPED a_full_disk_refuses_writes…: {reason}");
            return;
        }
    };
    let db = disk.join("full.db");
    let mut app = spawn_app_with(|c| {
        c.db = db.clone();
        c.limits.health_idle = Duration::from_secs(3600);
        // Messages are the writes this test makes and refuses, many a second.
        c.limits.chat_burst = 1e9;
    })
    .await;
    let (session_id, mut teacher, mut m, mut r) = game(&app).await;
    let (before, none) = says(&mut m, "before", 5, 1).await;
    assert!(none.is_empty(), "writes work before the disk fills");
    let (status, _) = app.http("GET", "/healthz", None, None).await;
    assert_eq!(status, 200);

    let filler = fill_disk(&disk);
    // Every change is refused while the disk is full (one may still fit in the last page).
    let (during, refused) = says(&mut m, "during", 20, 3).await;
    assert_eq!(refused.len(), 3, "writes on a full disk are refused ({} acknowledged)", during.len());
    let e = r.request(json!({"type": "set_orders", "round": 1, "orders": common::plan("russia")})).await;
    let e = e.expect_err("orders are refused on a full disk");
    assert!(REFUSED.contains(&e["code"].as_str().unwrap_or_default()), "{e}");
    let (status, body) = app.http("GET", "/healthz", None, None).await;
    assert_eq!(status, 503, "health reports the failing writes: {body}");
    assert_eq!(error_code(&body), "unavailable");
    eprintln!("healthz on a full disk: {body}");
    // Reads keep working: the list, the replay.
    let key = app.instructor_key.clone();
    let (status, list) = app.http("GET", "/api/sessions", Some(&key), None).await;
    assert_eq!(status, 200, "{list}");
    let (status, replay) = app.http("GET", &format!("/api/sessions/{session_id}/replay"), Some(&key), None).await;
    assert_eq!(status, 200, "{replay}");
    // HTTP writes answer 503 unavailable.
    let body = json!({"scenario": "tutorial"}).to_string();
    let (status, text) = app.http("POST", "/api/sessions", Some(&key), Some(&body)).await;
    assert_eq!((status, error_code(&text).as_str()), (503, "unavailable"), "{text}");
    let (status, text) = app.http("PUT", "/api/scenarios/tutorial/source", Some(&key), Some("Essay.\n")).await;
    assert_eq!((status, error_code(&text).as_str()), (503, "unavailable"), "{text}");

    // Space comes back: the very next write works, no restart.
    std::fs::remove_file(&filler).expect("free the disk");
    let (after, refused_after) = says(&mut m, "after", 5, 1).await;
    assert!(refused_after.is_empty(), "writes work again once the disk has room: {refused_after:?}");
    r.request(json!({"type": "set_orders", "round": 1, "orders": common::plan("russia")})).await.expect("orders");
    let (status, body) = app.http("GET", "/healthz", None, None).await;
    assert_eq!((status, body.as_str()), (200, "ok"));
    let (status, _) =
        app.http("POST", "/api/sessions", Some(&key), Some(&json!({"scenario": "tutorial"}).to_string())).await;
    assert_eq!(status, 201);
    teacher.request(json!({"type": "force_resolve"})).await.expect("the round resolves");

    // Nothing acknowledged was lost, nothing refused was kept.
    let log = said(&app, &session_id).await;
    for text in before.iter().chain(&during).chain(&after) {
        assert!(log.contains(text), "acknowledged but missing: {text}");
    }
    for text in &refused {
        assert!(!log.contains(text), "refused but stored: {text}");
    }
    let (_, replay) = app.http("GET", &format!("/api/sessions/{session_id}/replay"), Some(&key), None).await;
    let replay: Value = serde_json::from_str(&replay).expect("replay json");
    assert_eq!(replay["ok"], true, "every stored hash replays: {}", replay["errors"]);
    eprintln!(
        "full disk: {} acknowledged before, {} during (fit in the last page), {} refused, {} after; 0 lost",
        before.len(),
        during.len(),
        refused.len(),
        after.len()
    );
    app.stop().await;
    drop(tmpfs);
}

#[tokio::test]
async fn a_backup_holding_the_write_lock_refuses_writes_then_they_work_again() {
    let mut app = spawn_app_with(|c| {
        c.limits.busy_timeout = Duration::from_millis(300);
        c.limits.health_idle = Duration::from_secs(3600);
        c.limits.chat_burst = 1e9;
    })
    .await;
    let (session_id, _teacher, mut m, _r) = game(&app).await;
    let (before, _) = says(&mut m, "before", 3, 1).await;

    // Another process's connection (a backup, say) takes the write lock and holds it.
    let url = format!("sqlite://{}", app.db_path.display());
    let mut backup = sqlx::SqliteConnection::connect(&url).await.expect("a second connection");
    backup.execute("BEGIN IMMEDIATE").await.expect("the lock");
    let (during, refused) = says(&mut m, "during", 3, 2).await;
    assert!(during.is_empty(), "no write passes the lock");
    assert_eq!(refused.len(), 2);
    let (status, body) = app.http("GET", "/healthz", None, None).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("locked") || body.contains("busy"), "the reason says so: {body}");
    // The container's health check says so too, with the reason.
    let (healthy, printed) = health_command(&app).await;
    assert!(!healthy && printed.contains("503") && printed.contains("unavailable"), "{printed}");
    let key = app.instructor_key.clone();
    let (status, _) = app.http("GET", &format!("/api/sessions/{session_id}/replay"), Some(&key), None).await;
    assert_eq!(status, 200, "reads work beside the lock");
    let (status, text) =
        app.http("POST", "/api/sessions", Some(&key), Some(&json!({"scenario": "tutorial"}).to_string())).await;
    assert_eq!((status, error_code(&text).as_str()), (503, "unavailable"), "{text}");

    backup.execute("ROLLBACK").await.expect("release");
    // Health sees it at once (the probe), then writes work.
    let (status, body) = app.http("GET", "/healthz", None, None).await;
    assert_eq!((status, body.as_str()), (200, "ok"));
    let (healthy, printed) = health_command(&app).await;
    assert!(healthy && printed.contains("ok"), "{printed}");
    let (after, refused_after) = says(&mut m, "after", 3, 1).await;
    assert!(refused_after.is_empty());
    let log = said(&app, &session_id).await;
    for text in before.iter().chain(&after) {
        assert!(log.contains(text), "acknowledged but missing: {text}");
    }
    for text in &refused {
        assert!(!log.contains(text), "refused but stored: {text}");
    }
    drop(backup);
    app.stop().await;
    // Nobody answers any more: the check fails and says so.
    let (healthy, printed) = health_command(&app).await;
    assert!(!healthy && printed.contains("no server answers"), "{printed}");
}
