//! The simulator's summary, as JSON or as text.

use std::fmt::Write;

use serde::Serialize;

use super::BotMix;
use crate::engine::{Order, RoleId, Scenario};

#[derive(Debug, Serialize)]
pub struct SimReport {
    pub scenario: String,
    pub games: u32,
    pub seed: u64,
    pub bots: BotMix,
    pub roles: Vec<RoleStats>,
    pub moves: Vec<MoveStats>,
    pub interactions: Vec<InteractionStats>,
    pub events: Vec<EventStats>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct RoleStats {
    pub role: String,
    pub mean: f64,
    pub p10: u32,
    pub p50: u32,
    pub p90: u32,
}

#[derive(Debug, Serialize)]
pub struct MoveStats {
    pub role: String,
    #[serde(rename = "move")]
    pub mv: String,
    /// Orders given for it, in all games and rounds.
    pub chosen: u64,
    /// Of those, by greedy seats.
    pub chosen_by_greedy: u64,
    pub succeeded: u64,
    /// Games in which it was ordered at least once.
    pub games: u64,
}

impl MoveStats {
    pub fn new(role: &str, mv: &str) -> MoveStats {
        MoveStats { role: role.to_string(), mv: mv.to_string(), chosen: 0, chosen_by_greedy: 0, succeeded: 0, games: 0 }
    }
}

#[derive(Debug, Serialize)]
pub struct InteractionStats {
    pub id: String,
    pub fired: u64,
    /// Share of games (a game may fire it more than once, so this can exceed 1).
    pub per_game: f64,
}

#[derive(Debug, Serialize)]
pub struct EventStats {
    pub id: String,
    pub happened: u64,
    pub per_game: f64,
}

fn percentile(sorted: &[u32], p: usize) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    // Nearest rank.
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn plan_text(scenario: &Scenario, plan: &[Order]) -> String {
    plan.iter()
        .map(|o| {
            let m = &scenario.moves[o.mv];
            match o.target {
                Some(t) => format!("{}[{}]", m.id, scenario.targets[t].id),
                None => m.id.clone(),
            }
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

impl SimReport {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn build(
        scenario: &Scenario,
        games: u32,
        seed: u64,
        bots: BotMix,
        role_scores: Vec<Vec<u32>>,
        moves: Vec<MoveStats>,
        interaction_fired: Vec<u64>,
        event_fired: Vec<u64>,
        dominant: Vec<(RoleId, Vec<Order>, f64, f64)>,
    ) -> SimReport {
        let n = f64::from(games.max(1));
        let roles = role_scores
            .into_iter()
            .enumerate()
            .map(|(r, mut s)| {
                s.sort_unstable();
                let mean = s.iter().map(|v| u64::from(*v)).sum::<u64>() as f64 / s.len().max(1) as f64;
                RoleStats {
                    role: scenario.roles[r].id.clone(),
                    mean: round2(mean),
                    p10: percentile(&s, 10),
                    p50: percentile(&s, 50),
                    p90: percentile(&s, 90),
                }
            })
            .collect();
        let mut warnings = Vec::new();
        let any_greedy = bots != BotMix::Random;
        for m in &moves {
            if any_greedy && games > 0 && m.chosen_by_greedy == 0 {
                warnings.push(format!("dead move: {}.{} was never chosen by a greedy bot", m.role, m.mv));
            }
        }
        for (role, plan, fixed, base) in &dominant {
            warnings.push(format!(
                "dominant plan: {} playing `{}` every round scores {:.1} on average against {:.1} for the bot, and at least as well in 95% of games",
                scenario.roles[*role].id,
                plan_text(scenario, plan),
                fixed,
                base
            ));
        }
        SimReport {
            scenario: scenario.id.clone(),
            games,
            seed,
            bots,
            roles,
            moves,
            interactions: scenario
                .interactions
                .iter()
                .zip(interaction_fired)
                .map(|(i, fired)| InteractionStats { id: i.id.clone(), fired, per_game: round2(fired as f64 / n) })
                .collect(),
            events: scenario
                .events
                .iter()
                .zip(event_fired)
                .map(|(e, happened)| EventStats { id: e.id.clone(), happened, per_game: round2(happened as f64 / n) })
                .collect(),
            warnings,
        }
    }

    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ =
            writeln!(out, "scenario {}: {} games, seed {}, bots {:?}", self.scenario, self.games, self.seed, self.bots);
        let _ = writeln!(
            out,
            "\nscores (out of 100)\n  {:<16} {:>6} {:>4} {:>4} {:>4}",
            "role", "mean", "p10", "p50", "p90"
        );
        for r in &self.roles {
            let _ = writeln!(out, "  {:<16} {:>6.1} {:>4} {:>4} {:>4}", r.role, r.mean, r.p10, r.p50, r.p90);
        }
        let _ =
            writeln!(out, "\nmoves\n  {:<34} {:>8} {:>8} {:>9} {:>8}", "move", "orders", "greedy", "success", "games");
        for m in &self.moves {
            let success = if m.chosen == 0 { 0.0 } else { 100.0 * m.succeeded as f64 / m.chosen as f64 };
            let games = 100.0 * m.games as f64 / f64::from(self.games.max(1));
            let name = format!("{}.{}", m.role, m.mv);
            let _ = writeln!(
                out,
                "  {:<34} {:>8} {:>8} {:>8.1}% {:>7.1}%",
                name, m.chosen, m.chosen_by_greedy, success, games
            );
        }
        let _ = writeln!(out, "\ninteractions\n  {:<34} {:>8} {:>9}", "interaction", "fired", "per game");
        for i in &self.interactions {
            let _ = writeln!(out, "  {:<34} {:>8} {:>9.2}", i.id, i.fired, i.per_game);
        }
        let _ = writeln!(out, "\nevents\n  {:<34} {:>8} {:>9}", "event", "happened", "per game");
        for e in &self.events {
            let _ = writeln!(out, "  {:<34} {:>8} {:>9.2}", e.id, e.happened, e.per_game);
        }
        let _ = writeln!(
            out,
            "\nwarnings: {}",
            if self.warnings.is_empty() { "none".to_string() } else { self.warnings.len().to_string() }
        );
        for w in &self.warnings {
            let _ = writeln!(out, "  - {w}");
        }
        out
    }
}
