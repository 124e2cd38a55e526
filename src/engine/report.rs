//! What a resolved round says happened, and why — as data: every outcome names the rule that
//! produced it (a move, an event or an interaction), so that it can be told in words, in any
//! language (`crate::i18n::narrate`), with its essay paragraphs.

use serde::Serialize;

use super::ids::{EventId, InteractionId, RoleId, TrackId};
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
