//! Load benchmark: the real server under an open-loop stream of moves, beside a minimal reference
//! server built from the same crates and driven the same way. Prints figures; asserts nothing.
//!
//!     cargo bench --bench load                                   # the game, 200 tables, 1,000 moves/s
//!     cargo bench --bench load -- --target both --repeat 3       # game and reference, interleaved
//!     cargo bench --bench load -- --rate 2000 --seconds 20
//!     cargo bench --bench load -- --saturate --sessions 400      # stepped rates until p99 > bound
//!     cargo bench --bench load -- --count-commits                # events per commit (under strace)
//!     cargo bench --bench load -- --help
//!
//! `cargo bench` builds the release `third-neighbor` binary first; the bench starts it as a child
//! process (`serve`) on a free port with a fresh SQLite file (WAL, synchronous=FULL: the server's
//! defaults), pinned to `--server-cpu` while the load generator pins itself to `--load-cpu`. The
//! reference server is this same program re-executed with `--serve-reference`.
//! See docs/performance.md for what each figure means and for the figures of record.

mod driver;
mod process;
mod reference;

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Parser, ValueEnum};

use driver::{Load, Plan, StepReport, Target};
use process::{Launch, ServerProcess};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Which {
    /// The real server (`third-neighbor serve`).
    Game,
    /// The reference server: rooms that echo every frame to every member.
    Ref,
    /// Both, interleaved (game, ref, game, ref, …), with the ratios.
    Both,
}

#[derive(Parser, Debug, Clone)]
#[command(name = "load", about = "Load benchmark of the game server (and of a reference server)")]
struct Args {
    /// What to drive.
    #[arg(long, value_enum, default_value = "game")]
    target: Which,
    /// Tables (sessions), each with one player per role.
    #[arg(long, default_value_t = 200)]
    sessions: usize,
    /// Spectators per table (`watch`).
    #[arg(long, default_value_t = 1)]
    spectators: usize,
    /// Offered moves per second (`set_orders` and `ready`), open loop.
    #[arg(long, default_value_t = 1000.0)]
    rate: f64,
    /// Length of the measured window, in seconds.
    #[arg(long, default_value_t = 20.0)]
    seconds: f64,
    /// Load before the window, in seconds.
    #[arg(long, default_value_t = 5.0)]
    warmup: f64,
    /// The scenario the sessions play (`mongolia-2024` or `tutorial`).
    #[arg(long, default_value = "mongolia-2024")]
    scenario: String,
    /// `set_orders` per player per round before its `ready`.
    #[arg(long, default_value_t = 1)]
    drafts: usize,
    /// Close the instructor's socket after `start` (by default it stays, as in class).
    #[arg(long)]
    no_instructor: bool,
    /// Do not offer permessage-deflate (by default every socket offers it, as a browser does).
    #[arg(long)]
    no_compression: bool,
    /// The core the server runs on.
    #[arg(long, default_value_t = 0)]
    server_cpu: usize,
    /// The core the load generator runs on.
    #[arg(long, default_value_t = 1)]
    load_cpu: usize,
    /// Pin nothing.
    #[arg(long)]
    no_pin: bool,
    /// Runs of each target (each with a fresh server and database).
    #[arg(long, default_value_t = 1)]
    repeat: usize,
    /// Stepped rates on one set of tables until a step fails (p99 ack over `--p99-bound-ms`,
    /// fewer than 95% of the offered moves acked, or any error); reports the last good step.
    #[arg(long)]
    saturate: bool,
    /// The rates of `--saturate` (moves/s) [default: 500,1000,1500,2000,3000,…,20000].
    #[arg(long, value_delimiter = ',')]
    steps: Vec<f64>,
    /// The p99 ack bound of `--saturate`, in milliseconds.
    #[arg(long, default_value_t = 50.0)]
    p99_bound_ms: f64,
    /// Count the server's fsyncs (strace) and the events committed in the window: events per
    /// commit. strace slows each fsync a little: CPU and latency of such a run are not of record.
    #[arg(long)]
    count_commits: bool,
    /// Do not spread tables over the game during setup.
    #[arg(long)]
    no_stagger: bool,
    /// Tables seated at once (during setup, and new games during the run).
    #[arg(long, default_value_t = 64)]
    parallel: usize,
    /// Seed of the orders' choice and of the stagger.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// A name for this run in the summary lines.
    #[arg(long)]
    label: Option<String>,
    /// Record the server with `perf record -e cpu-clock` over the window into FILE.game (or
    /// FILE.ref); read it with `perf report -i FILE.game --sort dso,sym`.
    #[arg(long)]
    perf: Option<PathBuf>,
    /// Keep the server's log (standard error) in this file instead of a temporary one.
    #[arg(long)]
    server_log: Option<PathBuf>,
    /// Before each run, wait up to this many seconds for the rest of the machine to go quiet
    /// (under a quarter of a core busy over 3 s); then measure anyway and say so.
    #[arg(long, default_value_t = 0)]
    quiet_wait: u64,
    /// Run a target again, up to this many times, when other processes used more than
    /// `--noise-limit` cores during its window; the quietest attempt is kept.
    #[arg(long, default_value_t = 0)]
    retry_noisy: usize,
    /// See `--retry-noisy` (in cores).
    #[arg(long, default_value_t = 0.25)]
    noise_limit: f64,
    /// The game server's database: a PostgreSQL server's URL (`postgres://user@host:port/db`; a
    /// fresh database is created in it for each run and dropped after) instead of a fresh SQLite
    /// file.
    #[arg(long)]
    db: Option<String>,
    /// Game nodes sharing that database (PostgreSQL only): table k is created on and seated at
    /// node k mod N; server CPU and memory are the nodes' sums.
    #[arg(long, default_value_t = 1)]
    nodes: usize,
    /// (`cargo bench` passes it.)
    #[arg(long, hide = true)]
    bench: bool,
    /// Internal: run as the reference server on this address.
    #[arg(long, hide = true)]
    serve_reference: Option<String>,
}

