//! Build script: embeds every scenario file in `scenarios/` and its translations (the server's
//! default when no scenario folder is given) and makes cargo re-embed migrations when they change.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=migrations/sqlite");
    println!("cargo:rerun-if-changed=migrations/postgres");
    println!("cargo:rerun-if-changed=scenarios");
    println!("cargo:rerun-if-changed=client");

    // The package's folder as cargo gives it to this run, not as it was when the script was
    // compiled (`env!`): a checkout that moved, or a second one sharing the target folder, would
    // otherwise read another folder's scenarios, or none.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest).join("scenarios");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    let mut files: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.retain(|p: &std::path::PathBuf| p.extension().is_some_and(|x| x == "toml"));
    files.sort();
    // A binary without its default scenarios would start and serve nothing.
    assert!(!files.is_empty(), "{} holds no scenario (.toml) file to build in", dir.display());
    // A translation is `<stem>.<lang>.toml` (a dot in the stem): never read as a scenario.
    let is_translation = |name: &str| name.strip_suffix(".toml").is_some_and(|stem| stem.contains('.'));
    let mut code = String::new();
    for (constant, doc, translations) in [
        ("EMBEDDED", "Every scenario file of `scenarios/` at build time: (file name, text).", false),
        ("EMBEDDED_TRANSLATIONS", "Every translation file of `scenarios/` at build time: (file name, text).", true),
    ] {
        let _ = writeln!(code, "/// {doc}\npub const {constant}: &[(&str, &str)] = &[");
        for path in &files {
            println!("cargo:rerun-if-changed={}", path.display());
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if is_translation(&name) == translations {
                let _ = writeln!(code, "    ({name:?}, include_str!({:?})),", path.display().to_string());
            }
        }
        code.push_str("];\n");
    }
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded_scenarios.rs");
    std::fs::write(out, code).expect("write embedded_scenarios.rs");
}
