//! The round report as the wire shows it (`round_resolved`), for one audience in one language.
//! The live session sends it after every round; the replay rebuilds the very same frame from the
//! log, so that a replayed report reads exactly as the live one did. It is written straight to
//! JSON; its narratives and headline are told by `crate::i18n::narrate` from the scenario in the
//! reader's language.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use crate::engine::report::Delta;
use crate::engine::{Lookup, RoleId, RoundReport, Scenario, Status, TrackId};
use crate::i18n::{narrate, Lang};
use crate::log::OrderRef;

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
        let Some(def) = sc.tracks.lookup(track) else { return false };
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
        for (i, t) in self.sc.indexed_tracks().filter(|(i, _)| self.audience.shows_track(self.sc, *i)) {
            map.serialize_entry(&t.id, &self.values.get(i.index()).copied().unwrap_or(t.start))?;
        }
        map.end()
    }
}

/// `round_resolved` for one audience: every role's orders (public once resolved), and effects
/// and tracks filtered to what the audience may see, told in one language.
#[derive(Debug, Clone, Copy)]
pub struct ReportView<'a> {
    /// The scenario in the reader's language (any translation has the English's ids and rules).
    pub sc: &'a Scenario,
    /// The language of the words around the scenario's texts.
    pub lang: Lang,
    pub report: &'a RoundReport,
    pub state_hash: &'a str,
    pub audience: Audience,
    /// The roles bots played.
    pub bots: &'a [RoleId],
    /// Sent again to a seat that (re)connected.
    pub replay: bool,
}

impl Serialize for ReportView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (sc, report) = (self.sc, self.report);
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("round", &report.round)?;
        map.serialize_entry("orders", &OrdersByRole(self))?;
        map.serialize_entry("outcomes", &Outcomes(self))?;
        map.serialize_entry("events", &EventLines(self))?;
        map.serialize_entry("interactions", &InteractionLines(self))?;
        map.serialize_entry("tracks", &TrackChanges(self))?;
        map.serialize_entry("headline", &self.headline())?;
        let bots: Vec<&str> = self.bots.iter().filter_map(|r| sc.roles.lookup(*r)).map(|r| r.id.as_str()).collect();
        map.serialize_entry("bots", &bots)?;
        map.serialize_entry("state_hash", self.state_hash)?;
        map.serialize_entry("finished", &(report.round >= sc.round_count()))?;
        // The round's discussion prompt is the teacher's (the console and the projector show it).
        if !matches!(self.audience, Audience::Role(_)) {
            let round = usize::try_from(report.round).ok().and_then(|n| n.checked_sub(1));
            if let Some(prompt) = round.and_then(|i| sc.rounds.get(i)).map(|r| r.discussion.as_str()) {
                if !prompt.is_empty() {
                    map.serialize_entry("discussion", prompt)?;
                }
            }
        }
        if self.replay {
            map.serialize_entry("replay", &true)?;
        }
        map.end()
    }
}

impl ReportView<'_> {
    /// The biggest visible changes, as "Track +2" lines (at most three).
    pub fn headline(&self) -> Vec<String> {
        self.headline_changes().into_iter().map(|(i, d)| narrate::headline_item(self.sc, i, d, self.lang)).collect()
    }

    /// The headline's changes: (track, amount), biggest first, at most three.
    pub fn headline_changes(&self) -> Vec<(TrackId, i64)> {
        let (sc, report) = (self.sc, self.report);
        let mut changes: Vec<(i64, TrackId)> = sc
            .indexed_tracks()
            .map(|(i, _)| i)
            .filter(|i| self.audience.shows_track(sc, *i))
            .filter_map(|i| {
                let before = report.tracks_before.get(i.index()).copied()?;
                let after = report.tracks_after.get(i.index()).copied()?;
                (after != before).then_some((after - before, i))
            })
            .collect();
        changes.sort_by_key(|(d, i)| (std::cmp::Reverse(d.abs()), *i));
        changes.into_iter().take(3).map(|(d, i)| (i, d)).collect()
    }
}

/// `{role: [{move, target}]}`: what each role ordered (automatic answers left out).
struct OrdersByRole<'a>(&'a ReportView<'a>);

impl Serialize for OrdersByRole<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (sc, report) = (self.0.sc, self.0.report);
        let mut map = serializer.serialize_map(Some(sc.roles.len()))?;
        for (ri, role) in sc.indexed_roles() {
            let orders: Vec<OrderRef> = report
                .orders
                .iter()
                .filter(|o| o.role == ri && !o.automatic)
                .filter_map(|o| {
                    let mv = sc.moves.lookup(o.order.mv)?;
                    let target = o.order.target.and_then(|t| sc.targets.lookup(t)).map(|t| t.id.clone());
                    Some(OrderRef { mv: mv.id.clone(), target })
                })
                .collect();
            map.serialize_entry(&role.id, &orders)?;
        }
        map.end()
    }
}

