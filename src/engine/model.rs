//! The validated scenario as the engine sees it: roles, tracks, moves, interactions, events and
//! rounds, cross-referenced by index.
//!
//! Invariant: every index stored here points into the scenario's own vectors, every expression is
//! type-checked, and every move has at least one essay paragraph. `crate::scenario` is the only
//! producer; the engine trusts these facts and never re-checks them.

use serde::Serialize;

use super::expr::Expr;

use super::ids::{indexed_by, EventId, InteractionId, MoveId, RoleId, TargetId, TrackId};

// Each id indexes the scenario's list of its kind: `scenario.moves[mv]`, `scenario.tracks[t]`…
indexed_by!(RoleId => Role);
indexed_by!(TrackId => Track);
indexed_by!(MoveId => Move);
indexed_by!(TargetId => Target);
indexed_by!(EventId => Event);
indexed_by!(InteractionId => Interaction);

#[derive(Debug, Clone)]
pub struct Scenario {
    pub id: String,
    pub title: String,
    pub summary: String,
    /// The source text the ¶ numbers refer to (its title; the text itself is never shipped).
    pub source_title: String,
    /// How many paragraphs the source has: every ¶ cited is within 1..=this.
    pub source_paragraphs: u32,
    pub roles: Vec<Role>,
    pub tracks: Vec<Track>,
    /// Names of everything a move may target: the role ids, then the outside actors.
    pub targets: Vec<Target>,
    pub moves: Vec<Move>,
    pub interactions: Vec<Interaction>,
    pub events: Vec<Event>,
    pub rounds: Vec<RoundDef>,
    /// The teacher's kit around the game, if the file has a `[lesson]`. Text for people only:
    /// nothing in it changes how a round resolves.
    pub lesson: Option<Lesson>,
}