const DEFAULT_STEPS: [f64; 13] =
    [500.0, 1000.0, 1500.0, 2000.0, 3000.0, 4000.0, 5000.0, 6000.0, 8000.0, 10000.0, 12000.0, 15000.0, 20000.0];

/// One run of one target: its setup and its measured steps.
struct Run {
    target: Which,
    /// Tables seated, of those asked for.
    seated: (usize, usize),
    steps: Vec<StepReport>,
    /// Events committed per fsync, when counted.
    commits: Option<(u64, u64)>,
    /// Server CPU per seated table during setup (to estimate what new games cost in a window).
    setup_cpu_per_game: Option<Duration>,
    log_lines: (usize, Vec<String>),
}

impl Run {
    /// The most other processes used of the machine during a window of this run, in cores.
    fn noise(&self) -> f64 {
        self.steps.iter().map(|r| r.share_of_core(r.other_cpu)).fold(0.0, f64::max)
    }
}

fn main() {
    let args = Args::parse();
    if let Some(addr) = &args.serve_reference {
        if let Err(e) = reference::main(addr) {
            eprintln!("reference server: {e}");
            std::process::exit(1);
        }
        return;
    }
    println!("# load benchmark — {}", process::machine());
    let pinned = !args.no_pin && process::pin_self(args.load_cpu);
    println!(
        "# placement: {}",
        if pinned {
            format!("server on core {}, load generator on core {}", args.server_cpu, args.load_cpu)
        } else {
            "unpinned".to_string()
        }
    );
    let per_player = args.rate / (args.sessions.max(1) * 4) as f64;
    if per_player > 9.0 || (args.saturate && args.target != Which::Ref) {
        println!(
            "# note: the server allows 10 frames/s per socket (burst 40): {} tables cap the game near {} moves/s",
            args.sessions,
            args.sessions * 4 * 10
        );
    }
    let targets: Vec<Which> = match args.target {
        Which::Both => vec![Which::Game, Which::Ref],
        t => vec![t],
    };
    let mut runs: Vec<Run> = Vec::new();
    for rep in 0..args.repeat.max(1) {
        for &target in &targets {
            // The quietest of up to 1 + retry_noisy attempts.
            let mut kept: Option<Run> = None;
            for _ in 0..=args.retry_noisy {
                if args.quiet_wait > 0 {
                    wait_quiet(Duration::from_secs(args.quiet_wait));
                }
                match run_once(&args, target, pinned) {
                    Ok(run) => {
                        print_run(&args, &run, rep);
                        let noise = run.noise();
                        if kept.as_ref().is_none_or(|k| noise < k.noise()) {
                            kept = Some(run);
                        }
                        if noise <= args.noise_limit {
                            break;
                        }
                        println!("# other processes used {noise:.2} cores during that run");
                    }
                    Err(e) => println!("[{}] run {} failed: {e}", name(target), rep + 1),
                }
            }
            if let Some(run) = kept {
                if args.retry_noisy > 0 && run.noise() > args.noise_limit {
                    println!("# kept the quietest attempt, with other processes at {:.2} cores", run.noise());
                }
                runs.push(run);
            }
        }
    }
    if args.saturate {
        print_saturation_summary(&args, &runs);
    } else if runs.len() > 1 {
        print_summary(&args, &runs);
    }
}

