//! Golden cases: data files in `tests/golden/` that give a start state and every role's orders,
//! and the outcomes, events, interactions and tracks the engine must produce. One test runs
//! them all and reports every case and field that differs.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use third_neighbor::engine::{
    resolve_round, GameState, InteractionId, Lookup, MoveId, Order, RoleId, RoundOrders, Scenario, Status, TargetId,
};
use third_neighbor::scenario;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    scenario: String,
    #[serde(rename = "case")]
    cases: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    /// The rule kind the case exercises (for people; not checked).
    #[allow(dead_code)]
    rule: String,
    #[serde(default = "one")]
    seed: u64,
    round: Option<u32>,
    #[serde(default)]
    tracks: BTreeMap<String, i64>,
    /// Replaces the events in play at the start.
    events: Option<Vec<String>>,
    /// Events injected by an instructor, after the start state is set.
    #[serde(default)]
    inject: Vec<String>,
    #[serde(default)]
    fired: Vec<String>,
    #[serde(default)]
    orders: BTreeMap<String, Vec<String>>,
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    outcomes: Option<Vec<String>>,
    #[serde(default)]
    tracks: BTreeMap<String, i64>,
    interactions: Option<Vec<String>>,
    events: Option<Vec<String>>,
    finished: Option<bool>,
    /// Scores after the round, by role.
    #[serde(default)]
    scores: BTreeMap<String, u32>,
}

fn one() -> u64 {
    1
}

/// `move`, `move@target`, or `other_role.move` (to order another role's move).
fn parse_order(sc: &Scenario, role: RoleId, text: &str) -> Order {
    let (mv_text, target) = match text.split_once('@') {
        Some((m, t)) => (m, sc.target_index(t).or(Some(TargetId::new(usize::MAX)))),
        None => (text, None),
    };
    let mv = match mv_text.split_once('.') {
        Some((r, m)) => sc.role_index(r).and_then(|r| sc.move_index(r, m)),
        None => sc.move_index(role, mv_text),
    };
    Order { mv: mv.unwrap_or(MoveId::new(usize::MAX)), target }
}

fn outcome_text(sc: &Scenario, o: &third_neighbor::engine::report::OrderOutcome) -> String {
    let role = &sc.roles[o.role].id;
    let mv = sc.moves.lookup(o.order.mv).map_or("?".to_string(), |m| {
        let owner = &sc.roles[m.role].id;
        if owner == role {
            m.id.clone()
        } else {
            format!("{owner}.{}", m.id)
        }
    });
    let target = o
        .order
        .target
        .map(|t| sc.targets.lookup(t).map_or("@?".to_string(), |t| format!("@{}", t.id)))
        .unwrap_or_default();
    let status = match &o.status {
        Status::Succeeded => "succeeded".to_string(),
        Status::PartnerMissing { partners } => {
            let names: Vec<&str> = partners.iter().map(|p| sc.roles[*p].id.as_str()).collect();
            format!("partner_missing({})", names.join(","))
        }
        Status::ConditionNotMet => "condition_not_met".to_string(),
        Status::Illegal { reason } => format!("illegal:{}", reason.code()),
    };
    let auto = if o.automatic { " (auto)" } else { "" };
    format!("{role}.{mv}{target}: {status}{auto}")
}

fn run_case(sc: &Scenario, case: &Case) -> Vec<String> {
    let mut diffs = Vec::new();
    let mut state = GameState::new(sc, case.seed);
    if let Some(round) = case.round {
        state.round = round;
    }
    for (name, value) in &case.tracks {
        match sc.track_index(name) {
            Some(t) => state.tracks[t.index()] = *value,
            None => diffs.push(format!("unknown track `{name}` in the start state")),
        }
    }
    if let Some(events) = &case.events {
        state.events = events.iter().filter_map(|e| sc.event_index(e)).collect();
    }
    for e in &case.inject {
        match sc.event_index(e).map(|id| state.inject_event(sc, id)) {
            Some(Ok(next)) => state = next,
            other => diffs.push(format!("cannot inject `{e}`: {other:?}")),
        }
    }
    state.fired = case
        .fired
        .iter()
        .filter_map(|i| sc.interactions.iter().position(|x| x.id == *i))
        .map(InteractionId::new)
        .collect();
    let mut orders: RoundOrders = vec![Vec::new(); sc.roles.len()];
    for (role_name, list) in &case.orders {
        let Some(role) = sc.role_index(role_name) else {
            diffs.push(format!("unknown role `{role_name}` in orders"));
            continue;
        };
        orders[role] = list.iter().map(|o| parse_order(sc, role, o)).collect();
    }

    let (next, report) = resolve_round(sc, &state, &orders);

    if let Some(expected) = &case.expect.outcomes {
        let actual: Vec<String> = report.orders.iter().map(|o| outcome_text(sc, o)).collect();
        if &actual != expected {
            diffs.push(format!("outcomes:\n      expected {expected:?}\n      actual   {actual:?}"));
        }
    }
    for (name, expected) in &case.expect.tracks {
        let actual = sc.track_index(name).map(|t| next.tracks[t.index()]);
        if actual != Some(*expected) {
            diffs.push(format!("track {name}: expected {expected}, actual {actual:?}"));
        }
    }
    if let Some(expected) = &case.expect.interactions {
        let actual: Vec<String> =
            report.interactions.iter().map(|i| sc.interactions[i.interaction].id.clone()).collect();
        if &actual != expected {
            diffs.push(format!("interactions: expected {expected:?}, actual {actual:?}"));
        }
    }
    if let Some(expected) = &case.expect.events {
        let actual: Vec<String> = report.events.iter().map(|e| sc.events[e.event].id.clone()).collect();
        if &actual != expected {
            diffs.push(format!("events: expected {expected:?}, actual {actual:?}"));
        }
    }
    if let Some(expected) = case.expect.finished {
        if next.is_finished() != expected {
            diffs.push(format!("finished: expected {expected}, actual {}", next.is_finished()));
        }
    }
    for (role_name, expected) in &case.expect.scores {
        let actual = sc.role_index(role_name).map(|r| third_neighbor::engine::score(sc, &next.tracks, r));
        if actual != Some(*expected) {
            diffs.push(format!("score {role_name}: expected {expected}, actual {actual:?}"));
        }
    }
    diffs
}

#[test]
fn every_golden_case_resolves_as_recorded() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(root.join("tests/golden"))
        .expect("tests/golden exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut count = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable case file");
        let cases: CaseFile = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let loaded = scenario::load_file(&root.join(&cases.scenario)).unwrap_or_else(|e| panic!("{e}"));
        // Every interaction of a scenario with golden cases must be seen firing in one of them.
        let expected_to_fire: Vec<&String> =
            cases.cases.iter().filter_map(|c| c.expect.interactions.as_ref()).flatten().collect();
        for interaction in &loaded.scenario.interactions {
            if !expected_to_fire.contains(&&interaction.id) {
                failures.push(format!("{}: no case shows interaction `{}` firing", cases.scenario, interaction.id));
            }
        }
        for case in &cases.cases {
            count += 1;
            for diff in run_case(&loaded.scenario, case) {
                failures.push(format!(
                    "{} / {}: {diff}",
                    file.file_name().unwrap_or_default().to_string_lossy(),
                    case.name
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{} golden difference(s):\n  {}", failures.len(), failures.join("\n  "));
    assert!(count >= 30, "expected at least 30 golden cases, found {count}");
}
