//! The scenario tools as a teacher or author runs them: `simulate` and `explain`.

use std::path::Path;
use std::process::Command;

fn run(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_third-neighbor"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("the binary runs");
    assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8 output")
}

#[test]
fn simulate_is_reproducible_byte_for_byte_and_changes_with_the_seed() {
    let args = ["scenario", "simulate", "tests/fixtures/rules.toml", "--games", "40", "--seed", "9", "--bots", "mixed"];
    let first = run(&args);
    assert_eq!(first, run(&args));
    let other =
        run(&["scenario", "simulate", "tests/fixtures/rules.toml", "--games", "40", "--seed", "10", "--bots", "mixed"]);
    assert_ne!(first, other);
    for section in ["scores (out of 100)", "moves", "interactions", "events", "warnings"] {
        assert!(first.contains(section), "missing {section}:\n{first}");
    }
}

#[test]
fn simulate_json_reports_distributions_moves_interactions_and_events() {
    let text = run(&["scenario", "simulate", "tests/fixtures/rules.toml", "--games", "30", "--seed", "1", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let roles = json["roles"].as_array().expect("roles");
    assert_eq!(roles.len(), 3);
    for role in roles {
        let (p10, p50, p90) = (role["p10"].as_u64(), role["p50"].as_u64(), role["p90"].as_u64());
        assert!(p10 <= p50 && p50 <= p90, "{role}");
        assert!(role["mean"].as_f64().is_some_and(|m| (0.0..=100.0).contains(&m)));
    }
    assert!(json["moves"].as_array().is_some_and(|m| m.len() == 14));
    assert!(json["interactions"]
        .as_array()
        .is_some_and(|i| i.iter().any(|x| x["id"] == "drift" && x["fired"].as_u64() == Some(90))));
    assert!(json["events"].as_array().is_some_and(|e| e.len() == 3));
    assert!(json["warnings"].is_array());
}

#[test]
fn simulate_warns_about_a_move_no_greedy_bot_ever_chooses() {
    // In the fixture, North's sabotage only hurts North: a greedy North never orders it.
    let text =
        run(&["scenario", "simulate", "tests/fixtures/rules.toml", "--games", "20", "--seed", "1", "--bots", "greedy"]);
    assert!(text.contains("dead move: north.sabotage"), "{text}");
    assert!(!text.contains("dead move: north.build_ship") && !text.contains("dead move: east.vote_yes"), "{text}");
}

#[test]
fn explain_prints_every_role_move_interaction_and_event() {
    let text = run(&["scenario", "explain", "tests/fixtures/rules.toml"]);
    for needle in [
        "ROLE North",
        "Build a ship",
        "joint with South",
        "only when: round >= 2",
        "protest_sinks_ship",
        "East must choose",
    ] {
        assert!(text.contains(needle), "missing {needle:?}:\n{text}");
    }
    assert!(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/tutorial.toml").exists());
    let tutorial = run(&["scenario", "explain", "scenarios/tutorial.toml"]);
    assert!(tutorial.contains("ROUNDS"));
}
