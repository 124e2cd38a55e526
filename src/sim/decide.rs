//! The decision report: what each option of one decision is worth over the whole game.
//!
//! For every game, the bots play up to the start of round N; then each legal set of orders of
//! role R is forced in round N (the other seats, and R's other rounds, stay greedy) and the game
//! is played out. Every option is played on the same games, so options are compared pairwise,
//! not against noise. Same scenario, role, round, games and seed ⇒ the same report.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{finish, game_seed, round_orders, Seat};
use crate::bots::{candidate_plans, Policy};
use crate::engine::{resolve_round, GameState, Order, Scenario};

/// One order by name, as a client writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedOrder {
    #[serde(rename = "move")]
    pub mv: String,
    pub target: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DecideOption {
    pub orders: Vec<NamedOrder>,
    pub mean: f64,
    pub p10: u32,
    pub p90: u32,
    /// The games in which this option was legal (and so played).
    pub games: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    pub role: String,
    pub round: u32,
    pub games: u32,
    pub seed: u64,
    /// Best mean first.
    pub options: Vec<DecideOption>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecideError {
    #[error("this scenario has no role `{0}`")]
    UnknownRole(String),
    #[error("round {round} does not exist: the scenario has rounds 1 to {rounds}")]
    UnknownRound { round: u32, rounds: u32 },
}

/// Forces each legal set of orders of `role` in `round` and reports each one's final score for
/// `role` (mean, 10th and 90th percentile) over `games` games.
pub fn decide(scenario: &Scenario, role: &str, round: u32, games: u32, seed: u64) -> Result<Decision, DecideError> {
    let r = scenario.role_index(role).ok_or_else(|| DecideError::UnknownRole(role.to_string()))?;
    if round < 1 || round > scenario.round_count() {
        return Err(DecideError::UnknownRound { round, rounds: scenario.round_count() });
    }
    let policies = vec![Policy::Greedy; scenario.roles.len()];
    let mut results: BTreeMap<Vec<Order>, Vec<u32>> = BTreeMap::new();
    for index in 0..games {
        let game = game_seed(seed, index);
        let mut state = GameState::new(scenario, game);
        while state.round < round && !state.is_finished() {
            let orders = round_orders(scenario, &state, game, &policies, None);
            state = resolve_round(scenario, &state, &orders).0;
        }
        for plan in candidate_plans(scenario, &state, r) {
            let orders = round_orders(scenario, &state, game, &policies, Some((r, Seat::At(round, &plan))));
            let next = resolve_round(scenario, &state, &orders).0;
            let scores = finish(scenario, next, game, &policies, None);
            results.entry(plan).or_default().push(scores[r]);
        }
    }
    let mut options: Vec<DecideOption> = results
        .into_iter()
        .map(|(plan, mut scores)| {
            scores.sort_unstable();
            let mean = scores.iter().map(|s| u64::from(*s)).sum::<u64>() as f64 / scores.len().max(1) as f64;
            DecideOption {
                orders: plan
                    .iter()
                    .map(|o| NamedOrder {
                        mv: scenario.moves[o.mv].id.clone(),
                        target: o.target.map(|t| scenario.targets[t].id.clone()),
                    })
                    .collect(),
                mean: super::figures::round2(mean),
                p10: super::figures::percentile(&scores, 10),
                p90: super::figures::percentile(&scores, 90),
                games: scores.len(),
            }
        })
        .collect();
    // Stable: options with equal means keep the order of their plans.
    options.sort_by(|a, b| b.mean.total_cmp(&a.mean));
    Ok(Decision { role: role.to_string(), round, games, seed, options })
}

impl Decision {
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "decision: {} in round {} ({} games, seed {}; every other decision greedy)\n",
            self.role, self.round, self.games, self.seed
        );
        let _ = writeln!(out, "  {:>6} {:>4} {:>4} {:>6}  orders", "mean", "p10", "p90", "games");
        for o in &self.options {
            let orders = if o.orders.is_empty() {
                "(hold)".to_string()
            } else {
                o.orders
                    .iter()
                    .map(|n| match &n.target {
                        Some(t) => format!("{}[{t}]", n.mv),
                        None => n.mv.clone(),
                    })
                    .collect::<Vec<_>>()
                    .join(" + ")
            };
            let _ = writeln!(out, "  {:>6.1} {:>4} {:>4} {:>6}  {orders}", o.mean, o.p10, o.p90, o.games);
        }
        out
    }
}
