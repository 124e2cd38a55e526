//! Whether every role has a reason to think: against greedy opponents, no fixed plan and no
//! blind script should beat the role's bot, and a seat that clicks at random should do worse.

use serde::Serialize;

use super::{figures::plan_text, play_seat, Seat};
use crate::bots::Policy;
use crate::engine::{Order, RoleId, Scenario};

/// How many of the run's first games the checks replay with one seat changed.
pub(super) const CHECK_GAMES: usize = 200;
/// A fixed plan is first tried on this many games, and on all of them only if it is not
/// behind the bot there (a plan 3 points ahead is almost never behind over 25 paired games).
pub(super) const SCREEN_GAMES: usize = 25;
/// A plan dominates when it is at least this many points ahead of the bot on average…
pub(super) const DOMINANT_POINTS: f64 = 3.0;
/// …and at least as good in this share of games (or this many points ahead in this share).
pub(super) const DOMINANT_SHARE: f64 = 0.75;

/// One game of the run, kept so that a check can replay it with one seat changed.
pub(super) struct Baseline {
    pub seed: u64,
    pub policies: Vec<Policy>,
    pub scores: Vec<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanKind {
    /// The same orders every round.
    Every,
    /// Each round's most common greedy plan, played whatever happens.
    Script,
}

/// A plan played by one seat against greedy opponents, compared with that seat's bot on the
/// same games.
#[derive(Debug, Clone, Serialize)]
pub struct FixedPlanCheck {
    pub role: String,
    pub kind: PlanKind,
    pub plan: String,
    pub games: usize,
    pub mean: f64,
    pub bot_mean: f64,
    /// Share of games in which the plan scored at least as well as the bot.
    pub at_least: f64,
    /// Share of games in which it scored 3 points or more above the bot.
    pub ahead_by_3: f64,
    pub dominant: bool,
}

/// One seat random, the others greedy, against the same games with the seat greedy.
#[derive(Debug, Clone, Serialize)]
pub struct RandomSeatCheck {
    pub role: String,
    pub games: usize,
    pub random_mean: f64,
    pub bot_mean: f64,
    /// The random seat did at least as well as the bot on average: the role's choices do not matter.
    pub beats_bot: bool,
}

struct Tally {
    games: usize,
    sum: u64,
    bot_sum: u64,
    at_least: usize,
    ahead_by_3: usize,
}

fn tally(scenario: &Scenario, role: RoleId, seat: Seat, baseline: &[Baseline]) -> Tally {
    let mut t = Tally { games: 0, sum: 0, bot_sum: 0, at_least: 0, ahead_by_3: 0 };
    for game in baseline {
        let played = play_seat(scenario, game.seed, &game.policies, Some((role, seat)));
        let (f, b) = (played.scores[role], game.scores[role]);
        t.games += 1;
        t.sum += u64::from(f);
        t.bot_sum += u64::from(b);
        t.at_least += usize::from(f >= b);
        t.ahead_by_3 += usize::from(f >= b + 3);
    }
    t
}

fn check(scenario: &Scenario, role: RoleId, kind: PlanKind, plan: String, t: &Tally) -> FixedPlanCheck {
    let n = t.games.max(1) as f64;
    let (mean, bot_mean) = (t.sum as f64 / n, t.bot_sum as f64 / n);
    let (at_least, ahead_by_3) = (t.at_least as f64 / n, t.ahead_by_3 as f64 / n);
    let dominant = (mean >= bot_mean + DOMINANT_POINTS && at_least >= DOMINANT_SHARE) || ahead_by_3 >= DOMINANT_SHARE;
    FixedPlanCheck {
        role: scenario.roles[role].id.clone(),
        kind,
        plan,
        games: t.games,
        mean: super::figures::round2(mean),
        bot_mean: super::figures::round2(bot_mean),
        at_least: super::figures::round2(at_least),
        ahead_by_3: super::figures::round2(ahead_by_3),
        dominant,
    }
}

/// Every plan a role could repeat each round: every set of its moves (and targets) within its
/// action points, whatever the round allows (an order the round does not allow is refused and
/// costs nothing, as in play).
pub(super) fn every_plan(scenario: &Scenario, role: RoleId) -> Vec<Vec<Order>> {
    let mut options: Vec<Order> = Vec::new();
    for (mv, def) in scenario.moves_of(role) {
        if def.targets.is_empty() {
            options.push(Order { mv, target: None });
        } else {
            options.extend(def.targets.iter().map(|t| Order { mv, target: Some(*t) }));
        }
    }
    let mut plans = Vec::new();
    combine(scenario, &options, 0, scenario.roles[role].action_points, &mut Vec::new(), &mut plans);
    plans
}

fn combine(
    scenario: &Scenario,
    options: &[Order],
    from: usize,
    left: u32,
    current: &mut Vec<Order>,
    plans: &mut Vec<Vec<Order>>,
) {
    for i in from..options.len() {
        let order = options[i];
        let def = &scenario.moves[order.mv];
        let clash = current
            .iter()
            .any(|o| o.mv == order.mv || (def.choice_of.is_some() && scenario.moves[o.mv].choice_of == def.choice_of));
        if def.cost > left || clash {
            continue;
        }
        current.push(order);
        plans.push(current.clone());
        combine(scenario, options, i + 1, left - def.cost, current, plans);
        current.pop();
    }
}

/// For each role: the best plan repeated every round and its blind script, plus every other
/// repeated plan that dominates.
pub(super) fn fixed_plans(
    scenario: &Scenario,
    scripts: &[Vec<Vec<Order>>],
    baseline: &[Baseline],
) -> Vec<FixedPlanCheck> {
    let mut out = Vec::new();
    if baseline.is_empty() {
        return out;
    }
    let screen = &baseline[..SCREEN_GAMES.min(baseline.len())];
    for role in scenario.role_ids() {
        let mut best: Option<FixedPlanCheck> = None;
        let mut dominant = Vec::new();
        for plan in every_plan(scenario, role) {
            let first = tally(scenario, role, Seat::Every(&plan), screen);
            let t = if first.sum >= first.bot_sum && baseline.len() > screen.len() {
                let rest = tally(scenario, role, Seat::Every(&plan), &baseline[screen.len()..]);
                Tally {
                    games: first.games + rest.games,
                    sum: first.sum + rest.sum,
                    bot_sum: first.bot_sum + rest.bot_sum,
                    at_least: first.at_least + rest.at_least,
                    ahead_by_3: first.ahead_by_3 + rest.ahead_by_3,
                }
            } else {
                first
            };
            let c = check(scenario, role, PlanKind::Every, plan_text(scenario, &plan), &t);
            // Compare plans on the same footing: more games first, then the mean.
            let better = best.as_ref().is_none_or(|b| (c.games, c.mean - c.bot_mean) > (b.games, b.mean - b.bot_mean));
            if c.dominant {
                dominant.push(c.clone());
            }
            if better {
                best = Some(c);
            }
        }
        if let Some(b) = best {
            dominant.retain(|d| d.plan != b.plan);
            out.push(b);
        }
        out.extend(dominant);
        if let Some(script) = scripts.get(role.index()) {
            let text = script.iter().map(|p| plan_text(scenario, p)).collect::<Vec<_>>().join(" | ");
            let t = tally(scenario, role, Seat::Script(script), baseline);
            out.push(check(scenario, role, PlanKind::Script, text, &t));
        }
    }
    out
}

/// For each role: its seat random, the others greedy, against the same games.
pub(super) fn random_seats(scenario: &Scenario, baseline: &[Baseline]) -> Vec<RandomSeatCheck> {
    scenario
        .role_ids()
        .map(|role| {
            let (mut sum, mut bot_sum) = (0u64, 0u64);
            for game in baseline {
                let mut policies = game.policies.clone();
                policies[role] = Policy::Random;
                let played = play_seat(scenario, game.seed, &policies, None);
                sum += u64::from(played.scores[role]);
                bot_sum += u64::from(game.scores[role]);
            }
            let n = baseline.len().max(1) as f64;
            let (random_mean, bot_mean) = (sum as f64 / n, bot_sum as f64 / n);
            RandomSeatCheck {
                role: scenario.roles[role].id.clone(),
                games: baseline.len(),
                random_mean: super::figures::round2(random_mean),
                bot_mean: super::figures::round2(bot_mean),
                beats_bot: random_mean >= bot_mean,
            }
        })
        .collect()
}
