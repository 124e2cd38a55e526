//! The scenarios the server offers, read once at start, and the scenario texts stored sessions
//! started with (parsed on demand, by hash).
//!
//! A broken file does not stop the server: its problems are logged as `file:line:column:
//! message` and the file is skipped. The server refuses to start only when no scenario loads.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::scenario::{self, Loaded, ScenarioError};
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read the scenario folder {path}: {source}")]
    Folder { path: String, source: std::io::Error },
    #[error("no scenario could be loaded (see the problems above)")]
    Empty,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the stored scenario text {hash} is missing")]
    MissingText { hash: String },
    #[error("the stored scenario text no longer parses: {0}")]
    Stored(ScenarioError),
}

/// Where the scenarios came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Folder(PathBuf),
    Embedded,
}

pub struct Catalog {
    by_id: BTreeMap<String, Arc<Loaded>>,
    by_hash: Mutex<HashMap<String, Arc<Loaded>>>,
    pub origin: Origin,
}

impl Catalog {
    /// Reads `dir` (or `./scenarios` if it exists, or the built-in scenarios). Returns the
    /// problems of the files it skipped.
    pub fn load(dir: Option<&Path>) -> Result<(Catalog, Vec<ScenarioError>), CatalogError> {
        let default = Path::new("./scenarios");
        let dir = match dir {
            Some(dir) => Some(dir.to_path_buf()),
            None if default.is_dir() => Some(default.to_path_buf()),
            None => None,
        };
        let mut problems = Vec::new();
        let mut texts: Vec<Result<Loaded, ScenarioError>> = Vec::new();
        let origin = match &dir {
            Some(dir) => {
                let files = scenario::files_in(dir)
                    .map_err(|source| CatalogError::Folder { path: dir.display().to_string(), source })?;
                texts.extend(files.iter().map(|f| scenario::load_file(f)));
                Origin::Folder(dir.clone())
            }
            None => {
                texts.extend(scenario::EMBEDDED.iter().map(|(name, text)| scenario::load_text(name, text)));
                Origin::Embedded
            }
        };
        let mut by_id = BTreeMap::new();
        let mut by_hash = HashMap::new();
        for result in texts {
            match result {
                Ok(loaded) => {
                    let id = loaded.scenario.id.clone();
                    if let Some(first) = by_id.get(&id).map(|l: &Arc<Loaded>| l.file.clone()) {
                        problems.push(ScenarioError::whole_file(
                            &loaded.file,
                            format!("scenario id `{id}` is already used by {first}; this file is skipped"),
                        ));
                        continue;
                    }
                    let loaded = Arc::new(loaded);
                    by_hash.insert(loaded.hash.clone(), loaded.clone());
                    by_id.insert(id, loaded);
                }
                Err(e) => problems.push(e),
            }
        }
        if by_id.is_empty() {
            for p in &problems {
                tracing::error!("{p}");
            }
            return Err(CatalogError::Empty);
        }
        Ok((Catalog { by_id, by_hash: Mutex::new(by_hash), origin }, problems))
    }

    pub fn get(&self, id: &str) -> Option<Arc<Loaded>> {
        self.by_id.get(id).cloned()
    }

    /// The scenarios on offer, by id.
    pub fn all(&self) -> impl Iterator<Item = &Arc<Loaded>> {
        self.by_id.values()
    }

    /// The scenario a stored session started with: from memory, or parsed from its stored text.
    pub async fn by_hash(&self, store: &Store, hash: &str) -> Result<Arc<Loaded>, CatalogError> {
        if let Some(loaded) = self.by_hash.lock().ok().and_then(|m| m.get(hash).cloned()) {
            return Ok(loaded);
        }
        let text = store.scenario_text(hash).await?.ok_or_else(|| CatalogError::MissingText { hash: hash.into() })?;
        let short: String = hash.chars().take(12).collect();
        let loaded =
            Arc::new(scenario::load_text(&format!("stored scenario {short}"), &text).map_err(CatalogError::Stored)?);
        if let Ok(mut map) = self.by_hash.lock() {
            map.insert(hash.to_string(), loaded.clone());
        }
        Ok(loaded)
    }

    /// Remembers a text by hash (a session was just created from it).
    pub fn remember(&self, loaded: &Arc<Loaded>) {
        if let Ok(mut map) = self.by_hash.lock() {
            map.entry(loaded.hash.clone()).or_insert_with(|| loaded.clone());
        }
    }
}
