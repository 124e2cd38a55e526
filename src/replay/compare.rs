//! Several tables of one class side by side: each table's scores and track histories, and for
//! every move any table made, which tables made it and when.

use serde_json::{json, Value};

use super::fold::Replay;
use crate::engine::{scores, Scenario};

/// One table (session) to compare.
pub struct Table<'a> {
    /// The scenario text that table played (versions of one scenario may differ).
    pub sc: &'a Scenario,
    pub replay: &'a Replay,
    pub session_id: &'a str,
    pub join_code: &'a str,
    pub status: &'a str,
    pub created_at: i64,
}

/// A table's orders of one move (by role and move id): the rounds, and whether each succeeded.
fn made(table: &Table, role: &str, mv: &str) -> (Vec<u32>, Vec<bool>) {
    let sc = table.sc;
    let (Some(r), rounds) = (sc.role_index(role), &table.replay.rounds) else { return Default::default() };
    let Some(m) = sc.move_index(r, mv) else { return Default::default() };
    rounds
        .iter()
        .flat_map(|round| {
            round
                .report
                .orders
                .iter()
                .filter(|o| o.role == r && o.order.mv == m && !o.automatic)
                .map(|o| (round.round, o.status.succeeded()))
        })
        .unzip()
}

/// The comparison (the shape of `GET /api/compare`). The first table's scenario names the
/// roles, tracks and moves; each table is read with its own.
pub fn compare(tables: &[Table]) -> Value {
    let Some(first) = tables.first() else { return Value::Null };
    let sc = first.sc;
    let table_rows: Vec<Value> = tables
        .iter()
        .map(|t| {
            let points = scores(t.sc, &t.replay.final_state.tracks);
            let score_map: serde_json::Map<String, Value> =
                t.sc.roles.iter().zip(points).map(|(r, s)| (r.id.clone(), Value::from(s))).collect();
            let tracks: serde_json::Map<String, Value> = sc
                .tracks
                .iter()
                .filter_map(|track| {
                    let i = t.sc.track_index(&track.id)?;
                    let history: Vec<Option<i64>> =
                        t.replay.final_state.history.iter().map(|h| h.get(i.index()).copied()).collect();
                    Some((track.id.clone(), Value::from(history)))
                })
                .collect();
            json!({
                "session_id": t.session_id, "join_code": t.join_code, "status": t.status,
                "created_at": t.created_at, "rounds_played": t.replay.rounds.len(),
                "finished": t.replay.finished(), "ok": t.replay.ok(),
                "scores": score_map, "tracks": tracks,
            })
        })
        .collect();
    let moves: Vec<Value> = sc
        .moves
        .iter()
        .filter_map(|m| {
            let role = &sc.roles[m.role].id;
            let per_table: Vec<(Vec<u32>, Vec<bool>)> = tables.iter().map(|t| made(t, role, &m.id)).collect();
            if per_table.iter().all(|(rounds, _)| rounds.is_empty()) {
                return None;
            }
            let cells: Vec<Value> = tables
                .iter()
                .zip(per_table)
                .map(|(t, (rounds, succeeded))| {
                    json!({ "session_id": t.session_id, "rounds": rounds, "succeeded": succeeded })
                })
                .collect();
            Some(json!({ "role": role, "move": m.id, "move_name": m.name, "essay": m.essay, "tables": cells }))
        })
        .collect();
    json!({
        "scenario": {
            "id": sc.id, "title": sc.title,
            "roles": crate::protocol::NamedRef::roles(sc),
            "tracks": sc.tracks.iter().map(super::track_json).collect::<Vec<_>>(),
        },
        "tables": table_rows,
        "moves": moves,
    })
}
