//! The scenarios the server offers, read once at start with their translation files, and the
//! scenario texts stored sessions started with (parsed on demand, by hash).
//!
//! A broken file does not stop the server: its problems are logged as `file:line:column:
//! message` and the file is skipped. The server refuses to start only when no scenario loads.
//! A translation file (`<stem>.<lang>.toml`) that does not read is skipped the same way; one
//! with missing or stale texts is used for what it has, with one warning at start.
//!
//! Every scenario text — the current file's or a stored game's — is served through a
//! [`Localized`]: the text with today's translation of its scenario id applied key by key, a
//! translation used only where its `source` hash matches that text's English.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::scenario::{self, translation, Loaded, Localized, ScenarioError, Translation};
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
    by_id: BTreeMap<String, Arc<Localized>>,
    by_hash: Mutex<HashMap<String, Arc<Loaded>>>,
    /// Each scenario text in every language, by the text's hash.
    localized: Mutex<HashMap<String, Arc<Localized>>>,
    /// The translation files read, by scenario id.
    translations: BTreeMap<String, Vec<Arc<Translation>>>,
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
        // (the file's name, its translation or why it does not read)
        let mut translated: Vec<(String, Result<Translation, ScenarioError>)> = Vec::new();
        let origin = match &dir {
            Some(dir) => {
                let folder = |source| CatalogError::Folder { path: dir.display().to_string(), source };
                let files = scenario::files_in(dir).map_err(folder)?;
                texts.extend(files.iter().map(|f| scenario::load_file(f)));
                for file in scenario::translation_files_in(dir).map_err(folder)? {
                    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    translated.push((name, Translation::load(&file)));
                }
                Origin::Folder(dir.clone())
            }
            None => {
                texts.extend(scenario::EMBEDDED.iter().map(|(name, text)| scenario::load_text(name, text)));
                for (name, text) in scenario::EMBEDDED_TRANSLATIONS {
                    let lang = translation::split_name(name).map(|(_, lang)| lang);
                    translated.push((name.to_string(), Translation::parse(name, text, lang)));
                }
                Origin::Embedded
            }
        };
        let mut loaded_by_id: BTreeMap<String, Arc<Loaded>> = BTreeMap::new();
        let mut by_hash = HashMap::new();
        // The stem of each scenario file, for finding its translations (`<stem>.<lang>.toml`).
        let mut id_of_stem: BTreeMap<String, String> = BTreeMap::new();
        for result in texts {
            match result {
                Ok(loaded) => {
                    let id = loaded.scenario.id.clone();
                    if let Some(first) = loaded_by_id.get(&id).map(|l| l.file.clone()) {
                        problems.push(ScenarioError::whole_file(
                            &loaded.file,
                            format!("scenario id `{id}` is already used by {first}; this file is skipped"),
                        ));
                        continue;
                    }
                    let stem = Path::new(&loaded.file).file_stem().map(|s| s.to_string_lossy().into_owned());
                    id_of_stem.insert(stem.unwrap_or_default(), id.clone());
                    let loaded = Arc::new(loaded);
                    by_hash.insert(loaded.hash.clone(), loaded.clone());
                    loaded_by_id.insert(id, loaded);
                }
                Err(e) => problems.push(e),
            }
        }
        if loaded_by_id.is_empty() {
            for p in &problems {
                tracing::error!("{p}");
            }
            return Err(CatalogError::Empty);
        }
        let mut translations: BTreeMap<String, Vec<Arc<Translation>>> = BTreeMap::new();
        for (name, result) in translated {
            let t = match result {
                Ok(t) => t,
                Err(e) => {
                    problems.push(e);
                    continue;
                }
            };
            let stem = translation::split_name(&name).map_or("", |(stem, _)| stem);
            match id_of_stem.get(stem) {
                Some(id) => translations.entry(id.clone()).or_default().push(Arc::new(t)),
                None => problems.push(ScenarioError::whole_file(
                    &t.file,
                    format!("a translation of {stem}.toml, which is not a scenario that loaded; this file is skipped"),
                )),
            }
        }
        let mut localized = HashMap::new();
        let mut by_id = BTreeMap::new();
        for (id, loaded) in loaded_by_id {
            let files = translations.get(&id).map(Vec::as_slice).unwrap_or_default();
            let (texts, coverage) = Localized::new(loaded.clone(), files);
            for (file, (lang, cov)) in files.iter().zip(coverage) {
                // Once, at start: what of this file the server cannot use (English is shown there).
                if cov.missing.is_empty()
                    && cov.stale.is_empty()
                    && cov.extra.is_empty()
                    && cov.bad_paragraph.is_empty()
                {
                    tracing::info!(file = %file.file, "translation: {}", cov.line(lang));
                } else {
                    tracing::warn!(
                        file = %file.file,
                        "translation: {}; English is shown for the texts it lacks (`third-neighbor scenario check` lists them)",
                        cov.line(lang)
                    );
                }
            }
            let texts = Arc::new(texts);
            localized.insert(loaded.hash.clone(), texts.clone());
            by_id.insert(id, texts);
        }
        let catalog =
            Catalog { by_id, by_hash: Mutex::new(by_hash), localized: Mutex::new(localized), translations, origin };
        Ok((catalog, problems))
    }

    pub fn get(&self, id: &str) -> Option<Arc<Loaded>> {
        self.by_id.get(id).map(|l| l.loaded.clone())
    }

    /// A scenario on offer in every language it has.
    pub fn texts(&self, id: &str) -> Option<Arc<Localized>> {
        self.by_id.get(id).cloned()
    }

    /// The scenarios on offer, by id.
    pub fn all(&self) -> impl Iterator<Item = &Arc<Loaded>> {
        self.by_id.values().map(|l| &l.loaded)
    }

    /// The scenarios on offer in every language they have, by id.
    pub fn all_texts(&self) -> impl Iterator<Item = &Arc<Localized>> {
        self.by_id.values()
    }

    /// A scenario text (current or stored) in every language its scenario id has a translation
    /// file for: each translation applied where its `source` matches this text's English. Built
    /// once per text and kept.
    pub fn localize(&self, loaded: &Arc<Loaded>) -> Arc<Localized> {
        if let Some(found) = self.localized.lock().ok().and_then(|m| m.get(&loaded.hash).cloned()) {
            return found;
        }
        let files = self.translations.get(&loaded.scenario.id).map(Vec::as_slice).unwrap_or_default();
        let (texts, coverage) = Localized::new(loaded.clone(), files);
        for (lang, cov) in coverage {
            tracing::debug!(hash = %loaded.hash, %lang, "a stored scenario text translated: {}", cov.line(lang));
        }
        let texts = Arc::new(texts);
        if let Ok(mut map) = self.localized.lock() {
            map.insert(loaded.hash.clone(), texts.clone());
        }
        texts
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
