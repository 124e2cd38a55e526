//! Architecture checks that no compiler enforces: the engine, the languages (`i18n`), the log,
//! the bots, the table (the session's reducer) and the replay stay pure and depend only on pure modules, and no scenario's
//! content is written into the code.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// Words that mean I/O, a clock, threads or outside randomness. (`HashMap` and `HashSet` iterate
/// in a random order per process: that would break replays.)
const IMPURE: &[&str] = &[
    "tokio",
    "sqlx",
    "axum",
    "hyper",
    "std::fs",
    "std::net",
    "std::time",
    "std::thread",
    "std::env",
    "std::process",
    "Instant",
    "SystemTime",
    "rand::",
    "getrandom",
    "uuid",
    "HashMap",
    "HashSet",
    "println!",
    "eprintln!",
    "tracing",
    "unsafe",
];

/// The pure modules, and the modules of the crate each may use (`crate::<name>`).
const PURE: &[(&str, &[&str])] = &[
    ("src/engine", &["engine"]),
    ("src/i18n", &["engine", "i18n"]),
    ("src/log.rs", &[]),
    ("src/bots", &["engine", "bots"]),
    ("src/table", &["engine", "bots", "log", "protocol", "table", "scenario", "i18n"]),
    ("src/protocol", &["engine", "log", "protocol", "i18n"]),
    ("src/replay", &["engine", "bots", "log", "protocol", "table", "replay", "scenario", "i18n"]),
];

/// Every `crate::<module>` a line names (in `use` lines and inline paths alike).
fn crate_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        if !name.is_empty() {
            out.push(name);
        }
        rest = after;
    }
    // `use crate::{a, b::c}` names several.
    if let Some(group) = code.split("crate::{").nth(1) {
        for part in group.split(',') {
            let name: String = part.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                out.push(name);
            }
        }
    }
    out
}

#[test]
fn the_pure_modules_do_no_io_read_no_clock_and_use_only_pure_modules() {
    let mut found = Vec::new();
    for (path, allowed) in PURE {
        let path = root().join(path);
        let files = if path.is_dir() { rust_files(&path) } else { vec![path.clone()] };
        for file in files {
            let text = std::fs::read_to_string(&file).expect("readable");
            // Unit tests may read fixtures; the rule is about the code they test.
            let code_part = text.split("#[cfg(test)]").next().unwrap_or("");
            for (n, line) in code_part.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                for word in IMPURE {
                    if code.contains(word) {
                        found.push(format!("{}:{}: `{word}` in `{}`", file.display(), n + 1, line.trim()));
                    }
                }
                for module in crate_paths(code) {
                    if !allowed.contains(&module.as_str()) {
                        found.push(format!("{}:{}: uses `crate::{module}`", file.display(), n + 1));
                    }
                }
            }
        }
    }
    assert!(found.is_empty(), "the pure modules must stay pure:\n{}", found.join("\n"));
}

#[test]
fn the_check_sees_the_imports_it_is_about() {
    assert_eq!(crate_paths("use crate::store::LogEvent;"), vec!["store"]);
    assert_eq!(crate_paths("    let x = crate::server::App::open();"), vec!["server"]);
    let mut group = crate_paths("use crate::{engine::Scenario, store::Op};");
    group.sort();
    group.dedup();
    assert_eq!(group, vec!["engine", "store"]);
}

#[test]
fn no_scenario_content_is_hard_coded_in_the_code() {
    // Roles, tracks and moves of the shipped scenarios live in scenarios/, never in src/.
    let words = ["mongolia", "russia", "china", "united states", "khaan", "corridor", "ulaanbaatar"];
    let mut found = Vec::new();
    for file in rust_files(&root().join("src")) {
        let text = std::fs::read_to_string(&file).expect("readable").to_lowercase();
        for (n, line) in text.lines().enumerate() {
            for word in words {
                if line.contains(word) {
                    found.push(format!("{}:{}: `{word}`", file.display(), n + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "scenario content in the code:\n{}", found.join("\n"));
}
