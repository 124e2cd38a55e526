//! The `third-neighbor` command: the server and the scenario tools.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use third_neighbor::config::Config;
use third_neighbor::scenario;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use third_neighbor::server;
use third_neighbor::sim::{self, BotMix};
use third_neighbor::store::Store;

#[derive(Parser)]
#[command(name = "third-neighbor", version, about = "A multiplayer diplomacy teaching game server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check, simulate and explain scenario files.
    Scenario {
        #[command(subcommand)]
        command: ScenarioCommand,
    },
    /// Run the game server: HTTP and WebSocket on one port, games stored in SQLite.
    Serve(ServeArgs),
    /// Manage instructors (teachers) and their keys.
    Instructor {
        #[command(subcommand)]
        command: InstructorCommand,
    },
    /// Replay a game exported as JSON (`export.json`) through the engine: print every round's
    /// state hash; exit 1 if any differs from the stored one.
    Replay {
        file: PathBuf,
        /// Print the replay as JSON (the declassified view) instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "THIRD_NEIGHBOR_ADDR", default_value = "127.0.0.1:8080")]
    addr: std::net::SocketAddr,
    /// The SQLite database file (created with its folder on first start).
    #[arg(long, env = "THIRD_NEIGHBOR_DB", default_value = "./data/third-neighbor.db")]
    db: PathBuf,
    /// The scenario folder [default: ./scenarios if it exists, else the built-in scenarios].
    #[arg(long, env = "THIRD_NEIGHBOR_SCENARIOS")]
    scenarios: Option<PathBuf>,
    /// Other origins whose pages may open the WebSocket (comma-separated, e.g.
    /// https://class.example.org); the server's own origin is always allowed.
    #[arg(long, env = "THIRD_NEIGHBOR_ORIGINS", value_delimiter = ',')]
    origins: Vec<String>,
}

#[derive(Subcommand)]
enum InstructorCommand {
    /// Create an instructor and print its key (shown once).
    Add {
        name: String,
        /// The SQLite database file.
        #[arg(long, env = "THIRD_NEIGHBOR_DB", default_value = "./data/third-neighbor.db")]
        db: PathBuf,
    },
}

#[derive(Subcommand)]
enum ScenarioCommand {
    /// Check scenario files: exit 0, or exit 1 listing every problem as file:line:column.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Play many games with bots and report scores, moves, interactions, events and warnings.
    Simulate {
        file: PathBuf,
        #[arg(long, default_value_t = 1000)]
        games: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// greedy, random, or mixed (each seat greedy or random by the seed).
        #[arg(long, default_value = "greedy")]
        bots: BotMix,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Force each legal set of orders of one role in one round (every other decision greedy)
    /// and report each option's final score for that role: mean, 10th and 90th percentile.
    Decide {
        file: PathBuf,
        /// The role that decides.
        #[arg(long)]
        role: String,
        /// The round of the decision (1 is the first).
        #[arg(long)]
        round: u32,
        #[arg(long, default_value_t = 400)]
        games: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Print the scenario as readable text for a teacher to review.
    Explain { file: PathBuf },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Scenario { command } => scenario_command(command),
        Command::Serve(args) => serve(args),
        Command::Instructor { command } => instructor_command(command),
        Command::Replay { file, json } => replay_command(&file, json),
    }
}

fn replay_command(file: &std::path::Path, as_json: bool) -> anyhow::Result<ExitCode> {
    use third_neighbor::replay::{self, export};
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let log = export::read_json(&text).with_context(|| file.display().to_string())?;
    let name = format!("{} (scenario {})", file.display(), log.scenario.id);
    let sc = scenario::parse(&name, &log.scenario.text)?;
    let rows = log.rows();
    let rebuilt = replay::rebuild(&sc, log.seed, &rows);
    if as_json {
        let meta = replay::Meta {
            session_id: &log.session_id,
            join_code: "",
            status: &log.status,
            created_at: log.created_at,
            scenario_hash: &log.scenario.hash,
            log: &rows,
        };
        println!("{}", serde_json::to_string(&replay::view(&sc, &rebuilt, &meta, replay::Lens::Declassified))?);
    } else {
        println!("{} — session {}, seed {}", sc.title, log.session_id, log.seed);
        for round in &rebuilt.rounds {
            let mark = if round.hash == round.stored_hash { "ok" } else { "MISMATCH" };
            println!("round {}: {} {mark}", round.round, round.hash);
        }
        println!("final: {}", rebuilt.final_hash);
        for e in &rebuilt.errors {
            eprintln!("error: event {} (round {}): {}", e.seq, e.round, e.message);
        }
    }
    let matches = rebuilt.final_hash == log.final_hash;
    if !matches {
        eprintln!("error: the final state hash {} differs from the exported {}", rebuilt.final_hash, log.final_hash);
    }
    Ok(if rebuilt.ok() && matches { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi).init();
}

fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    init_logging();
    let config = Config {
        addr: args.addr,
        db: args.db,
        scenarios: args.scenarios,
        allowed_origins: args.origins.into_iter().filter(|o| !o.trim().is_empty()).collect(),
        ..Config::default()
    };
    runtime()?.block_on(async move {
        let startup = server::App::open(config.clone())
            .await
            .with_context(|| format!("cannot start with the database {}", config.db.display()))?;
        if let Some(key) = &startup.default_instructor_key {
            println!("==================================================================");
            println!(" First start: created the instructor \"default\".");
            println!(" Instructor key (shown only this once; keep it safe):");
            println!("   {key}");
            println!("==================================================================");
        }
        tracing::info!(sessions = startup.recovered_sessions, "unfinished sessions read back");
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("cannot listen on {}", config.addr))?;
        let addr = listener.local_addr().context("reading the bound address")?;
        println!("listening on http://{addr}");
        tracing::info!(%addr, db = %config.db.display(), "listening");
        server::run(listener, startup.app, shutdown_signal()).await?;
        Ok(ExitCode::SUCCESS)
    })
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("interrupted"),
        () = terminate => tracing::info!("terminated"),
    }
}