/// Waits until the machine (everything, this process included, which is idle now) uses less
/// than a quarter of a core, for at most `max`. Quiet twice, a random few seconds apart: other
/// people's jobs that also wait for a quiet machine would otherwise start at the same moment.
fn wait_quiet(max: Duration) {
    let started = std::time::Instant::now();
    let busy = || {
        let before = process::machine_busy();
        std::thread::sleep(Duration::from_secs(3));
        process::machine_busy().saturating_sub(before).as_secs_f64() / 3.0
    };
    let mut told = false;
    loop {
        let first = busy();
        if first < 0.25 {
            let nanos =
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
            std::thread::sleep(Duration::from_millis(1000 + u64::from(nanos % 7000)));
            let second = busy();
            if second < 0.25 {
                println!("# machine quiet ({second:.2} cores busy), load average {}", process::load_average());
                return;
            }
        }
        if started.elapsed() >= max {
            println!("# machine still busy ({first:.2} cores) after {} s: measuring anyway", max.as_secs());
            return;
        }
        if !told {
            println!("# waiting for a quiet machine ({first:.2} cores busy)…");
            told = true;
        }
    }
}

/// The best passing step of a saturation run.
fn sustained(args: &Args, run: &Run) -> Option<StepReport> {
    run.steps
        .iter()
        .rfind(|r| {
            r.moves_per_sec() >= 0.95 * r.rate
                && r.ack.p99.as_secs_f64() * 1000.0 <= args.p99_bound_ms
                && r.error_count() == 0
        })
        .cloned()
}

fn print_saturation_summary(args: &Args, runs: &[Run]) {
    let best = |target: Which| -> Vec<f64> {
        runs.iter()
            .filter(|r| r.target == target)
            .filter_map(|r| sustained(args, r))
            .map(|r| r.moves_per_sec())
            .collect()
    };
    let (game, refr) = (best(Which::Game), best(Which::Ref));
    let ratios: Vec<f64> = game.iter().zip(&refr).map(|(g, r)| g / r.max(1.0)).collect();
    println!();
    println!(
        "saturation summary: {}, p99 ack ≤ {} ms; moves/s sustained, median (min–max) of {} run(s)",
        shape(args),
        args.p99_bound_ms,
        args.repeat
    );
    println!("| figure | game | reference | game / reference |");
    println!("|---|---|---|---|");
    println!("| max moves/s | {} | {} | {} |", spread(game, 0), spread(refr, 0), spread(ratios, 2));
}

fn name(target: Which) -> &'static str {
    match target {
        Which::Game => "game",
        Which::Ref => "ref",
        Which::Both => "both",
    }
}

/// A fresh database on the PostgreSQL server at `url`: its URL.
fn fresh_pg_database(url: &str) -> Result<String, String> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    let name = format!("load_{}", std::process::id() as u128 * 1_000_000 + u128::from(rand_u32()));
    runtime.block_on(async {
        use sqlx::{Connection, Executor};
        let mut conn = sqlx::PgConnection::connect(url).await.map_err(|e| format!("PostgreSQL: {e}"))?;
        conn.execute(format!("CREATE DATABASE {name}").as_str()).await.map_err(|e| format!("create database: {e}"))?;
        let _ = conn.close().await;
        Ok::<_, String>(())
    })?;
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    Ok(match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    })
}

/// The PostgreSQL server's processes on this machine: the postmaster (the parent of the backend
/// that answers) and all its children; empty when it runs elsewhere.
async fn postgres_pids(url: &str) -> Vec<u32> {
    let backend: Option<i32> = async {
        use sqlx::{Connection, Row};
        let mut conn = sqlx::PgConnection::connect(url).await.ok()?;
        let row = sqlx::query("SELECT pg_backend_pid() AS pid").fetch_one(&mut conn).await.ok()?;
        row.try_get("pid").ok()
    }
    .await;
    let parent_of = |pid: u32| -> Option<u32> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()
    };
    let Some(postmaster) = backend.and_then(|b| u32::try_from(b).ok()).and_then(parent_of) else { return Vec::new() };
    let mut pids = vec![postmaster];
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.filter_map(|e| e.ok()) {
            if let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) {
                if parent_of(pid) == Some(postmaster) {
                    pids.push(pid);
                }
            }
        }
    }
    pids
}

