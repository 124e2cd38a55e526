//! Orders and their legality.
//!
//! Invariant: the same rules judge an order when a player drafts it (the server refuses it with a
//! stable code) and when the round resolves (it becomes an `Illegal` outcome with the same
//! reason), so a draft that was accepted never turns illegal at resolution unless the round's
//! situation changed (an injected event, say).

use serde::{Deserialize, Serialize};

use super::ids::{Lookup, MoveId, RoleId, TargetId};
use super::model::Scenario;
use super::state::GameState;

/// One move a role orders, possibly aimed at a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Order {
    pub mv: MoveId,
    pub target: Option<TargetId>,
}

/// Every role's orders for one round, by role index. A missing or empty list means "hold".
pub type RoundOrders = Vec<Vec<Order>>;

super::ids::indexed_by!(RoleId => Vec<Order>);

/// Why an order cannot be carried out. Each has a stable code for the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Illegal {
    UnknownMove,
    NotYourRole,
    NotAvailable,
    TooManyPoints {
        cost: u32,
        left: u32,
    },
    MissingTarget,
    InvalidTarget,
    #[serde(rename = "duplicate_move")]
    Duplicate,
    ChoiceAlreadyMade,
    GameOver,
}

impl Illegal {
    /// The stable snake_case code used on the wire.
    pub fn code(&self) -> &'static str {
        match self {
            Illegal::UnknownMove => "unknown_move",
            Illegal::NotYourRole => "not_your_role",
            Illegal::NotAvailable => "not_available",
            Illegal::TooManyPoints { .. } => "too_many_points",
            Illegal::MissingTarget => "missing_target",
            Illegal::InvalidTarget => "invalid_target",
            Illegal::Duplicate => "duplicate_move",
            Illegal::ChoiceAlreadyMade => "choice_already_made",
            Illegal::GameOver => "game_over",
        }
    }

    /// One line a student can act on.
    pub fn explain(&self) -> String {
        match self {
            Illegal::UnknownMove => "this scenario has no such move".to_string(),
            Illegal::NotYourRole => "that move belongs to another role".to_string(),
            Illegal::NotAvailable => "that move cannot be ordered this round".to_string(),
            Illegal::TooManyPoints { cost, left } => {
                format!("it costs {cost} action point(s) but only {left} were left")
            }
            Illegal::MissingTarget => "that move needs a target".to_string(),
            Illegal::InvalidTarget => "that move cannot be aimed at that target".to_string(),
            Illegal::Duplicate => "the same move was ordered twice".to_string(),
            Illegal::ChoiceAlreadyMade => "only one answer to this event's choice may be given".to_string(),
            Illegal::GameOver => "the game is over".to_string(),
        }
    }
}

/// Whether the move may be ordered by its role in this round, judged before anyone orders.
pub fn is_available(scenario: &Scenario, state: &GameState, mv: MoveId) -> bool {
    let Some(def) = scenario.moves.lookup(mv) else {
        return false;
    };
    if let Some(event) = def.choice_of {
        if !state.events.contains(&event) {
            return false;
        }
    }
    match &def.available {
        None => true,
        Some(cond) => cond.truth(state),
    }
}

/// The moves a role may order this round, in scenario order.
pub fn available_moves(scenario: &Scenario, state: &GameState, role: RoleId) -> Vec<MoveId> {
    if state.is_finished() {
        return Vec::new();
    }
    scenario.moves_of(role).map(|(id, _)| id).filter(|id| is_available(scenario, state, *id)).collect()
}

/// Judges a role's orders in the order given: each is legal, or illegal with a reason.
/// An illegal order spends no action points.
pub fn judge(scenario: &Scenario, state: &GameState, role: RoleId, orders: &[Order]) -> Vec<Result<(), Illegal>> {
    let mut left = scenario.roles.lookup(role).map_or(0, |r| r.action_points);
    let mut taken: Vec<MoveId> = Vec::with_capacity(orders.len());
    orders
        .iter()
        .map(|order| {
            let verdict = judge_one(scenario, state, role, order, left, &taken);
            if verdict.is_ok() {
                left -= scenario.moves[order.mv].cost;
                taken.push(order.mv);
            }
            verdict
        })
        .collect()
}

fn judge_one(
    scenario: &Scenario,
    state: &GameState,
    role: RoleId,
    order: &Order,
    left: u32,
    taken: &[MoveId],
) -> Result<(), Illegal> {
    if state.is_finished() {
        return Err(Illegal::GameOver);
    }
    let def = scenario.moves.lookup(order.mv).ok_or(Illegal::UnknownMove)?;
    if def.role != role {
        return Err(Illegal::NotYourRole);
    }
    if !is_available(scenario, state, order.mv) {
        return Err(Illegal::NotAvailable);
    }
    if taken.contains(&order.mv) {
        return Err(Illegal::Duplicate);
    }
    if let Some(event) = def.choice_of {
        let answered = taken.iter().any(|m| scenario.moves[*m].choice_of == Some(event));
        if answered {
            return Err(Illegal::ChoiceAlreadyMade);
        }
    }
    match (def.targets.is_empty(), order.target) {
        (true, None) => {}
        (true, Some(_)) => return Err(Illegal::InvalidTarget),
        (false, None) => return Err(Illegal::MissingTarget),
        (false, Some(t)) if !def.targets.contains(&t) => return Err(Illegal::InvalidTarget),
        (false, Some(_)) => {}
    }
    if def.cost > left {
        return Err(Illegal::TooManyPoints { cost: def.cost, left });
    }
    Ok(())
}

