//! The random bot: a legal set of orders drawn at random.

use crate::engine::rng::Rng;
use crate::engine::{available_moves, check_draft, GameState, Order, RoleId, Scenario};

/// Goes through the role's moves in a shuffled order and keeps each with even odds (on a target
/// drawn at random) when the draft it makes is one the engine accepts (cost, one order per move,
/// one answer per forced choice), so that a random seat never plans what a student could not
/// order.
pub(super) fn choose(scenario: &Scenario, state: &GameState, role: RoleId, rng: &mut Rng) -> Vec<Order> {
    let mut moves = available_moves(scenario, state, role);
    // Fisher–Yates with the bot's own generator.
    for i in (1..moves.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        moves.swap(i, j);
    }
    let mut orders: Vec<Order> = Vec::new();
    for mv in moves {
        if rng.below(2) == 0 {
            continue;
        }
        let targets = &scenario.moves[mv].targets;
        let target = if targets.is_empty() { None } else { Some(targets[rng.below(targets.len() as u64) as usize]) };
        orders.push(Order { mv, target });
        if check_draft(scenario, state, role, &orders).is_err() {
            orders.pop();
        }
    }
    orders
}
