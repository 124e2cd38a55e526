//! Property tests of the engine's invariants, on every scenario the project ships and on the
//! rules fixture: resolution never panics, tracks stay in range, the same seed and orders give
//! the same hash, and the sequence of a role's (legal) orders does not change the result.

use std::path::Path;
use std::sync::LazyLock;

use proptest::prelude::*;
use third_neighbor::engine::{resolve_round, EventId, GameState, MoveId, Order, RoundOrders, Scenario, TargetId};
use third_neighbor::scenario;

/// Every scenario, read once for all the cases.
fn scenarios() -> &'static [Scenario] {
    static SCENARIOS: LazyLock<Vec<Scenario>> = LazyLock::new(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = scenario::files_in(&root.join("scenarios")).expect("scenarios folder");
        files.push(root.join("tests/fixtures/rules.toml"));
        files.iter().map(|f| scenario::load_file(f).unwrap_or_else(|e| panic!("{e}")).scenario).collect()
    });
    &SCENARIOS
}

/// Orders that may name any move or target, in range or not, several per role.
fn any_orders() -> impl Strategy<Value = Vec<Vec<(usize, Option<usize>)>>> {
    prop::collection::vec(prop::collection::vec((0usize..80, prop::option::of(0usize..12)), 0..5), 0..6)
}

fn to_orders(raw: &[Vec<(usize, Option<usize>)>]) -> RoundOrders {
    raw.iter()
        .map(|list| {
            list.iter().map(|(mv, target)| Order { mv: MoveId::new(*mv), target: target.map(TargetId::new) }).collect()
        })
        .collect()
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
            play(sc, seed, &rounds);
        }
    }

    #[test]
    fn the_same_seed_and_orders_give_the_same_hashes(seed in any::<u64>(), raw in prop::collection::vec(any_orders(), 1..4)) {
        for sc in scenarios() {
            let rounds: Vec<RoundOrders> = raw.iter().map(|r| to_orders(r)).collect();
            prop_assert_eq!(play(sc, seed, &rounds), play(sc, seed, &rounds));
        }
    }

    #[test]
    fn the_order_of_a_roles_orders_does_not_change_the_result(seed in any::<u64>(), picks in any::<u64>(), turn in any::<usize>()) {
        use third_neighbor::bots::{choose_orders, Policy};
        for sc in scenarios() {
            // Legal drafts (a bot's), each played as chosen and again reversed and rotated: the
            // effects are summed and clamped after, so the sequence must not matter.
            let mut state = GameState::new(sc, seed);
            while !state.is_finished() {
                let orders: RoundOrders = sc.role_ids()
                    .map(|role| choose_orders(sc, &state, role, Policy::Random, picks.wrapping_add(role.index() as u64)))
                    .collect();
                let resequenced: RoundOrders = orders
                    .iter()
                    .map(|list| {
                        let mut list = list.clone();
                        list.reverse();
                        if !list.is_empty() {
                            let k = turn % list.len();
                            list.rotate_left(k);
                        }
                        list
                    })
                    .collect();
                let (expected, _) = resolve_round(sc, &state, &orders);
                let (resequenced_state, _) = resolve_round(sc, &state, &resequenced);
                prop_assert_eq!(expected.hash(sc), resequenced_state.hash(sc), "{}: {:?} vs {:?}", sc.id, orders, resequenced);
                state = expected;
            }
        }
    }

    #[test]
    fn bots_always_give_legal_orders(seed in any::<u64>()) {
        use third_neighbor::bots::{choose_orders, Policy};
        for sc in scenarios() {
            let mut state = GameState::new(sc, seed);
            while !state.is_finished() {
                let mut orders = Vec::new();
                for role in sc.role_ids() {
                    for policy in [Policy::Random, Policy::Greedy] {
                        let chosen = choose_orders(sc, &state, role, policy, seed);
                        prop_assert!(third_neighbor::engine::check_draft(sc, &state, role, &chosen).is_ok());
                    }
                    orders.push(choose_orders(sc, &state, role, Policy::Random, seed));
                }
                state = resolve_round(sc, &state, &orders).0;
            }
        }
    }
}

#[test]
fn different_seeds_can_draw_different_events() {
    // Guards against a seed that is silently ignored: the fixture's 50% windfall must differ
    // across a handful of seeds.
    let sc = scenarios().last().expect("fixture");
    let draws: Vec<Vec<EventId>> = (1..10).map(|seed| GameState::new(sc, seed).events).collect();
    assert!(draws.iter().any(|d| d.is_empty()) && draws.iter().any(|d| !d.is_empty()), "{draws:?}");
}
