//! The three ways to look at a replay: what the projector showed (`public`), everything revealed
//! after the fact (`declassified`), and what one role's players could see at each moment
//! (`role:<id>`). Every view of a stored game passes through [`view`], which filters tracks,
//! messages, drafts and report effects exactly as the live session filtered them.

use serde_json::{json, Value};

use super::fold::{Replay, StepKind};
use super::Meta;
use crate::engine::{scores, RoleId, Scenario};
use crate::protocol::{round_resolved, Audience};

/// A way to look at a stored game.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lens {
    Public,
    Declassified,
    Role(RoleId),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LensError {
    #[error("unknown lens `{0}`: use public, declassified or role:<role id>")]
    Unknown(String),
    #[error("the scenario has no role `{0}`")]
    UnknownRole(String),
}

impl Lens {
    /// Reads `public`, `declassified` or `role:<role id>`.
    pub fn parse(sc: &Scenario, text: &str) -> Result<Lens, LensError> {
        match text {
            "public" => Ok(Lens::Public),
            "declassified" => Ok(Lens::Declassified),
            _ => match text.strip_prefix("role:") {
                Some(id) => sc.role_index(id).map(Lens::Role).ok_or_else(|| LensError::UnknownRole(id.to_string())),
                None => Err(LensError::Unknown(text.to_string())),
            },
        }
    }

    pub fn name(self, sc: &Scenario) -> String {
        match self {
            Lens::Public => "public".into(),
            Lens::Declassified => "declassified".into(),
            Lens::Role(r) => format!("role:{}", sc.roles[r].id),
        }
    }

    pub fn audience(self) -> Audience {
        match self {
            Lens::Public => Audience::Public,
            Lens::Declassified => Audience::All,
            Lens::Role(r) => Audience::Role(r),
        }
    }
}

/// The whole stored game as this lens shows it (the shape of `GET /api/sessions/{id}/replay`).
pub fn view(sc: &Scenario, replay: &Replay, meta: &Meta, lens: Lens) -> Value {
    let audience = lens.audience();
    let bot_roles = replay.bot_roles();
    let bots: Vec<&str> = bot_roles.iter().map(|r| sc.roles[*r].id.as_str()).collect();
    let tracks: Vec<Value> = sc
        .tracks
        .iter()
        .enumerate()
        .filter(|(i, _)| audience.shows_track(sc, *i))
        .map(|(_, t)| {
            json!({
                "id": t.id, "name": t.name, "summary": t.summary, "min": t.min, "max": t.max, "start": t.start,
                "private": t.visible_to.is_some(),
            })
        })
        .collect();
    let rounds: Vec<Value> = replay
        .rounds
        .iter()
        .map(|r| {
            json!({
                "round": r.round,
                "name": sc.rounds.get((r.round as usize).saturating_sub(1)).map(|d| d.name.clone()),
                "state_hash": r.hash, "stored_hash": r.stored_hash, "hash_ok": r.hash == r.stored_hash,
                "tracks": audience.tracks(sc, &r.after.tracks),
                "report": round_resolved(sc, &r.report, &r.stored_hash, audience, &bots),
            })
        })
        .collect();
    let steps: Vec<Value> = replay
        .steps
        .iter()
        .filter_map(|step| {
            let mut out = match &step.kind {
                StepKind::Started => json!({ "kind": "started" }),
                StepKind::Ended => json!({ "kind": "ended" }),
                StepKind::Message(i) => {
                    let m = &replay.messages[*i];
                    let shown = match lens {
                        Lens::Declassified => true,
                        Lens::Public => m.to.is_none(),
                        Lens::Role(r) => m.readable_by(sc, r),
                    };
                    if !shown {
                        return None;
                    }
                    json!({
                        "kind": "message",
                        "from": { "player_id": m.from.player_id, "name": m.from.name, "role": m.from.role },
                        "to": m.to.as_ref().map_or_else(|| Value::from("all"), |to| Value::from(to.clone())),
                        "text": m.text,
                    })
                }
                StepKind::Draft(i) => {
                    let d = &replay.drafts[*i];
                    let shown = match lens {
                        Lens::Declassified => true,
                        Lens::Public => false,
                        Lens::Role(r) => d.role == r,
                    };
                    if !shown {
                        return None;
                    }
                    json!({
                        "kind": "draft", "role": sc.roles[d.role].id,
                        "orders": d.orders.iter().map(|o| json!({ "move": o.mv, "target": o.target })).collect::<Vec<_>>(),
                    })
                }
                StepKind::EventInjected(e) => {
                    let e = &sc.events[*e];
                    json!({
                        "kind": "event_injected",
                        "event": { "id": e.id, "name": e.name, "text": e.text, "essay": e.essay },
                    })
                }
                StepKind::RoundResolved(i) => json!({ "kind": "round_resolved", "resolved": replay.rounds[*i].round }),
            };
            out["seq"] = Value::from(step.seq);
            out["at"] = Value::from(step.at);
            out["round"] = Value::from(step.round);
            out["tracks"] = audience.tracks(sc, &step.tracks);
            Some(out)
        })
        .enumerate()
        .map(|(index, mut step)| {
            step["index"] = Value::from(index);
            step
        })
        .collect();
    let finished = replay.final_state.is_finished() || replay.ended;
    let final_scores: Option<Value> = finished.then(|| {
        let points = scores(sc, &replay.final_state.tracks);
        sc.roles.iter().zip(points).map(|(r, s)| (r.id.clone(), Value::from(s))).collect()
    });
    let mut out = json!({
        "session_id": meta.session_id,
        "join_code": meta.join_code,
        "status": meta.status,
        "created_at": meta.created_at,
        "lens": lens.name(sc),
        "scenario": {
            "id": sc.id, "title": sc.title, "hash": meta.scenario_hash, "rounds": sc.round_count(),
            "roles": sc.roles.iter().map(|r| json!({ "id": r.id, "name": r.name })).collect::<Vec<_>>(),
            "tracks": tracks,
        },
        "seed": replay.seed,
        "forked_from": replay.forked_from.as_ref().map(|(s, r)| json!({ "session_id": s, "round": r })),
        "ok": replay.ok(),
        "errors": replay.errors.iter().map(|e| json!({ "seq": e.seq, "round": e.round, "message": e.message }))
            .collect::<Vec<_>>(),
        "bots": bots,
        "start_tracks": audience.tracks(sc, &replay.start.tracks),
        "rounds": rounds,
        "steps": steps,
        "final": {
            "round": replay.final_state.round,
            "state_hash": replay.final_hash,
            "finished": finished,
            "tracks": audience.tracks(sc, &replay.final_state.tracks),
            "scores": final_scores,
        },
    });
    if lens == Lens::Declassified {
        out["events"] =
            meta.log.iter().map(|e| json!({ "seq": e.seq, "at": e.at, "event": e.event })).collect::<Vec<_>>().into();
    }
    out
}