/// PostgreSQL's committed transactions in this database and WAL fsyncs in the cluster so far.
async fn postgres_commits(url: &str) -> Option<(i64, i64)> {
    use sqlx::{Connection, Row};
    let mut conn = sqlx::PgConnection::connect(url).await.ok()?;
    let row = sqlx::query(
        "SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) AS commits, \
         (SELECT wal_sync FROM pg_stat_wal) AS syncs",
    )
    .fetch_one(&mut conn)
    .await
    .ok()?;
    let _ = conn.close().await;
    Some((row.try_get("commits").ok()?, row.try_get("syncs").ok()?))
}

/// Drops a database `fresh_pg_database` made.
fn drop_pg_database(admin: &str, url: &str) {
    let Some(name) = url.split('?').next().and_then(|u| u.rsplit('/').next()).map(str::to_string) else { return };
    if let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
        runtime.block_on(async {
            use sqlx::{Connection, Executor};
            if let Ok(mut conn) = sqlx::PgConnection::connect(admin).await {
                let _ = conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await;
            }
        });
    }
}

fn rand_u32() -> u32 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos())
}

fn run_once(args: &Args, target: Which, pinned: bool) -> Result<Run, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let db = dir.path().join("load.db");
    let pg_db = match (&args.db, target) {
        (Some(url), Which::Game) => Some(fresh_pg_database(url)?),
        _ => None,
    };
    let nodes = if pg_db.is_some() { args.nodes.max(1) } else { 1 };
    let log = args.server_log.clone().unwrap_or_else(|| dir.path().join("server.log"));
    let strace_log = dir.path().join("fsync.strace");
    let count_commits = args.count_commits && target == Which::Game && process::have("strace");
    if args.count_commits && !count_commits && target == Which::Game {
        println!("# --count-commits: strace is not installed; events per commit not counted");
    }
    let launch = match target {
        Which::Game => Launch {
            program: PathBuf::from(env!("CARGO_BIN_EXE_third-neighbor")),
            args: vec![
                "serve".into(),
                "--addr".into(),
                "127.0.0.1:0".into(),
                "--db".into(),
                pg_db.clone().unwrap_or_else(|| db.display().to_string()),
                "--scenarios".into(),
                concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios").into(),
                // Every socket of the bench comes from 127.0.0.1, standing for thousands of
                // students at many schools: the per-address caps (200 sockets, 20 spectators)
                // would refuse most of them, and the server's cap (5,000) the 10,000-player run.
                "--max-connections".into(),
                "1000000".into(),
                "--per-address-connections".into(),
                "1000000".into(),
                "--per-address-spectators".into(),
                "1000000".into(),
            ],
            cpu: pinned.then_some(args.server_cpu),
            log: Some(log.clone()),
            strace_fsync: count_commits.then(|| strace_log.clone()),
        },
        _ => Launch {
            program: std::env::current_exe().map_err(|e| format!("current exe: {e}"))?,
            args: vec!["--serve-reference".into(), "127.0.0.1:0".into()],
            cpu: pinned.then_some(args.server_cpu),
            log: Some(log.clone()),
            strace_fsync: None,
        },
    };
    let server = ServerProcess::start(&launch)?;
    // More nodes on the same database (they share its instructors: the first printed the key).
    let mut others = Vec::new();
    for n in 1..nodes {
        let mut more = Launch { args: launch.args.clone(), ..launch.clone_without_trace() };
        more.args.extend(["--node-name".to_string(), format!("node{n}")]);
        more.log = Some(dir.path().join(format!("server{n}.log")));
        others.push(ServerProcess::start(&more)?);
    }
    let addrs: Vec<std::net::SocketAddr> = std::iter::once(server.addr).chain(others.iter().map(|o| o.addr)).collect();
    let node_pids: Vec<u32> = std::iter::once(server.pid).chain(others.iter().map(|o| o.pid)).collect();
    if nodes > 1 {
        println!("# {nodes} game nodes on one PostgreSQL database; tables spread over them");
    }
    // PostgreSQL's work is the server's too (SQLite's is inside the server process): with
    // --db, the database server's processes (the postmaster and its children, when it runs on
    // this machine) count in the server's CPU and memory.
    // (Read once the tables are seated: the nodes' read connections exist by then.)
    let driver_target = match target {
        Which::Game => Target::Game {
            key: server.key.clone().ok_or("the server printed no instructor key")?,
            scenario: args.scenario.clone(),
        },
        _ => Target::Reference,
    };
    let plan = Plan {
        sessions: args.sessions,
        spectators: args.spectators,
        instructor: !args.no_instructor,
        drafts: args.drafts,
        parallel: args.parallel,
        stagger: !args.no_stagger,
        seed: args.seed,
        compression: !args.no_compression,
        ..Plan::default()
    };
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| format!("runtime: {e}"))?;
    let local = tokio::task::LocalSet::new();
    let pid = server.pid;
    let warmup = Duration::from_secs_f64(args.warmup);
    let seconds = Duration::from_secs_f64(args.seconds);
    let steps: Vec<f64> = if !args.saturate {
        vec![args.rate]
    } else if args.steps.is_empty() {
        DEFAULT_STEPS.to_vec()
    } else {
        args.steps.clone()
    };
    let bound = Duration::from_secs_f64(args.p99_bound_ms / 1000.0);
    let (setup, reports) = local.block_on(&runtime, async {
        let run_for = if args.saturate { (warmup + seconds) * steps.len() as u32 } else { warmup + seconds };
        let (load, setup) = Load::setup(&addrs, driver_target, plan, run_for, steps[0], &node_pids).await;
        let db_pids = match &pg_db {
            Some(url) => postgres_pids(url).await,
            None => Vec::new(),
        };
        if !db_pids.is_empty() {
            println!("# server CPU and RSS include PostgreSQL's {} processes on this machine", db_pids.len());
        }
        let pids: Vec<u32> = node_pids.iter().chain(db_pids.iter()).copied().collect();
        println!(
            "[{}] setup: {}/{} tables seated, {} sockets, {:.1} s ({:.1} s seating){}{}{}",
            name(target),
            setup.seated,
            setup.tables,
            setup.connections,
            setup.elapsed.as_secs_f64(),
            setup.seating.as_secs_f64(),
            if setup.stagger_moves > 0 {
                format!(", {} moves played to spread the games", setup.stagger_moves)
            } else {
                String::new()
            },
            if setup.not_tried > 0 {
                format!(", {} tables not tried after repeated failures", setup.not_tried)
            } else {
                String::new()
            },
            if setup.failures.is_empty() { String::new() } else { format!(", failures: {:?}", setup.failures) },
        );
        let mut reports = Vec::new();
        for &rate in &steps {
            if setup.seated == 0 {
                break;
            }
            let passes =
                |r: &StepReport| r.moves_per_sec() >= 0.95 * rate && r.ack.p99 <= bound && r.error_count() == 0;
            let (nodes0, db0) = (process::cpu_time_all(&node_pids), process::cpu_time_all(&db_pids));
            let (stats0, stats_at0) = (
                match &pg_db {
                    Some(url) => postgres_commits(url).await,
                    None => None,
                },
                std::time::Instant::now(),
            );
            let mut report = load.run(rate, warmup, seconds, &pids, &mut profiler(args, pid, target)).await;
            if !db_pids.is_empty() {
                let (nodes1, db1) = (process::cpu_time_all(&node_pids), process::cpu_time_all(&db_pids));
                let (n, d) = ((nodes1 - nodes0).as_secs_f64(), (db1 - db0).as_secs_f64());
                println!(
                    "# of the server CPU over warm-up and window: game nodes {:.0}%, PostgreSQL {:.0}%",
                    100.0 * n / (n + d).max(1e-9),
                    100.0 * d / (n + d).max(1e-9)
                );
            }
            if let (Some((c0, w0)), Some(url)) = (stats0, &pg_db) {
                if let Some((c1, w1)) = postgres_commits(url).await {
                    let secs = stats_at0.elapsed().as_secs_f64().max(1e-9);
                    println!(
                        "# PostgreSQL over warm-up and window (and the drain): {:.0} transactions committed/s \
                         (the nodes' group commits and their few reads), {:.0} WAL fsyncs/s",
                        (c1 - c0) as f64 / secs,
                        (w1 - w0) as f64 / secs
                    );
                }
            }
            if args.saturate && !passes(&report) {
                // A step fails on one bad moment of a shared machine: try it once more.
                println!("{}", step_line(args, target, &report, "failed; once more"));
                report = load.run(rate, warmup, seconds, &pids, &mut profiler(args, pid, target)).await;
            }
            let ok = passes(&report);
            if args.saturate {
                println!("{}", step_line(args, target, &report, if ok { "ok" } else { "FAILED" }));
            }
            reports.push(report);
            if args.saturate && !ok {
                break;
            }
        }
        load.close().await;
        (setup, reports)
    });
    let seated = u32::try_from(setup.seated.max(1)).unwrap_or(u32::MAX);
    let setup_cpu_per_game = setup.seating_cpu.filter(|_| target == Which::Game).map(|cpu| cpu / seated);
    let commits = if count_commits && pg_db.is_none() {
        reports.last().and_then(|r| {
            let syncs = process::count_syncs(&strace_log, r.window_unix.0, r.window_unix.1)?;
            let events = count_events(&db, r.window_unix)?;
            Some((events, syncs))
        })
    } else {
        None
    };
    server.stop(Duration::from_secs(15));
    for other in others {
        other.stop(Duration::from_secs(15));
    }
    if let (Some(admin), Some(url)) = (&args.db, &pg_db) {
        drop_pg_database(admin, url);
    }
    let log_lines = read_log(&log);
    Ok(Run { target, seated: (setup.seated, setup.tables), steps: reports, commits, setup_cpu_per_game, log_lines })
}

