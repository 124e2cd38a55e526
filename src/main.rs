//! The `third-neighbor` command: the server and the scenario tools.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use third_neighbor::config::{self, Config, Limits};
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
    /// Run the game server: HTTP and WebSocket on one port, games stored in SQLite (one node) or
    /// PostgreSQL (several nodes).
    Serve(ServeArgs),
    /// Manage instructors (teachers) and their keys.
    Instructor {
        #[command(subcommand)]
        command: InstructorCommand,
    },
    /// Copy every stored game, class, instructor, scenario text and source essay from one
    /// database into another, empty one (e.g. a SQLite file into PostgreSQL when a deployment
    /// grows past one machine). Stop the server first; the copy is one transaction.
    MigrateStore {
        /// The database to copy: a SQLite file or a postgres:// URL.
        #[arg(long)]
        from: PathBuf,
        /// The empty database to copy into: a postgres:// URL or a SQLite file (created).
        #[arg(long)]
        to: PathBuf,
    },
    /// Ask a running server whether it works (`GET /healthz`): exit 0 when it answers 200, else
    /// exit 1 saying why. For a container's health check, which then needs no curl.
    Health {
        /// The server's address (an unspecified one, like 0.0.0.0, means this computer).
        #[arg(long, env = "THIRD_NEIGHBOR_ADDR", default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
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
    /// The database: a SQLite file (created with its folder on first start; one node), or a
    /// postgres:// URL (several nodes may share it, each owning the games it runs).
    #[arg(long, env = "THIRD_NEIGHBOR_DB", default_value = config::DEFAULT_DB)]
    db: PathBuf,
    /// This node's name, which other nodes give as the owner of its games (`wrong_node`) and
    /// the proxy routes by (`deploy/nginx.conf`) [default: the host's name]. PostgreSQL only.
    #[arg(long, env = "THIRD_NEIGHBOR_NODE", default_value = "")]
    node_name: String,
    /// The scenario folder [default: ./scenarios if it exists, else the built-in scenarios].
    #[arg(long, env = "THIRD_NEIGHBOR_SCENARIOS")]
    scenarios: Option<PathBuf>,
    /// Other origins whose pages may open the WebSocket (comma-separated, e.g.
    /// https://class.example.org); the server's own origin is always allowed.
    #[arg(long, env = "THIRD_NEIGHBOR_ORIGINS", value_delimiter = ',')]
    origins: Vec<String>,
    /// Reverse proxies in front of the server (comma-separated addresses): their
    /// `X-Forwarded-For` names the client, for the per-address limits.
    #[arg(long, env = "THIRD_NEIGHBOR_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxies: Vec<std::net::IpAddr>,
    /// The address students type to reach the server (http://… or https://…), shown on the
    /// projector beside the join code [default: on 0.0.0.0, this computer's network address;
    /// behind a proxy, the address the projector's page was opened at].
    #[arg(long, env = "THIRD_NEIGHBOR_PUBLIC_URL", value_parser = public_url)]
    public_url: Option<String>,
    /// WebSocket connections at most, in all.
    #[arg(long, env = "THIRD_NEIGHBOR_MAX_CONNECTIONS", default_value_t = Limits::default().max_connections)]
    max_connections: usize,
    /// WebSocket connections at most from one address (an IPv6 /64); a class behind one school
    /// address shares it.
    #[arg(long, env = "THIRD_NEIGHBOR_PER_ADDRESS_CONNECTIONS", default_value_t = Limits::default().ws_per_address)]
    per_address_connections: usize,
    /// Spectator connections (`watch`) at most from one address.
    #[arg(long, env = "THIRD_NEIGHBOR_PER_ADDRESS_SPECTATORS", default_value_t = Limits::default().watch_per_address)]
    per_address_spectators: usize,
    /// Students at most in one session.
    #[arg(long, env = "THIRD_NEIGHBOR_MAX_PLAYERS", default_value_t = Limits::default().max_players)]
    max_players: usize,
    /// Never compress WebSocket messages (by default the server accepts permessage-deflate,
    /// which browsers offer: large frames then travel at about a third of their size).
    #[arg(long, env = "THIRD_NEIGHBOR_NO_COMPRESSION")]
    no_compression: bool,
    /// Group commit: under load, a commit starts at most this many milliseconds after the
    /// previous one began and carries every write that arrived meanwhile (fewer fsyncs, each
    /// acknowledgement at most this much later). 0 commits each write at once.
    #[arg(long, env = "THIRD_NEIGHBOR_COMMIT_GATHER_MS", default_value_t = 1)]
    commit_gather_ms: u64,
    /// Unfinished games nobody has changed for this many days are not read back into memory at
    /// a start, only when someone uses their code, a seat or the console (their codes keep
    /// working); 0 reads every unfinished game back. Classes are always read back.
    #[arg(long, env = "THIRD_NEIGHBOR_DORMANT_AFTER_DAYS", default_value_t = config::DEFAULT_DORMANT_DAYS)]
    dormant_after_days: u64,
}

