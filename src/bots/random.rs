//! The random bot: a legal set of orders drawn at random.

use crate::engine::rng::Rng;
use crate::engine::{available_moves, GameState, Order, RoleId, Scenario};

pub(super) fn choose(scenario: &Scenario, state: &GameState, role: RoleId, rng: &mut Rng) -> Vec<Order> {
    let mut moves = available_moves(scenario, state, role);
    // Fisher–Yates with the bot's own generator.
    for i in (1..moves.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        moves.swap(i, j);
    }
    let mut left = scenario.roles[role].action_points;
    let mut orders: Vec<Order> = Vec::new();
    for mv in moves {
        let def = &scenario.moves[mv];
        if def.cost > left || rng.below(2) == 0 {
            continue;
        }
        if def.choice_of.is_some() && orders.iter().any(|o| scenario.moves[o.mv].choice_of == def.choice_of) {
            continue;
        }
        let target =
            if def.targets.is_empty() { None } else { Some(def.targets[rng.below(def.targets.len() as u64) as usize]) };
        left -= def.cost;
        orders.push(Order { mv, target });
    }
    orders
}