/// With `--perf FILE`: a hook that records the server with `perf record` (a flat profile of
/// CPU-clock samples) over the measured window; `FILE` gets `.game` or `.ref` appended.
fn profiler(args: &Args, pid: u32, target: Which) -> impl FnMut(bool) {
    let out = args.perf.as_ref().map(|p| format!("{}.{}", p.display(), name(target)));
    let mut perf: Option<std::process::Child> = None;
    move |open| match (&out, open) {
        (Some(out), true) => {
            perf = std::process::Command::new("perf")
                .args(["record", "-q", "-e", "cpu-clock", "-F", "999", "-p", &pid.to_string(), "-o", out])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .ok();
        }
        (Some(_), false) => {
            if let Some(mut child) = perf.take() {
                let _ = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status();
                let _ = child.wait();
            }
        }
        (None, _) => {}
    }
}

/// Events the server committed in the window (by their `at`, the commit time in unix ms).
fn count_events(db: &Path, (from, to): (f64, f64)) -> Option<u64> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
    runtime.block_on(async {
        use sqlx::sqlite::SqliteConnectOptions;
        use sqlx::{ConnectOptions, Row};
        let mut conn = SqliteConnectOptions::new().filename(db).read_only(true).connect().await.ok()?;
        let row = sqlx::query("SELECT count(*) FROM events WHERE at >= ? AND at < ?")
            .bind((from * 1000.0) as i64)
            .bind((to * 1000.0) as i64)
            .fetch_one(&mut conn)
            .await
            .ok()?;
        row.try_get::<i64, _>(0).ok().and_then(|n| u64::try_from(n).ok())
    })
}

