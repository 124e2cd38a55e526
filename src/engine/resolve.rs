//! Resolving one round from every role's orders at once.
//!
//! The steps, each simultaneous within itself so that no role's orders are "first":
//! 1. judge every order (illegal ones become outcomes); fill in unanswered forced choices;
//! 2. joint moves succeed when their partners ordered the matching move (with this role as
//!    target, if the matching move takes one); `requires` conditions are then checked;
//! 3. the round's events and the moves' effects, all computed on the state at the start of the
//!    round, are summed and applied, each track clamped to its range;
//! 4. interactions are judged on that new state and the round's orders and successes; their
//!    effects are summed and applied, clamped again;
//! 5. the round advances and the next round's events are drawn from the game's RNG.

use super::expr::Context;
use super::ids::{EventId, InteractionId, Lookup, MoveId, RoleId, TargetId, TrackId};
use super::model::{Effect, Move, Scenario};
use super::order::{judge, Order, RoundOrders};
use super::report::{Delta, EventOutcome, InteractionOutcome, OrderOutcome, RoundReport, Status};
use super::state::{GameState, Phase};

/// What conditions read during resolution.
struct InRound<'a> {
    tracks: &'a [i64],
    round: u32,
    events: &'a [EventId],
    ordered: &'a [Order],
    succeeded: &'a [Order],
}

fn matches(orders: &[Order], mv: MoveId, target: Option<TargetId>) -> bool {
    orders.iter().any(|o| o.mv == mv && (target.is_none() || o.target == target))
}

impl Context for InRound<'_> {
    fn track(&self, track: TrackId) -> i64 {
        self.tracks.get(track.index()).copied().unwrap_or(0)
    }
    fn round(&self) -> i64 {
        i64::from(self.round)
    }
    fn ordered(&self, mv: MoveId, target: Option<TargetId>) -> bool {
        matches(self.ordered, mv, target)
    }
    fn succeeded(&self, mv: MoveId, target: Option<TargetId>) -> bool {
        matches(self.succeeded, mv, target)
    }
    fn event_active(&self, event: EventId) -> bool {
        self.events.contains(&event)
    }
}

fn deltas(effects: &[Effect], ctx: &dyn Context) -> Vec<Delta> {
    effects.iter().map(|e| Delta { track: e.track, amount: e.amount.int(ctx) }).collect()
}

/// Adds every delta to its track, then clamps each track once: the deltas of one step are
/// simultaneous, so their order never matters. `sums` is scratch space (one slot per track).
fn apply<'d>(scenario: &Scenario, tracks: &mut [i64], sums: &mut [i64], all: impl Iterator<Item = &'d Delta>) {
    sums.iter_mut().for_each(|s| *s = 0);
    for d in all {
        if let Some(sum) = sums.get_mut(d.track.index()) {
            *sum = sum.saturating_add(d.amount);
        }
    }
    for ((value, sum), def) in tracks.iter_mut().zip(sums.iter()).zip(&scenario.tracks) {
        *value = def.clamp(value.saturating_add(*sum));
    }
}

/// A legal order waiting for its verdict.
struct Pending {
    role: RoleId,
    /// Its place in the role's list (automatic orders come last), so the report keeps the
    /// order in which the player gave them.
    position: usize,
    order: Order,
    automatic: bool,
}

