//! What the fuzz targets run, in the library so that `fuzz/` (libFuzzer, coverage-guided) and
//! `tests/fuzz_smoke.rs` (a few thousand random inputs on every `cargo test`) run the same code
//! and neither can rot. Each function takes arbitrary bytes, must never panic or hang, and checks
//! what must hold whatever the input:
//!
//! - [`frame`]: a client text frame through [`crate::protocol::parse`]; a parsed seat token or
//!   key is redacted in the frame's `Debug`.
//! - [`scenario`]: a scenario file through [`crate::scenario::parse`]; one that loads is
//!   described, explained, and played for a few rounds with no orders.
//! - [`engine`]: the shipped scenarios resolved round after round with arbitrary order lists
//!   (any move index, any target, any number per role, events injected): the engine is
//!   deterministic, keeps every track within its bounds, and ends.
//! - [`session`]: **the lead's slot** — frame → validation → session reducer, once the reducer
//!   exists as a pure function. Until then it runs the frame parser only.

use std::sync::OnceLock;

use crate::engine::{resolve_round, GameState, Order, RoundOrders, Scenario};
use crate::protocol::{self, ClientMsg};

/// The scenarios shipped in `scenarios/` (embedded at build time).
fn shipped() -> &'static [Scenario] {
    static PARSED: OnceLock<Vec<Scenario>> = OnceLock::new();
    PARSED.get_or_init(|| {
        crate::scenario::EMBEDDED.iter().filter_map(|(name, text)| crate::scenario::parse(name, text).ok()).collect()
    })
}

/// Reads the fuzzer's bytes as small numbers; past the end, zeros.
struct Bytes<'a> {
    data: &'a [u8],
}

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }

    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.byte(), self.byte()])
    }

    fn u64(&mut self) -> u64 {
        let mut bytes = [0u8; 8];
        for b in &mut bytes {
            *b = self.byte();
        }
        u64::from_le_bytes(bytes)
    }

    fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

/// A client frame (as the server reads text frames: UTF-8 only).
pub fn frame(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match protocol::parse(text) {
        Ok(frame) => {
            let secret = match &frame.msg {
                ClientMsg::Resume { seat_token } => Some(seat_token),
                ClientMsg::Instructor { key, .. } => Some(key),
                _ => None,
            };
            if let Some(secret) = secret {
                assert_eq!(format!("{secret:?}"), "Secret(<redacted>)", "a secret shows in Debug");
                assert!(format!("{:?}", frame.msg).contains("Secret(<redacted>)"));
            }
        }
        Err((_, error)) => {
            assert!(!error.code.as_str().is_empty());
        }
    }
}

/// A scenario file.
pub fn scenario(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(sc) = crate::scenario::parse("fuzz.toml", text) else { return };
    let _ = crate::scenario::describe::to_json(&sc);
    let _ = crate::scenario::describe::explain(&sc);
    let mut state = GameState::new(&sc, 7);
    let none: RoundOrders = vec![Vec::new(); sc.roles.len()];
    // A scenario that loads must also play: a few rounds with no orders, within the bounds.
    for _ in 0..4 {
        if state.is_finished() {
            break;
        }
        state = resolve_round(&sc, &state, &none).0;
        check_bounds(&sc, &state);
    }
    let _ = state.hash(&sc);
}

/// The shipped scenarios with arbitrary orders.
pub fn engine(data: &[u8]) {
    let scenarios = shipped();
    if scenarios.is_empty() {
        return;
    }
    let mut bytes = Bytes { data };
    let sc = &scenarios[usize::from(bytes.byte()) % scenarios.len()];
    let seed = bytes.u64();
    let mut state = GameState::new(sc, seed);
    let max_rounds = sc.round_count() + 2;
    let mut rounds = 0;
    while !state.is_finished() && !bytes.is_empty() {
        rounds += 1;
        assert!(rounds <= max_rounds, "the game does not end");
        let flags = bytes.byte();
        if flags & 0x80 != 0 && !sc.events.is_empty() {
            let event = usize::from(bytes.byte()) % (sc.events.len() + 1);
            if let Ok(next) = state.inject_event(sc, event) {
                state = next;
            }
        }
        // Sometimes more lists than roles, sometimes fewer.
        let lists = match flags & 0x3 {
            0 => sc.roles.len().saturating_sub(1),
            1 => sc.roles.len() + 1,
            _ => sc.roles.len(),
        };
        let orders: RoundOrders = (0..lists)
            .map(|_| {
                let n = usize::from(bytes.byte() % 7);
                (0..n)
                    .map(|_| {
                        let mv = usize::from(bytes.u16()) % (sc.moves.len() + 2);
                        let target = match bytes.byte() {
                            0 => None,
                            b => Some(usize::from(b - 1) % (sc.targets.len() + 2)),
                        };
                        Order { mv, target }
                    })
                    .collect()
            })
            .collect();
        let (next, report) = resolve_round(sc, &state, &orders);
        let (again, _) = resolve_round(sc, &state, &orders);
        assert_eq!(next.hash(sc), again.hash(sc), "the engine is not deterministic");
        assert!(report.round == state.round, "the report is for the round resolved");
        check_bounds(sc, &next);
        assert_eq!(next.history.len(), state.history.len() + 1, "one history entry per round");
        state = next;
    }
}

/// The lead's slot: frame → validation → session reducer. Replace the body with a call into the
/// pure reducer (arbitrary frames from arbitrary seats against a session state, checking that
/// every frame gets exactly one answer and the state's invariants hold) once it exists.
pub fn session(data: &[u8]) {
    frame(data);
}

fn check_bounds(sc: &Scenario, state: &GameState) {
    for (track, value) in sc.tracks.iter().zip(&state.tracks) {
        assert!(
            (track.min..=track.max).contains(value),
            "track {} is {value}, outside {}..={}",
            track.id,
            track.min,
            track.max
        );
    }
}
