//! What every browser test needs first: the browser (or a clear skip), and where screenshots go.

// Shared by several test binaries, each of which uses only part of it.
#![allow(dead_code)]

use std::path::PathBuf;

/// Debian's `chromium`, or `None` when the test should be skipped. Under `CI=true` a missing
/// browser fails the test; elsewhere it fails too, unless `THIRD_NEIGHBOR_SKIP_BROWSER=1`.
pub fn chromium_or_skip(test: &str) -> Option<PathBuf> {
    if let Some(path) = super::cdp::find_chromium() {
        return Some(path);
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    let skip = std::env::var("THIRD_NEIGHBOR_SKIP_BROWSER").is_ok_and(|v| v == "1");
    if ci {
        panic!(
            "{test}: `chromium` is not installed, and under CI a missing browser is a failure (.ci/run installs it)"
        );
    }
    if skip {
        // Straight to stderr (not `eprintln!`), so that the test harness does not hide it.
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {test}: `chromium` is not installed and THIRD_NEIGHBOR_SKIP_BROWSER=1 is set"
        );
        return None;
    }
    panic!(
        "{test}: `chromium` is not installed. Install it (`apt-get install chromium`) or set \
         THIRD_NEIGHBOR_SKIP_BROWSER=1 to skip the browser tests"
    );
}

/// `target/screenshots/` (under `CARGO_TARGET_DIR` when it is set).
pub fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("screenshots")
}

/// Sizes the issue names: a phone, a Chromebook, a projector.
pub const PHONE: (u32, u32) = (390, 844);
pub const LAPTOP: (u32, u32) = (1366, 768);
pub const PROJECTOR: (u32, u32) = (1920, 1080);

/// A stand-in for the essay (the project does not ship it): one line per paragraph, each with a
/// marker the tests look for.
pub fn stand_in_source(paragraphs: usize) -> String {
    (1..=paragraphs)
        .map(|n| format!("Stand-in paragraph {n} for the browser tests (marker-para-{n}); not the essay's text."))
        .collect::<Vec<_>>()
        .join("\n")
}
