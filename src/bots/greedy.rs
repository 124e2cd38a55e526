//! The greedy bot: tries every legal set of orders through the engine and keeps the one that
//! scores best for its role at the end of the game.
//!
//! It looks one step ahead of a naive player in two ways, so that it is a fair benchmark for a
//! student who thinks about the other tables and about later rounds:
//! - the others: it expects each other role to play that role's own best plan for this round
//!   (judged as if everyone else held), so a guest turned away or a squeeze that comes anyway
//!   is priced in; the partners of its own joint moves play along (as if agreed in chat) when
//!   the deal leaves them no worse off this round;
//! - later rounds: after this round it plays the game out with every role holding, so effects
//!   that pay off later (a slow programme, a threshold crossed next round) count.
//!
//! It still does not plan its own later moves or expect the others to react to it.

use crate::engine::rng::Rng;
use crate::engine::{
    available_moves, check_draft, resolve_round, score_exact, GameState, Order, RoleId, RoundOrders, Scenario,
};

/// Every legal set of orders for the role this round, the empty set ("hold") first.
pub fn candidate_plans(scenario: &Scenario, state: &GameState, role: RoleId) -> Vec<Vec<Order>> {
    let mut options: Vec<Order> = Vec::new();
    for mv in available_moves(scenario, state, role) {
        let def = &scenario.moves[mv];
        if def.targets.is_empty() {
            options.push(Order { mv, target: None });
        } else {
            options.extend(def.targets.iter().map(|t| Order { mv, target: Some(*t) }));
        }
    }
    let mut plans = vec![Vec::new()];
    let plan = Plan { scenario, state, role, options: &options };
    plan.extend(0, &mut Vec::new(), &mut plans);
    plans
}

/// What `candidate_plans` enumerates: sets of the options, in their order, that the engine's own
/// rules accept as a draft (cost, one order per move, one answer per forced choice), so that a
/// bot never plans what a student could not order.
struct Plan<'a> {
    scenario: &'a Scenario,
    state: &'a GameState,
    role: RoleId,
    options: &'a [Order],
}

impl Plan<'_> {
    fn extend(&self, from: usize, current: &mut Vec<Order>, plans: &mut Vec<Vec<Order>>) {
        for i in from..self.options.len() {
            current.push(self.options[i]);
            // A set the engine refuses stays refused with more orders: nothing to extend.
            if check_draft(self.scenario, self.state, self.role, current).is_ok() {
                plans.push(current.clone());
                self.extend(i + 1, current, plans);
            }
            current.pop();
        }
    }
}

/// The orders the partners of `plan`'s joint moves would give if they played along.
/// (When a partner has several matching moves, the first listed is the one it plays.)
fn partner_orders(scenario: &Scenario, state: &GameState, role: RoleId, plan: &[Order], orders: &mut RoundOrders) {
    for order in plan {
        let Some(joint) = &scenario.moves[order.mv].joint else {
            continue;
        };
        for partner in &joint.partners {
            let partner_role = partner.role.or_else(|| order.target.and_then(|t| scenario.targets[t].role));
            let Some(partner_role) = partner_role else {
                continue;
            };
            let Some((_, mv)) = partner.moves.iter().find(|(r, _)| *r == partner_role) else {
                continue;
            };
            if !crate::engine::order::is_available(scenario, state, *mv) {
                continue;
            }
            let def = &scenario.moves[*mv];
            let me = scenario.role_target(role);
            let target = if def.targets.is_empty() { None } else { def.targets.contains(&me).then_some(me) };
            if !def.targets.is_empty() && target.is_none() {
                continue;
            }
            let theirs = &mut orders[partner_role];
            // First, so that it is paid for: a partner who agreed drops something else.
            let order = match theirs.iter().position(|o| o.mv == *mv) {
                Some(at) => theirs.remove(at),
                None => Order { mv: *mv, target },
            };
            theirs.insert(0, order);
        }
    }
}

