//! Architecture checks that no compiler enforces: the engine and the replay stay pure, and no scenario's
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

#[test]
fn the_engine_and_the_replay_do_no_io_read_no_clock_and_draw_no_outside_randomness() {
    // HashMap and HashSet iterate in a random order per process: that would break replays.
    let forbidden = [
        "tokio",
        "sqlx",
        "axum",
        "std::fs",
        "std::net",
        "std::time",
        "std::thread",
        "std::env",
        "Instant",
        "SystemTime",
        "rand::",
        "getrandom",
        "uuid",
        "HashMap",
        "HashSet",
        "println!",
        "eprintln!",
        "unsafe",
    ];
    let mut found = Vec::new();
    let files = ["src/engine", "src/replay"].into_iter().flat_map(|dir| rust_files(&root().join(dir)));
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for word in forbidden {
                if code.contains(word) {
                    found.push(format!("{}:{}: `{word}` in `{}`", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(found.is_empty(), "the engine and the replay must stay pure:\n{}", found.join("\n"));
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