#[derive(Subcommand)]
enum InstructorCommand {
    /// Create an instructor and print its key (shown once).
    Add {
        name: String,
        /// The database: a SQLite file or a postgres:// URL.
        #[arg(long, env = "THIRD_NEIGHBOR_DB", default_value = config::DEFAULT_DB)]
        db: PathBuf,
    },
    /// Revoke an instructor's key: it stops working at once (HTTP and new WebSocket seats);
    /// the instructor's games are kept. `rotate` gives it a new key.
    Revoke {
        name: String,
        #[arg(long, env = "THIRD_NEIGHBOR_DB", default_value = config::DEFAULT_DB)]
        db: PathBuf,
    },
    /// Give an instructor a new key and print it (shown once); the old key stops working at once.
    Rotate {
        name: String,
        #[arg(long, env = "THIRD_NEIGHBOR_DB", default_value = config::DEFAULT_DB)]
        db: PathBuf,
    },
}

#[derive(Subcommand)]
enum ScenarioCommand {
    /// Check scenario files and their translations: exit 0, or exit 1 listing every problem as
    /// file:line:column. A scenario's translation files (`<stem>.<lang>.toml` beside it) are
    /// checked with it, each with a coverage line; a translation file given alone is checked
    /// against its scenario. Missing and stale translations are listed but fail only with
    /// `--strict`; a malformed file, an extra key or a ¶ out of range always fails.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Also fail on missing or stale translations (for CI: the shipped translations are
        /// complete).
        #[arg(long)]
        strict: bool,
    },
    /// Write or update a scenario's translation file (`<stem>.<lang>.toml` beside it) for a
    /// translator: every text of the scenario in order, translations whose English is unchanged
    /// kept, new and changed ones listed with `text = ""` under their English.
    Translate {
        /// The scenario file (English).
        file: PathBuf,
        /// The language: mn, ru or zh.
        #[arg(long)]
        lang: String,
        /// Print the file instead of writing it.
        #[arg(long)]
        stdout: bool,
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
        Command::MigrateStore { from, to } => migrate_store(&from, &to),
        Command::Health { addr } => health(addr),
    }
}

/// `health`: one `GET /healthz` over a plain socket, within 3 seconds.
fn health(addr: std::net::SocketAddr) -> anyhow::Result<ExitCode> {
    use std::io::{Read as _, Write as _};
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
    use std::time::Duration;
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    let target = SocketAddr::new(ip, addr.port());
    let wait = Duration::from_secs(3);
    let mut stream =
        TcpStream::connect_timeout(&target, wait).with_context(|| format!("no server answers at {target}"))?;
    stream.set_read_timeout(Some(wait))?;
    stream.set_write_timeout(Some(wait))?;
    write!(stream, "GET /healthz HTTP/1.1\r\nHost: {target}\r\nConnection: close\r\n\r\n")?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).with_context(|| format!("the server at {target} did not answer in time"))?;
    let answer = String::from_utf8_lossy(&answer);
    let status = answer.split(' ').nth(1).unwrap_or("");
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body.trim());
    if status == "200" {
        println!("{target}: {body}");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("{target}: {} {body}", if status.is_empty() { "no HTTP answer" } else { status });
        Ok(ExitCode::FAILURE)
    }
}

