//! Objectives: each role's score out of 100 from the tracks, in integer arithmetic.

use super::ids::{Lookup, RoleId, TrackId};
use super::model::{Scenario, ScoreTerm};

/// A term's value in thousandths of its weight: 0 (worst) to 1000 (best).
fn term_value(scenario: &Scenario, tracks: &[i64], term: &ScoreTerm) -> i64 {
    let value = |t: TrackId| {
        let def = &scenario.tracks[t];
        let span = (def.max - def.min).max(1);
        let v = (tracks.get(t.index()).copied().unwrap_or(def.start) - def.min).clamp(0, span);
        let per_mille = v * 1000 / span;
        if term.invert {
            1000 - per_mille
        } else {
            per_mille
        }
    };
    term.tracks.iter().map(|t| value(*t)).min().unwrap_or(0)
}

/// The role's weighted objective in per mille (0..=1000 per term, weighted) and the total weight,
/// or `None` for a role with no weighted terms.
fn weighted(scenario: &Scenario, tracks: &[i64], role: RoleId) -> Option<(i64, i64)> {
    let def = scenario.roles.lookup(role)?;
    let total_weight: i64 = def.objective.terms.iter().map(|t| i64::from(t.weight)).sum();
    if total_weight == 0 {
        return None;
    }
    let weighted = def.objective.terms.iter().map(|t| term_value(scenario, tracks, t) * i64::from(t.weight)).sum();
    Some((weighted, total_weight))
}

/// The role's score for these tracks, 0..=100, rounded to the nearest whole point.
pub fn score(scenario: &Scenario, tracks: &[i64], role: RoleId) -> u32 {
    let Some((weighted, total_weight)) = weighted(scenario, tracks, role) else { return 0 };
    // weighted / total is in per mille; round half up to whole points.
    let points = (weighted * 100 + total_weight * 500) / (total_weight * 1000);
    points.clamp(0, 100) as u32
}

/// The role's score without rounding, in millionths of the whole (0..=1_000_000): for bots,
/// which must not mistake a small gain for none.
pub fn score_exact(scenario: &Scenario, tracks: &[i64], role: RoleId) -> i64 {
    weighted(scenario, tracks, role).map_or(0, |(weighted, total_weight)| weighted * 1000 / total_weight)
}

/// Every role's score, by role index.
pub fn scores(scenario: &Scenario, tracks: &[i64]) -> Vec<u32> {
    scenario.role_ids().map(|r| score(scenario, tracks, r)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::fixture;

    #[test]
    fn a_score_is_the_weighted_share_of_each_range() {
        let sc = fixture();
        // trade 10/10 (weight 3), fleet 0/3 (weight 1) → 75.
        assert_eq!(score(&sc, &[10, 0, 0], RoleId::new(0)), 75);
        assert_eq!(score(&sc, &[0, 0, 0], RoleId::new(0)), 0);
        assert_eq!(score(&sc, &[10, 0, 3], RoleId::new(0)), 100);
    }

    #[test]
    fn inverted_terms_reward_low_values_and_min_takes_the_weakest() {
        let sc = fixture();
        // South: min(trade 10/10, trust 0 in -5..5 → 0.5) = 0.5, fleet inverted 0/3 → 1 → 75.
        assert_eq!(score(&sc, &[10, 0, 0], RoleId::new(1)), 75);
        assert_eq!(score(&sc, &[10, 5, 3], RoleId::new(1)), 50);
    }

    #[test]
    fn scores_stay_within_0_and_100() {
        let sc = fixture();
        for tracks in [[-100, -100, -100], [100, 100, 100]] {
            assert!(scores(&sc, &tracks).iter().all(|s| *s <= 100));
        }
    }
}
