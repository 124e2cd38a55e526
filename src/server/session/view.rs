//! The views a session sends: `state` (per seat), `round_resolved` (per audience) and
//! `game_over`. This is where hidden information is enforced: every track, draft and effect
//! passes through [`Session::shows_track`] or the seat's role before it is written.

use serde_json::{json, Value};

use super::{Session, Viewer};
use crate::engine::{available_moves, scores, RoundReport, TrackId};
use crate::protocol::{self, Audience};

impl Session {
    fn shows_track(&self, audience: Audience, track: TrackId) -> bool {
        audience.shows_track(self.sc(), track)
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
                    // At the start of each round so far: a screen opened mid-game draws its charts.
                    "history": self.state.history.iter().map(|h| h.get(i).copied()).collect::<Vec<_>>(),
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

    /// `round_resolved` for one audience (see [`protocol::round_resolved`]).
    pub(super) fn report_json(&self, report: &RoundReport, state_hash: &str, audience: Audience) -> Value {
        let sc = self.sc();
        let bots: Vec<&str> =
            sc.roles.iter().enumerate().filter(|(i, _)| self.is_bot_role(*i)).map(|(_, r)| r.id.as_str()).collect();
        protocol::round_resolved(sc, report, state_hash, audience, &bots)
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
