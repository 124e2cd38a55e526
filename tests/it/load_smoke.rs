//! The load benchmark's driver (`benches/load`), run for a few seconds at a small setting so that
//! it cannot rot: against the real server (a child process, as the bench runs it) and against
//! the reference server. Asserts correctness only — every move acked, rounds resolved at every
//! table, no error frames, no dropped socket — never speed.

#[path = "../../benches/load/driver.rs"]
#[allow(dead_code)]
mod driver;
#[path = "../../benches/load/process.rs"]
#[allow(dead_code)]
mod process;
#[path = "../../benches/load/reference.rs"]
#[allow(dead_code)]
mod reference;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use driver::{Load, Plan, StepReport, Target};
use process::{Launch, ServerProcess};

/// Seats `plan`, drives it at `rate` moves/s for `seconds`, and returns the step's report.
fn drive(addr: SocketAddr, target: Target, plan: Plan, rate: f64, seconds: u64, pid: Option<u32>) -> StepReport {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, async {
        let sessions = plan.sessions;
        let window = Duration::from_secs(seconds);
        let (load, setup) = Load::setup(&[addr], target, plan, window, rate, pid.as_slice()).await;
        assert_eq!(setup.seated, sessions, "every table is seated: {setup:?}");
        let report = load.run(rate, Duration::ZERO, window, pid.as_slice(), &mut |_| {}).await;
        load.close().await;
        report
    })
}

fn check(report: &StepReport) {
    assert!(report.errors.is_empty(), "no error frames: {:?}", report.errors);
    assert_eq!(report.missing, 0, "every move is answered");
    assert_eq!(report.disconnects, 0, "no socket closes under the load");
    assert!(report.moves_sent > 0, "moves were sent");
    assert_eq!(report.moves_acked, report.moves_sent, "every move sent in the window is acked");
    assert!(
        report.rounds_per_table.iter().all(|r| *r >= 1),
        "every table resolved a round: {:?}",
        report.rounds_per_table
    );
}

fn start_game_server(dir: &std::path::Path) -> ServerProcess {
    let launch = Launch {
        program: PathBuf::from(env!("CARGO_BIN_EXE_third-neighbor")),
        args: vec![
            "serve".into(),
            "--addr".into(),
            "127.0.0.1:0".into(),
            "--db".into(),
            dir.join("load.db").display().to_string(),
            "--scenarios".into(),
            concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios").into(),
        ],
        cpu: None,
        log: Some(dir.join("server.log")),
        strace_fsync: None,
    };
    ServerProcess::start(&launch).expect("the server starts")
}

#[test]
fn the_load_driver_plays_the_main_scenario_with_legal_orders() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_game_server(dir.path());
    let target = Target::Game { key: server.key.clone().expect("instructor key"), scenario: "mongolia-2024".into() };
    let plan = Plan { sessions: 4, spectators: 1, ..Plan::default() };
    let report = drive(server.addr, target, plan, 20.0, 3, Some(server.pid));
    server.stop(Duration::from_secs(10));
    check(&report);
    assert!(report.server_cpu.is_some(), "the server's CPU time is read");
    assert!(report.bytes_play > 0 && report.rounds > 0, "bytes and rounds are counted");
    // The sockets offer compression as a browser does: the server's large frames come
    // compressed and are read back as text, so the wire carries less than the text.
    assert!(
        report.wire_play > 0 && report.wire_play < report.bytes_play,
        "compressed on the wire: {} bytes for {} of text",
        report.wire_play,
        report.bytes_play
    );
}

#[test]
fn without_compression_the_wire_carries_the_text_and_its_framing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_game_server(dir.path());
    let target = Target::Game { key: server.key.clone().expect("instructor key"), scenario: "mongolia-2024".into() };
    let plan = Plan { sessions: 2, spectators: 1, compression: false, ..Plan::default() };
    let report = drive(server.addr, target, plan, 10.0, 3, Some(server.pid));
    server.stop(Duration::from_secs(10));
    check(&report);
    assert!(report.wire_play > report.bytes_play, "{} on the wire, {} of text", report.wire_play, report.bytes_play);
}

#[test]
fn the_load_driver_seats_new_games_when_games_end() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_game_server(dir.path());
    let target = Target::Game { key: server.key.clone().expect("instructor key"), scenario: "tutorial".into() };
    // The tutorial has 3 rounds of 8 moves: at 10 moves/s per table, a game lasts 2.4 s, and the
    // tables are spread over the game first, so games end and new ones are seated.
    let plan = Plan { sessions: 2, spectators: 1, instructor: false, ..Plan::default() };
    let report = drive(server.addr, target, plan, 20.0, 4, Some(server.pid));
    server.stop(Duration::from_secs(10));
    check(&report);
    assert!(report.games_started_total >= 1, "finished games are replaced");
}

#[test]
fn the_load_driver_drives_the_reference_server() {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("rt");
        runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
            tx.send(listener.local_addr().expect("addr")).expect("send the address");
            reference::serve(listener).await;
        });
    });
    let addr = rx.recv().expect("the reference server listens");
    let plan = Plan { sessions: 4, spectators: 1, ..Plan::default() };
    let report = drive(addr, Target::Reference, plan, 40.0, 2, None);
    check(&report);
    assert!(report.report.n > 0, "the round's last ready reached the seats");
}
