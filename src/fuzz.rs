//! What the fuzz targets run, in the library so that `fuzz/` (libFuzzer, coverage-guided) and
//! `tests/it/fuzz_smoke.rs` (a few thousand random inputs on every `cargo test`) run the same code
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
//! - [`session`]: frame → validation → session reducer ([`crate::table`]): arbitrary requests
//!   from arbitrary seats; decided events always apply, drafts stay legal, tracks in bounds, and
//!   the fold of the log is the table built live.

use std::sync::OnceLock;

use crate::engine::{
    resolve_round, EventId, GameState, Lookup, MoveId, Order, RoleId, RoundOrders, Scenario, TargetId,
};
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
                ClientMsg::Resume { seat_token, .. } => Some(seat_token),
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
    let _ = crate::scenario::explain::explain(&sc);
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
            let event = EventId::new(usize::from(bytes.byte()) % (sc.events.len() + 1));
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
                        let mv = MoveId::new(usize::from(bytes.u16()) % (sc.moves.len() + 2));
                        let target = match bytes.byte() {
                            0 => None,
                            b => Some(TargetId::new(usize::from(b - 1) % (sc.targets.len() + 2))),
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

/// Frame → validation → session reducer: a table of a shipped scenario takes a stream of
/// requests from arbitrary seats (structured frames and raw text alike, all through the frame
/// parser), decides each, and applies what it decided. Whatever the stream:
/// - a decided event always applies cleanly (no fold error);
/// - every role's draft stays legal, the tracks stay within their bounds, a finished game has no
///   clock, and the table never seats more students than allowed;
/// - folding the log from scratch gives the very table that was built live.
pub fn session(data: &[u8]) {
    use crate::log::{EventRow, LogEvent};
    use crate::table::{Phase, Table, Viewer};

    let scenarios = shipped();
    if scenarios.is_empty() {
        return;
    }
    let mut bytes = Bytes { data };
    let sc = &scenarios[usize::from(bytes.byte()) % scenarios.len()];
    let seed = bytes.u64() % (1 << 53);
    const MAX_PLAYERS: usize = 6;
    let mut table = Table::new(sc, seed, 300);
    let mut log: Vec<EventRow> = Vec::new();
    let mut now = 1_000_000_i64;
    let commit = |table: &mut Table, log: &mut Vec<EventRow>, events: Vec<LogEvent>, now: i64| {
        for event in events {
            let seq = table.seq + 1;
            let errors = table.errors.len();
            table.apply(sc, seq, now, &event);
            assert_eq!(table.errors.len(), errors, "a decided event did not apply: {event:?} {:?}", table.errors);
            log.push(EventRow { seq, at: now, event });
        }
    };
    commit(
        &mut table,
        &mut log,
        vec![LogEvent::Created {
            scenario: sc.id.clone(),
            scenario_hash: String::new(),
            seed,
            deadline_secs: 300,
            class: None,
        }],
        now,
    );
    let mut ids = 0_u32;
    let mut steps = 0;
    while !bytes.is_empty() && steps < 400 {
        steps += 1;
        now += i64::from(bytes.byte()) * 1000;
        let who = bytes.byte();
        let viewer = match who % 8 {
            0 => Viewer::Instructor,
            1 => Viewer::Spectator,
            n => Viewer::Player(format!("p{}", n % 7)),
        };
        let kind = bytes.byte();
        let text = if kind >= 0xF0 {
            // Raw text, as a client might send anything.
            let len = usize::from(bytes.byte() % 64);
            let raw: Vec<u8> = (0..len).map(|_| bytes.byte()).collect();
            String::from_utf8_lossy(&raw).into_owned()
        } else {
            structured_frame(sc, &table, kind, &mut bytes)
        };
        if kind % 17 == 16 {
            // Someone joins instead (ids are fresh on the server: a seat id is never reused).
            if let Viewer::Player(id) = &viewer {
                if table.seats.iter().any(|s| &s.id == id) {
                    continue;
                }
                if let Ok(event) = table.join(id, id.clone(), None, MAX_PLAYERS) {
                    commit(&mut table, &mut log, vec![event], now);
                }
            }
            continue;
        }
        let Ok(frame) = protocol::parse(&text) else { continue };
        let decided = table.decide(sc, &viewer, &frame.msg, now, &mut || {
            ids += 1;
            format!("bot{ids}")
        });
        if let Ok(events) = decided {
            commit(&mut table, &mut log, events, now);
        }
        if table.all_ready() {
            let events = table.resolution(sc, now);
            commit(&mut table, &mut log, events, now);
        }
        check_bounds(sc, &table.state);
        assert!(table.present().filter(|s| !s.bot).count() <= MAX_PLAYERS, "too many students seated");
        if table.phase == Phase::Finished {
            assert_eq!(table.clock, Default::default(), "a finished game has a clock");
        }
        for (role, draft) in table.drafts.iter().enumerate() {
            let role = RoleId::new(role);
            if !draft.is_empty() {
                assert_eq!(
                    crate::engine::check_draft(sc, &table.state, role, draft),
                    Ok(()),
                    "an illegal draft stands"
                );
            }
        }
    }
    let folded = Table::fold(sc, seed, 300, &log);
    assert_eq!(folded.state, table.state, "the fold differs from the live table");
    assert_eq!(folded.phase, table.phase);
    assert_eq!(folded.seats, table.seats);
    assert_eq!(folded.drafts, table.drafts);
    assert_eq!(folded.ready, table.ready);
    assert_eq!(folded.clock, table.clock);
    assert_eq!(folded.messages, table.messages);
    assert!(folded.errors.is_empty(), "the log does not fold: {:?}", folded.errors);
}

/// A well-formed request of some kind, with fields picked from the scenario (and sometimes not).
fn structured_frame(sc: &Scenario, table: &crate::table::Table, kind: u8, bytes: &mut Bytes) -> String {
    let pick_role = |b: u8| sc.roles.get(usize::from(b) % (sc.roles.len() + 1)).map_or("nobody", |r| r.id.as_str());
    let round = if bytes.byte().is_multiple_of(8) { table.state.round + 1 } else { table.state.round };
    let value = match kind % 16 {
        0 => serde_json::json!({"type": "choose_role", "role": pick_role(bytes.byte())}),
        1..=3 => {
            let n = usize::from(bytes.byte() % 4);
            let orders: Vec<serde_json::Value> = (0..n)
                .map(|_| {
                    let mv = &sc.moves[usize::from(bytes.u16()) % sc.moves.len()];
                    let target = match bytes.byte() % 4 {
                        0 => None,
                        _ => mv.targets.first().and_then(|t| sc.targets.lookup(*t)).map(|t| t.id.clone()),
                    };
                    serde_json::json!({"move": mv.id, "target": target})
                })
                .collect();
            serde_json::json!({"type": "set_orders", "round": round, "orders": orders})
        }
        4 | 5 => serde_json::json!({"type": "ready", "round": round, "ready": !bytes.byte().is_multiple_of(4)}),
        6 => {
            serde_json::json!({"type": "say", "to": pick_role(bytes.byte()), "text": "x".repeat(usize::from(bytes.byte()))})
        }
        7 => serde_json::json!({"type": "start"}),
        8 => serde_json::json!({"type": "pause"}),
        9 => serde_json::json!({"type": "resume_game"}),
        10 => serde_json::json!({"type": "force_resolve"}),
        11 => serde_json::json!({"type": "set_deadline", "secs": bytes.u16()}),
        12 => {
            let event = sc.events.get(usize::from(bytes.byte()) % (sc.events.len() + 1)).map_or("nothing", |e| &e.id);
            serde_json::json!({"type": "inject_event", "event": event})
        }
        13 => {
            serde_json::json!({"type": "assign_role", "player_id": format!("p{}", bytes.byte() % 7), "role": pick_role(bytes.byte())})
        }
        14 => match bytes.byte() % 4 {
            0 => {
                serde_json::json!({"type": "kick", "player_id": format!("p{}", bytes.byte() % 7), "ban": bytes.byte() % 2 == 1})
            }
            3 => {
                serde_json::json!({"type": "answer_request", "player_id": format!("p{}", bytes.byte() % 7), "approve": bytes.byte() % 2 == 1})
            }
            1 => serde_json::json!({"type": "add_bot", "role": pick_role(bytes.byte())}),
            _ => serde_json::json!({"type": "end"}),
        },
        _ => serde_json::json!({"type": "ping"}),
    };
    value.to_string()
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
