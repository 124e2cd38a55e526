//! The views a session sends: `state` (per seat), `round_resolved` (per audience) and
//! `game_over`. This is where hidden information is enforced: every track, draft and effect
//! passes through [`Session::shows_track`] or the seat's role before it is written.

use serde_json::{json, Value};

use super::{Audience, Session, Viewer};
use crate::engine::report::Delta;
use crate::engine::{available_moves, scores, Line, RoundReport, Status, TrackId};

impl Session {
    /// Whether this audience may see this track.
    fn shows_track(&self, audience: Audience, track: TrackId) -> bool {
        let Some(def) = self.sc().tracks.get(track) else { return false };
        match audience {
            Audience::All => true,
            Audience::Public => def.visible_to.is_none(),
            Audience::Role(role) => def.visible_to_role(role),
        }
    }

    fn effects_json(&self, audience: Audience, effects: &[Delta]) -> Value {
        let sc = self.sc();
        effects
            .iter()
            .filter(|d| self.shows_track(audience, d.track))
            .map(|d| json!({ "track": sc.tracks[d.track].id, "amount": d.amount }))
            .collect()
    }

    fn orders_json(&self, role: usize) -> Value {
        let sc = self.sc();
        let orders = self.drafts.get(role).map(Vec::as_slice).unwrap_or_default();
        Value::from(
            super::actions::stored_orders(sc, orders)
                .into_iter()
                .map(|o| json!({ "move": o.mv, "target": o.target }))
                .collect::<Vec<_>>(),
        )
    }