fn migrate_store(from: &std::path::Path, to: &std::path::Path) -> anyhow::Result<ExitCode> {
    use third_neighbor::store::{copy_store, Location};
    init_logging();
    let (shown_from, shown_to) = (Location::of(from), Location::of(to));
    if let Location::Sqlite(path) = &shown_from {
        anyhow::ensure!(path.exists(), "no database at {}", path.display());
    }
    runtime()?.block_on(async move {
        let (source, writer) =
            Store::open(from).await.with_context(|| format!("cannot open the database {shown_from}"))?;
        let copied = copy_store(&source, to).await.with_context(|| format!("cannot copy {shown_from} into {shown_to}"));
        source.writer().stop().await;
        let _ = writer.await;
        let copied = copied?;
        println!("Copied {shown_from} into {shown_to}: {copied}.");
        Ok(ExitCode::SUCCESS)
    })
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
        println!(
            "{}",
            serde_json::to_string(&replay::view(
                &sc,
                &rebuilt,
                &meta,
                replay::Lens::Declassified,
                third_neighbor::i18n::Lang::En
            ))?
        );
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

/// `--public-url`: an `http://` or `https://` address with a host, as students would type it.
fn public_url(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(String::new()); // unset, as an empty environment variable leaves it
    }
    let rest = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://"));
    match rest {
        Some(rest) if !rest.is_empty() && !rest.starts_with('/') && !rest.contains(char::is_whitespace) => {
            Ok(text.to_string())
        }
        _ => Err(format!(
            "{text:?} is not an address students can open: write it as http://host[:port]/ or https://host/"
        )),
    }
}

/// A line for the operator on standard output. A server whose output nobody reads any more (a
/// supervisor or a test that stopped reading after the address) must keep serving, so a closed
/// output is ignored here rather than a panic, as `println!` would.
fn tell(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stdout(), "{line}");
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi).init();
}

fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    init_logging();
    raise_open_files();
    let config = Config {
        addr: args.addr,
        db: args.db,
        node: args.node_name.trim().to_string(),
        scenarios: args.scenarios,
        allowed_origins: args.origins.into_iter().filter(|o| !o.trim().is_empty()).collect(),
        trusted_proxies: args.trusted_proxies,
        public_url: args.public_url.filter(|url| !url.is_empty()),
        dormant_after: (args.dormant_after_days > 0)
            .then(|| std::time::Duration::from_secs(args.dormant_after_days.saturating_mul(86_400))),
        limits: Limits {
            max_connections: args.max_connections.max(1),
            ws_per_address: args.per_address_connections.max(1),
            watch_per_address: args.per_address_spectators,
            max_players: args.max_players.max(1),
            compression: !args.no_compression,
            commit_gather: std::time::Duration::from_millis(args.commit_gather_ms),
            ..Limits::default()
        },
    };
    runtime()?.block_on(async move {
        let startup = server::App::open(config.clone()).await.with_context(|| {
            format!("cannot start with the database {}", third_neighbor::store::Location::of(&config.db))
        })?;
        if let Some(key) = &startup.default_instructor_key {
            tell("==================================================================");
            tell(" First start: created the instructor \"default\".");
            tell(" Instructor key (shown only this once; keep it safe):");
            tell(&format!("   {key}"));
            tell("==================================================================");
        }
        tracing::info!(sessions = startup.recovered_sessions, "unfinished sessions read back");
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("cannot listen on {}", config.addr))?;
        let addr = listener.local_addr().context("reading the bound address")?;
        tell(&format!("listening on http://{addr}"));
        tell(&server::listening::Listening::of(addr, config.public_url.clone()).hint());
        tracing::info!(%addr, db = %third_neighbor::store::Location::of(&config.db), "listening");
        server::run(listener, startup.app, shutdown_signal()).await?;
        Ok(ExitCode::SUCCESS)
    })
}

