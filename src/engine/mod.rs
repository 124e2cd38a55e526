//! The rules engine: a pure function from (scenario, state, every role's orders) to the next
//! state and a report of what happened and why.
//!
//! Architecture invariants (checked by `tests/engine_purity.rs`):
//! - no I/O, no clock, no threads, no tokio, no sqlx, no global state; randomness only from the
//!   game's seed through [`rng::Rng`];
//! - the same scenario, seed and orders give the same states, reports and hashes, byte for byte;
//! - nothing about any particular scenario is written here: roles, tracks and moves are data;
//! - illegal orders are outcomes with a reason, never errors or panics.

pub mod expr;
pub mod model;
pub mod order;
pub mod report;
pub mod resolve;
pub mod rng;
pub mod score;
pub mod state;

pub use model::{MoveId, RoleId, Scenario, TargetId, TrackId};
pub use order::{available_moves, check_draft, parse_order, Illegal, Order, RoundOrders};
pub use report::{Line, RoundReport, Status};
pub use resolve::resolve_round;
pub use score::{score, scores};
pub use state::{GameState, InjectError, Phase};
