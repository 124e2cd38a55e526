//! The web client's message catalogues (`client/i18n/<lang>.json`, client/README.md "Languages"):
//! every translation has exactly the keys of the English one, the same named placeholders in
//! each text, and every plural category `Intl.PluralRules` picks for its language; every error
//! code of docs/protocol.md has words; and every key the client's modules name exists.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

/// The languages the client speaks, and the CLDR plural categories of each (cardinal numbers, as
/// `new Intl.PluralRules(lang).resolvedOptions().pluralCategories` gives them for whole numbers).
const LANGUAGES: &[(&str, &[&str])] = &[
    ("en", &["one", "other"]),
    ("mn", &["one", "other"]),
    ("ru", &["one", "few", "many", "other"]),
    ("zh", &["other"]),
];

/// Every category a plural entry may have (what CLDR defines).
const ALL_CATEGORIES: &[&str] = &["zero", "one", "two", "few", "many", "other"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn catalogue(lang: &str) -> BTreeMap<String, Value> {
    let path = root().join("client/i18n").join(format!("{lang}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let value: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()));
    let Value::Object(map) = value else { panic!("{} is not one JSON object", path.display()) };
    // A key written twice would be read as its last text, silently: refuse it. (Every key of a
    // catalogue stands on its own line, indented two spaces: `  "key": …`.)
    let mut seen = std::collections::BTreeSet::new();
    for (n, line) in text.lines().enumerate() {
        if let Some(key) = line.strip_prefix("  \"").and_then(|rest| rest.split_once("\":")).map(|(k, _)| k) {
            assert!(seen.insert(key.to_string()), "{}:{}: `{key}` is written twice", path.display(), n + 1);
        }
    }
    map.into_iter().collect()
}

/// The `{name}` placeholders of a text.
fn placeholders(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    found.insert(name.to_string());
                }
                rest = &after[close + 1..];
            }
            None => break,
        }
    }
    found
}

/// The placeholders an entry uses: a text's, or the union of its plural forms' (a form may leave
/// `{n}` out, as "one" often does in a language that says "a table" rather than "1 table").
fn entry_placeholders(value: &Value) -> BTreeSet<String> {
    match value {
        Value::String(text) => placeholders(text),
        Value::Object(forms) => forms.values().filter_map(Value::as_str).flat_map(placeholders).collect(),
        _ => BTreeSet::new(),
    }
}

