//! Broken scenario files: every validation error names the file, the line and the column, in
//! words a teacher can act on, and all of a file's errors come at once.

use std::path::Path;
use std::process::Command;

use third_neighbor::scenario;

fn fixture() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules.toml");
    std::fs::read_to_string(path).expect("fixture")
}

/// Applies `from → to` once to the fixture, parses it, and expects an error containing
/// `message` at the line and column where `at` first occurs in the broken text.
fn expect_error(from: &str, to: &str, at: &str, message: &str) {
    expect_error_in(&fixture(), "fixture", from, to, at, message);
}

/// `expect_error` on any fixture `text` (`name` says which, should `from` have gone from it).
fn expect_error_in(text: &str, name: &str, from: &str, to: &str, at: &str, message: &str) {
    assert!(text.contains(from), "the {name} no longer contains {from:?}");
    let broken = text.replacen(from, to, 1);
    let changed_at = text.find(from).unwrap_or(0);
    let offset = broken[changed_at..].find(at).map(|i| i + changed_at).or_else(|| broken.find(at));
    let offset = offset.unwrap_or_else(|| panic!("{at:?} is not in the broken text after the change"));
    let line = broken[..offset].matches('\n').count() + 1;
    let column = broken[..offset].rfind('\n').map_or(offset, |nl| offset - nl - 1) + 1;
    let err = scenario::parse("broken.toml", &broken).expect_err("the broken file must be refused");
    let rendered = err.to_string();
    let wanted = format!("broken.toml:{line}:{column}: ");
    let found = rendered.lines().any(|l| l.starts_with(&wanted) && l.contains(message));
    assert!(found, "expected a line starting {wanted:?} containing {message:?}; got:\n{rendered}");
}

#[test]
fn the_fixture_itself_is_valid() {
    scenario::parse("rules.toml", &fixture()).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_misspelt_key_is_named_with_a_suggestion() {
    expect_error(
        "effects = { fleet = 1 }",
        "efects = { fleet = 1 }",
        "efects",
        "unknown key `efects` in a move (did you mean `effects`?)",
    );
}

#[test]
fn an_unknown_track_in_effects_is_named() {
    expect_error(
        "effects = { fleet = 1 }",
        "effects = { flet = 1 }",
        "flet",
        "there is no track `flet` (did you mean `fleet`?)",
    );
}

#[test]
fn an_unknown_role_is_named() {
    expect_error(
        "role = \"north\"\nid = \"build_ship\"",
        "role = \"nort\"\nid = \"build_ship\"",
        "\"nort\"",
        "there is no role `nort`",
    );
}

#[test]
fn a_move_without_essay_paragraphs_is_refused() {
    expect_error(
        "summary = \"Two points for one ship.\"\nessay = [1]\n",
        "summary = \"Two points for one ship.\"\n",
        "[[moves]]\nrole = \"north\"\nid = \"build_ship\"",
        "a move is missing the key `essay`",
    );
}

#[test]
fn a_paragraph_beyond_the_source_is_refused() {
    expect_error(
        "essay = [4]\ncost = 1\ntargets",
        "essay = [9]\ncost = 1\ntargets",
        "9]",
        "¶9 does not exist: the source has paragraphs 1 to 5",
    );
}

#[test]
fn a_start_value_outside_the_range_is_refused() {
    expect_error(
        "start = 1\nvisible_to",
        "start = 7\nvisible_to",
        "7\nvisible_to",
        "start (7) must lie between min (0) and max (3)",
    );
}

#[test]
fn an_empty_range_is_refused() {
    expect_error("min = 0\nmax = 3", "min = 3\nmax = 3", "3\nstart = 1", "max (3) must be greater than min (3)");
}

#[test]
fn an_unfinished_expression_is_refused_where_it_ends() {
    expect_error(
        "when = \"trade >= 9\"",
        "when = \"trade >= \"",
        "\"\neffects = { trust = 2 }",
        "in `trade >= `: expected a number",
    );
}

#[test]
fn a_condition_that_is_a_number_is_refused() {
    expect_error("when = \"trade >= 9\"", "when = \"trade + 9\"", "trade + 9", "must be a true/false condition");
}

#[test]
fn availability_cannot_look_at_this_rounds_orders() {
    expect_error("available = \"round >= 2\"", "available = \"south.protest\"", "south.protest", "not known yet");
}

#[test]
fn a_joint_move_needs_the_partners_matching_move() {
    expect_error(
        "joint = { partners = [\"south\"], move = \"trade_pact\" }",
        "joint = { partners = [\"south\"], move = \"trade_pakt\" }",
        "\"trade_pakt\"",
        "role `south` has no move `trade_pakt` to join this one",
    );
}

#[test]
fn an_actor_cannot_be_a_joint_partner() {
    expect_error(
        "targets = [\"south\", \"east\", \"lighthouse\"]\neffects",
        "targets = [\"south\", \"east\", \"lighthouse\"]\njoint = { partners = [\"target\"], move = \"host\" }\neffects",
        "\"target\"]",
        "`lighthouse` is an actor, not a role",
    );
}

#[test]
fn extra_effects_for_a_target_the_move_lacks_are_refused() {
    expect_error(
        "by_target = { lighthouse",
        "by_target = { north = { trade = 1 }, lighthouse",
        "north = { trade",
        "`north` in by_target is not one of this move's targets",
    );
}

#[test]
fn a_choice_default_must_be_one_of_its_moves() {
    expect_error(
        "default = \"vote_no\"",
        "default = \"vote_maybe\"",
        "\"vote_maybe\"",
        "the default `vote_maybe` must be one of the choice's moves",
    );
}

#[test]
fn two_roles_with_one_id_are_refused() {
    expect_error(
        "id = \"east\"\nname = \"East\"",
        "id = \"south\"\nname = \"East\"",
        "\"south\"\nname = \"East\"",
        "there are two roles with the id `south`",
    );
}

#[test]
fn a_random_event_in_a_missing_round_is_refused() {
    expect_error(
        "rounds = [1, 2, 3]",
        "rounds = [1, 2, 4]",
        "4]",
        "round 4 does not exist: the scenario has rounds 1 to 3",
    );
}

#[test]
fn a_wrong_type_says_what_was_expected() {
    expect_error(
        "cost = 2\neffects",
        "cost = \"two\"\neffects",
        "\"two\"",
        "`cost` in a move must be a whole number, not text",
    );
}

#[test]
fn a_toml_syntax_error_names_its_line() {
    expect_error(
        "[[rounds]]\nname = \"Calm seas\"",
        "[[rounds]]\nname = \"Calm seas",
        "\nbriefing = \"Nothing special.",
        "this is not valid TOML",
    );
}

#[test]
fn every_problem_of_a_file_is_reported_at_once_in_file_order() {
    let broken = fixture()
        .replacen("effects = { fleet = 1 }", "effects = { flet = 1 }", 1)
        .replacen("default = \"vote_no\"", "default = \"vote_maybe\"", 1)
        .replacen("start = 1\nvisible_to", "start = 9\nvisible_to", 1);
    let err = scenario::parse("broken.toml", &broken).expect_err("refused");
    assert_eq!(err.problems.len(), 3, "{err}");
    let lines: Vec<usize> = err.problems.iter().map(|p| p.line).collect();
    let mut sorted = lines.clone();
    sorted.sort_unstable();
    assert_eq!(lines, sorted);
}

#[test]
fn the_check_command_exits_1_with_every_error_and_0_for_good_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, fixture().replacen("effects = { fleet = 1 }", "efects = { fleet = 1 }", 1)).expect("write");
    let exe = env!("CARGO_BIN_EXE_third-neighbor");
    let out = Command::new(exe).args(["scenario", "check"]).arg(&bad).output().expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad.toml:") && stderr.contains("unknown key `efects`"), "{stderr}");

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let good: Vec<_> = scenario::files_in(&root.join("scenarios")).expect("scenarios");
    let out = Command::new(exe).args(["scenario", "check"]).args(&good).output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

