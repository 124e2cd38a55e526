//! A throwaway PostgreSQL for the tests: one cluster per test process, started on first use in
//! a temporary folder (`initdb`, then `postgres` on a free port, its socket in that folder), and
//! a fresh database for each caller. Run as root, the cluster runs as the `postgres` user (or
//! `nobody`): PostgreSQL refuses to run as root. The server process dies with the test process
//! (`PR_SET_PDEATHSIG`, set from a thread that lives as long as the process).
//!
//! `THIRD_NEIGHBOR_TEST_PG_URL` (a `postgres://` URL of a user that may create databases) uses
//! a running server instead. Without either, [`available`] says why, and a test that needs
//! PostgreSQL is skipped with that reason — except in CI (`CI` set), where it fails.

use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use sqlx::{Connection, Executor};

/// The cluster of this test process: its admin URL (database `postgres`), or why there is none.
static CLUSTER: OnceLock<Result<String, String>> = OnceLock::new();
static NEXT_DB: AtomicU32 = AtomicU32::new(0);

/// Where PostgreSQL's server programs are: `THIRD_NEIGHBOR_PG_BIN`, `pg_config --bindir`, or the
/// newest `/usr/lib/postgresql/*/bin` (Debian's packages).
pub(crate) fn bin_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("THIRD_NEIGHBOR_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let has_initdb = |dir: &Path| dir.join("initdb").exists() && dir.join("postgres").exists();
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if has_initdb(&dir) {
            return Some(dir);
        }
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| Some((e.file_name().to_str()?.parse::<u32>().ok()?, e.path().join("bin"))))
        .filter(|(_, dir)| has_initdb(dir))
        .collect();
    found.sort();
    found.pop().map(|(_, dir)| dir)
}

/// The admin URL of this process's PostgreSQL, starting it on first use; `Err(why)` when none
/// can be had.
pub(crate) fn available() -> Result<String, String> {
    CLUSTER.get_or_init(start_cluster).clone()
}

/// Whether PostgreSQL must be there (CI): a missing one fails instead of skipping.
pub(crate) fn required() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty())
}

/// A fresh, empty database on this process's PostgreSQL: its URL. Panics when there is none.
pub(crate) async fn fresh_database() -> String {
    let admin = available().unwrap_or_else(|why| panic!("no PostgreSQL for the tests: {why}"));
    let name = format!("tn_{}_{}", std::process::id(), NEXT_DB.fetch_add(1, Ordering::Relaxed));
    let mut conn = sqlx::PgConnection::connect(&admin).await.expect("connect to the test PostgreSQL");
    conn.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create a test database");
    let _ = conn.close().await;
    database_url(&admin, &name)
}

/// The admin URL with another database name.
fn database_url(admin: &str, name: &str) -> String {
    let (base, query) = admin.split_once('?').map_or((admin, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Skips (returns `None`, printing why) or fails (in CI) when there is no PostgreSQL.
pub(crate) fn or_skip(test: &str) -> Option<()> {
    match available() {
        Ok(_) => Some(()),
        Err(why) if required() => panic!("{test}: PostgreSQL is required in CI: {why}"),
        Err(why) => {
            eprintln!("SKIPPED {test}: no PostgreSQL ({why}); install Debian's postgresql to run it");
            None
        }
    }
}

fn start_cluster() -> Result<String, String> {
    if let Ok(url) = std::env::var("THIRD_NEIGHBOR_TEST_PG_URL") {
        if !url.is_empty() {
            return Ok(url);
        }
    }
    let bin = bin_dir().ok_or("PostgreSQL's server programs (initdb, postgres) are not installed")?;
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let user = if root { Some(unprivileged_user()?) } else { None };
    remove_stale_clusters();
    let dir = std::env::temp_dir().join(format!("tn-pg-{}-{}", std::process::id(), nanos()));
    let data = dir.join("data");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    if let Some((uid, gid)) = user {
        std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).map_err(|e| format!("chown: {e}"))?;
    }
    let run = |program: &str| {
        let mut command = Command::new(bin.join(program));
        if let Some((uid, gid)) = user {
            command.uid(uid).gid(gid);
        }
        command.env("LC_ALL", "C").env_remove("PGDATA").current_dir(&dir);
        command
    };
    let out = run("initdb")
        .args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync", "-D"])
        .arg(&data)
        .output()
        .map_err(|e| format!("cannot run initdb: {e}"))?;
    if !out.status.success() {
        return Err(format!("initdb failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let port = free_port()?;
    let log = std::fs::File::create(dir.join("postgres.log")).map_err(|e| e.to_string())?;
    let mut command = run("postgres");
    command
        .arg("-D")
        .arg(&data)
        .args(["-p", &port.to_string(), "-c", "listen_addresses=127.0.0.1", "-c"])
        .arg(format!("unix_socket_directories={}", dir.display()))
        .args(["-c", "max_connections=400", "-c", "shared_buffers=64MB", "-c", "max_locks_per_transaction=256"])
        .args(["-c", "fsync=on", "-c", "synchronous_commit=on"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log);
    // SAFETY: prctl in the child between fork and exec touches no shared state.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGQUIT);
            Ok(())
        });
    }
    // The server dies when the thread that started it ends (PR_SET_PDEATHSIG): start it from a
    // thread that lives as long as the test process.
    let (started_tx, started) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let child = command.spawn();
        let ok = child.is_ok();
        let _ = started_tx.send(child.map(|_| ()).map_err(|e| format!("cannot start postgres: {e}")));
        if ok {
            loop {
                std::thread::park();
            }
        }
    });
    started.recv().map_err(|e| e.to_string())??;
    let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ready = Command::new(bin.join("pg_isready"))
            .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", "postgres", "-q"])
            .status()
            .is_ok_and(|s| s.success());
        if ready {
            return Ok(url);
        }
        if Instant::now() > deadline {
            let log = std::fs::read_to_string(dir.join("postgres.log")).unwrap_or_default();
            return Err(format!("postgres did not start in 30 s: {log}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Removes the folders of clusters whose test process has ended (their servers died with it).
fn remove_stale_clusters() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
    for entry in entries.filter_map(|e| e.ok()) {
        let name = entry.file_name().to_string_lossy().to_string();
        let Some(pid) = name.strip_prefix("tn-pg-").and_then(|rest| rest.split('-').next()) else { continue };
        if !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The user a cluster runs as when the tests run as root: `postgres` (Debian's package makes
/// it), else `nobody`.
fn unprivileged_user() -> Result<(u32, u32), String> {
    for name in ["postgres", "nobody"] {
        let out = Command::new("id").args(["-u", name]).output();
        let gid = Command::new("id").args(["-g", name]).output();
        if let (Ok(out), Ok(gid)) = (out, gid) {
            let uid = String::from_utf8_lossy(&out.stdout).trim().parse().ok();
            let gid = String::from_utf8_lossy(&gid.stdout).trim().parse().ok();
            if let (Some(uid), Some(gid)) = (uid, gid) {
                return Ok((uid, gid));
            }
        }
    }
    Err("running as root and no unprivileged user (postgres, nobody) to run PostgreSQL as".into())
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

fn nanos() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}