/// Resolves the current round. Never panics, whatever the orders: an order the rules do not
/// allow becomes an `Illegal` outcome, and a finished game returns unchanged.
///
/// The steps, each a function below; within a step everything is simultaneous:
/// 1. judge every order, and answer for a role the forced choices it left open;
/// 2. joint moves (did the partners come?), then `requires` conditions;
/// 3. events' and moves' effects, computed on the state at the start of the round, summed, clamped;
/// 4. interactions, judged on that new state, summed, clamped;
/// 5. the next round (or the end), with its events drawn.
pub fn resolve_round(scenario: &Scenario, state: &GameState, orders: &RoundOrders) -> (GameState, RoundReport) {
    let (illegal, mut pending) = judge_all(scenario, state, orders);
    if state.is_finished() {
        let report = RoundReport {
            round: state.round,
            events: Vec::new(),
            orders: illegal.into_iter().map(|(_, o)| o).collect(),
            interactions: Vec::new(),
            tracks_before: state.tracks.clone(),
            tracks_after: state.tracks.clone(),
        };
        return (state.clone(), report);
    }
    answer_forced_choices(scenario, state, &mut pending);
    let ordered: Vec<Order> = pending.iter().map(|p| p.order).collect();

    let partner_missing: Vec<Vec<RoleId>> = pending.iter().map(|p| missing_partners(scenario, &pending, p)).collect();
    let joined: Vec<Order> = pending
        .iter()
        .zip(&partner_missing)
        .filter(|(p, missing)| joint_holds(&scenario.moves[p.order.mv], missing))
        .map(|(p, _)| p.order)
        .collect();
    let start = InRound {
        tracks: &state.tracks,
        round: state.round,
        events: &state.events,
        ordered: &ordered,
        succeeded: &joined,
    };
    let statuses = verdicts(scenario, &pending, partner_missing, &start);

    let event_outcomes: Vec<EventOutcome> = state
        .events
        .iter()
        .map(|&event| EventOutcome { event, effects: deltas(&scenario.events[event].effects, &start) })
        .collect();
    let outcomes = order_outcomes(scenario, illegal, pending, statuses, &start);
    let mut tracks = state.tracks.clone();
    let mut sums = vec![0i64; tracks.len()];
    let first = event_outcomes.iter().flat_map(|e| &e.effects).chain(outcomes.iter().flat_map(|o| &o.effects));
    apply(scenario, &mut tracks, &mut sums, first);

    let interaction_outcomes = interactions(scenario, state, &tracks, &ordered, &outcomes);
    apply(scenario, &mut tracks, &mut sums, interaction_outcomes.iter().flat_map(|i| &i.effects));

    let next = next_round(scenario, state, &tracks, &interaction_outcomes);
    let report = RoundReport {
        round: state.round,
        events: event_outcomes,
        orders: outcomes,
        interactions: interaction_outcomes,
        tracks_before: state.tracks.clone(),
        tracks_after: tracks,
    };
    (next, report)
}

/// Step 1: every role's orders judged, role by role in scenario order, each role's list in its
/// own order. The illegal ones are outcomes already (with their place in the list); the legal
/// ones wait for their verdict.
fn judge_all(
    scenario: &Scenario,
    state: &GameState,
    orders: &RoundOrders,
) -> (Vec<(usize, OrderOutcome)>, Vec<Pending>) {
    let mut illegal = Vec::new();
    let mut pending = Vec::new();
    let empty = Vec::new();
    for role in scenario.role_ids() {
        let list = orders.get(role.index()).unwrap_or(&empty);
        for (position, (order, verdict)) in list.iter().zip(judge(scenario, state, role, list)).enumerate() {
            match verdict {
                Ok(()) => pending.push(Pending { role, position, order: *order, automatic: false }),
                Err(reason) => {
                    let status = Status::Illegal { reason };
                    let outcome = OrderOutcome { role, order: *order, status, effects: Vec::new(), automatic: false };
                    illegal.push((position, outcome));
                }
            }
        }
    }
    (illegal, pending)
}

/// Step 1, end: an event in play that forces a choice on a role which ordered none of its
/// answers gets the default answer, ordered for that role.
fn answer_forced_choices(scenario: &Scenario, state: &GameState, pending: &mut Vec<Pending>) {
    for &event in &state.events {
        if let Some(choice) = &scenario.events[event].choice {
            let answered = pending.iter().any(|p| p.role == choice.role && choice.moves.contains(&p.order.mv));
            if !answered {
                let order = Order { mv: choice.default, target: None };
                pending.push(Pending { role: choice.role, position: usize::MAX, order, automatic: true });
            }
        }
    }
}

/// Step 2: each legal order's verdict. A joint move whose partners did not come fails first; then
/// a move's `requires`, judged at the start of the round (it may ask whether a joint move came
/// together, which `start` knows).
fn verdicts(
    scenario: &Scenario,
    pending: &[Pending],
    partner_missing: Vec<Vec<RoleId>>,
    start: &InRound,
) -> Vec<Status> {
    pending
        .iter()
        .zip(partner_missing)
        .map(|(p, missing)| {
            let def = &scenario.moves[p.order.mv];
            if !joint_holds(def, &missing) {
                Status::PartnerMissing { partners: missing }
            } else if def.requires.as_ref().is_some_and(|c| !c.truth(start)) {
                Status::ConditionNotMet
            } else {
                Status::Succeeded
            }
        })
        .collect()
}

