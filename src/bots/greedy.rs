//! The greedy bot: tries every legal set of orders one round ahead through the engine and keeps
//! the one that scores best for its role.
//!
//! It assumes that the partners of its joint moves play along (as if the deal had been agreed in
//! chat) and that everyone else holds. That makes it a fair stand-in for a student who negotiates
//! but does not plan beyond the round.

use crate::engine::model::Move;
use crate::engine::rng::Rng;
use crate::engine::{available_moves, resolve_round, score_exact, GameState, Order, RoleId, RoundOrders, Scenario};

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
    extend(scenario, &options, 0, scenario.roles[role].action_points, &mut Vec::new(), &mut plans);
    plans
}

fn extend(
    scenario: &Scenario,
    options: &[Order],
    from: usize,
    left: u32,
    current: &mut Vec<Order>,
    plans: &mut Vec<Vec<Order>>,
) {
    for i in from..options.len() {
        let order = options[i];
        let def: &Move = &scenario.moves[order.mv];
        let clash = current
            .iter()
            .any(|o| o.mv == order.mv || (def.choice_of.is_some() && scenario.moves[o.mv].choice_of == def.choice_of));
        if def.cost > left || clash {
            continue;
        }
        current.push(order);
        plans.push(current.clone());
        extend(scenario, options, i + 1, left - def.cost, current, plans);
        current.pop();
    }
}

/// The orders the partners of `plan`'s joint moves would give if they played along.
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
            if !theirs.iter().any(|o| o.mv == *mv) {
                theirs.push(Order { mv: *mv, target });
            }
        }
    }
}

pub fn choose(scenario: &Scenario, state: &GameState, role: RoleId, rng: &mut Rng) -> Vec<Order> {
    let plans = candidate_plans(scenario, state, role);
    // Best score first; among equals, the plan that spends the fewest points (a student does not
    // spend points on a move that changes nothing); then the seed decides.
    let mut best: Vec<usize> = Vec::new();
    let mut best_key = (i64::MIN, i64::MIN);
    let mut orders: RoundOrders = vec![Vec::new(); scenario.roles.len()];
    for (i, plan) in plans.iter().enumerate() {
        for list in orders.iter_mut() {
            list.clear();
        }
        orders[role].extend_from_slice(plan);
        partner_orders(scenario, state, role, plan, &mut orders);
        let (next, _) = resolve_round(scenario, state, &orders);
        let cost: u32 = plan.iter().map(|o| scenario.moves[o.mv].cost).sum();
        let key = (score_exact(scenario, &next.tracks, role), -i64::from(cost));
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