/// Lines in the server's log, and its warnings and errors (the first few).
fn read_log(path: &Path) -> (usize, Vec<String>) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let bad: Vec<String> =
        text.lines().filter(|l| l.contains("WARN") || l.contains("ERROR")).take(5).map(str::to_string).collect();
    (text.lines().count(), bad)
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2}")
    } else if ms < 100.0 {
        format!("{ms:.1}")
    } else {
        format!("{ms:.0}")
    }
}

fn shape(args: &Args) -> String {
    let instructor = if args.no_instructor { "" } else { "+i" };
    format!("{}×(4+{}{instructor})", args.sessions, args.spectators)
}

fn step_line(args: &Args, target: Which, r: &StepReport, verdict: &str) -> String {
    format!(
        "[{}{}] {} offered {:.0}/s → {:.0} moves/s, server {} µs/move ({:.0}% core), ack p50/p99/p999 {}/{}/{} ms, \
         report p99 {} ms, errors {} {verdict}",
        name(target),
        args.label.as_ref().map(|l| format!(" {l}")).unwrap_or_default(),
        shape(args),
        r.rate,
        r.moves_per_sec(),
        r.server_us_per_move().map_or("?".to_string(), |u| format!("{u:.0}")),
        r.server_cpu.map_or(0.0, |c| r.share_of_core(c) * 100.0),
        ms(r.ack.p50),
        ms(r.ack.p99),
        ms(r.ack.p999),
        ms(r.report.p99),
        r.error_count(),
    )
}

