//! What players had acknowledged, and the check the durability tests end on: every acknowledged
//! `say`, `set_orders` and lock is in the game's stored log, no round was resolved twice, and the
//! replay reproduces every stored state hash.

use std::collections::BTreeSet;
use std::net::SocketAddr;

use serde_json::Value;

use super::http;

/// What the players of one game had acknowledged.
#[derive(Debug, Default)]
pub(crate) struct Acked {
    pub(crate) says: Vec<String>,
    /// (round, role, moves)
    pub(crate) orders: Vec<(u64, String, Vec<String>)>,
    /// (round, role) of each acknowledged lock.
    pub(crate) locks: Vec<(u64, String)>,
    /// Acknowledged unlocks: counted, not checked (an unlock of a role that was not locked is
    /// acknowledged without an event, so it proves nothing about the log).
    pub(crate) unlocks: usize,
}

impl Acked {
    /// Records `frame`, sent by `role` and acknowledged by the server.
    pub(crate) fn record(&mut self, role: &str, frame: &Value) {
        let round = frame["round"].as_u64().unwrap_or_default();
        match frame["type"].as_str() {
            Some("say") => self.says.push(frame["text"].as_str().unwrap_or_default().to_string()),
            Some("set_orders") => {
                let moves = frame["orders"].as_array().map(|os| moves_of(os)).unwrap_or_default();
                self.orders.push((round, role.to_string(), moves));
            }
            Some("ready") if frame["ready"] == true => self.locks.push((round, role.to_string())),
            Some("ready") => self.unlocks += 1,
            _ => {}
        }
    }

    pub(crate) fn extend(&mut self, other: Acked) {
        self.says.extend(other.says);
        self.orders.extend(other.orders);
        self.locks.extend(other.locks);
        self.unlocks += other.unlocks;
    }

    pub(crate) fn total(&self) -> usize {
        self.says.len() + self.orders.len() + self.locks.len() + self.unlocks
    }
}

/// What [`check_log`] found in one game's log.
#[derive(Debug)]
pub(crate) struct LogCheck {
    /// The acknowledged actions missing from the log, described.
    pub(crate) lost: Vec<String>,
    pub(crate) events: usize,
    pub(crate) rounds_resolved: usize,
}

/// Reads the game's export and replay from the server at `addr` and checks `acked` against its
/// log. Panics if a round was resolved twice or a replayed state hash differs; returns what was
/// lost, for the caller to report with its own figures.
pub(crate) async fn check_log(addr: SocketAddr, key: &str, session_id: &str, acked: &Acked) -> LogCheck {
    let path = format!("/api/sessions/{session_id}/export.json");
    let (status, text) = http(addr, "GET", &path, Some(key), None).await;
    assert_eq!(status, 200, "{text}");
    let export: Value = serde_json::from_str(&text).expect("export json");
    let log: Vec<&Value> = export["events"].as_array().expect("events").iter().map(|e| &e["event"]).collect();

    let said: BTreeSet<&str> = log.iter().filter(|e| e["type"] == "said").filter_map(|e| e["text"].as_str()).collect();
    let mut lost: Vec<String> =
        acked.says.iter().filter(|t| !said.contains(t.as_str())).map(|t| format!("say {t}")).collect();
    for (round, role, moves) in &acked.orders {
        let found = log.iter().any(|e| {
            e["type"] == "orders_set"
                && e["round"] == *round
                && e["role"] == role.as_str()
                && e["orders"].as_array().is_some_and(|os| moves_of(os) == *moves)
        });
        if !found {
            lost.push(format!("set_orders round {round} {role} {moves:?}"));
        }
    }
    // A lock acknowledged in a round is a `ready_set` true of that round and role in the log
    // (this one, or an earlier one when the role was locked already).
    for (round, role) in &acked.locks {
        let found = log.iter().any(|e| {
            e["type"] == "ready_set" && e["round"] == *round && e["role"] == role.as_str() && e["ready"] == true
        });
        if !found {
            lost.push(format!("ready round {round} {role}"));
        }
    }

    let resolved: Vec<u64> =
        log.iter().filter(|e| e["type"] == "round_resolved").filter_map(|e| e["round"].as_u64()).collect();
    let distinct: BTreeSet<u64> = resolved.iter().copied().collect();
    assert_eq!(distinct.len(), resolved.len(), "a round applied twice in {session_id}: {resolved:?}");

    let (status, text) = http(addr, "GET", &format!("/api/sessions/{session_id}/replay"), Some(key), None).await;
    assert_eq!(status, 200, "{text}");
    let replay: Value = serde_json::from_str(&text).expect("replay json");
    assert_eq!(replay["ok"], true, "the replay's hashes: {}", replay["errors"]);
    assert!(
        replay["rounds"].as_array().is_some_and(|rs| rs.iter().all(|r| r["hash_ok"] == true)),
        "a replayed round's hash differs: {}",
        replay["rounds"]
    );
    LogCheck { lost, events: log.len(), rounds_resolved: resolved.len() }
}

/// The move ids of a wire or log order list.
fn moves_of(orders: &[Value]) -> Vec<String> {
    orders.iter().map(|o| o["move"].as_str().unwrap_or_default().to_string()).collect()
}