/// Step 3: every order's outcome with its effects (a success's, plus those for its target; a
/// failure's `on_fail`), computed at the start of the round, in role order and, within a role,
/// in the order given (answers to forced choices last).
fn order_outcomes(
    scenario: &Scenario,
    illegal: Vec<(usize, OrderOutcome)>,
    pending: Vec<Pending>,
    statuses: Vec<Status>,
    start: &InRound,
) -> Vec<OrderOutcome> {
    let mut outcomes = illegal;
    for (p, status) in pending.into_iter().zip(statuses) {
        let def = &scenario.moves[p.order.mv];
        let effects = if status.succeeded() {
            let mut list = deltas(&def.effects, start);
            if let Some((_, extra)) = def.by_target.iter().find(|(t, _)| Some(*t) == p.order.target) {
                list.extend(deltas(extra, start));
            }
            list
        } else {
            deltas(&def.on_fail, start)
        };
        let outcome = OrderOutcome { role: p.role, order: p.order, status, effects, automatic: p.automatic };
        outcomes.push((p.position, outcome));
    }
    outcomes.sort_by_key(|(position, o)| (o.role, *position));
    outcomes.into_iter().map(|(_, o)| o).collect()
}

/// Step 4: the interactions that hold on the tracks after the moves (a once-only interaction
/// that has fired before stays quiet), with their effects judged on that state too.
fn interactions(
    scenario: &Scenario,
    state: &GameState,
    tracks: &[i64],
    ordered: &[Order],
    outcomes: &[OrderOutcome],
) -> Vec<InteractionOutcome> {
    let succeeded: Vec<Order> = outcomes.iter().filter(|o| o.status.succeeded()).map(|o| o.order).collect();
    let after_moves = InRound { tracks, round: state.round, events: &state.events, ordered, succeeded: &succeeded };
    scenario
        .interactions
        .iter()
        .enumerate()
        .map(|(i, def)| (InteractionId::new(i), def))
        .filter(|(id, def)| !(def.once && state.fired.contains(id)) && def.when.truth(&after_moves))
        .map(|(interaction, def)| InteractionOutcome { interaction, effects: deltas(&def.effects, &after_moves) })
        .collect()
}

/// Step 5: the state the round leaves: its tracks and history, the once-only interactions that
/// fired, and the next round with its events drawn — or the end of the game after the last.
fn next_round(scenario: &Scenario, state: &GameState, tracks: &[i64], fired: &[InteractionOutcome]) -> GameState {
    let mut next = state.clone();
    for outcome in fired {
        if scenario.interactions[outcome.interaction].once {
            next.fired.push(outcome.interaction);
        }
    }
    next.fired.sort_unstable();
    next.tracks.copy_from_slice(tracks);
    next.history.push(tracks.to_vec());
    if state.round >= scenario.round_count() {
        next.phase = Phase::Finished;
        next.events.clear();
    } else {
        next.round += 1;
        next.draw_events(scenario);
    }
    next
}

/// The partners of a joint move that did not order their matching move (empty if not joint).
fn missing_partners(scenario: &Scenario, all: &[Pending], p: &Pending) -> Vec<RoleId> {
    let Some(joint) = &scenario.moves[p.order.mv].joint else {
        return Vec::new();
    };
    let me = scenario.role_target(p.role);
    let mut missing = Vec::new();
    for partner in &joint.partners {
        let role = partner.role.or_else(|| p.order.target.and_then(|t| scenario.targets.lookup(t)?.role));
        let Some(role) = role else { continue };
        let came = partner.moves.iter().filter(|(r, _)| *r == role).any(|(_, mv)| {
            all.iter().any(|q| q.role == role && q.order.mv == *mv && q.order.target.is_none_or(|t| t == me))
        });
        if !came {
            missing.push(role);
        }
    }
    missing
}

