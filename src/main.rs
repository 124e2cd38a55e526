//! The `third-neighbor` command: the server and the scenario tools.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use third_neighbor::scenario;
use third_neighbor::sim::{self, BotMix};

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
        ScenarioCommand::Explain { file } => {
            let loaded = scenario::load_file(&file).map_err(|e| anyhow::anyhow!("{e}"))?;
            print!("{}", scenario::describe::explain(&loaded.scenario));
            Ok(ExitCode::SUCCESS)
        }
    }
}