/// Effects filtered to the audience: `[{track, amount}]`.
struct Effects<'a> {
    view: &'a ReportView<'a>,
    effects: &'a [Delta],
}

impl Serialize for Effects<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (sc, audience) = (self.view.sc, self.view.audience);
        let mut seq = serializer.serialize_seq(None)?;
        for d in self.effects.iter().filter(|d| audience.shows_track(sc, d.track)) {
            seq.serialize_element(&EffectOut { track: &sc.tracks[d.track].id, amount: d.amount })?;
        }
        seq.end()
    }
}

#[derive(serde::Serialize)]
struct EffectOut<'a> {
    track: &'a str,
    amount: i64,
}

struct Outcomes<'a>(&'a ReportView<'a>);

impl Serialize for Outcomes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let view = self.0;
        let (sc, report) = (view.sc, view.report);
        let mut seq = serializer.serialize_seq(Some(report.orders.len()))?;
        for o in &report.orders {
            let line = narrate::order(sc, o, view.lang);
            let mv = sc.moves.lookup(o.order.mv);
            let reason = match &o.status {
                Status::Illegal { reason } => Some(reason.code()),
                _ => None,
            };
            seq.serialize_element(&OutcomeOut {
                role: sc.roles.lookup(o.role).map_or("", |r| &r.id),
                mv: mv.map(|m| &*m.id),
                target: o.order.target.and_then(|t| sc.targets.lookup(t)).map(|t| &*t.id),
                succeeded: o.status.succeeded(),
                status: o.status.code(),
                reason,
                automatic: o.automatic,
                effects: Effects { view, effects: &o.effects },
                narrative: &line.text,
                essay: &line.essay,
            })?;
        }
        seq.end()
    }
}

#[derive(serde::Serialize)]
struct OutcomeOut<'a> {
    role: &'a str,
    #[serde(rename = "move")]
    mv: Option<&'a str>,
    target: Option<&'a str>,
    succeeded: bool,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    automatic: bool,
    effects: Effects<'a>,
    narrative: &'a str,
    essay: &'a [u32],
}

#[derive(serde::Serialize)]
struct LineOut<'a> {
    id: Option<&'a str>,
    effects: Effects<'a>,
    narrative: &'a str,
    essay: &'a [u32],
}

struct EventLines<'a>(&'a ReportView<'a>);

impl Serialize for EventLines<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let view = self.0;
        let mut seq = serializer.serialize_seq(Some(view.report.events.len()))?;
        for e in &view.report.events {
            let line = narrate::event(view.sc, e, view.lang);
            seq.serialize_element(&LineOut {
                id: view.sc.events.lookup(e.event).map(|d| &*d.id),
                effects: Effects { view, effects: &e.effects },
                narrative: &line.text,
                essay: &line.essay,
            })?;
        }
        seq.end()
    }
}

struct InteractionLines<'a>(&'a ReportView<'a>);

impl Serialize for InteractionLines<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let view = self.0;
        let mut seq = serializer.serialize_seq(Some(view.report.interactions.len()))?;
        for i in &view.report.interactions {
            let line = narrate::interaction(view.sc, i);
            seq.serialize_element(&LineOut {
                id: view.sc.interactions.lookup(i.interaction).map(|d| &*d.id),
                effects: Effects { view, effects: &i.effects },
                narrative: &line.text,
                essay: &line.essay,
            })?;
        }
        seq.end()
    }
}

/// `[{id, before, value}]` for the tracks the audience sees that changed.
struct TrackChanges<'a>(&'a ReportView<'a>);

impl Serialize for TrackChanges<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let view = self.0;
        let (sc, report) = (view.sc, view.report);
        let mut seq = serializer.serialize_seq(None)?;
        for (i, t) in sc.indexed_tracks().filter(|(i, _)| view.audience.shows_track(sc, *i)) {
            let before = report.tracks_before.get(i.index()).copied().unwrap_or(t.start);
            let after = report.tracks_after.get(i.index()).copied().unwrap_or(before);
            if after != before {
                seq.serialize_element(&TrackOut { id: &t.id, before, value: after })?;
            }
        }
        seq.end()
    }
}

#[derive(serde::Serialize)]
struct TrackOut<'a> {
    id: &'a str,
    before: i64,
    value: i64,
}