/// The first problem with a draft, if any: what the server answers to `set_orders`.
pub fn check_draft(scenario: &Scenario, state: &GameState, role: RoleId, orders: &[Order]) -> Result<(), Illegal> {
    judge(scenario, state, role, orders).into_iter().find_map(Result::err).map_or(Ok(()), Err)
}

/// Reads an order as a client names it (`move` id of the role, optional `target` id).
/// A move id that only another role has is `NotYourRole`; an unknown id is `UnknownMove`.
pub fn parse_order(scenario: &Scenario, role: RoleId, move_id: &str, target: Option<&str>) -> Result<Order, Illegal> {
    let mv = match scenario.move_index(role, move_id) {
        Some(mv) => mv,
        None if scenario.moves.iter().any(|m| m.id == move_id) => return Err(Illegal::NotYourRole),
        None => return Err(Illegal::UnknownMove),
    };
    let target = match target {
        None => None,
        Some(t) => Some(scenario.target_index(t).ok_or(Illegal::InvalidTarget)?),
    };
    Ok(Order { mv, target })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::{calm, fixture, order};

    #[test]
    fn points_are_spent_in_the_order_given_and_illegal_orders_spend_none() {
        let sc = fixture();
        let state = calm(&sc);
        let north = sc.role_index("north").expect("north");
        let bad = Order { mv: MoveId::new(usize::MAX), target: None };
        let ship = order(&sc, "north", "build_ship", None);
        let visit = order(&sc, "north", "visit", Some("south"));
        let verdicts = judge(&sc, &state, north, &[bad, ship, visit]);
        assert_eq!(verdicts, vec![Err(Illegal::UnknownMove), Ok(()), Err(Illegal::TooManyPoints { cost: 1, left: 0 })]);
    }

    #[test]
    fn a_draft_reports_its_first_problem() {
        let sc = fixture();
        let state = calm(&sc);
        let north = sc.role_index("north").expect("north");
        let visit = order(&sc, "north", "visit", Some("south"));
        assert_eq!(check_draft(&sc, &state, north, &[visit, visit]), Err(Illegal::Duplicate));
        assert_eq!(check_draft(&sc, &state, north, &[visit]), Ok(()));
        assert_eq!(check_draft(&sc, &state, north, &[]), Ok(()));
    }

    #[test]
    fn orders_are_parsed_by_the_role_that_gives_them() {
        let sc = fixture();
        let north = sc.role_index("north").expect("north");
        assert_eq!(parse_order(&sc, north, "protest", None), Err(Illegal::NotYourRole));
        assert_eq!(parse_order(&sc, north, "fly", None), Err(Illegal::UnknownMove));
        assert_eq!(parse_order(&sc, north, "visit", Some("atlantis")), Err(Illegal::InvalidTarget));
        assert!(parse_order(&sc, north, "visit", Some("lighthouse")).is_ok());
    }

    #[test]
    fn availability_follows_rounds_and_events() {
        let sc = fixture();
        let mut state = calm(&sc);
        let north = sc.role_index("north").expect("north");
        let east = sc.role_index("east").expect("east");
        let gambit = sc.move_index(north, "late_gambit").expect("move");
        let vote = sc.move_index(east, "vote_yes").expect("move");
        assert!(!available_moves(&sc, &state, north).contains(&gambit));
        assert!(!available_moves(&sc, &state, east).contains(&vote));
        state.round = 2;
        state.events.push(sc.event_index("vote").expect("event"));
        assert!(available_moves(&sc, &state, north).contains(&gambit));
        assert!(available_moves(&sc, &state, east).contains(&vote));
    }

    #[test]
    fn every_illegal_reason_has_a_code_and_a_sentence() {
        let all = [
            Illegal::UnknownMove,
            Illegal::NotYourRole,
            Illegal::NotAvailable,
            Illegal::TooManyPoints { cost: 2, left: 1 },
            Illegal::MissingTarget,
            Illegal::InvalidTarget,
            Illegal::Duplicate,
            Illegal::ChoiceAlreadyMade,
            Illegal::GameOver,
        ];
        let codes: std::collections::BTreeSet<&str> = all.iter().map(Illegal::code).collect();
        assert_eq!(codes.len(), all.len());
        assert!(all.iter().all(|i| !i.explain().is_empty()));
        // Serialized (the CLI's JSON report), a reason's tag is its wire code.
        for reason in all {
            let json = serde_json::to_value(reason).expect("serializes");
            assert_eq!(json["code"], reason.code(), "{reason:?}");
        }
    }
}