fn print_run(args: &Args, run: &Run, rep: usize) {
    let target = name(run.target);
    if args.saturate {
        match sustained(args, run) {
            Some(best) => println!(
                "[{target}] saturation (run {}): {:.0} moves/s sustained with p99 ack {} ms ≤ {} ms (server {:.0}% of a core, {} µs/move)",
                rep + 1,
                best.moves_per_sec(),
                ms(best.ack.p99),
                args.p99_bound_ms,
                best.server_cpu.map_or(0.0, |c| best.share_of_core(c) * 100.0),
                best.server_us_per_move().map_or("?".to_string(), |u| format!("{u:.0}")),
            ),
            None => println!("[{target}] saturation (run {}): no step passed", rep + 1),
        }
        return;
    }
    for r in &run.steps {
        println!("{}", step_line(args, run.target, r, ""));
        let rss = r.rss_kib.map_or("?".to_string(), |k| format!("{:.0}", k as f64 / 1024.0));
        let peak = r.peak_rss_kib.map_or("?".to_string(), |k| format!("{:.0}", k as f64 / 1024.0));
        println!(
            "    acks: set_orders p50/p99 {}/{} ms, ready p50/p99 {}/{} ms; report p50/p99/max {}/{}/{} ms over {} deliveries",
            ms(r.ack_orders.p50),
            ms(r.ack_orders.p99),
            ms(r.ack_ready.p50),
            ms(r.ack_ready.p99),
            ms(r.report.p50),
            ms(r.report.p99),
            ms(r.report.max),
            r.report.n,
        );
        println!(
            "    {} moves sent, {} acked, {} rounds, {:.1} KB/round/table on the wire, {:.1} KB as text ({} frames, {:.1} MB; {:.1} MB seating {} new games; on the wire {:.1} MB and {:.1} MB)",
            r.moves_sent,
            r.moves_acked,
            r.rounds,
            r.wire_per_round().map_or(0.0, |b| b / 1000.0),
            r.bytes_per_round().map_or(0.0, |b| b / 1000.0),
            r.frames,
            r.bytes_play as f64 / 1e6,
            r.bytes_setup as f64 / 1e6,
            r.games_started,
            r.wire_play as f64 / 1e6,
            r.wire_setup as f64 / 1e6,
        );
        if r.rounds > 0 && !r.by_type.is_empty() {
            let mut kinds: Vec<_> = r.by_type.iter().collect();
            kinds.sort_by_key(|(_, (_, bytes))| std::cmp::Reverse(*bytes));
            let per_round = |n: u64| n as f64 / r.rounds as f64;
            let parts: Vec<String> = kinds
                .iter()
                .map(|(kind, (n, bytes))| {
                    format!("{kind} {:.2} KB in {:.1}", per_round(*bytes) / 1000.0, per_round(*n))
                })
                .collect();
            println!("    text per round per table by frame type (KB in frames): {}", parts.join(", "));
        }
        if let (Some(per_game), Some(cpu)) = (run.setup_cpu_per_game, r.server_cpu) {
            let setups = per_game * u32::try_from(r.games_started).unwrap_or(u32::MAX);
            let adjusted = cpu.saturating_sub(setups).as_secs_f64() * 1e6 / r.moves_acked.max(1) as f64;
            if r.games_started > 0 {
                println!(
                    "    seating a game costs the server ≈{} µs; without the {} games seated in the window: ≈{adjusted:.0} µs/move",
                    per_game.as_micros(),
                    r.games_started
                );
            }
        }
        println!(
            "    server RSS {rss} MiB (peak {peak}); load generator {:.0} µs/move ({:.0}% of a core); other processes {:.0}% of a core",
            r.loadgen_us_per_move(),
            r.share_of_core(r.loadgen_cpu) * 100.0,
            r.share_of_core(r.other_cpu) * 100.0,
        );
        println!(
            "    errors: {:?}, missing acks {}, disconnects {}; slots skipped (table not playing) {}, moves that waited for the round {}, \
             sent late (>2 ms) {}, tables playing {}",
            r.errors, r.missing, r.disconnects, r.skipped, r.waited, r.late, r.tables_playing
        );
        let idle = r.rounds_per_table.iter().filter(|n| **n == 0).count();
        if idle > 0 {
            println!(
                "    {idle} table(s) resolved no round in the whole step ({} new games seated in the step)",
                r.games_started_total
            );
        }
        if let Some((events, syncs)) = run.commits {
            println!(
                "    commits: {events} events and {syncs} fsyncs in the window ⇒ {:.1} events per fsync (≈ per commit; checkpoints add a few fsyncs)",
                events as f64 / syncs.max(1) as f64
            );
        }
    }
    let (lines, bad) = &run.log_lines;
    if !bad.is_empty() {
        println!("    server log: {lines} lines; warnings/errors: {bad:?}");
    }
    if let Some(r) = run.steps.last() {
        println!("| target | tables×(players+spectators+instructor) | offered/s | moves/s | server µs/move | ack p50 / p99 / p999 ms | report p99 ms | KB/round/table wire / text | RSS MiB | errors | seated |");
        println!("{}", markdown_row(args, run, r));
    }
}

