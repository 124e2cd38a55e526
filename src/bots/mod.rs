//! Bots: policies that choose a role's orders from what that role can see.
//!
//! Bots fill empty seats in class and drive the simulator. They are deterministic: a bot's
//! choice depends only on the scenario, the state, its role and a seed (derived from the game's
//! seed, the round and the role), so a game with bots replays exactly.

mod greedy;
mod random;

use serde::{Deserialize, Serialize};

use crate::engine::{GameState, Order, RoleId, Scenario};

pub use greedy::candidate_plans;

// A simulation's policies are a list with one entry per role.
crate::engine::ids::indexed_by!(RoleId => Policy);

/// How a bot chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    /// Any legal set of orders, drawn at random.
    Random,
    /// The legal set that scores best for its role one round ahead, assuming partners of joint
    /// moves play along and everyone else holds; ties broken by the seed.
    #[default]
    Greedy,
}

impl std::str::FromStr for Policy {
    type Err = String;
    fn from_str(s: &str) -> Result<Policy, String> {
        match s {
            "random" => Ok(Policy::Random),
            "greedy" => Ok(Policy::Greedy),
            other => Err(format!("unknown bot policy `{other}`: use random or greedy")),
        }
    }
}

impl std::fmt::Display for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Policy::Random => "random",
            Policy::Greedy => "greedy",
        })
    }
}

/// The orders a bot of `policy` gives for `role` this round. `seed` is the game's seed.
pub fn choose_orders(scenario: &Scenario, state: &GameState, role: RoleId, policy: Policy, seed: u64) -> Vec<Order> {
    let mut rng = crate::engine::rng::Rng::derive(seed, &[u64::from(state.round), role.index() as u64, policy as u64]);
    match policy {
        Policy::Random => random::choose(scenario, state, role, &mut rng),
        Policy::Greedy => greedy::choose(scenario, state, role, &mut rng),
    }
}
