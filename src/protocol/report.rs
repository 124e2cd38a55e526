//! The round report as the wire shows it (`round_resolved`), for one audience. The live session
//! sends it after every round; the replay rebuilds the very same frame from the log, so that a
//! replayed report reads exactly as the live one did.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Value};

use crate::engine::report::Delta;
use crate::engine::{Line, RoleId, RoundReport, Scenario, Status, TrackId};

/// What a view may show: one role's, the public's, or everything (the instructor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    Role(RoleId),
    Public,
    All,
}

impl Audience {
    /// Whether this audience may see this track.
    pub fn shows_track(self, sc: &Scenario, track: TrackId) -> bool {
        let Some(def) = sc.tracks.get(track) else { return false };
        match self {
            Audience::All => true,
            Audience::Public => def.visible_to.is_none(),
            Audience::Role(role) => def.visible_to_role(role),
        }
    }

    /// The values of the tracks this audience may see, by track id: a JSON object when
    /// serialized (written straight out, with no `Value` built on the way).
    pub fn tracks<'a>(self, sc: &'a Scenario, values: &'a [i64]) -> VisibleTracks<'a> {
        VisibleTracks { sc, audience: self, values }
    }
}

/// See [`Audience::tracks`].
pub struct VisibleTracks<'a> {
    sc: &'a Scenario,
    audience: Audience,
    values: &'a [i64],
}

impl Serialize for VisibleTracks<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (i, t) in self.sc.tracks.iter().enumerate().filter(|(i, _)| self.audience.shows_track(self.sc, *i)) {
            map.serialize_entry(&t.id, &self.values.get(i).copied().unwrap_or(t.start))?;
        }
        map.end()
    }
}

fn effects_json(sc: &Scenario, audience: Audience, effects: &[Delta]) -> Value {
    effects
        .iter()
        .filter(|d| audience.shows_track(sc, d.track))
        .map(|d| json!({ "track": sc.tracks[d.track].id, "amount": d.amount }))
        .collect()
}

/// `round_resolved` for one audience: every role's orders (public once resolved), and effects and
/// tracks filtered to what the audience may see. `bots` are the ids of the roles bots played.
pub fn round_resolved(
    sc: &Scenario,
    report: &RoundReport,
    state_hash: &str,
    audience: Audience,
    bots: &[&str],
) -> Value {
    let line = |l: Line| (l.text, l.essay);
    let mut orders = serde_json::Map::new();
    for role in &sc.roles {
        orders.insert(role.id.clone(), Value::Array(Vec::new()));
    }
    let outcomes: Vec<Value> = report
        .orders
        .iter()
        .map(|o| {
            let (narrative, essay) = line(o.explain(sc));
            let mv = sc.moves.get(o.order.mv);
            let target = o.order.target.and_then(|t| sc.targets.get(t)).map(|t| t.id.clone());
            let role = sc.roles.get(o.role).map(|r| r.id.clone()).unwrap_or_default();
            if !o.automatic {
                if let (Some(Value::Array(list)), Some(mv)) = (orders.get_mut(&role), mv) {
                    list.push(json!({ "move": mv.id, "target": target }));
                }
            }
            let reason = match &o.status {
                Status::Illegal { reason } => Some(reason.code()),
                _ => None,
            };
            let status = o.status.code();
            json!({
                "role": role, "move": mv.map(|m| m.id.clone()), "move_name": mv.map(|m| m.name.clone()),
                "target": target, "succeeded": o.status.succeeded(), "status": status, "reason": reason,
                "automatic": o.automatic, "effects": effects_json(sc, audience, &o.effects),
                "narrative": narrative, "essay": essay,
            })
        })
        .collect();
    let events: Vec<Value> = report
        .events
        .iter()
        .map(|e| {
            let (narrative, essay) = line(e.explain(sc));
            json!({
                "id": sc.events.get(e.event).map(|d| d.id.clone()),
                "effects": effects_json(sc, audience, &e.effects), "narrative": narrative, "essay": essay,
            })
        })
        .collect();
    let interactions: Vec<Value> = report
        .interactions
        .iter()
        .map(|i| {
            let (narrative, essay) = line(i.explain(sc));
            json!({
                "id": sc.interactions.get(i.interaction).map(|d| d.id.clone()),
                "effects": effects_json(sc, audience, &i.effects), "narrative": narrative, "essay": essay,
            })
        })
        .collect();
    let mut changes: Vec<(i64, usize)> = Vec::new();
    let tracks: Vec<Value> = sc
        .tracks
        .iter()
        .enumerate()
        .filter(|(i, _)| audience.shows_track(sc, *i))
        .map(|(i, t)| {
            let before = report.tracks_before.get(i).copied().unwrap_or(t.start);
            let after = report.tracks_after.get(i).copied().unwrap_or(before);
            if after != before {
                changes.push((after - before, i));
            }
            json!({ "id": t.id, "name": t.name, "before": before, "value": after, "min": t.min, "max": t.max })
        })
        .collect();
    // The biggest visible changes, as the engine's headline would put them.
    changes.sort_by_key(|(d, i)| (std::cmp::Reverse(d.abs()), *i));
    let headline: Vec<String> =
        changes.iter().take(3).map(|(d, i)| format!("{} {:+}", sc.tracks[*i].name, d)).collect();
    json!({
        "type": "round_resolved",
        "round": report.round,
        "orders": orders,
        "outcomes": outcomes,
        "events": events,
        "interactions": interactions,
        "tracks": tracks,
        "headline": headline,
        "bots": bots,
        "state_hash": state_hash,
        "finished": report.round >= sc.round_count(),
    })
}
