//! Scenario files: TOML in `scenarios/`, read into a validated [`Scenario`] for the engine.
//!
//! This module is an adapter: it reads files and text; the engine never does. A scenario is
//! identified by its `id`; the exact text a session started with is kept (by hash) by the store,
//! so a stored game replays even after the file changes.

mod build;
pub mod describe;
mod error;
pub mod explain;
mod localized;
mod reader;
pub mod source;
pub mod translation;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use error::{Problem, ScenarioError};
pub use localized::Localized;
pub use translation::Translation;

use crate::engine::Scenario;

/// A scenario together with the exact text it was read from.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub scenario: Scenario,
    pub text: String,
    /// SHA-256 of `text`, in hex.
    pub hash: String,
    /// Where it came from, for messages.
    pub file: String,
}

/// Parses scenario text; `file` names it in error messages.
pub fn parse(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
    let mut reader = reader::Reader::new(text);
    let built = build::build(text, &mut reader);
    match built {
        Some(scenario) if reader.problems.is_empty() => Ok(scenario),
        _ => Err(ScenarioError::new(file, reader.problems)),
    }
}

/// Parses text and keeps it with its hash.
pub fn load_text(file: &str, text: &str) -> Result<Loaded, ScenarioError> {
    let scenario = parse(file, text)?;
    Ok(Loaded { scenario, text: text.to_string(), hash: text_hash(text), file: file.to_string() })
}

/// Reads and parses one file.
pub fn load_file(path: &Path) -> Result<Loaded, ScenarioError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| ScenarioError::whole_file(&file, format!("cannot read the file: {e}")))?;
    load_text(&file, &text)
}

/// The scenario files of a folder (`*.toml` but not the translations, `<stem>.<lang>.toml`),
/// sorted by name.
pub fn files_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    Ok(toml_files_in(dir)?.into_iter().filter(|p| !translation::is_translation_path(p)).collect())
}

/// The translation files of a folder (`<stem>.<lang>.toml`), sorted by name.
pub fn translation_files_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    Ok(toml_files_in(dir)?.into_iter().filter(|p| translation::is_translation_path(p)).collect())
}

fn toml_files_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

/// SHA-256 of a scenario's text, in hex.
pub fn text_hash(text: &str) -> String {
    format!("{:x}", Sha256::digest(text.as_bytes()))
}

// The scenarios built into the binary, used when no scenario folder is given or found.
include!(concat!(env!("OUT_DIR"), "/embedded_scenarios.rs"));