fn instructor_command(command: InstructorCommand) -> anyhow::Result<ExitCode> {
    match command {
        InstructorCommand::Add { name, db } => {
            let name = name.trim().to_string();
            anyhow::ensure!(!name.is_empty(), "the instructor needs a name");
            runtime()?.block_on(async move {
                let (store, writer) =
                    Store::open(&db).await.with_context(|| format!("cannot open the database {}", db.display()))?;
                let key = server::add_instructor(&store, &name).await.context("cannot add the instructor")?;
                store.writer().stop().await;
                let _ = writer.await;
                println!("Instructor \"{name}\" added. Key (shown only this once; keep it safe):");
                println!("  {key}");
                Ok(ExitCode::SUCCESS)
            })
        }
    }
}

fn scenario_command(command: ScenarioCommand) -> anyhow::Result<ExitCode> {
    match command {
        ScenarioCommand::Check { files } => {
            let mut failed = false;
            for file in &files {
                match scenario::load_file(file) {
                    Ok(loaded) => println!("{}: ok ({})", file.display(), loaded.scenario.title),
                    Err(e) => {
                        failed = true;
                        eprintln!("{e}");
                        eprintln!("{}: {} problem(s)", file.display(), e.problems.len());
                    }
                }
            }
            Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
        ScenarioCommand::Simulate { file, games, seed, bots, json } => {
            let loaded = scenario::load_file(&file).map_err(|e| anyhow::anyhow!("{e}"))?;
            let report = sim::simulate(&loaded.scenario, games, seed, bots);
            if json {
                println!("{}", serde_json::to_string_pretty(&report).context("serializing the report")?);
            } else {
                print!("{}", report.to_text());
            }
            Ok(ExitCode::SUCCESS)
        }
        ScenarioCommand::Decide { file, role, round, games, seed, json } => {
            let loaded = scenario::load_file(&file).map_err(|e| anyhow::anyhow!("{e}"))?;
            let decision = sim::decide(&loaded.scenario, &role, round, games, seed)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&decision).context("serializing the report")?);
            } else {
                print!("{}", decision.to_text());
            }
            Ok(ExitCode::SUCCESS)
        }
        ScenarioCommand::Explain { file } => {
            let loaded = scenario::load_file(&file).map_err(|e| anyhow::anyhow!("{e}"))?;
            print!("{}", scenario::describe::explain(&loaded.scenario));
            Ok(ExitCode::SUCCESS)
        }
    }
}
