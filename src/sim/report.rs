//! The simulator's summary, as JSON or as text.

use std::fmt::Write;

use serde::Serialize;

use super::checks::{FixedPlanCheck, PlanKind, RandomSeatCheck, CHECK_GAMES, DOMINANT_SHARE};
use super::figures::{percentile, round2};
use super::BotMix;
use crate::engine::Scenario;
use crate::scenario::describe::paragraph_map;

#[derive(Debug, Serialize)]
pub struct SimReport {
    pub scenario: String,
    pub games: u32,
    pub seed: u64,
    pub bots: BotMix,
    pub roles: Vec<RoleStats>,
    /// Each track's mean value at the end of the game.
    pub tracks: Vec<TrackStats>,
    pub moves: Vec<MoveStats>,
    pub interactions: Vec<InteractionStats>,
    pub events: Vec<EventStats>,
    /// Greedy runs only: per role, the best plan repeated every round, the blind script, and
    /// any other repeated plan that dominates the bot.
    pub fixed_plans: Vec<FixedPlanCheck>,
    /// Greedy runs only: per role, one seat random against greedy opponents.
    pub random_seats: Vec<RandomSeatCheck>,
    pub paragraphs: ParagraphStats,
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct TrackStats {
    pub track: String,
    pub mean: f64,
}

/// How many paragraphs of the source drive a move, an event or an interaction.
#[derive(Debug, Serialize)]
pub struct ParagraphStats {
    pub total: u32,
    pub driving_play: u32,
    /// Paragraphs that drive nothing (an objective may still cite them).
    pub missing: Vec<u32>,
}

/// What the run counted, game by game.
pub(super) struct Counts {
    pub games: u32,
    pub seed: u64,
    pub bots: BotMix,
    pub role_scores: Vec<Vec<u32>>,
    pub moves: Vec<MoveStats>,
    pub interaction_fired: Vec<u64>,
    pub event_fired: Vec<u64>,
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

impl SimReport {
    pub(super) fn build(
        scenario: &Scenario,
        counts: Counts,
        final_tracks: Vec<(String, f64)>,
        fixed_plans: Vec<FixedPlanCheck>,
        random_seats: Vec<RandomSeatCheck>,
    ) -> SimReport {
        let Counts { games, seed, bots, role_scores, moves, interaction_fired, event_fired } = counts;
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
        for c in fixed_plans.iter().filter(|c| c.dominant) {
            let how = match c.kind {
                PlanKind::Every => "every round",
                PlanKind::Script => "as a blind script",
            };
            warnings.push(format!(
                "dominant plan: {} playing `{}` {how} scores {:.1} on average against {:.1} for the bot; at least as well in {:.0}% of games, 3 or more points better in {:.0}% (limit: 3 points and {:.0}%)",
                c.role,
                c.plan,
                c.mean,
                c.bot_mean,
                100.0 * c.at_least,
                100.0 * c.ahead_by_3,
                100.0 * DOMINANT_SHARE
            ));
        }
        for r in random_seats.iter().filter(|r| r.beats_bot) {
            warnings.push(format!(
                "random seat: {} clicking at random scores {:.1} against {:.1} for the bot: its choices do not matter enough",
                r.role, r.random_mean, r.bot_mean
            ));
        }
        let map = paragraph_map(scenario);
        let paragraphs = ParagraphStats {
            total: scenario.source_paragraphs,
            driving_play: map.iter().filter(|p| p.drives_play()).count() as u32,
            missing: map.iter().filter(|p| !p.drives_play()).map(|p| p.paragraph).collect(),
        };
        SimReport {
            scenario: scenario.id.clone(),
            games,
            seed,
            bots,
            roles,
            tracks: final_tracks.into_iter().map(|(track, mean)| TrackStats { track, mean: round2(mean) }).collect(),
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
            fixed_plans,
            random_seats,
            paragraphs,
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
        let _ = writeln!(out, "\ntracks at the end (mean)");
        for t in &self.tracks {
            let _ = writeln!(out, "  {:<34} {:>6.2}", t.track, t.mean);
        }
        if !self.fixed_plans.is_empty() {
            let _ = writeln!(
                out,
                "\nfixed plans against greedy opponents (first {} games; every plan screened on {})",
                CHECK_GAMES.min(self.games as usize),
                super::checks::SCREEN_GAMES
            );
            let _ = writeln!(
                out,
                "  {:<10} {:<6} {:>6} {:>6} {:>6} {:>6} {:>6}  plan",
                "role", "kind", "games", "mean", "bot", ">=bot", ">=+3"
            );
            for c in &self.fixed_plans {
                let kind = match c.kind {
                    PlanKind::Every => "best",
                    PlanKind::Script => "script",
                };
                let _ = writeln!(
                    out,
                    "  {:<10} {:<6} {:>6} {:>6.1} {:>6.1} {:>5.0}% {:>5.0}%  {}{}",
                    c.role,
                    kind,
                    c.games,
                    c.mean,
                    c.bot_mean,
                    100.0 * c.at_least,
                    100.0 * c.ahead_by_3,
                    c.plan,
                    if c.dominant { "  DOMINANT" } else { "" }
                );
            }
        }
        if !self.random_seats.is_empty() {
            let _ = writeln!(out, "\none seat random, the others greedy");
            let _ = writeln!(out, "  {:<10} {:>6} {:>7} {:>6}", "role", "games", "random", "bot");
            for r in &self.random_seats {
                let _ = writeln!(out, "  {:<10} {:>6} {:>7.1} {:>6.1}", r.role, r.games, r.random_mean, r.bot_mean);
            }
        }
        let missing = self.paragraphs.missing.iter().map(|p| format!("¶{p}")).collect::<Vec<_>>().join(" ");
        let _ = writeln!(
            out,
            "\nparagraphs driving a move, event or interaction: {} of {}{}",
            self.paragraphs.driving_play,
            self.paragraphs.total,
            if missing.is_empty() { String::new() } else { format!(" (not: {missing})") }
        );
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
