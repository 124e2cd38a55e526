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

#[test]
fn decide_reports_every_option_of_one_decision_and_is_reproducible() {
    let args = ["scenario", "decide", "tests/fixtures/rules.toml", "--role", "north", "--round", "2", "--games", "12"];
    let json_args: Vec<&str> = args.iter().copied().chain(["--seed", "4", "--json"]).collect();
    let text = run(&json_args);
    assert_eq!(text, run(&json_args), "the same seed gives the same report");
    let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!((json["role"].as_str(), json["round"].as_u64()), (Some("north"), Some(2)));
    let options = json["options"].as_array().expect("options");
    assert!(options.len() >= 3, "hold and several order sets: {text}");
    assert!(options.iter().any(|o| o["orders"].as_array().is_some_and(Vec::is_empty)), "holding is an option");
    let mut previous = f64::INFINITY;
    for option in options {
        let (mean, p10, p90) = (option["mean"].as_f64().expect("mean"), option["p10"].as_u64(), option["p90"].as_u64());
        assert!(mean <= previous, "best mean first");
        previous = mean;
        assert!(p10 <= p90 && (0.0..=100.0).contains(&mean), "{option}");
        for order in option["orders"].as_array().expect("orders") {
            assert!(order["move"].is_string() && order.get("target").is_some(), "{order}");
        }
    }
    // Only late_gambit is new in round 2: some option uses it.
    assert!(text.contains("late_gambit"), "{text}");
    let other = run(&args.iter().copied().chain(["--seed", "5", "--json"]).collect::<Vec<_>>());
    assert_ne!(text, other, "another seed, other games");
    let table = run(&args);
    assert!(table.starts_with("decision: north in round 2") && table.contains("(hold)"), "{table}");
}

#[test]
fn decide_refuses_an_unknown_role_or_round() {
    for (role, round, message) in [("nobody", "1", "no role `nobody`"), ("north", "9", "round 9 does not exist")] {
        let out = Command::new(env!("CARGO_BIN_EXE_third-neighbor"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["scenario", "decide", "tests/fixtures/rules.toml", "--role", role, "--round", round])
            .output()
            .expect("the binary runs");
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains(message), "{out:?}");
    }
}

#[test]
fn simulate_checks_fixed_plans_scripts_random_seats_and_paragraphs() {
    let text = run(&["scenario", "simulate", "tests/fixtures/rules.toml", "--games", "30", "--seed", "2", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let fixed = json["fixed_plans"].as_array().expect("fixed plans");
    for role in ["north", "south", "east"] {
        for kind in ["every", "script"] {
            assert!(fixed.iter().any(|c| c["role"] == role && c["kind"] == kind), "{role} {kind}: {text}");
        }
    }
    assert!(fixed.iter().all(|c| c["at_least"].as_f64().is_some_and(|s| (0.0..=1.0).contains(&s))));
    let seats = json["random_seats"].as_array().expect("random seats");
    assert_eq!(seats.len(), 3);
    assert!(seats.iter().all(|s| s["games"] == 30 && s["random_mean"].is_number() && s["bot_mean"].is_number()));
    assert_eq!(json["paragraphs"]["total"], 5);
    assert!(json["paragraphs"]["driving_play"].as_u64().is_some_and(|n| n <= 5));
    assert_eq!(json["tracks"].as_array().map(Vec::len), Some(3), "each track's mean at the end");
    // Only greedy runs check plans: they compare a seat with its greedy bot.
    let mixed = run(&[
        "scenario",
        "simulate",
        "tests/fixtures/rules.toml",
        "--games",
        "10",
        "--seed",
        "2",
        "--bots",
        "mixed",
        "--json",
    ]);
    let mixed: serde_json::Value = serde_json::from_str(&mixed).expect("valid JSON");
    assert!(mixed["fixed_plans"].as_array().is_some_and(Vec::is_empty));
}