/// The lesson a scenario is played in: what students should learn, how the class period is
/// spent, the words they need, and the questions for the debrief.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Lesson {
    pub objectives: Vec<String>,
    /// The whole lesson, in minutes (the sum of `timing`, when it is given).
    pub minutes: u32,
    pub timing: Vec<TimingStep>,
    pub terms: Vec<Term>,
    pub debrief_questions: Vec<String>,
    /// One prompt for a short written reflection after the game.
    pub reflection: String,
    /// For the teacher only: where the scenario rests on a contested claim of its source, goes
    /// beyond it, or takes facts from elsewhere (may be empty).
    pub caveats: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TimingStep {
    pub step: String,
    pub minutes: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Term {
    pub term: String,
    pub meaning: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub id: String,
    pub name: String,
    /// The role it stands for, when it is a role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<RoleId>,
}

#[derive(Debug, Clone)]
pub struct Role {
    pub id: String,
    pub name: String,
    pub briefing: String,
    pub action_points: u32,
    pub objective: Objective,
    /// The role's memo: background, interests, red lines, a private fact and openings. Shown only
    /// to the role's seats and the instructor; empty when the scenario has none.
    pub memo: String,
    /// What the role wants that the others do not know; it is scored through a track only this
    /// role sees.
    pub private_objective: Option<PrivateObjective>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PrivateObjective {
    pub summary: String,
    pub essay: Vec<u32>,
}

#[derive(Debug, Clone)]
pub struct Objective {
    pub summary: String,
    pub essay: Vec<u32>,
    pub terms: Vec<ScoreTerm>,
}

/// One weighted part of a role's score: a track (or the weakest of several), normalised to its
/// range, optionally inverted (the role wants it low).
#[derive(Debug, Clone)]
pub struct ScoreTerm {
    pub tracks: Vec<TrackId>,
    pub weight: u32,
    pub invert: bool,
    /// Only for explaining the objective to a teacher.
    pub label: String,
}

#[derive(Debug, Clone)]
pub struct Track {
    pub id: String,
    pub name: String,
    pub summary: String,
    pub min: i64,
    pub max: i64,
    pub start: i64,
    /// None: public. Some(roles): only these roles (and the instructor) see it.
    pub visible_to: Option<Vec<RoleId>>,
}

impl Track {
    pub fn clamp(&self, value: i64) -> i64 {
        value.clamp(self.min, self.max)
    }

    pub fn visible_to_role(&self, role: RoleId) -> bool {
        self.visible_to.as_ref().is_none_or(|roles| roles.contains(&role))
    }
}

/// A change to one track; `amount` is evaluated when the effect applies.
#[derive(Debug, Clone)]
pub struct Effect {
    pub track: TrackId,
    pub amount: Expr,
}

#[derive(Debug, Clone)]
pub struct Move {
    pub role: RoleId,
    pub id: String,
    pub name: String,
    pub summary: String,
    pub essay: Vec<u32>,
    pub cost: u32,
    /// What the move may be aimed at; empty when it takes no target.
    pub targets: Vec<TargetId>,
    pub joint: Option<Joint>,
    /// Whether it may be ordered this round, judged before anyone orders.
    pub available: Option<Expr>,
    /// Checked at resolution; the move fails when false.
    pub requires: Option<Expr>,
    /// The event whose forced choice this move answers, if any; it is orderable only then.
    pub choice_of: Option<EventId>,
    pub effects: Vec<Effect>,
    /// Extra effects by target, added to `effects` on success.
    pub by_target: Vec<(TargetId, Vec<Effect>)>,
    pub on_fail: Vec<Effect>,
    pub success_text: String,
    pub failure_text: String,
    /// The report's line when `requires` is false; empty: `failure_text` serves for both.
    pub unmet_text: String,
}

/// A move that takes partners: it succeeds only when they order the matching move this round.
#[derive(Debug, Clone)]
pub struct Joint {
    pub partners: Vec<Partner>,
    pub need_all: bool,
}

#[derive(Debug, Clone)]
pub struct Partner {
    /// The partner role; `None` means "whoever the order targets".
    pub role: Option<RoleId>,
    /// The matching moves, per partner role (filled for every role that may be the partner). A
    /// role may have several: any one of them, ordered, counts as joining in.
    pub moves: Vec<(RoleId, MoveId)>,
}

#[derive(Debug, Clone)]
pub struct Interaction {
    pub id: String,
    pub when: Expr,
    pub effects: Vec<Effect>,
    pub text: String,
    pub essay: Vec<u32>,
    /// Fires at most once per game (a threshold crossed).
    pub once: bool,
}

#[derive(Debug, Clone)]
pub struct Event {
    pub id: String,
    pub name: String,
    pub text: String,
    pub essay: Vec<u32>,
    pub effects: Vec<Effect>,
    /// Chance in percent of happening in each of `random_rounds`; 0 when only scripted.
    pub random_chance: u32,
    pub random_rounds: Vec<u32>,
    pub choice: Option<Choice>,
}

/// A decision the event forces on one role (a UN vote): one of `moves`, or `default`.
#[derive(Debug, Clone)]
pub struct Choice {
    pub role: RoleId,
    pub moves: Vec<MoveId>,
    pub default: MoveId,
}

#[derive(Debug, Clone)]
pub struct RoundDef {
    pub name: String,
    pub briefing: String,
    pub events: Vec<EventId>,
    /// A discussion prompt for the class after the round's report; empty when there is none.
    pub discussion: String,
}

impl Scenario {
    pub fn role_index(&self, id: &str) -> Option<RoleId> {
        self.roles.iter().position(|r| r.id == id).map(RoleId::new)
    }

    /// Every role's id, in order.
    pub fn role_ids(&self) -> impl Iterator<Item = RoleId> + use<> {
        (0..self.roles.len()).map(RoleId::new)
    }

    /// Every role with its id.
    pub fn indexed_roles(&self) -> impl Iterator<Item = (RoleId, &Role)> {
        self.roles.iter().enumerate().map(|(i, r)| (RoleId::new(i), r))
    }

    pub fn track_index(&self, id: &str) -> Option<TrackId> {
        self.tracks.iter().position(|t| t.id == id).map(TrackId::new)
    }

    pub fn target_index(&self, id: &str) -> Option<TargetId> {
        self.targets.iter().position(|t| t.id == id).map(TargetId::new)
    }

    pub fn event_index(&self, id: &str) -> Option<EventId> {
        self.events.iter().position(|e| e.id == id).map(EventId::new)
    }

    pub fn move_index(&self, role: RoleId, id: &str) -> Option<MoveId> {
        self.moves.iter().position(|m| m.role == role && m.id == id).map(MoveId::new)
    }

    pub fn moves_of(&self, role: RoleId) -> impl Iterator<Item = (MoveId, &Move)> {
        self.moves.iter().enumerate().map(|(i, m)| (MoveId::new(i), m)).filter(move |(_, m)| m.role == role)
    }

    /// Every track with its id.
    pub fn indexed_tracks(&self) -> impl Iterator<Item = (TrackId, &Track)> {
        self.tracks.iter().enumerate().map(|(i, t)| (TrackId::new(i), t))
    }

    /// The target that stands for a role (roles come first in `targets`, in the same order).
    pub fn role_target(&self, role: RoleId) -> TargetId {
        TargetId::new(role.index())
    }

    pub fn round_count(&self) -> u32 {
        self.rounds.len() as u32
    }
}
