//! The three ways to look at a replay: what the projector showed (`public`), everything revealed
//! after the fact (`declassified`), and what one role's players could see at each moment
//! (`role:<id>`). Every view of a stored game passes through [`view`], which filters tracks,
//! messages, drafts and report effects exactly as the live session filtered them.
//!
//! A view is written straight to JSON by its `Serialize` impl rather than built as a
//! `serde_json::Value` tree: a 6-round game with 500 messages has over 500 steps, each with the
//! tracks after it, and building that tree cost more than the whole rebuild.

use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::Serialize;
use serde_json::{json, Value};

use super::fold::{Replay, Step, StepKind};
use super::Meta;
use crate::engine::{scores, RoleId, Scenario};
use crate::i18n::Lang;
use crate::log::OrderRef;
use crate::protocol::{Audience, ReportView, ServerMsg};

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

    /// Whether a view through this lens may carry the game's join code and seed. A view of a game
    /// still being played, through the public lens or a role's, may leave the instructor's hands:
    /// it carries neither the code (a way into the game) nor the seed (with the orders the view
    /// shows, it draws every later event: a way ahead of the game). Once the game is over, or in
    /// the instructor's own lens, both are there.
    pub fn shows_entry(self, replay: &Replay) -> bool {
        replay.finished() || matches!(self, Lens::Declassified)
    }

    pub fn audience(self) -> Audience {
        match self {
            Lens::Public => Audience::Public,
            Lens::Declassified => Audience::All,
            Lens::Role(r) => Audience::Role(r),
        }
    }
}

/// The whole stored game as one lens shows it: the shape of `GET /api/sessions/{id}/replay`.
/// Serialize it (`serde_json::to_string`) to get the JSON.
pub struct ReplayView<'a> {
    sc: &'a Scenario,
    replay: &'a Replay,
    meta: &'a Meta<'a>,
    lens: Lens,
    lang: Lang,
}

impl<'a> ReplayView<'a> {
    /// The join code, when this view may show it ([`Lens::shows_entry`]).
    pub fn join_code(&self) -> Option<&'a str> {
        self.lens.shows_entry(self.replay).then_some(self.meta.join_code)
    }
}

/// The stored game as this lens shows it, in a language: `sc` is the scenario in that language
/// (a translation of the text the game was played with, or that text itself for English).
pub fn view<'a>(sc: &'a Scenario, replay: &'a Replay, meta: &'a Meta<'a>, lens: Lens, lang: Lang) -> ReplayView<'a> {
    ReplayView { sc, replay, meta, lens, lang }
}

impl ReplayView<'_> {
    /// Whether the lens shows this step at all.
    fn shows(&self, step: &Step) -> bool {
        match (&step.kind, self.lens) {
            (_, Lens::Declassified) => true,
            (StepKind::Message(i), Lens::Public) => self.replay.messages[*i].to.is_none(),
            (StepKind::Message(i), Lens::Role(r)) => self.replay.messages[*i].for_role(r),
            (StepKind::Draft(_), Lens::Public) => false,
            // A reflection is the student's own writing for the teacher.
            (StepKind::Reflected(_), _) => false,
            (StepKind::Draft(i), Lens::Role(r)) => self.replay.drafts[*i].role == r,
            _ => true,
        }
    }

    fn scenario_json(&self) -> Value {
        let (sc, audience) = (self.sc, self.lens.audience());
        let tracks: Vec<Value> = sc
            .indexed_tracks()
            .filter(|(i, _)| audience.shows_track(sc, *i))
            .map(|(_, t)| {
                json!({
                    "id": t.id, "name": t.name, "summary": t.summary, "min": t.min, "max": t.max,
                    "start": t.start, "private": t.visible_to.is_some(),
                })
            })
            .collect();
        json!({
            "id": sc.id, "title": sc.title, "hash": self.meta.scenario_hash, "rounds": sc.round_count(),
            "roles": crate::protocol::NamedRef::roles(sc),
            "tracks": tracks,
        })
    }

    fn rounds_json(&self, bots: &[RoleId]) -> Value {
        let (sc, audience) = (self.sc, self.lens.audience());
        self.replay
            .rounds
            .iter()
            .map(|r| {
                let mut round = json!({
                    "round": r.round,
                    "name": sc.rounds.get((r.round as usize).saturating_sub(1)).map(|d| d.name.clone()),
                    "state_hash": r.hash, "stored_hash": r.stored_hash, "hash_ok": r.hash == r.stored_hash,
                    "tracks": audience.tracks(sc, &r.after.tracks),
                    "report": serde_json::to_value(ServerMsg::RoundResolved(ReportView {
                        sc, lang: self.lang, report: &r.report, state_hash: &r.stored_hash, audience, bots,
                        replay: false,
                    })).unwrap_or_default(),
                });
                if self.lens == Lens::Declassified {
                    // The whole state after the round, in the canonical form its hash covers.
                    round["state"] = r.after.canonical(sc);
                }
                round
            })
            .collect()
    }

    fn final_json(&self) -> Value {
        let (sc, replay) = (self.sc, self.replay);
        let finished = replay.finished();
        let final_scores: Option<Value> = finished.then(|| {
            let points = scores(sc, &replay.final_state.tracks);
            sc.roles.iter().zip(points).map(|(r, s)| (r.id.clone(), Value::from(s))).collect()
        });
        json!({
            "round": replay.final_state.round,
            "state_hash": replay.final_hash,
            "finished": finished,
            "tracks": self.lens.audience().tracks(sc, &replay.final_state.tracks),
            "scores": final_scores,
        })
    }
}

