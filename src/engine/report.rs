//! What a resolved round says happened, and why.
//!
//! Invariant: every outcome names the rule that produced it (a move, an event or an
//! interaction) and so its essay paragraphs, so a client can explain any change in one line.

use serde::Serialize;

use super::model::{EventId, InteractionId, RoleId, Scenario, TargetId, TrackId};
use super::order::{Illegal, Order};

/// A change to one track as a rule declared it (before the track's range clamps the total).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Delta {
    pub track: TrackId,
    pub amount: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    Succeeded,
    /// A joint move whose partners did not order their part.
    PartnerMissing {
        partners: Vec<RoleId>,
    },
    /// The move's `requires` condition was false this round.
    ConditionNotMet,
    Illegal {
        reason: Illegal,
    },
}

impl Status {
    pub fn succeeded(&self) -> bool {
        matches!(self, Status::Succeeded)
    }

    /// The outcome's name as reports and exports give it.
    pub fn code(&self) -> &'static str {
        match self {
            Status::Succeeded => "succeeded",
            Status::PartnerMissing { .. } => "partner_missing",
            Status::ConditionNotMet => "condition_not_met",
            Status::Illegal { .. } => "illegal",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderOutcome {
    pub role: RoleId,
    pub order: Order,
    pub status: Status,
    pub effects: Vec<Delta>,
    /// Filled in by the engine (an unanswered forced choice), not ordered by the player.
    pub automatic: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventOutcome {
    pub event: EventId,
    pub effects: Vec<Delta>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InteractionOutcome {
    pub interaction: InteractionId,
    pub effects: Vec<Delta>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoundReport {
    pub round: u32,
    pub events: Vec<EventOutcome>,
    pub orders: Vec<OrderOutcome>,
    pub interactions: Vec<InteractionOutcome>,
    pub tracks_before: Vec<i64>,
    pub tracks_after: Vec<i64>,
}

/// One line of the report as a person reads it: what happened, why, and where the essay says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub text: String,
    pub essay: Vec<u32>,
}

impl OrderOutcome {
    pub fn explain(&self, scenario: &Scenario) -> Line {
        let Some(def) = scenario.moves.get(self.order.mv) else {
            return Line { text: format!("unknown order: {}", Illegal::UnknownMove.explain()), essay: Vec::new() };
        };
        let role = &scenario.roles[self.role].name;
        let target = target_suffix(scenario, self.order.target);
        let text = match &self.status {
            Status::Succeeded if self.automatic => {
                format!("{role} gave no answer, so: {}{target}. {}", def.name, def.success_text)
            }
            Status::Succeeded => format!("{role}: {}{target} succeeded. {}", def.name, def.success_text),
            Status::PartnerMissing { partners } => {
                let names: Vec<&str> = partners.iter().map(|p| scenario.roles[*p].name.as_str()).collect();
                format!(
                    "{role}: {}{target} failed: {} did not join in. {}",
                    def.name,
                    names.join(" and "),
                    def.failure_text
                )
            }
            Status::ConditionNotMet => {
                let why = if def.unmet_text.is_empty() { &def.failure_text } else { &def.unmet_text };
                format!("{role}: {}{target} failed: its condition was not met. {why}", def.name)
            }
            Status::Illegal { reason } => {
                format!("{role}: {}{target} was not carried out: {}.", def.name, reason.explain())
            }
        };
        Line { text: text.trim_end().to_string(), essay: def.essay.clone() }
    }
}

fn target_suffix(scenario: &Scenario, target: Option<TargetId>) -> String {
    match target.and_then(|t| scenario.targets.get(t)) {
        Some(t) => format!(" ({})", t.name),
        None => String::new(),
    }
}

impl EventOutcome {
    pub fn explain(&self, scenario: &Scenario) -> Line {
        let def = &scenario.events[self.event];
        Line { text: format!("{}: {}", def.name, def.text), essay: def.essay.clone() }
    }
}

impl InteractionOutcome {
    pub fn explain(&self, scenario: &Scenario) -> Line {
        let def = &scenario.interactions[self.interaction];
        Line { text: def.text.clone(), essay: def.essay.clone() }
    }
}

impl RoundReport {
    /// The three-line summary a report's first screen shows: the biggest changes and their causes.
    pub fn headline(&self, scenario: &Scenario) -> Vec<String> {
        let mut changes: Vec<(i64, TrackId)> = self
            .tracks_before
            .iter()
            .zip(&self.tracks_after)
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .map(|(i, (a, b))| (b - a, i))
            .collect();
        changes.sort_by_key(|(d, i)| (std::cmp::Reverse(d.abs()), *i));
        changes
            .into_iter()
            .take(3)
            .map(|(delta, track)| format!("{} {:+}", scenario.tracks[track].name, delta))
            .collect()
    }
}