fn joint_holds(def: &Move, missing: &[RoleId]) -> bool {
    match &def.joint {
        None => true,
        Some(joint) if joint.need_all => missing.is_empty(),
        Some(joint) => missing.len() < joint.partners.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::{calm, fixture, orders, track};
    use crate::i18n::{narrate, Lang};

    #[test]
    fn a_joint_move_alone_fails_and_names_the_missing_partner() {
        let sc = fixture();
        let (next, report) = resolve_round(&sc, &calm(&sc), &orders(&sc, &[("north", "trade_pact", None)]));
        let south = sc.role_index("south").expect("south");
        assert_eq!(report.orders[0].status, Status::PartnerMissing { partners: vec![south] });
        assert_eq!(track(&sc, &next, "trust"), -1, "the declared cost of failing");
    }

    #[test]
    fn a_joint_move_with_its_partner_succeeds_for_both() {
        let sc = fixture();
        let list = [("north", "trade_pact", None), ("south", "trade_pact", None)];
        let (_, report) = resolve_round(&sc, &calm(&sc), &orders(&sc, &list));
        assert!(report.orders.iter().all(|o| o.status.succeeded()));
    }

    #[test]
    fn a_host_needs_the_guest_to_visit_the_host_itself() {
        let sc = fixture();
        let wrong = [("south", "host", Some("north")), ("north", "visit", Some("east"))];
        let (_, report) = resolve_round(&sc, &calm(&sc), &orders(&sc, &wrong));
        assert!(!report.orders.iter().find(|o| o.role == RoleId::new(1)).expect("south").status.succeeded());
        let right = [("south", "host", Some("north")), ("north", "visit", Some("south"))];
        let (_, report) = resolve_round(&sc, &calm(&sc), &orders(&sc, &right));
        assert!(report.orders.iter().all(|o| o.status.succeeded()));
    }

    #[test]
    fn a_requirement_is_judged_on_the_start_of_the_round() {
        let sc = fixture();
        let mut state = calm(&sc);
        state.round = 2;
        let list = [("north", "visit", Some("south")), ("north", "late_gambit", None)];
        let (_, report) = resolve_round(&sc, &state, &orders(&sc, &list));
        assert_eq!(report.orders[1].status, Status::ConditionNotMet);
    }

    #[test]
    fn once_interactions_fire_once_per_game() {
        let sc = fixture();
        let mut state = calm(&sc);
        let trade = sc.track_index("trade").expect("trade");
        state.tracks[trade.index()] = 10;
        let (next, first) = resolve_round(&sc, &state, &orders(&sc, &[]));
        assert!(first.interactions.iter().any(|i| sc.interactions[i.interaction].id == "boom"));
        let mut again = next.clone();
        again.tracks[trade.index()] = 10;
        let (_, second) = resolve_round(&sc, &again, &orders(&sc, &[]));
        assert!(!second.interactions.iter().any(|i| sc.interactions[i.interaction].id == "boom"));
    }

    #[test]
    fn an_unanswered_choice_is_answered_by_its_default() {
        let sc = fixture();
        let mut state = calm(&sc);
        state.events.push(sc.event_index("vote").expect("vote"));
        let (_, report) = resolve_round(&sc, &state, &orders(&sc, &[]));
        let auto = report.orders.iter().find(|o| o.automatic).expect("an automatic answer");
        assert_eq!(sc.moves[auto.order.mv].id, "vote_no");
    }

    #[test]
    fn totals_are_clamped_to_the_range() {
        let sc = fixture();
        let mut state = calm(&sc);
        let fleet = sc.track_index("fleet").expect("fleet");
        state.tracks[fleet.index()] = 3;
        let (next, _) = resolve_round(&sc, &state, &orders(&sc, &[("north", "build_ship", None)]));
        assert_eq!(next.tracks[fleet.index()], 3);
    }

    #[test]
    fn the_round_advances_and_the_last_one_finishes_the_game() {
        let sc = fixture();
        let mut state = calm(&sc);
        for expected_round in 2..=3 {
            state = resolve_round(&sc, &state, &orders(&sc, &[])).0;
            assert_eq!(state.round, expected_round);
            assert!(!state.is_finished());
        }
        state = resolve_round(&sc, &state, &orders(&sc, &[])).0;
        assert!(state.is_finished());
        assert_eq!(state.history.len(), 4, "the start and three rounds");
        let (after, report) = resolve_round(&sc, &state, &orders(&sc, &[("north", "build_ship", None)]));
        assert_eq!(after, state, "a finished game does not change");
        assert!(matches!(report.orders[0].status, Status::Illegal { reason: crate::engine::Illegal::GameOver }));
    }

    #[test]
    fn every_outcome_explains_itself_with_its_paragraphs() {
        let sc = fixture();
        let list = [("north", "trade_pact", None), ("north", "visit", Some("south")), ("south", "protest", None)];
        let (_, report) = resolve_round(&sc, &calm(&sc), &orders(&sc, &list));
        for outcome in &report.orders {
            let line = narrate::order(&sc, outcome, Lang::En);
            assert!(!line.text.is_empty() && !line.essay.is_empty(), "{line:?}");
        }
        assert!(narrate::order(&sc, &report.orders[0], Lang::En).text.contains("South did not join in"));
        for interaction in &report.interactions {
            assert!(!narrate::interaction(&sc, interaction).essay.is_empty());
        }
    }

    /// A guest whose visit counts as received when the host either welcomes or detains it, and
    /// whose visit fails, with its own line, when it is detained.
    const ALTERNATIVES: &str = r#"
[scenario]
id = "alternatives"
title = "t"
summary = "s"
source = "s"
source_paragraphs = 2
[[tracks]]
id = "mood"
name = "Mood"
summary = "m"
min = -10
max = 10
start = 0
[[roles]]
id = "host"
name = "Host"
briefing = "b"
[roles.objective]
summary = "s"
essay = [1]
score = [{ track = "mood" }]
[[roles]]
id = "guest"
name = "Guest"
briefing = "b"
[roles.objective]
summary = "s"
essay = [1]
score = [{ track = "mood", invert = true }]
[[rounds]]
name = "r"
briefing = "b"
[[moves]]
role = "host"
id = "welcome"
name = "Welcome"
summary = "s"
essay = [1]
cost = 1
effects = { mood = 1 }
[[moves]]
role = "host"
id = "detain"
name = "Detain"
summary = "s"
essay = [2]
cost = 1
requires = "guest.visit"
effects = { mood = -3 }
[[moves]]
role = "guest"
id = "visit"
name = "Visit"
summary = "s"
essay = [1]
cost = 1
joint = { partners = ["host"], move = ["welcome", "detain"] }
requires = "not host.detain"
success = "The guest lands."
failure = "Nobody received the guest."
unmet = "The guest lands and is detained."
"#;

    #[test]
    fn any_of_several_matching_moves_joins_a_joint_move() {
        let sc = crate::scenario::parse("alternatives.toml", ALTERNATIVES).expect("valid");
        let state = calm(&sc);
        let line = |list: &[(&str, &str, Option<&str>)]| {
            let (_, report) = resolve_round(&sc, &state, &orders(&sc, list));
            let guest = report.orders.iter().find(|o| o.role == RoleId::new(1)).expect("the guest's order");
            (guest.status.clone(), narrate::order(&sc, guest, Lang::En).text)
        };
        let (status, text) = line(&[("guest", "visit", None), ("host", "welcome", None)]);
        assert_eq!((status, text.ends_with("The guest lands.")), (Status::Succeeded, true), "{text}");
        // Detaining also receives the guest (no partner missing), and its condition gives its own line.
        let (status, text) = line(&[("guest", "visit", None), ("host", "detain", None)]);
        assert_eq!(status, Status::ConditionNotMet);
        assert!(text.ends_with("The guest lands and is detained."), "{text}");
        let (status, text) = line(&[("guest", "visit", None)]);
        assert_eq!(status, Status::PartnerMissing { partners: vec![RoleId::new(0)] });
        assert!(text.ends_with("Nobody received the guest."), "{text}");
    }

    #[test]
    fn without_its_own_line_an_unmet_condition_reads_the_failure_line() {
        let sc = fixture();
        let mut state = calm(&sc);
        state.round = 2;
        let list = [("north", "visit", Some("south")), ("north", "late_gambit", None)];
        let (_, report) = resolve_round(&sc, &state, &orders(&sc, &list));
        let def = &sc.moves[report.orders[1].order.mv];
        assert!(def.unmet_text.is_empty());
        assert!(narrate::order(&sc, &report.orders[1], Lang::En).text.ends_with(def.failure_text.trim_end()));
    }
}