/// `| target | shape | offered | moves/s | server µs/move | ack p50 / p99 / p999 ms | report p99 ms
/// | KB/round/table on the wire / as text | RSS MiB | errors | tables seated |`
fn markdown_row(args: &Args, run: &Run, r: &StepReport) -> String {
    format!(
        "| {} | {} | {:.0} | {:.0} | {} | {} / {} / {} | {} | {} | {:.0} | {} | {}/{} |",
        name(run.target),
        shape(args),
        r.rate,
        r.moves_per_sec(),
        r.server_us_per_move().map_or("?".to_string(), |u| format!("{u:.0}")),
        ms(r.ack.p50),
        ms(r.ack.p99),
        ms(r.ack.p999),
        if r.report.n > 0 { ms(r.report.p99) } else { "–".to_string() },
        match (r.wire_per_round(), r.bytes_per_round()) {
            (Some(w), Some(b)) => format!("{:.1} / {:.1}", w / 1000.0, b / 1000.0),
            _ => "–".to_string(),
        },
        r.rss_kib.unwrap_or(0) as f64 / 1024.0,
        r.error_count(),
        run.seated.0,
        run.seated.1,
    )
}

/// Median and range of a figure over runs.
fn spread(mut v: Vec<f64>, digits: usize) -> String {
    if v.is_empty() {
        return "–".to_string();
    }
    v.sort_by(f64::total_cmp);
    let med = if v.len() % 2 == 1 { v[v.len() / 2] } else { (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2.0 };
    if v.len() == 1 {
        format!("{med:.digits$}")
    } else {
        format!("{med:.digits$} ({:.digits$}–{:.digits$})", v[0], v[v.len() - 1])
    }
}

fn print_summary(args: &Args, runs: &[Run]) {
    let of = |target: Which| -> Vec<&StepReport> {
        runs.iter().filter(|r| r.target == target).filter_map(|r| r.steps.last()).collect()
    };
    type Figure = (&'static str, fn(&StepReport) -> f64, usize);
    let figures: [Figure; 13] = [
        ("moves/s", |r| r.moves_per_sec(), 0),
        ("server µs/move", |r| r.server_us_per_move().unwrap_or(0.0), 0),
        ("server % of a core", |r| r.server_cpu.map_or(0.0, |c| r.share_of_core(c) * 100.0), 0),
        ("ack p50 ms", |r| r.ack.p50.as_secs_f64() * 1000.0, 2),
        ("ack p99 ms", |r| r.ack.p99.as_secs_f64() * 1000.0, 2),
        ("ack p999 ms", |r| r.ack.p999.as_secs_f64() * 1000.0, 2),
        ("report p99 ms", |r| r.report.p99.as_secs_f64() * 1000.0, 2),
        ("KB/round/table on the wire", |r| r.wire_per_round().unwrap_or(0.0) / 1000.0, 1),
        ("KB/round/table as text", |r| r.bytes_per_round().unwrap_or(0.0) / 1000.0, 1),
        ("RSS MiB", |r| r.rss_kib.unwrap_or(0) as f64 / 1024.0, 0),
        ("errors", |r| r.error_count() as f64, 0),
        ("load generator µs/move", |r| r.loadgen_us_per_move(), 0),
        ("other processes % of a core", |r| r.share_of_core(r.other_cpu) * 100.0, 0),
    ];
    let game = of(Which::Game);
    let refr = of(Which::Ref);
    println!();
    println!(
        "summary: {} at {:.0} moves/s offered, {} run(s) each; median (min–max)",
        shape(args),
        args.rate,
        args.repeat
    );
    println!("| figure | game | reference | game / reference |");
    println!("|---|---|---|---|");
    for (label, f, digits) in figures {
        let g: Vec<f64> = game.iter().map(|r| f(r)).collect();
        let r: Vec<f64> = refr.iter().map(|r| f(r)).collect();
        // Ratios of runs made side by side (game i with reference i).
        let ratios: Vec<f64> = g.iter().zip(&r).filter(|(_, r)| **r > 0.0).map(|(g, r)| g / r).collect();
        println!("| {label} | {} | {} | {} |", spread(g, digits), spread(r, digits), spread(ratios, 1));
    }
    let seated = |target: Which| -> String {
        let s: Vec<String> =
            runs.iter().filter(|r| r.target == target).map(|r| format!("{}/{}", r.seated.0, r.seated.1)).collect();
        s.join(", ")
    };
    println!("| tables seated | {} | {} | |", seated(Which::Game), seated(Which::Ref));
}
