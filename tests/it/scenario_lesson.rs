//! The teacher's kit of the shipped main scenario, and how it is rendered: the public description
//! (`GET /api/scenarios/{id}`) carries the lesson and the prompts but no memo and no private
//! objective; the guide carries everything; one role's memo is reachable on its own.

use std::path::Path;

use third_neighbor::engine::RoleId;
use third_neighbor::scenario::{self, describe, explain};

fn main_scenario() -> third_neighbor::engine::Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/mongolia-2024.toml");
    scenario::load_file(&path).unwrap_or_else(|e| panic!("{e}")).scenario
}

#[test]
fn the_main_scenario_has_a_whole_lesson_that_fits_one_period_with_the_tutorial() {
    let sc = main_scenario();
    let lesson = sc.lesson.as_ref().expect("a [lesson]");
    assert!((45..=50).contains(&lesson.minutes), "{} minutes", lesson.minutes);
    assert!(lesson.timing.iter().any(|s| s.step.to_lowercase().contains("tutorial")), "the plan includes the tutorial");
    assert!(!lesson.objectives.is_empty() && !lesson.reflection.is_empty());
    assert!((4..=6).contains(&lesson.debrief_questions.len()));
    assert!(lesson.debrief_questions.iter().any(|q| q.contains("Putin") && q.contains("for") && q.contains("against")));
    let terms: Vec<String> = lesson.terms.iter().map(|t| t.term.to_lowercase()).collect();
    for needed in ["icc", "rome statute", "sco", "third neighbour", "dzud", "corridor", "power of siberia 2"] {
        assert!(terms.iter().any(|t| t.contains(needed)), "no term explains {needed}: {terms:?}");
    }
    assert!(sc.rounds.iter().all(|r| !r.discussion.is_empty()));
    for role in &sc.roles {
        let words = role.memo.split_whitespace().count();
        assert!((200..=400).contains(&words), "{}: {words} words", role.id);
        for part in ["Background", "Interests", "Red lines", "Private", "Openings"] {
            assert!(role.memo.contains(part), "{}'s memo has no {part}", role.id);
        }
        let private = role.private_objective.as_ref().unwrap_or_else(|| panic!("{} has no private objective", role.id));
        assert!(!private.summary.is_empty() && !private.essay.is_empty());
    }
}

#[test]
fn the_public_description_has_the_lesson_and_prompts_but_no_memo_or_private_objective() {
    let sc = main_scenario();
    let public = describe::to_json(&sc);
    let lesson = &public["lesson"];
    for key in ["objectives", "minutes", "terms", "debrief_questions", "reflection"] {
        assert!(!lesson[key].is_null(), "lesson.{key} is missing: {lesson}");
    }
    assert!(lesson["terms"]
        .as_array()
        .is_some_and(|t| t.iter().all(|x| x["term"].is_string() && x["meaning"].is_string())));
    assert!(public["rounds"].as_array().is_some_and(|r| r.iter().all(|x| x["discussion"].is_string())));
    let text = public.to_string();
    for role in &sc.roles {
        // No sentence of a memo, and no private objective, reaches the public description.
        for sentence in role.memo.split(". ").filter(|s| s.len() > 30) {
            assert!(!text.contains(sentence), "{}'s memo leaks: {sentence}", role.id);
        }
        let private = role.private_objective.as_ref().expect("private objective");
        assert!(!text.contains(&private.summary), "{}'s private objective leaks", role.id);
    }
    // Nor do the private tracks' summaries, score terms or effects.
    for t in sc.tracks.iter().filter(|t| t.visible_to.is_some()) {
        assert!(!text.contains(&t.summary), "the summary of {} leaks", t.id);
        for role in public["roles"].as_array().expect("roles") {
            let score = role["objective"]["score"].as_array().expect("score");
            assert!(
                score.iter().all(|term| !term["tracks"].to_string().contains(&t.id)),
                "{} is scored in public",
                t.id
            );
        }
        for kind in ["moves", "interactions", "events"] {
            for item in public[kind].as_array().expect(kind) {
                assert!(item["effects"].get(&t.id).is_none(), "{kind}: {} shows an effect on {}", item["id"], t.id);
            }
        }
    }
}

#[test]
fn the_guide_has_everything_a_teacher_prepares_from() {
    let sc = main_scenario();
    let guide = describe::guide(&sc, third_neighbor::i18n::Lang::En);
    assert_eq!(guide["scenario"]["id"], "mongolia-2024");
    assert!(guide["lesson"]["timing"].as_array().is_some_and(|t| !t.is_empty()));
    let roles = guide["roles"].as_array().expect("roles");
    assert_eq!(roles.len(), sc.roles.len());
    for (role, def) in roles.iter().zip(&sc.roles) {
        assert_eq!(role["memo"].as_str(), Some(def.memo.as_str()));
        assert!(role["private_objective"]["summary"].is_string());
        let tracks = role["private_objective"]["tracks"].as_array().expect("its private track");
        assert_eq!(tracks.len(), 1, "{}", role["id"]);
        let scored = role["objective"]["score"].to_string();
        assert!(scored.contains(tracks[0]["id"].as_str().expect("id")), "the private track counts in the score");
    }
    assert!(guide["rounds"].as_array().is_some_and(|r| r.iter().all(|x| x["discussion"].is_string())));
    let paragraphs = guide["paragraphs"].as_array().expect("the ¶ map");
    assert_eq!(paragraphs.len(), 19);
    let driving = paragraphs
        .iter()
        .filter(|p| ["moves", "events", "interactions"].iter().any(|k| p[*k].as_array().is_some_and(|l| !l.is_empty())))
        .count();
    assert!(driving >= 18, "{driving} of 19 paragraphs drive play");
    // Every entry has a readable name beside its id.
    let fourteen = &paragraphs[13];
    assert_eq!(fourteen["paragraph"], 14);
    assert!(fourteen["moves"]
        .as_array()
        .is_some_and(|m| m.iter().all(|x| x["id"].is_string() && x["name"].is_string())));
}

#[test]
fn one_roles_memo_is_reachable_on_its_own() {
    let sc = main_scenario();
    for (i, role) in sc.indexed_roles() {
        assert_eq!(describe::memo(&sc, i), Some(role.memo.as_str()));
        assert_eq!(
            describe::private_objective(&sc, i).map(|p| &p.summary),
            role.private_objective.as_ref().map(|p| &p.summary)
        );
    }
    assert_eq!(describe::memo(&sc, RoleId::new(99)), None);
    let tutorial = scenario::load_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/tutorial.toml"))
        .unwrap_or_else(|e| panic!("{e}"))
        .scenario;
    assert_eq!(describe::memo(&tutorial, RoleId::new(0)), None, "a scenario without memos has none");
    assert!(describe::to_json(&tutorial)["lesson"].is_null());
}

#[test]
fn explain_shows_the_lesson_the_memos_and_the_paragraph_map() {
    let text = explain::explain(&main_scenario());
    for needle in [
        "LESSON (48 minutes)",
        "term: Power of Siberia 2",
        "Discuss:",
        "Private objective (only Russia knows)",
        "Memo (",
        "DEBRIEF",
        "Reflection:",
        "CAVEATS (for the teacher)",
        "PARAGRAPHS (19 of 19 drive a move, event or interaction)",
        "joint with Mongolia [host_leader or enforce_icc_warrant]",
        "when its condition fails, the report says:",
    ] {
        assert!(text.contains(needle), "missing {needle:?}");
    }
}