#[test]
fn every_catalogue_has_the_english_keys_placeholders_and_plural_forms() {
    let en = catalogue("en");
    assert!(en.len() > 100, "the English catalogue looks empty ({} keys)", en.len());
    let mut problems = Vec::new();
    for (lang, categories) in LANGUAGES {
        let cat = catalogue(lang);
        for key in en.keys() {
            if !cat.contains_key(key) {
                problems.push(format!("{lang}: lacks the key {key:?}"));
            }
        }
        for (key, value) in &cat {
            let Some(english) = en.get(key) else {
                problems.push(format!("{lang}: has the key {key:?}, which English does not"));
                continue;
            };
            match value {
                Value::String(text) => {
                    if text.trim().is_empty() && !english.as_str().is_some_and(|e| e.trim().is_empty()) {
                        problems.push(format!("{lang}: {key:?} is empty"));
                    }
                    if english.is_object() {
                        problems.push(format!("{lang}: {key:?} is a plural entry in English but a plain text here"));
                    }
                }
                Value::Object(forms) => {
                    if !english.is_object() {
                        problems.push(format!("{lang}: {key:?} is a plain text in English but a plural entry here"));
                    }
                    for category in *categories {
                        match forms.get(*category) {
                            Some(Value::String(text)) if !text.trim().is_empty() => {}
                            _ => problems.push(format!(
                                "{lang}: the plural entry {key:?} lacks the category {category:?} (needs {categories:?})"
                            )),
                        }
                    }
                    for (category, form) in forms {
                        if !ALL_CATEGORIES.contains(&category.as_str()) {
                            problems.push(format!("{lang}: {key:?} has {category:?}, which is no plural category"));
                        } else if !categories.contains(&category.as_str()) {
                            problems.push(format!(
                                "{lang}: {key:?} has {category:?}, which {lang} never uses (it uses {categories:?})"
                            ));
                        }
                        if !form.is_string() {
                            problems.push(format!("{lang}: {key:?}.{category} is not a text"));
                        }
                    }
                }
                other => problems.push(format!("{lang}: {key:?} is neither a text nor a plural entry: {other}")),
            }
            let wanted = entry_placeholders(english);
            let got = entry_placeholders(value);
            if wanted != got {
                problems.push(format!("{lang}: {key:?} has the placeholders {got:?}, English {wanted:?}"));
            }
            // Each form of a plural entry uses no placeholder English does not have.
            if let Value::Object(forms) = value {
                for (category, form) in forms {
                    let extra: Vec<_> =
                        form.as_str().map(placeholders).unwrap_or_default().difference(&wanted).cloned().collect();
                    if !extra.is_empty() {
                        problems.push(format!("{lang}: {key:?}.{category} has unknown placeholders {extra:?}"));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{} catalogue problems:\n{}", problems.len(), problems.join("\n"));
}

/// The codes of docs/protocol.md's "Error codes" table.
fn protocol_error_codes() -> Vec<String> {
    let doc = std::fs::read_to_string(root().join("docs/protocol.md")).expect("docs/protocol.md");
    let section = doc.split("### Error codes").nth(1).expect("an \"Error codes\" section");
    let section = section.split("\n## ").next().unwrap_or(section);
    section
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split('`').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn every_error_code_of_the_protocol_has_words() {
    let codes = protocol_error_codes();
    assert!(codes.len() >= 25, "found only {} codes in docs/protocol.md: {codes:?}", codes.len());
    let en = catalogue("en");
    let missing: Vec<_> = codes.iter().filter(|code| !en.contains_key(&format!("error.{code}"))).collect();
    assert!(missing.is_empty(), "error codes of docs/protocol.md without `error.<code>` in en.json: {missing:?}");
}

/// The keys named literally in the client's modules: `t('…')`, `plural('…'`, `tParts('…'`,
/// `pluralParts('…'` and the `'…'` strings in the ternaries inside them, read as quoted
/// `section.word` strings right after one of those calls.
fn keys_named_in(source: &str) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for call in ["t(", "plural(", "tParts(", "pluralParts("] {
        let mut rest = source;
        while let Some(at) = rest.find(call) {
            let before = rest[..at].chars().last();
            rest = &rest[at + call.len()..];
            // `t(` must be the function, not the end of another name (`split(`, `sort(`).
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
                continue;
            }
            // The first argument up to its first comma or closing bracket at depth 0.
            let mut depth = 0;
            let mut end = rest.len();
            for (i, c) in rest.char_indices() {
                match c {
                    '(' | '[' | '{' => depth += 1,
                    ')' | ']' | '}' if depth == 0 => {
                        end = i;
                        break;
                    }
                    ')' | ']' | '}' => depth -= 1,
                    ',' if depth == 0 => {
                        end = i;
                        break;
                    }
                    _ => {}
                }
            }
            let argument = &rest[..end];
            for piece in argument.split('\'').skip(1).step_by(2) {
                let looks_like_key = piece.contains('.')
                    && !piece.contains(' ')
                    && piece.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
                if looks_like_key {
                    keys.insert(piece.to_string());
                }
            }
        }
    }
    keys
}

#[test]
fn every_key_the_client_names_is_in_the_english_catalogue() {
    let en = catalogue("en");
    let dir = root().join("client");
    let mut missing = Vec::new();
    let mut named = 0;
    for entry in std::fs::read_dir(&dir).expect("client/") {
        let path = entry.expect("a file").path();
        if path.extension().and_then(|e| e.to_str()) != Some("js") {
            continue;
        }
        let source = std::fs::read_to_string(&path).expect("a module");
        for key in keys_named_in(&source) {
            named += 1;
            if !en.contains_key(&key) {
                missing.push(format!("{}: {key}", file_name(&path)));
            }
        }
    }
    assert!(named > 300, "found only {named} keys in the client's modules: is the search still right?");
    assert!(missing.is_empty(), "keys the client uses but en.json lacks:\n{}", missing.join("\n"));
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

#[test]
fn placeholders_are_read_as_the_client_reads_them() {
    assert_eq!(placeholders("Round {round} of {rounds}"), BTreeSet::from(["round".into(), "rounds".into()]));
    assert_eq!(placeholders("{ not one } and {n}"), BTreeSet::from(["n".into()]));
    assert!(placeholders("no placeholder").is_empty());
    let keys = keys_named_in("h('p', null, t('a.b', { n }), plural(x ? 'c.d' : 'e.f', 2), s.split('g.h'))");
    assert_eq!(keys, BTreeSet::from(["a.b".into(), "c.d".into(), "e.f".into()]));
}