/// Raises the soft limit on open files to the hard one: every WebSocket, HTTP connection and
/// database file is one, and the usual soft limit of 1,024 is far below the connection cap.
fn raise_open_files() {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: getrlimit and setrlimit only read and write the struct we pass.
        let read = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
        if read != 0 {
            tracing::warn!("cannot read the open-files limit");
            return;
        }
        let before = limit.rlim_cur;
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max;
            // SAFETY: as above.
            if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } != 0 {
                tracing::warn!(soft = before, "cannot raise the open-files limit");
                return;
            }
        }
        tracing::info!(before, now = limit.rlim_cur, "open-files limit");
    }
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
    let (name, db) = match &command {
        InstructorCommand::Add { name, db }
        | InstructorCommand::Revoke { name, db }
        | InstructorCommand::Rotate { name, db } => (name.trim().to_string(), db.clone()),
    };
    anyhow::ensure!(!name.is_empty(), "the instructor needs a name");
    runtime()?.block_on(async move {
        // The server may be running on the same file: its writer and this command take turns
        // (the busy timeout), and the server reads keys from the file on every request.
        let shown = third_neighbor::store::Location::of(&db);
        let (store, writer) = Store::open(&db).await.with_context(|| format!("cannot open the database {shown}"))?;
        let result = match command {
            InstructorCommand::Add { .. } => {
                anyhow::ensure!(
                    store.instructors_named(&name).await?.is_empty(),
                    "an instructor named \"{name}\" exists already (rotate gives it a new key)"
                );
                let key = server::add_instructor(&store, &name).await.context("cannot add the instructor")?;
                println!("Instructor \"{name}\" added. Key (shown only this once; keep it safe):");
                println!("  {key}");
                Ok(ExitCode::SUCCESS)
            }
            InstructorCommand::Revoke { .. } => {
                let id = one_instructor(&store, &name).await?;
                server::revoke_instructor(&store, &id).await.context("cannot revoke the key")?;
                println!("Instructor \"{name}\": key revoked. It no longer signs in; its games are kept.");
                Ok(ExitCode::SUCCESS)
            }
            InstructorCommand::Rotate { .. } => {
                let id = one_instructor(&store, &name).await?;
                let key = server::rotate_instructor(&store, &id).await.context("cannot rotate the key")?;
                println!("Instructor \"{name}\": new key (shown only this once; the old one no longer works):");
                println!("  {key}");
                Ok(ExitCode::SUCCESS)
            }
        };
        store.writer().stop().await;
        let _ = writer.await;
        result
    })
}

/// The id of the one instructor with this name.
async fn one_instructor(store: &Store, name: &str) -> anyhow::Result<String> {
    let found = store.instructors_named(name).await?;
    match found.as_slice() {
        [] => anyhow::bail!("no instructor is named \"{name}\""),
        [(instructor, _)] => Ok(instructor.id.clone()),
        _ => anyhow::bail!("{} instructors are named \"{name}\"; this database predates unique names", found.len()),
    }
}

