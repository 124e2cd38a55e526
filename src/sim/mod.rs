//! The simulator: many games played by bots, summarised for a scenario's author.
//!
//! Same scenario, games, seed and bots ⇒ the same report, byte for byte: games run one after
//! another, each from a seed derived from the run's seed and the game's number.

mod report;

use std::collections::BTreeMap;

use crate::bots::{choose_orders, Policy};
use crate::engine::rng::Rng;
use crate::engine::{resolve_round, scores, GameState, Order, RoleId, RoundOrders, RoundReport, Scenario};

pub use report::{EventStats, InteractionStats, MoveStats, RoleStats, SimReport};

/// Which bots sit in the seats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BotMix {
    Greedy,
    Random,
    /// Each seat of each game greedy or random, drawn from the seed.
    Mixed,
}

impl std::str::FromStr for BotMix {
    type Err = String;
    fn from_str(s: &str) -> Result<BotMix, String> {
        match s {
            "greedy" => Ok(BotMix::Greedy),
            "random" => Ok(BotMix::Random),
            "mixed" => Ok(BotMix::Mixed),
            other => Err(format!("unknown bots `{other}`: use greedy, random or mixed")),
        }
    }
}

/// The seed of game number `index` in a run.
pub fn game_seed(run_seed: u64, index: u32) -> u64 {
    Rng::derive(run_seed, &[u64::from(index)]).next_u64()
}

/// The policy of each seat in one game.
pub fn seat_policies(mix: BotMix, roles: usize, game_seed: u64) -> Vec<Policy> {
    let mut rng = Rng::derive(game_seed, &[0xb075]);
    (0..roles)
        .map(|_| match mix {
            BotMix::Greedy => Policy::Greedy,
            BotMix::Random => Policy::Random,
            BotMix::Mixed => {
                if rng.below(2) == 0 {
                    Policy::Greedy
                } else {
                    Policy::Random
                }
            }
        })
        .collect()
}

/// One finished game.
pub struct Played {
    pub scores: Vec<u32>,
    /// Each round's orders as the seats gave them.
    pub orders: Vec<RoundOrders>,
    pub reports: Vec<RoundReport>,
    pub final_state: GameState,
}

/// Plays one game with bots; `fixed` makes one role play the same orders every round.
pub fn play(scenario: &Scenario, seed: u64, policies: &[Policy], fixed: Option<(RoleId, &[Order])>) -> Played {
    let mut state = GameState::new(scenario, seed);
    let mut all_orders = Vec::new();
    let mut reports = Vec::new();
    while !state.is_finished() {
        let orders: RoundOrders = (0..scenario.roles.len())
            .map(|role| match fixed {
                Some((r, plan)) if r == role => plan.to_vec(),
                _ => choose_orders(scenario, &state, role, policies[role], seed),
            })
            .collect();
        let (next, report) = resolve_round(scenario, &state, &orders);
        all_orders.push(orders);
        reports.push(report);
        state = next;
    }
    Played { scores: scores(scenario, &state.tracks), orders: all_orders, reports, final_state: state }
}

/// Runs the simulation and gathers its statistics.
pub fn simulate(scenario: &Scenario, games: u32, seed: u64, mix: BotMix) -> SimReport {
    let roles = scenario.roles.len();
    let mut role_scores: Vec<Vec<u32>> = vec![Vec::new(); roles];
    let mut move_stats: Vec<MoveStats> =
        scenario.moves.iter().map(|m| MoveStats::new(&scenario.roles[m.role].id, &m.id)).collect();
    let mut interaction_fired = vec![0u64; scenario.interactions.len()];
    let mut event_fired = vec![0u64; scenario.events.len()];
    // How often each greedy seat chose each plan (by role), for the dominance check.
    let mut greedy_plans: Vec<BTreeMap<Vec<Order>, u64>> = vec![BTreeMap::new(); roles];
    let mut baseline: Vec<(u64, Vec<Policy>, Vec<u32>)> = Vec::new();

    for index in 0..games {
        let game = game_seed(seed, index);
        let policies = seat_policies(mix, roles, game);
        let played = play(scenario, game, &policies, None);
        for (role, s) in played.scores.iter().enumerate() {
            role_scores[role].push(*s);
        }
        let mut seen_in_game = vec![false; scenario.moves.len()];
        for (round_orders, report) in played.orders.iter().zip(&played.reports) {
            for (role, plan) in round_orders.iter().enumerate() {
                if policies[role] == Policy::Greedy {
                    *greedy_plans[role].entry(plan.clone()).or_default() += 1;
                    for o in plan {
                        move_stats[o.mv].chosen_by_greedy += 1;
                    }
                }
            }
            for outcome in &report.orders {
                let Some(stats) = move_stats.get_mut(outcome.order.mv) else {
                    continue;
                };
                stats.chosen += 1;
                // Leaving a forced choice to its default is choosing the default.
                if outcome.automatic && policies[outcome.role] == Policy::Greedy {
                    stats.chosen_by_greedy += 1;
                }
                seen_in_game[outcome.order.mv] = true;
                if outcome.status.succeeded() {
                    stats.succeeded += 1;
                }
            }
            for i in &report.interactions {
                interaction_fired[i.interaction] += 1;
            }
            for e in &report.events {
                event_fired[e.event] += 1;
            }
        }
        for (stats, seen) in move_stats.iter_mut().zip(seen_in_game) {
            stats.games += u64::from(seen);
        }
        if (index as usize) < DOMINANCE_GAMES {
            baseline.push((game, policies, played.scores));
        }
    }

    let dominant = dominant_plans(scenario, &greedy_plans, &baseline);
    SimReport::build(scenario, games, seed, mix, role_scores, move_stats, interaction_fired, event_fired, dominant)
}

/// How many games the dominance check replays per candidate plan.
const DOMINANCE_GAMES: usize = 100;
/// How many of a role's most frequent greedy plans are tried as fixed plans.
const DOMINANCE_PLANS: usize = 6;

/// A fixed plan dominates a role when playing it every round, against the same opponents and
/// seeds, scores at least as well as the role's bot in 95% of games and better on average by 3
/// points or more: the role would then have no reason to think about its moves.
fn dominant_plans(
    scenario: &Scenario,
    greedy_plans: &[BTreeMap<Vec<Order>, u64>],
    baseline: &[(u64, Vec<Policy>, Vec<u32>)],
) -> Vec<(RoleId, Vec<Order>, f64, f64)> {
    let mut found = Vec::new();
    if baseline.is_empty() {
        return found;
    }
    for (role, plans) in greedy_plans.iter().enumerate() {
        let mut ranked: Vec<(&Vec<Order>, &u64)> = plans.iter().filter(|(p, _)| !p.is_empty()).collect();
        ranked.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        for (plan, _) in ranked.into_iter().take(DOMINANCE_PLANS) {
            let mut at_least = 0usize;
            let (mut fixed_sum, mut base_sum) = (0u64, 0u64);
            for (seed, policies, base_scores) in baseline {
                let played = play(scenario, *seed, policies, Some((role, plan)));
                let (f, b) = (played.scores[role], base_scores[role]);
                at_least += usize::from(f >= b);
                fixed_sum += u64::from(f);
                base_sum += u64::from(b);
            }
            let n = baseline.len() as f64;
            let (fixed_mean, base_mean) = (fixed_sum as f64 / n, base_sum as f64 / n);
            if at_least as f64 >= 0.95 * n && fixed_mean >= base_mean + 3.0 {
                found.push((role, plan.clone(), fixed_mean, base_mean));
            }
        }
    }
    found
}