impl Serialize for ReplayView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (sc, replay, meta) = (self.sc, self.replay, self.meta);
        let bot_roles = replay.bot_roles();
        let bots: Vec<&str> = bot_roles.iter().map(|r| sc.roles[*r].id.as_str()).collect();
        let open = self.lens.shows_entry(replay);
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("session_id", meta.session_id)?;
        map.serialize_entry("join_code", &self.join_code())?;
        map.serialize_entry("status", meta.status)?;
        map.serialize_entry("created_at", &meta.created_at)?;
        map.serialize_entry("lens", &self.lens.name(sc))?;
        map.serialize_entry("language", &self.lang)?;
        map.serialize_entry("scenario", &self.scenario_json())?;
        map.serialize_entry("seed", &open.then_some(replay.seed))?;
        let forked = replay.forked_from.as_ref().map(|(s, r)| json!({ "session_id": s, "round": r }));
        map.serialize_entry("forked_from", &forked)?;
        map.serialize_entry("ok", &replay.ok())?;
        map.serialize_entry("errors", &replay.errors)?;
        map.serialize_entry("bots", &bots)?;
        map.serialize_entry("start_tracks", &self.lens.audience().tracks(sc, &replay.start.tracks))?;
        map.serialize_entry("rounds", &self.rounds_json(&bot_roles))?;
        map.serialize_entry("steps", &Steps(self))?;
        map.serialize_entry("final", &self.final_json())?;
        // After the game the memos are no secret from their own role's lens, nor declassified.
        let memos: Vec<Value> = match self.lens {
            Lens::Public => Vec::new(),
            Lens::Role(r) => super::debrief::memos(sc).into_iter().skip(r.index()).take(1).collect(),
            Lens::Declassified => super::debrief::memos(sc),
        };
        if !memos.is_empty() {
            map.serialize_entry("memos", &memos)?;
        }
        if self.lens == Lens::Declassified {
            map.serialize_entry("events", &RawLog(meta))?;
        }
        map.end()
    }
}

/// The steps the lens shows, numbered from 0.
struct Steps<'a>(&'a ReplayView<'a>);

impl Serialize for Steps<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let view = self.0;
        let mut seq = serializer.serialize_seq(None)?;
        for (index, step) in view.replay.steps.iter().filter(|s| view.shows(s)).enumerate() {
            seq.serialize_element(&StepOut { view, index, step })?;
        }
        seq.end()
    }
}

struct StepOut<'a> {
    view: &'a ReplayView<'a>,
    index: usize,
    step: &'a Step,
}

impl Serialize for StepOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (view, step) = (self.view, self.step);
        let (sc, replay) = (view.sc, view.replay);
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("index", &self.index)?;
        map.serialize_entry("seq", &step.seq)?;
        map.serialize_entry("at", &step.at)?;
        map.serialize_entry("round", &step.round)?;
        match &step.kind {
            StepKind::Started => map.serialize_entry("kind", "started")?,
            StepKind::Ended => map.serialize_entry("kind", "ended")?,
            StepKind::Message(i) => {
                let m = &replay.messages[*i];
                map.serialize_entry("kind", "message")?;
                map.serialize_entry("from", &m.from)?;
                match m.to_ids(sc) {
                    None => map.serialize_entry("to", "all")?,
                    Some(ids) => map.serialize_entry("to", &ids)?,
                }
                map.serialize_entry("text", &m.text)?;
            }
            StepKind::Draft(i) => {
                let d = &replay.drafts[*i];
                map.serialize_entry("kind", "draft")?;
                map.serialize_entry("role", &sc.roles[d.role].id)?;
                let orders: &[OrderRef] = &d.orders;
                map.serialize_entry("orders", orders)?;
            }
            StepKind::EventInjected(e) => {
                let e = &sc.events[*e];
                map.serialize_entry("kind", "event_injected")?;
                map.serialize_entry("event", &json!({ "id": e.id, "name": e.name, "text": e.text, "essay": e.essay }))?;
            }
            StepKind::RoundResolved(i) => {
                map.serialize_entry("kind", "round_resolved")?;
                map.serialize_entry("resolved", &replay.rounds[*i].round)?;
            }
            StepKind::Reflected(i) => {
                let r = &replay.reflections[*i];
                map.serialize_entry("kind", "reflected")?;
                map.serialize_entry("player_id", &r.player_id)?;
                map.serialize_entry("player", &r.player)?;
                map.serialize_entry("role", &r.role.map(|role| sc.roles[role].id.as_str()))?;
                map.serialize_entry("text", &r.text)?;
            }
        }
        map.serialize_entry("tracks", &view.lens.audience().tracks(sc, &step.tracks))?;
        map.end()
    }
}

/// The raw log, as stored (declassified only).
struct RawLog<'a>(&'a Meta<'a>);

impl Serialize for RawLog<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Entry<'a> {
            seq: i64,
            at: i64,
            event: &'a crate::log::LogEvent,
        }
        serializer.collect_seq(self.0.log.iter().map(|e| Entry { seq: e.seq, at: e.at, event: &e.event }))
    }
}
