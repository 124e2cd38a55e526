//! The simulator: many games played by bots, summarised for a scenario's author.
//!
//! Same scenario, games, seed and bots ⇒ the same report, byte for byte: games run one after
//! another, each from a seed derived from the run's seed and the game's number.
//!
//! Besides the scores, `simulate` checks that every role has a reason to think (no fixed plan
//! or blind script beats its bot, a random seat does worse than the bot) and counts the
//! paragraphs of the source that drive play; `decide` forces each option of one decision and
//! reports what it is worth over the whole game.

mod checks;
mod decide;
mod figures;
mod report;

use std::collections::BTreeMap;

use crate::bots::{choose_orders, Policy};
use crate::engine::rng::Rng;
use crate::engine::{resolve_round, scores, GameState, Order, RoleId, RoundOrders, RoundReport, Scenario};

pub use checks::{FixedPlanCheck, PlanKind, RandomSeatCheck};
pub use decide::{decide, DecideError, DecideOption, Decision, NamedOrder};
pub use report::{EventStats, InteractionStats, MoveStats, ParagraphStats, RoleStats, SimReport, TrackStats};

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

/// What one seat plays instead of its bot.
#[derive(Debug, Clone, Copy)]
pub enum Seat<'a> {
    /// The same orders every round (an order that is not allowed that round is refused).
    Every(&'a [Order]),
    /// Round r's orders are the script's entry r − 1 (nothing after its end).
    Script(&'a [Vec<Order>]),
    /// These orders in this round; the bot everywhere else.
    At(u32, &'a [Order]),
}

impl Seat<'_> {
    fn orders(&self, round: u32) -> Option<Vec<Order>> {
        match self {
            Seat::Every(plan) => Some(plan.to_vec()),
            Seat::Script(script) => Some(script.get(round as usize - 1).cloned().unwrap_or_default()),
            Seat::At(at, plan) => (*at == round).then(|| plan.to_vec()),
        }
    }
}

/// Every seat's orders this round: the bots', except where `seat` says otherwise.
fn round_orders(
    scenario: &Scenario,
    state: &GameState,
    seed: u64,
    policies: &[Policy],
    seat: Option<(RoleId, Seat)>,
) -> RoundOrders {
    scenario
        .role_ids()
        .map(|role| match seat {
            Some((r, s)) if r == role => {
                s.orders(state.round).unwrap_or_else(|| choose_orders(scenario, state, role, policies[role], seed))
            }
            _ => choose_orders(scenario, state, role, policies[role], seed),
        })
        .collect()
}

/// Plays one game with bots; `fixed` makes one role play the same orders every round.
pub fn play(scenario: &Scenario, seed: u64, policies: &[Policy], fixed: Option<(RoleId, &[Order])>) -> Played {
    play_seat(scenario, seed, policies, fixed.map(|(r, plan)| (r, Seat::Every(plan))))
}

/// Plays one game with bots, one seat (if any) overridden.
pub fn play_seat(scenario: &Scenario, seed: u64, policies: &[Policy], seat: Option<(RoleId, Seat)>) -> Played {
    let mut state = GameState::new(scenario, seed);
    let mut all_orders = Vec::new();
    let mut reports = Vec::new();
    while !state.is_finished() {
        let orders = round_orders(scenario, &state, seed, policies, seat);
        let (next, report) = resolve_round(scenario, &state, &orders);
        all_orders.push(orders);
        reports.push(report);
        state = next;
    }
    Played { scores: scores(scenario, &state.tracks), orders: all_orders, reports, final_state: state }
}

/// Plays a game on from `state` (the same seed as the game it came from) and returns the scores.
pub(crate) fn finish(
    scenario: &Scenario,
    mut state: GameState,
    seed: u64,
    policies: &[Policy],
    seat: Option<(RoleId, Seat)>,
) -> Vec<u32> {
    while !state.is_finished() {
        let orders = round_orders(scenario, &state, seed, policies, seat);
        state = resolve_round(scenario, &state, &orders).0;
    }
    scores(scenario, &state.tracks)
}

/// Runs the simulation and gathers its statistics.
pub fn simulate(scenario: &Scenario, games: u32, seed: u64, mix: BotMix) -> SimReport {
    let roles = scenario.roles.len();
    let mut role_scores: Vec<Vec<u32>> = vec![Vec::new(); roles];
    let mut move_stats: Vec<MoveStats> =
        scenario.moves.iter().map(|m| MoveStats::new(&scenario.roles[m.role].id, &m.id)).collect();
    let mut interaction_fired = vec![0u64; scenario.interactions.len()];
    let mut event_fired = vec![0u64; scenario.events.len()];
    let mut track_sums = vec![0i64; scenario.tracks.len()];
    // How often each greedy seat chose each plan, by role and round (for the blind scripts).
    let mut greedy_plans: Vec<Vec<BTreeMap<Vec<Order>, u64>>> =
        vec![vec![BTreeMap::new(); scenario.rounds.len()]; roles];
    let mut baseline: Vec<checks::Baseline> = Vec::new();

    for index in 0..games {
        let game = game_seed(seed, index);
        let policies = seat_policies(mix, roles, game);
        let played = play(scenario, game, &policies, None);
        for (role, s) in played.scores.iter().enumerate() {
            role_scores[role].push(*s);
        }
        for (sum, value) in track_sums.iter_mut().zip(&played.final_state.tracks) {
            *sum += value;
        }
        let mut seen_in_game = vec![false; scenario.moves.len()];
        for (round, (round_orders, report)) in played.orders.iter().zip(&played.reports).enumerate() {
            for (role, plan) in round_orders.iter().enumerate() {
                if policies[role] == Policy::Greedy {
                    *greedy_plans[role][round].entry(plan.clone()).or_default() += 1;
                    for o in plan {
                        move_stats[o.mv.index()].chosen_by_greedy += 1;
                    }
                }
            }
            for outcome in &report.orders {
                let Some(stats) = move_stats.get_mut(outcome.order.mv.index()) else {
                    continue;
                };
                stats.chosen += 1;
                // Leaving a forced choice to its default is choosing the default.
                if outcome.automatic && policies[outcome.role] == Policy::Greedy {
                    stats.chosen_by_greedy += 1;
                }
                seen_in_game[outcome.order.mv.index()] = true;
                if outcome.status.succeeded() {
                    stats.succeeded += 1;
                }
            }
            for i in &report.interactions {
                interaction_fired[i.interaction.index()] += 1;
            }
            for e in &report.events {
                event_fired[e.event.index()] += 1;
            }
        }
        for (stats, seen) in move_stats.iter_mut().zip(seen_in_game) {
            stats.games += u64::from(seen);
        }
        if (index as usize) < checks::CHECK_GAMES {
            baseline.push(checks::Baseline { seed: game, policies, scores: played.scores });
        }
    }

    // The checks compare one seat's policy with the bot's against greedy opponents, so they
    // only mean something when every seat is greedy.
    let (fixed, random_seats) = if mix == BotMix::Greedy {
        let scripts: Vec<Vec<Vec<Order>>> = greedy_plans
            .iter()
            .map(|by_round| {
                by_round
                    .iter()
                    .map(|plans| {
                        let mut ranked: Vec<(&Vec<Order>, &u64)> = plans.iter().collect();
                        ranked.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
                        ranked.first().map(|(p, _)| (*p).clone()).unwrap_or_default()
                    })
                    .collect()
            })
            .collect();
        (checks::fixed_plans(scenario, &scripts, &baseline), checks::random_seats(scenario, &baseline))
    } else {
        (Vec::new(), Vec::new())
    };
    let final_tracks = scenario
        .tracks
        .iter()
        .zip(track_sums)
        .map(|(t, sum)| (t.id.clone(), sum as f64 / f64::from(games.max(1))))
        .collect();
    SimReport::build(
        scenario,
        report::Counts { games, seed, bots: mix, role_scores, moves: move_stats, interaction_fired, event_fired },
        final_tracks,
        fixed,
        random_seats,
    )
}
