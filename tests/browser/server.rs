//! The real server for the browser tests: the built binary on a free port with a temporary
//! database, and the instructor key it prints on its first start.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub(crate) struct Server {
    child: Child,
    _dir: tempfile::TempDir,
    pub base: String,
    pub key: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts the server binary with these `serve` flags besides the test's own.
    pub(crate) fn start_with(flags: &[&str]) -> Server {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let mut child = Command::new(env!("CARGO_BIN_EXE_third-neighbor"))
            .arg("serve")
            // On loopback unless the test asks for another address.
            .args(if flags.contains(&"--addr") { &[][..] } else { &["--addr", "127.0.0.1:0"][..] })
            .arg("--db")
            .arg(dir.path().join("game.db"))
            .arg("--scenarios")
            .arg(&scenarios)
            .args(flags)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the server binary");
        let log = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().expect("stderr");
        let err_log = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                err_log.lock().unwrap().push(line);
            }
        });
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel::<(String, String)>();
        let out_log = log.clone();
        std::thread::spawn(move || {
            let mut key = None;
            let mut sent = false;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let trimmed = line.trim();
                if trimmed.starts_with("ik_") {
                    key = Some(trimmed.to_string());
                }
                if let Some(addr) = trimmed.strip_prefix("listening on ") {
                    if !sent {
                        // A server on every interface is opened at 127.0.0.1, as its teacher would.
                        let addr = addr.replace("//0.0.0.0:", "//127.0.0.1:");
                        let _ = tx.send((addr, key.clone().unwrap_or_default()));
                        sent = true;
                    }
                }
                out_log.lock().unwrap().push(line);
            }
        });
        let (base, key) = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(found) => found,
            Err(_) => {
                let _ = child.kill();
                panic!("the server did not start within 60 s:\n{}", log.lock().unwrap().join("\n"));
            }
        };
        assert!(key.starts_with("ik_"), "the first start prints the instructor key");
        Server { child, _dir: dir, base: base.trim_end_matches('/').to_string(), key, log }
    }

    /// What the server printed, for a failing test's message.
    pub(crate) fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