/// The plan that scores best for `role` one round ahead when everyone else holds (the fewest
/// points among equals, then the seed decides): what the bot expects a role to play. The seed
/// matters: a role torn between two equal offers is not assumed to pick the same one every game.
fn myopic(scenario: &Scenario, state: &GameState, role: RoleId, orders: &mut RoundOrders, rng: &mut Rng) -> Vec<Order> {
    let plans = candidate_plans(scenario, state, role);
    let mut best: Vec<usize> = Vec::new();
    let mut best_key = (i64::MIN, i64::MIN);
    for (i, plan) in plans.iter().enumerate() {
        orders.iter_mut().for_each(Vec::clear);
        orders[role].extend_from_slice(plan);
        partner_orders(scenario, state, role, plan, orders);
        let (next, _) = resolve_round(scenario, state, orders);
        let key = (score_exact(scenario, &next.tracks, role), -i64::from(plan_cost(scenario, plan)));
        if key > best_key {
            best_key = key;
            best.clear();
        }
        if key == best_key {
            best.push(i);
        }
    }
    let pick = if best.is_empty() { 0 } else { best[rng.below(best.len() as u64) as usize] };
    plans.into_iter().nth(pick).unwrap_or_default()
}

fn plan_cost(scenario: &Scenario, plan: &[Order]) -> u32 {
    plan.iter().map(|o| scenario.moves[o.mv].cost).sum()
}

/// The tracks at the end of the game if, after `state`, every role holds.
fn held_to_the_end(scenario: &Scenario, mut state: GameState, hold: &RoundOrders) -> Vec<i64> {
    while !state.is_finished() {
        state = resolve_round(scenario, &state, hold).0;
    }
    state.tracks
}

pub(super) fn choose(scenario: &Scenario, state: &GameState, role: RoleId, rng: &mut Rng) -> Vec<Order> {
    let roles = scenario.roles.len();
    let mut scratch: RoundOrders = vec![Vec::new(); roles];
    let expected: RoundOrders = scenario
        .role_ids()
        .map(|r| if r == role { Vec::new() } else { myopic(scenario, state, r, &mut scratch, rng) })
        .collect();
    let hold: RoundOrders = vec![Vec::new(); roles];
    // Where the game ends if this role holds and the others play as expected: a partner agrees
    // to a joint move only if the deal leaves it no worse off than that (a deal that hurts them
    // is not made in chat).
    let baseline = held_to_the_end(scenario, resolve_round(scenario, state, &expected).0, &hold);
    let plans = candidate_plans(scenario, state, role);
    // Best score first; among equals, the plan that spends the fewest points (a student does not
    // spend points on a move that changes nothing); then the seed decides.
    let mut best: Vec<usize> = Vec::new();
    let mut best_key = (i64::MIN, i64::MIN);
    let mut orders: RoundOrders = expected.clone();
    for (i, plan) in plans.iter().enumerate() {
        for (list, theirs) in orders.iter_mut().zip(&expected) {
            list.clone_from(theirs);
        }
        orders[role].clone_from(plan);
        partner_orders(scenario, state, role, plan, &mut orders);
        let mut end = held_to_the_end(scenario, resolve_round(scenario, state, &orders).0, &hold);
        let partners: Vec<RoleId> = scenario.role_ids().filter(|r| *r != role && orders[*r] != expected[*r]).collect();
        let mut declined = false;
        for partner in partners {
            if score_exact(scenario, &end, partner) <= score_exact(scenario, &baseline, partner) {
                orders[partner].clone_from(&expected[partner]);
                declined = true;
            }
        }
        if declined {
            end = held_to_the_end(scenario, resolve_round(scenario, state, &orders).0, &hold);
        }
        let key = (score_exact(scenario, &end, role), -i64::from(plan_cost(scenario, plan)));
        if key > best_key {
            best_key = key;
            best.clear();
        }
        if key == best_key {
            best.push(i);
        }
    }
    let pick = best[rng.below(best.len() as u64) as usize];
    plans[pick].clone()
}
