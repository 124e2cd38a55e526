//! Property tests of the engine's invariants, on every scenario the project ships and on the
//! rules fixture: resolution never panics, tracks stay in range, the same seed and orders give
//! the same hash, and the order in which roles' orders arrive does not matter.

use std::path::Path;

use proptest::prelude::*;
use third_neighbor::engine::{resolve_round, GameState, Order, RoundOrders, Scenario};
use third_neighbor::scenario;

fn scenarios() -> Vec<Scenario> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = scenario::files_in(&root.join("scenarios")).expect("scenarios folder");
    files.push(root.join("tests/fixtures/rules.toml"));
    files.iter().map(|f| scenario::load_file(f).unwrap_or_else(|e| panic!("{e}")).scenario).collect()
}

/// Orders that may name any move or target, in range or not, several per role.
fn any_orders() -> impl Strategy<Value = Vec<Vec<(usize, Option<usize>)>>> {
    prop::collection::vec(prop::collection::vec((0usize..80, prop::option::of(0usize..12)), 0..5), 0..6)
}

fn to_orders(raw: &[Vec<(usize, Option<usize>)>]) -> RoundOrders {
    raw.iter().map(|list| list.iter().map(|(mv, target)| Order { mv: *mv, target: *target }).collect()).collect()
}

/// Plays a whole game with the given orders every round, checking ranges after each round.
fn play(sc: &Scenario, seed: u64, rounds: &[RoundOrders]) -> Vec<String> {
    let mut state = GameState::new(sc, seed);
    let mut hashes = vec![state.hash(sc)];
    let mut i = 0;
    while !state.is_finished() {
        let orders = rounds.get(i % rounds.len().max(1)).cloned().unwrap_or_default();
        let (next, report) = resolve_round(sc, &state, &orders);
        for (t, value) in next.tracks.iter().enumerate() {
            let def = &sc.tracks[t];
            assert!(*value >= def.min && *value <= def.max, "{} = {value} outside {}..={}", def.id, def.min, def.max);
        }
        assert_eq!(report.tracks_after, next.tracks);
        state = next;
        hashes.push(state.hash(sc));
        i += 1;
    }
    hashes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn resolution_never_panics_and_tracks_stay_in_range(seed in any::<u64>(), raw in prop::collection::vec(any_orders(), 1..4)) {
        for sc in scenarios() {
            let rounds: Vec<RoundOrders> = raw.iter().map(|r| to_orders(r)).collect();
            play(&sc, seed, &rounds);
        }
    }

    #[test]
    fn the_same_seed_and_orders_give_the_same_hashes(seed in any::<u64>(), raw in prop::collection::vec(any_orders(), 1..4)) {
        for sc in scenarios() {
            let rounds: Vec<RoundOrders> = raw.iter().map(|r| to_orders(r)).collect();
            prop_assert_eq!(play(&sc, seed, &rounds), play(&sc, seed, &rounds));
        }
    }

    #[test]
    fn the_arrival_order_of_roles_does_not_change_the_result(seed in any::<u64>(), raw in any_orders(), rotation in 0usize..6) {
        for sc in scenarios() {
            let orders = to_orders(&raw);
            let state = GameState::new(&sc, seed);
            let (expected_state, expected_report) = resolve_round(&sc, &state, &orders);
            // Orders that reach the server in another order are collected by role all the same:
            // rebuild the round's orders by visiting the roles in a rotated sequence.
            let roles = sc.roles.len();
            let mut rebuilt: RoundOrders = vec![Vec::new(); roles.max(orders.len())];
            for k in 0..rebuilt.len() {
                let role = (k + rotation) % rebuilt.len();
                if let Some(list) = orders.get(role) {
                    rebuilt[role] = list.clone();
                }
            }
            let (state_b, report_b) = resolve_round(&sc, &state, &rebuilt);
            prop_assert_eq!(expected_state.hash(&sc), state_b.hash(&sc));
            prop_assert_eq!(expected_report, report_b);
        }
    }

    #[test]
    fn bots_always_give_legal_orders(seed in any::<u64>()) {
        use third_neighbor::bots::{choose_orders, Policy};
        for sc in scenarios() {
            let mut state = GameState::new(&sc, seed);
            while !state.is_finished() {
                let mut orders = Vec::new();
                for role in 0..sc.roles.len() {
                    for policy in [Policy::Random, Policy::Greedy] {
                        let chosen = choose_orders(&sc, &state, role, policy, seed);
                        prop_assert!(third_neighbor::engine::check_draft(&sc, &state, role, &chosen).is_ok());
                    }
                    orders.push(choose_orders(&sc, &state, role, Policy::Random, seed));
                }
                state = resolve_round(&sc, &state, &orders).0;
            }
        }
    }
}

#[test]
fn different_seeds_can_draw_different_events() {
    // Guards against a seed that is silently ignored: the fixture's 50% windfall must differ
    // across a handful of seeds.
    let sc = &scenarios().pop().expect("fixture");
    let draws: Vec<Vec<usize>> = (1..10).map(|seed| GameState::new(sc, seed).events).collect();
    assert!(draws.iter().any(|d| d.is_empty()) && draws.iter().any(|d| !d.is_empty()), "{draws:?}");
}
