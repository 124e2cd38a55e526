//! The state of one game: the tracks, the round, the events in play, the RNG and the history.
//!
//! Invariant: a state is only ever produced by [`GameState::new`], [`GameState::inject_event`]
//! and [`crate::engine::resolve_round`], so its tracks are always inside their ranges and its
//! hash depends on nothing but the scenario, the seed and the orders.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::expr::Context;
use super::ids::{EventId, InteractionId, MoveId, TargetId, TrackId};
use super::model::Scenario;
use super::rng::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Orders are being set for `round`.
    Orders,
    /// The last round has been resolved.
    Finished,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GameState {
    /// 1-based; after the last round it stays at the last round and `phase` is `Finished`.
    pub round: u32,
    pub phase: Phase,
    /// By track index.
    pub tracks: Vec<i64>,
    pub rng: Rng,
    /// Events in play this round, scripted, drawn or injected, in the order they came.
    pub events: Vec<EventId>,
    /// Interactions marked `once` that have fired.
    pub fired: Vec<InteractionId>,
    /// The tracks at the start of the game and after every resolved round.
    pub history: Vec<Vec<i64>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InjectError {
    #[error("the game is over")]
    GameOver,
    #[error("this scenario has no event number {0}")]
    UnknownEvent(EventId),
    #[error("that event is already in play this round")]
    AlreadyInPlay,
}

impl GameState {
    /// The state at the start of round 1: tracks at their start values, round 1's events drawn.
    pub fn new(scenario: &Scenario, seed: u64) -> GameState {
        let tracks: Vec<i64> = scenario.tracks.iter().map(|t| t.start).collect();
        let mut state = GameState {
            round: 1,
            phase: Phase::Orders,
            history: vec![tracks.clone()],
            tracks,
            rng: Rng::new(seed),
            events: Vec::new(),
            fired: Vec::new(),
        };
        if scenario.rounds.is_empty() {
            state.phase = Phase::Finished;
        } else {
            state.draw_events(scenario);
        }
        state
    }

    /// Puts the round's scripted events in play and draws its random ones from the seed.
    pub(crate) fn draw_events(&mut self, scenario: &Scenario) {
        self.events.clear();
        if let Some(def) = scenario.rounds.get(self.round as usize - 1) {
            self.events.extend(def.events.iter().copied());
        }
        for (i, event) in scenario.events.iter().enumerate() {
            let id = EventId::new(i);
            if event.random_chance == 0 || !event.random_rounds.contains(&self.round) {
                continue;
            }
            // Draw even when the event is already scripted, so that the RNG's path does not
            // depend on which events the script happens to name.
            let hit = self.rng.percent(event.random_chance);
            if hit && !self.events.contains(&id) {
                self.events.push(id);
            }
        }
    }

    /// An instructor brings an event into play for the current round.
    pub fn inject_event(&self, scenario: &Scenario, event: EventId) -> Result<GameState, InjectError> {
        if self.phase == Phase::Finished {
            return Err(InjectError::GameOver);
        }
        if event.index() >= scenario.events.len() {
            return Err(InjectError::UnknownEvent(event));
        }
        if self.events.contains(&event) {
            return Err(InjectError::AlreadyInPlay);
        }
        let mut next = self.clone();
        next.events.push(event);
        Ok(next)
    }

    pub fn is_finished(&self) -> bool {
        self.phase == Phase::Finished
    }

    /// The canonical form that the hash covers: named tracks, so that the form reads the same
    /// whatever order a scenario lists its tracks in, and nothing that depends on the platform.
    pub fn canonical(&self, scenario: &Scenario) -> serde_json::Value {
        let named = |values: &[i64]| -> serde_json::Map<String, serde_json::Value> {
            let mut sorted: Vec<(&str, i64)> =
                scenario.tracks.iter().zip(values).map(|(t, v)| (t.id.as_str(), *v)).collect();
            sorted.sort_by(|a, b| a.0.cmp(b.0));
            sorted.into_iter().map(|(k, v)| (k.to_string(), v.into())).collect()
        };
        serde_json::json!({
            "scenario": scenario.id,
            "round": self.round,
            "phase": self.phase,
            "tracks": named(&self.tracks),
            "rng": self.rng,
            "events": self.events.iter().map(|e| scenario.events[*e].id.as_str()).collect::<Vec<_>>(),
            "fired": self.fired.iter().map(|i| scenario.interactions[*i].id.as_str()).collect::<Vec<_>>(),
            "history": self.history.iter().map(|h| named(h)).collect::<Vec<_>>(),
        })
    }

    /// SHA-256 of the canonical form, in hex: equal states have equal hashes on every platform.
    pub fn hash(&self, scenario: &Scenario) -> String {
        // serde_json writes object keys in insertion order (sorted above) with no whitespace.
        let bytes = serde_json::to_vec(&self.canonical(scenario)).unwrap_or_default();
        format!("{:x}", Sha256::digest(&bytes))
    }
}

/// A state read by conditions before anyone has ordered (whether a move is available this
/// round): its tracks, round and events; nothing is ordered or has succeeded yet.
impl Context for GameState {
    fn track(&self, track: TrackId) -> i64 {
        self.tracks.get(track.index()).copied().unwrap_or(0)
    }
    fn round(&self) -> i64 {
        i64::from(self.round)
    }
    fn ordered(&self, _mv: MoveId, _target: Option<TargetId>) -> bool {
        false
    }
    fn succeeded(&self, _mv: MoveId, _target: Option<TargetId>) -> bool {
        false
    }
    fn event_active(&self, event: EventId) -> bool {
        self.events.contains(&event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::fixture;

    #[test]
    fn the_start_state_hash_is_pinned() {
        // A stored game is checked against hashes computed years earlier: this value must only
        // change together with a migration of stored games.
        let sc = fixture();
        let hash = GameState::new(&sc, 1).hash(&sc);
        assert_eq!(hash.len(), 64);
        assert_eq!(hash, GameState::new(&sc, 1).hash(&sc));
        assert_ne!(hash, GameState::new(&sc, 2).hash(&sc));
        assert_eq!(hash, PINNED_START_HASH);
    }

    const PINNED_START_HASH: &str = "cfb911b297db4a15494de8d1e3776fda4f4455c31ec325bd539d38148f72e7d3";

    #[test]
    fn injecting_checks_the_event_and_the_phase() {
        let sc = fixture();
        let state = GameState::new(&sc, 1);
        let storm = sc.event_index("storm").expect("storm");
        let next = state.inject_event(&sc, storm).expect("injected");
        assert!(next.events.contains(&storm));
        assert_eq!(next.inject_event(&sc, storm), Err(InjectError::AlreadyInPlay));
        assert_eq!(state.inject_event(&sc, EventId::new(99)), Err(InjectError::UnknownEvent(EventId::new(99))));
        let mut over = state.clone();
        over.phase = Phase::Finished;
        assert_eq!(over.inject_event(&sc, storm), Err(InjectError::GameOver));
    }
}
