//! The small arithmetic and wording every figure of the simulator shares: rounding, percentiles
//! and a plan written as the reports write it.

use crate::engine::{Order, Scenario};

/// The `p`th percentile of sorted scores (nearest rank; 0 for none).
pub(super) fn percentile(sorted: &[u32], p: usize) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    // Nearest rank.
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

/// Two decimals, as the reports print them.
pub(super) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A plan as `move[target] + move`, or `(hold)`.
pub(super) fn plan_text(scenario: &Scenario, plan: &[Order]) -> String {
    if plan.is_empty() {
        return "(hold)".to_string();
    }
    plan.iter()
        .map(|o| {
            let m = &scenario.moves[o.mv];
            match o.target {
                Some(t) => format!("{}[{}]", m.id, scenario.targets[t].id),
                None => m.id.clone(),
            }
        })
        .collect::<Vec<_>>()
        .join(" + ")
}