// ---- The teacher's kit: [lesson], memos, prompts, private objectives --------------------------

/// About 210 words that cite ¶2: a memo of acceptable length.
fn memo(extra: &str) -> String {
    let words = "word ".repeat(205);
    format!("memo = \"\"\"\nBackground (¶2). {words}{extra}\n\"\"\"")
}

/// The fixture with a lesson: a [lesson] table, a prompt after every round and a memo for every
/// role; North also has a private objective on its private track (fleet).
fn with_lesson() -> String {
    let mut text = fixture();
    for briefing in
        ["briefing = \"Nothing special.\"", "briefing = \"A storm is scripted.\"", "briefing = \"East must vote.\""]
    {
        assert!(text.contains(briefing), "the fixture no longer contains {briefing:?}");
        text = text.replacen(briefing, &format!("{briefing}\ndiscussion = \"Who gained, and why? (¶1)\""), 1);
    }
    for briefing in [
        "briefing = \"You trade and build ships.\"",
        "briefing = \"You want trust and little navy around.\"",
        "briefing = \"You broker deals.\"",
    ] {
        assert!(text.contains(briefing), "the fixture no longer contains {briefing:?}");
        text = text.replacen(briefing, &format!("{briefing}\n{}", memo("")), 1);
    }
    text = text.replacen(
        "[roles.objective]\nsummary = \"Trade and a fleet.\"",
        "private_objective = { summary = \"A fleet nobody knows about.\", essay = [1] }\n[roles.objective]\nsummary = \"Trade and a fleet.\"",
        1,
    );
    text.push_str(
        "\n[lesson]\nminutes = 30\nobjectives = [\"Explain why the islands trade (¶1).\"]\n\
         timing = [{ step = \"Play\", minutes = 20 }, { step = \"Debrief\", minutes = 10 }]\n\
         terms = [{ term = \"Pact\", meaning = \"An agreement between two islands.\" }]\n\
         debrief_questions = [\"Was the pact worth it? (¶2)\"]\n\
         reflection = \"Write what you would do differently.\"\n",
    );
    text
}

