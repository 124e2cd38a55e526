//! Translation files as a translator and a scenario author meet them: `scenario translate`
//! writes the file to fill in (and updates it after the English changed, idempotently);
//! `scenario check` reports each broken, missing, stale or extra text at its line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const TUTORIAL: &str = include_str!("../common/tutorial.toml");

fn cli(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_third-neighbor")).current_dir(dir).args(args).output().expect("the binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A folder with the frozen tutorial in it.
fn folder() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("tutorial.toml"), TUTORIAL).expect("write");
    let path = dir.path().to_path_buf();
    (dir, path)
}

fn translate(dir: &Path, lang: &str) -> String {
    let out = cli(dir, &["scenario", "translate", "tutorial.toml", "--lang", lang]);
    assert!(out.status.success(), "translate: {}", stderr(&out));
    std::fs::read_to_string(dir.join(format!("tutorial.{lang}.toml"))).expect("written")
}

/// Fills every empty text of a translation file with `<tag> <key>`.
fn fill(text: &str, tag: &str) -> String {
    text.lines()
        .map(|l| match l.split_once(" = { text = \"\"") {
            Some((key, rest)) if l.starts_with('"') => {
                format!("{key} = {{ text = \"{tag} {}\"{rest}", key.trim_matches('"'))
            }
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn translate_lists_every_text_in_order_under_its_english_and_is_idempotent() {
    let (_tmp, dir) = folder();
    let text = translate(&dir, "mn");
    assert!(text.starts_with("# Монгол (mn) texts of tutorial.toml\n"), "{text}");
    assert!(text.contains("language = \"mn\"\n\n[texts]\n"), "{text}");
    let keys: Vec<&str> =
        text.lines().filter(|l| l.starts_with('"')).map(|l| l.split('"').nth(1).expect("key")).collect();
    // The canonical order: the head, roles, tracks, moves, rounds (the tutorial has no actors,
    // events or lesson).
    assert_eq!(&keys[..5], ["title", "summary", "source_title", "roles.mongolia.name", "roles.mongolia.briefing"]);
    let position = |k: &str| keys.iter().position(|x| *x == k).unwrap_or_else(|| panic!("no key {k}"));
    assert!(position("roles.us.objective") < position("tracks.autonomy.name"));
    assert!(position("tracks.ties_us.summary") < position("moves.mongolia.reach_out.name"));
    assert!(position("moves.us.english_classes.success_text") < position("rounds.1.name"));
    assert_eq!(keys.last(), Some(&"rounds.3.briefing"));
    // Every key once, each under its English, with the English's hash and an empty text.
    let mut unique = keys.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), keys.len());
    assert!(
        text.contains(
            "# en: Tutorial: three rounds between two neighbours\n\"title\" = { text = \"\", source = \"7dc948272dc1\" }"
        ),
        "{text}"
    );
    // The output reads as a translation file, and a second run changes nothing.
    let again = translate(&dir, "mn");
    assert_eq!(text, again);

    // Translated, then the English changes: kept where the English did not change; listed again
    // with the old translation in a comment where it did; a translator's note stays.
    let filled = fill(&text, "MN").replace("[texts]\n\n", "[texts]\n\n# note: checked by Bolor\n");
    std::fs::write(dir.join("tutorial.mn.toml"), &filled).expect("write");
    let changed = TUTORIAL.replace(
        "title = \"Tutorial: three rounds between two neighbours\"",
        "title = \"Tutorial: three rounds among neighbours\"",
    );
    assert_ne!(changed, TUTORIAL);
    std::fs::write(dir.join("tutorial.toml"), &changed).expect("write");
    let out = cli(&dir, &["scenario", "check", "tutorial.toml"]);
    assert!(stdout(&out).contains("tutorial.mn.toml: mn: 79/80 texts, 0 missing, 1 stale"), "{}", stdout(&out));
    assert!(out.status.success(), "stale texts fail only --strict: {}", stderr(&out));
    let updated = translate(&dir, "mn");
    assert!(
        updated.contains(
            "# note: checked by Bolor\n# en: Tutorial: three rounds among neighbours\n# old: MN title\n\"title\" = { text = \"\", \
             source = \""
        ),
        "{updated}"
    );
    assert!(updated.contains("\"summary\" = { text = \"MN summary\", source = \"1a9bc8ac9e69\" }"), "{updated}");
    assert_eq!(updated, translate(&dir, "mn"), "idempotent after an update too");
    let out = cli(&dir, &["scenario", "check", "--strict", "tutorial.toml"]);
    assert!(stdout(&out).contains("mn: 79/80 texts, 1 missing, 0 stale"), "{}", stdout(&out));
    assert!(!out.status.success(), "--strict fails on a missing text");
    assert!(
        stderr(&out).contains("tutorial.mn.toml:13:1: missing: `title` is not translated (its text is empty)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_complete_translation_passes_strict_and_a_scenario_with_none_still_checks() {
    let (_tmp, dir) = folder();
    let out = cli(&dir, &["scenario", "check", "--strict", "tutorial.toml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = translate(&dir, "zh");
    std::fs::write(dir.join("tutorial.zh.toml"), fill(&text, "中文")).expect("write");
    for args in [
        &["scenario", "check", "--strict", "tutorial.toml"][..],
        &["scenario", "check", "--strict", "tutorial.zh.toml"],
    ] {
        let out = cli(&dir, args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).contains("tutorial.zh.toml: zh: 80/80 texts, 0 missing, 0 stale"), "{}", stdout(&out));
    }
    // Given both, the translation is checked once.
    let out = cli(&dir, &["scenario", "check", "tutorial.toml", "tutorial.zh.toml"]);
    assert_eq!(stdout(&out).matches("zh: 80/80").count(), 1, "{}", stdout(&out));
}

#[test]
fn broken_translation_files_are_reported_at_their_line() {
    let (_tmp, dir) = folder();
    let complete = fill(&translate(&dir, "ru"), "RU");
    let cases: Vec<(&str, String, Vec<&str>, bool)> = vec![
        // A key left out.
        (
            "absent",
            complete.replace("\"summary\" = { text = \"RU summary\", source = \"1a9bc8ac9e69\" }\n", ""),
            vec!["tutorial.ru.toml:8:1: missing: `summary` is not translated (absent from [texts]); the English: \"Learn the interface"],
            true,
        ),
        // Translated from another English text.
        (
            "stale",
            complete.replace("source = \"1a9bc8ac9e69\"", "source = \"0123456789ab\""),
            vec!["tutorial.ru.toml:14:1: stale: `summary` was translated from an earlier English text (source 0123456789ab, now 1a9bc8ac9e69)"],
            true,
        ),
        // A key the scenario does not have.
        (
            "extra",
            complete.replace("[texts]\n", "[texts]\n\"roles.nobody.name\" = { text = \"x\", source = \"0123456789ab\" }\n"),
            vec!["tutorial.ru.toml:9:1: extra: the scenario has no text `roles.nobody.name`"],
            false,
        ),
        // A ¶ the source does not have.
        (
            "paragraph",
            complete.replace("text = \"RU summary\"", "text = \"RU summary (¶20)\""),
            vec!["tutorial.ru.toml:14:35: ¶20 does not exist: the source has paragraphs 1 to 19"],
            false,
        ),
        // Another language than the file's name says.
        ("language", complete.replace("language = \"ru\"", "language = \"zh\""), vec!["tutorial.ru.toml:6:12: wrong language: the file is named for `ru` but says language = \"zh\""], false),
        ("unknown language", complete.replace("language = \"ru\"", "language = \"fr\""), vec!["tutorial.ru.toml:6:12: unknown language `fr`: a translation is in mn, ru or zh"], false),
        // Unknown fields, at the top and in an entry.
        (
            "fields",
            complete
                .replace("language = \"ru\"", "language = \"ru\"\ntranslator = \"Ivan\"")
                .replace("source = \"1a9bc8ac9e69\" }", "source = \"1a9bc8ac9e69\", note = \"x\" }"),
            vec![
                "tutorial.ru.toml:7:1: unknown key `translator` in a translation file",
                "tutorial.ru.toml:15:61: unknown key `note` in the text `summary`",
            ],
            false,
        ),
        // Not TOML.
        ("toml", complete.replace("[texts]", "[texts"), vec!["tutorial.ru.toml:8:7: this is not valid TOML"], false),
        // A malformed source hash.
        ("hash", complete.replace("source = \"1a9bc8ac9e69\"", "source = \"1A9BC8\""), vec!["tutorial.ru.toml:14:45: `source` must be 12 lowercase hex digits"], false),
    ];
    for (what, text, expected, passes) in cases {
        std::fs::write(dir.join("tutorial.ru.toml"), &text).expect("write");
        let out = cli(&dir, &["scenario", "check", "tutorial.toml"]);
        let (ok, err) = (out.status.success(), stderr(&out));
        assert_eq!(ok, passes, "{what}: exit status\n{err}\n{}", stdout(&out));
        for needle in expected {
            assert!(err.contains(needle), "{what}: no `{needle}` in:\n{err}");
        }
        // Whatever is wrong, --strict fails.
        assert!(!cli(&dir, &["scenario", "check", "--strict", "tutorial.toml"]).status.success(), "{what}");
    }
}

#[test]
fn translate_refuses_english_unknown_languages_and_a_file_it_cannot_read() {
    let (_tmp, dir) = folder();
    for lang in ["en", "fr"] {
        let out = cli(&dir, &["scenario", "translate", "tutorial.toml", "--lang", lang]);
        assert!(!out.status.success(), "{lang}");
        assert!(stderr(&out).contains("mn, ru or zh"), "{}", stderr(&out));
    }
    std::fs::write(dir.join("tutorial.mn.toml"), "language = \"mn\"\n[texts\n").expect("write");
    let out = cli(&dir, &["scenario", "translate", "tutorial.toml", "--lang", "mn"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("tutorial.mn.toml:2:7: this is not valid TOML"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(dir.join("tutorial.mn.toml")).expect("kept"), "language = \"mn\"\n[texts\n");
}

/// The shipped translations are whole and current: an English text changed without its
/// translations being updated fails here (run `scenario translate` for each language).
#[test]
fn the_shipped_scenarios_are_translated_into_mn_ru_and_zh_with_nothing_missing_or_stale() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = cli(root, &["scenario", "check", "--strict", "scenarios/mongolia-2024.toml", "scenarios/tutorial.toml"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    for stem in ["mongolia-2024", "tutorial"] {
        for lang in ["mn", "ru", "zh"] {
            let line = text
                .lines()
                .find(|l| l.starts_with(&format!("scenarios/{stem}.{lang}.toml: {lang}: ")))
                .unwrap_or_else(|| panic!("no coverage line for {stem}.{lang}: {text}"));
            assert!(line.contains(" 0 missing, 0 stale"), "{line}");
        }
    }
}
