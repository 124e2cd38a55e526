//! A class's debrief: its tables side by side (the comparison), each numbered as in class, with
//! the spread of outcomes — every role's score and every track's final value across the tables.

use serde_json::{json, Value};

use super::compare::{compare, Table};
use crate::engine::{scores, Lookup};

/// One table of the class, with its number there.
pub struct ClassTable<'a> {
    pub table: Table<'a>,
    pub number: u32,
}

/// Lowest, highest and mean of some values (`null`s when there are none).
fn spread(values: &[i64]) -> Value {
    let (Some(min), Some(max)) = (values.iter().min(), values.iter().max()) else {
        return json!({ "min": null, "max": null, "mean": null });
    };
    let mean = values.iter().sum::<i64>() as f64 / values.len() as f64;
    json!({ "min": min, "max": max, "mean": (mean * 10.0).round() / 10.0 })
}

/// The class debrief (the shape of `GET /api/classes/{id}/debrief`): the comparison of its
/// tables (`scenario`, `tables`, `moves`: which tables made each move in which round), each
/// table's number, and `spread`: per role its scores across tables, per track its final values.
pub fn class_debrief(class_id: &str, join_code: &str, status: &str, tables: &[ClassTable]) -> Value {
    let plain: Vec<Table> = tables
        .iter()
        .map(|t| Table {
            sc: t.table.sc,
            replay: t.table.replay,
            session_id: t.table.session_id,
            join_code: t.table.join_code,
            status: t.table.status,
            created_at: t.table.created_at,
        })
        .collect();
    let mut out = compare(&plain);
    if let Some(rows) = out.get_mut("tables").and_then(Value::as_array_mut) {
        for (row, t) in rows.iter_mut().zip(tables) {
            row["table"] = Value::from(t.number);
        }
    }
    let spreads = tables.first().map(|first| {
        let sc = first.table.sc;
        let roles: Vec<Value> = sc
            .indexed_roles()
            .map(|(i, r)| {
                let values: Vec<i64> = tables
                    .iter()
                    .map(|t| {
                        i64::from(
                            scores(t.table.sc, &t.table.replay.final_state.tracks).lookup(i).copied().unwrap_or(0),
                        )
                    })
                    .collect();
                json!({ "role": r.id, "name": r.name, "scores": spread(&values) })
            })
            .collect();
        let tracks: Vec<Value> = sc
            .tracks
            .iter()
            .map(|track| {
                let values: Vec<i64> = tables
                    .iter()
                    .filter_map(|t| {
                        let i = t.table.sc.track_index(&track.id)?;
                        t.table.replay.final_state.tracks.get(i.index()).copied()
                    })
                    .collect();
                json!({ "track": track.id, "name": track.name, "final": spread(&values) })
            })
            .collect();
        json!({ "roles": roles, "tracks": tracks })
    });
    out["spread"] = spreads.unwrap_or(Value::Null);
    out["class"] = json!({ "class_id": class_id, "join_code": join_code, "status": status, "tables": tables.len() });
    out
}