/// Like `expect_error`, on the lesson fixture.
fn expect_lesson_error(from: &str, to: &str, at: &str, message: &str) {
    expect_error_in(&with_lesson(), "lesson fixture", from, to, at, message);
}

#[test]
fn the_lesson_fixture_is_valid_and_carries_its_kit() {
    let sc = scenario::parse("lesson.toml", &with_lesson()).unwrap_or_else(|e| panic!("{e}"));
    let lesson = sc.lesson.as_ref().expect("a lesson");
    assert_eq!((lesson.minutes, lesson.timing.len(), lesson.terms.len()), (30, 2, 1));
    assert!(sc.rounds.iter().all(|r| r.discussion.contains("(¶1)")));
    assert!(sc.roles.iter().all(|r| r.memo.split_whitespace().count() >= 200));
    assert_eq!(sc.roles[0].private_objective.as_ref().map(|p| p.essay.clone()), Some(vec![1]));
}

#[test]
fn a_misspelt_lesson_key_is_named() {
    expect_lesson_error(
        "minutes = 30",
        "minuts = 30",
        "minuts",
        "unknown key `minuts` in [lesson] (did you mean `minutes`?)",
    );
}

#[test]
fn a_paragraph_beyond_the_source_in_a_memo_is_named_where_it_is_written() {
    expect_lesson_error(
        "Background (¶2).",
        "Background (¶9).",
        "¶9",
        "¶9 does not exist: the source has paragraphs 1 to 5",
    );
}

#[test]
fn a_paragraph_beyond_the_source_in_a_debrief_question_is_refused() {
    expect_lesson_error("worth it? (¶2)", "worth it? (¶6)", "¶6", "¶6 does not exist");
}

#[test]
fn a_caveat_is_checked_like_the_rest_of_the_kit() {
    let with_caveats = with_lesson().replacen(
        "reflection = ",
        "caveats = [\"The islands are made up; the pact follows the source (¶2).\"]\nreflection = ",
        1,
    );
    let sc = scenario::parse("lesson.toml", &with_caveats).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sc.lesson.as_ref().map(|l| l.caveats.len()), Some(1));
    expect_error_in(&with_caveats, "lesson fixture", "source (¶2)", "source (¶7)", "¶7", "¶7 does not exist");
    expect_error_in(&with_caveats, "lesson fixture", "caveats = [\"The", "caveats = [\"\", \"The", "\"\"", "is empty");
}

#[test]
fn a_memo_must_be_long_enough_to_prepare_from() {
    expect_lesson_error(&memo(""), "memo = \"Too short (¶1).\"", "\"Too short", "200 to 400 words, not 3");
}

#[test]
fn a_memo_must_cite_the_essay() {
    let uncited = memo("").replace("(¶2)", "(see above)");
    expect_lesson_error(&memo(""), &uncited, "\"\"\"\nBackground", "a memo must cite the paragraphs it draws on");
}

#[test]
fn with_a_lesson_every_round_needs_a_discussion_prompt() {
    expect_lesson_error(
        "briefing = \"A storm is scripted.\"\ndiscussion = \"Who gained, and why? (¶1)\"",
        "briefing = \"A storm is scripted.\"",
        "[[rounds]]\nname = \"Storm season\"",
        "round 2 has no `discussion`",
    );
}

#[test]
fn the_timing_must_add_up_to_the_lessons_minutes() {
    expect_lesson_error(
        "{ step = \"Debrief\", minutes = 10 }",
        "{ step = \"Debrief\", minutes = 5 }",
        "[{ step = \"Play\"",
        "the timing steps add up to 25 minutes, but minutes = 30",
    );
}

#[test]
fn a_private_objective_must_count_in_the_roles_score_through_a_private_track() {
    expect_lesson_error(
        "score = [{ track = \"trade\", weight = 3 }, { track = \"fleet\", weight = 1 }]",
        "score = [{ track = \"trade\", weight = 3 }]",
        "{ summary = \"A fleet nobody",
        "has a private_objective, but no score term on a track only it sees",
    );
}

#[test]
fn a_joint_move_may_list_several_matching_moves_but_each_must_exist() {
    expect_error(
        "joint = { partners = [\"south\"], move = \"trade_pact\" }",
        "joint = { partners = [\"south\"], move = [\"trade_pact\", \"trade_pakt\"] }",
        "\"trade_pakt\"",
        "role `south` has no move `trade_pakt` to join this one",
    );
    let fine = fixture().replacen(
        "joint = { partners = [\"south\"], move = \"trade_pact\" }",
        "joint = { partners = [\"south\"], move = [\"trade_pact\", \"protest\"] }",
        1,
    );
    scenario::parse("fine.toml", &fine).unwrap_or_else(|e| panic!("{e}"));
}