fn scenario_command(command: ScenarioCommand) -> anyhow::Result<ExitCode> {
    match command {
        ScenarioCommand::Check { files, strict } => Ok(check_command(&files, strict)),
        ScenarioCommand::Translate { file, lang, stdout } => translate_command(&file, &lang, stdout),
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
            print!("{}", scenario::explain::explain(&loaded.scenario));
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `scenario check`: every scenario with its translation files, and translation files alone.
fn check_command(files: &[PathBuf], strict: bool) -> ExitCode {
    use scenario::translation;
    let mut failed = false;
    let mut checked: Vec<PathBuf> = Vec::new();
    // Scenarios first, so that a translation given beside its scenario is checked once.
    let (translations, scenarios): (Vec<&PathBuf>, Vec<&PathBuf>) =
        files.iter().partition(|f| translation::is_translation_path(f));
    for file in scenarios {
        let loaded = match scenario::load_file(file) {
            Ok(loaded) => loaded,
            Err(e) => {
                failed = true;
                eprintln!("{e}");
                eprintln!("{}: {} problem(s)", file.display(), e.problems.len());
                continue;
            }
        };
        println!("{}: ok ({})", file.display(), loaded.scenario.title);
        for path in translations_of(file) {
            failed |= !check_translation(&path, &loaded, strict);
            checked.push(path);
        }
    }
    for file in translations {
        if checked.contains(file) {
            continue;
        }
        let Some(scenario_path) = translation::scenario_path_of(file) else { continue };
        match scenario::load_file(&scenario_path) {
            Ok(loaded) => failed |= !check_translation(file, &loaded, strict),
            Err(e) => {
                failed = true;
                eprintln!("{e}");
                eprintln!(
                    "{}: cannot be checked: its scenario {} does not load",
                    file.display(),
                    scenario_path.display()
                );
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The translation files beside a scenario file (`<stem>.*.toml`), any language code.
fn translations_of(file: &std::path::Path) -> Vec<PathBuf> {
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let dir = file.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    scenario::translation_files_in(dir)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?.to_string();
            let (of, _) = scenario::translation::split_name(&name)?;
            (of == stem).then(|| file.with_file_name(&name))
        })
        .collect()
}

/// Checks one translation file against its scenario: its problems on standard error, its
/// coverage line on standard output. Returns whether it passes.
fn check_translation(path: &std::path::Path, loaded: &scenario::Loaded, strict: bool) -> bool {
    use scenario::translation;
    let file = path.display().to_string();
    let t = match scenario::Translation::load(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            eprintln!("{file}: {} problem(s); the server skips this file", e.problems.len());
            return false;
        }
    };
    let coverage = translation::check(&t, &loaded.scenario);
    if !coverage.problems.is_empty() {
        eprintln!("{}", coverage.error(&file));
    }
    println!("{file}: {}", coverage.line(t.lang));
    !coverage.fails(strict)
}

/// `scenario translate FILE --lang L`: writes (or updates) the translation file for a translator.
fn translate_command(file: &std::path::Path, lang: &str, stdout: bool) -> anyhow::Result<ExitCode> {
    use scenario::translation;
    use third_neighbor::i18n::Lang;
    let lang = match Lang::parse(lang) {
        Ok(Lang::En) => anyhow::bail!("the scenario file itself is the English: translate into mn, ru or zh"),
        Ok(lang) => lang,
        Err(_) => anyhow::bail!("unknown language `{lang}`: translate into mn, ru or zh"),
    };
    if translation::is_translation_path(file) {
        anyhow::bail!("{} is a translation file: give the scenario file (the English)", file.display());
    }
    let loaded = scenario::load_file(file).map_err(|e| anyhow::anyhow!("{e}"))?;
    let path = translation::path_for(file, lang);
    let existing = if path.exists() {
        // A file that does not read is never overwritten: the translator's work would be lost.
        Some(scenario::Translation::load(&path).map_err(|e| {
            anyhow::anyhow!("{e}\n{} does not read: fix it first (it is left as it is)", path.display())
        })?)
    } else {
        None
    };
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let text = translation::template(&loaded.scenario, &name, lang, existing.as_ref());
    let written = scenario::Translation::parse(&path.display().to_string(), &text, Some(lang.code()))
        .map_err(|e| anyhow::anyhow!("the written file does not read back (a bug): {e}"))?;
    let coverage = translation::check(&written, &loaded.scenario);
    if stdout {
        print!("{text}");
        return Ok(ExitCode::SUCCESS);
    }
    std::fs::write(&path, &text).with_context(|| format!("cannot write {}", path.display()))?;
    let changed = existing.as_ref().map_or(0, |t| translation::check(t, &loaded.scenario).stale.len());
    println!(
        "{}: {}/{} texts translated, {} to fill in ({changed} of them because their English changed)",
        path.display(),
        coverage.translated,
        coverage.total,
        coverage.missing.len(),
    );
    Ok(ExitCode::SUCCESS)
}
