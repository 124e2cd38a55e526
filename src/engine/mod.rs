//! The rules engine: a pure function from (scenario, state, every role's orders) to the next
//! state and a report of what happened and why.
//!
//! Architecture invariants (checked by `tests/it/engine_purity.rs`):
//! - no I/O, no clock, no threads, no tokio, no sqlx, no global state; randomness only from the
//!   game's seed through [`rng::Rng`];
//! - the same scenario, seed and orders give the same states, reports and hashes, byte for byte;
//! - nothing about any particular scenario is written here: roles, tracks and moves are data;
//! - illegal orders are outcomes with a reason, never errors or panics.

pub mod expr;
pub mod ids;
pub mod model;
pub mod order;
pub mod report;
pub mod resolve;
pub mod rng;
pub mod score;
pub mod state;

pub use ids::{EventId, InteractionId, Lookup, MoveId, RoleId, TargetId, TrackId};
pub use model::Scenario;
pub use order::{available_moves, check_draft, parse_order, Illegal, Order, RoundOrders};
pub use report::{RoundReport, Status};
pub use resolve::resolve_round;
pub use score::{score, score_exact, scores};
pub use state::{GameState, InjectError, Phase};

#[cfg(test)]
pub(crate) mod testing {
    //! The rules fixture (`tests/fixtures/rules.toml`), shared by the engine's unit tests.
    use super::{GameState, Order, RoundOrders, Scenario};

    pub(crate) fn fixture() -> Scenario {
        crate::scenario::parse("rules.toml", include_str!("../../tests/fixtures/rules.toml")).expect("fixture is valid")
    }

    /// A start state with no events in play, so tests are not at the mercy of the seed.
    pub(crate) fn calm(sc: &Scenario) -> GameState {
        let mut state = GameState::new(sc, 1);
        state.events.clear();
        state
    }

    /// `("north", "visit", Some("south"))` → an order.
    pub(crate) fn order(sc: &Scenario, role: &str, mv: &str, target: Option<&str>) -> Order {
        let role = sc.role_index(role).expect("role");
        super::parse_order(sc, role, mv, target).expect("order")
    }

    pub(crate) fn orders(sc: &Scenario, list: &[(&str, &str, Option<&str>)]) -> RoundOrders {
        let mut out: RoundOrders = vec![Vec::new(); sc.roles.len()];
        for (role, mv, target) in list {
            let r = sc.role_index(role).expect("role");
            out[r.index()].push(order(sc, role, mv, *target));
        }
        out
    }

    pub(crate) fn track(sc: &Scenario, state: &GameState, id: &str) -> i64 {
        state.tracks[sc.track_index(id).expect("track").index()]
    }
}