    /// `state`: the full view for one seat.
    pub(super) fn state_json(&self, viewer: &Viewer) -> Value {
        let sc = self.sc();
        let audience = self.audience(viewer);
        let role = match audience {
            Audience::Role(role) => Some(role),
            _ => None,
        };
        let round_index = (self.state.round as usize).saturating_sub(1);
        let round_def = sc.rounds.get(round_index);
        let tracks: Vec<Value> = sc
            .tracks
            .iter()
            .enumerate()
            .filter(|(i, _)| self.shows_track(audience, *i))
            .map(|(i, t)| {
                json!({
                    "id": t.id, "name": t.name, "summary": t.summary, "min": t.min, "max": t.max,
                    "value": self.state.tracks.get(i).copied().unwrap_or(t.start),
                    "private": t.visible_to.is_some(),
                })
            })
            .collect();
        let events: Vec<Value> = self
            .state
            .events
            .iter()
            .filter_map(|e| sc.events.get(*e))
            .map(|e| json!({ "id": e.id, "name": e.name, "text": e.text, "essay": e.essay }))
            .collect();
        let players: Vec<Value> = self
            .players
            .iter()
            .filter(|p| !p.kicked)
            .map(|p| {
                json!({
                    "player_id": p.id, "name": p.name, "role": p.role.map(|r| sc.roles[r].id.clone()),
                    "bot": p.bot, "connected": p.bot || self.online(&p.id),
                })
            })
            .collect();
        let roles: Vec<Value> = sc
            .roles
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let members: Vec<&str> =
                    self.players.iter().filter(|p| !p.kicked && p.role == Some(i)).map(|p| p.id.as_str()).collect();
                json!({
                    "id": r.id, "name": r.name, "action_points": r.action_points,
                    "players": members, "bot": self.is_bot_role(i),
                    "ready": self.is_bot_role(i) || self.ready.get(i).copied().unwrap_or(false),
                })
            })
            .collect();
        let you = match viewer {
            Viewer::Player(id) => {
                let player = self.player(id);
                json!({
                    "kind": "player", "player_id": id,
                    "name": player.map(|p| p.name.clone()),
                    "role": role.map(|r| sc.roles[r].id.clone()),
                })
            }
            Viewer::Spectator => json!({ "kind": "spectator" }),
            Viewer::Instructor => json!({ "kind": "instructor" }),
        };
        let moves: Vec<Value> = role
            .map(|r| {
                available_moves(sc, &self.state, r)
                    .into_iter()
                    .filter_map(|m| sc.moves.get(m))
                    .map(|m| {
                        json!({
                            "id": m.id, "name": m.name, "summary": m.summary, "essay": m.essay, "cost": m.cost,
                            "targets": m.targets.iter().filter_map(|t| sc.targets.get(*t))
                                .map(|t| json!({ "id": t.id, "name": t.name })).collect::<Vec<_>>(),
                            "partners": m.joint.as_ref().map(|j| j.partners.iter().map(|p| match p.role {
                                Some(r) => sc.roles[r].id.clone(),
                                None => "target".to_string(),
                            }).collect::<Vec<_>>()),
                            "choice_of": m.choice_of.and_then(|e| sc.events.get(e)).map(|e| e.id.clone()),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut out = json!({
            "type": "state",
            "session": {
                "id": &*self.id, "join_code": &*self.join_code, "scenario": sc.id, "title": sc.title,
                "rounds": sc.round_count(), "round_secs": self.round_secs,
            },
            "phase": self.phase.as_str(),
            "round": self.state.round,
            "round_name": round_def.map(|r| r.name.clone()),
            "briefing": round_def.map(|r| r.briefing.clone()),
            "deadline_at": self.deadline.map(|d| d.at_ms),
            "remaining_secs": self.paused_remaining.map(|d| d.as_secs()),
            "tracks": tracks,
            "events": events,
            "roles": roles,
            "players": players,
            "you": you,
            "moves": moves,
            "action_points": role.map(|r| sc.roles[r].action_points),
            "my_orders": role.map_or(Value::Array(Vec::new()), |r| self.orders_json(r)),
            "ready": role.is_some_and(|r| self.ready.get(r).copied().unwrap_or(false)),
        });
        if *viewer == Viewer::Instructor {
            // The instructor sees every role's pending draft.
            out["orders"] = sc.roles.iter().enumerate().map(|(i, r)| (r.id.clone(), self.orders_json(i))).collect();
        }
        out
    }

    /// `round_resolved` for one audience: every role's orders (now public), and effects and
    /// tracks filtered to what the audience may see.
    pub(super) fn report_json(&self, report: &RoundReport, state_hash: &str, audience: Audience) -> Value {
        let sc = self.sc();
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
                let (status, reason) = match &o.status {
                    Status::Succeeded => ("succeeded", None),
                    Status::PartnerMissing { .. } => ("partner_missing", None),
                    Status::ConditionNotMet => ("condition_not_met", None),
                    Status::Illegal { reason } => ("illegal", Some(reason.code())),
                };
                json!({
                    "role": role, "move": mv.map(|m| m.id.clone()), "move_name": mv.map(|m| m.name.clone()),
                    "target": target, "succeeded": o.status.succeeded(), "status": status, "reason": reason,
                    "automatic": o.automatic, "effects": self.effects_json(audience, &o.effects),
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
                    "effects": self.effects_json(audience, &e.effects), "narrative": narrative, "essay": essay,
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
                    "effects": self.effects_json(audience, &i.effects), "narrative": narrative, "essay": essay,
                })
            })
            .collect();
        let mut changes: Vec<(i64, usize)> = Vec::new();
        let tracks: Vec<Value> = sc
            .tracks
            .iter()
            .enumerate()
            .filter(|(i, _)| self.shows_track(audience, *i))
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
        let bots: Vec<&str> =
            sc.roles.iter().enumerate().filter(|(i, _)| self.is_bot_role(*i)).map(|(_, r)| r.id.as_str()).collect();
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

    /// `game_over`: every role's score and the debrief (final tracks, all revealed now).
    pub(super) fn game_over_json(&self) -> Value {
        let sc = self.sc();
        let points = scores(sc, &self.state.tracks);
        let score_map: serde_json::Map<String, Value> =
            sc.roles.iter().zip(&points).map(|(r, s)| (r.id.clone(), Value::from(*s))).collect();
        let roles: Vec<Value> = sc
            .roles
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let names: Vec<&str> =
                    self.players.iter().filter(|p| !p.kicked && p.role == Some(i)).map(|p| p.name.as_str()).collect();
                json!({
                    "id": r.id, "name": r.name, "score": points.get(i), "objective": r.objective.summary,
                    "essay": r.objective.essay, "players": names, "bot": self.is_bot_role(i),
                })
            })
            .collect();
        let tracks: Vec<Value> = sc
            .tracks
            .iter()
            .enumerate()
            .map(|(i, t)| {
                json!({
                    "id": t.id, "name": t.name, "start": t.start,
                    "value": self.state.tracks.get(i).copied().unwrap_or(t.start),
                    "history": self.state.history.iter().map(|h| h.get(i).copied()).collect::<Vec<_>>(),
                    "private": t.visible_to.is_some(),
                })
            })
            .collect();
        json!({
            "type": "game_over",
            "scores": score_map,
            "debrief": {
                "rounds_played": self.state.history.len().saturating_sub(1),
                "ended_early": !self.state.is_finished(),
                "roles": roles,
                "tracks": tracks,
                "state_hash": self.state.hash(sc),
            },
        })
    }
}
