//! Engine benchmark: prints figures, asserts nothing (these machines are shared and noisy).
//!
//! `cargo bench --bench engine [-- scenarios/other.toml]`
//!
//! Targets from the engine issue: one round of the main scenario ≤ 20 µs; ≥ 20,000 full games/s
//! with random bots and ≥ 200 full games/s with greedy bots, on one core (set for the old
//! one-round greedy bot; the look-ahead bot of the lesson issue plays the main scenario at about
//! 130 games/s). From the lesson issue: one greedy decision (what the server computes for a bot
//! seat) well under 5 ms.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use third_neighbor::bots::Policy;
use third_neighbor::engine::{resolve_round, GameState, RoundOrders, Scenario};
use third_neighbor::scenario;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use third_neighbor::sim::{game_seed, play};

/// Runs `f` repeatedly for about `budget`, returning the time per call.
fn time_per_call(budget: Duration, mut f: impl FnMut(u64)) -> (Duration, u64) {
    let start = Instant::now();
    let mut calls = 0u64;
    while start.elapsed() < budget {
        for _ in 0..16 {
            f(calls);
            calls += 1;
        }
    }
    (start.elapsed() / calls.max(1) as u32, calls)
}

fn bench(sc: &Scenario) {
    println!("scenario {} ({} roles, {} moves, {} rounds)", sc.id, sc.roles.len(), sc.moves.len(), sc.rounds.len());

    // A realistic round: every role's orders as greedy bots give them in round 1.
    let state = GameState::new(sc, 42);
    let orders: RoundOrders =
        sc.role_ids().map(|r| third_neighbor::bots::choose_orders(sc, &state, r, Policy::Greedy, 42)).collect();
    let (per_round, calls) = time_per_call(Duration::from_secs(2), |_| {
        black_box(resolve_round(sc, black_box(&state), black_box(&orders)));
    });
    println!(
        "  resolve one round:        {:>9.2} µs  ({calls} rounds; target ≤ 20 µs)",
        per_round.as_nanos() as f64 / 1000.0
    );

    // One greedy decision, as the server makes it for a bot seat: each role at the start of the
    // game (the most rounds still to play out), the slowest role reported.
    let mut slowest = (Duration::ZERO, String::new());
    for role in sc.role_ids() {
        let (per_decision, _) = time_per_call(Duration::from_millis(500), |i| {
            black_box(third_neighbor::bots::choose_orders(sc, black_box(&state), role, Policy::Greedy, i));
        });
        if per_decision > slowest.0 {
            slowest = (per_decision, sc.roles[role].id.clone());
        }
    }
    println!(
        "  one greedy decision:      {:>9.2} µs  (slowest role: {}, round 1; budget well under 5 ms)",
        slowest.0.as_nanos() as f64 / 1000.0,
        slowest.1
    );

    let (per_hash, _) = time_per_call(Duration::from_millis(500), |_| {
        black_box(state.hash(sc));
    });
    println!("  state hash:               {:>9.2} µs", per_hash.as_nanos() as f64 / 1000.0);

    for (policy, target) in [(Policy::Random, 20_000.0), (Policy::Greedy, 200.0)] {
        let policies = vec![policy; sc.roles.len()];
        let (per_game, games) = time_per_call(Duration::from_secs(3), |i| {
            black_box(play(sc, game_seed(7, i as u32), &policies, None));
        });
        let rate = 1.0 / per_game.as_secs_f64();
        println!(
            "  full games, {policy:<6} bots: {rate:>9.0} games/s  ({games} games, {:.1} µs each; target ≥ {target})",
            per_game.as_nanos() as f64 / 1000.0
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let files: Vec<PathBuf> = if args.is_empty() {
        vec![root.join("scenarios/mongolia-2024.toml"), root.join("scenarios/tutorial.toml")]
    } else {
        args.iter().map(PathBuf::from).collect()
    };
    println!("engine benchmark, one thread (figures, not assertions)");
    for file in files {
        match scenario::load_file(&file) {
            Ok(loaded) => bench(&loaded.scenario),
            Err(e) => eprintln!("{e}"),
        }
    }
}
