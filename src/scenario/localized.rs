//! A scenario in every language it has: the English it was read from and, per translation file,
//! a copy with the file's usable translations in place (see [`super::translation::apply`]).
//!
//! Built once per scenario text (the catalog keeps them by hash), shared by every connection and
//! page: rendering a frame in a language is choosing which copy to read, nothing more. A copy has
//! the very same ids, indices and rules as the English — only texts differ — so the engine always
//! runs on the English and any copy can explain its reports.

use std::sync::Arc;

use super::translation::{self, Coverage, Translation};
use super::Loaded;
use crate::engine::Scenario;
use crate::i18n::Lang;

#[derive(Debug)]
pub struct Localized {
    /// The scenario as read (English), with its text and hash.
    pub loaded: Arc<Loaded>,
    /// One copy per language that has a translation file.
    translated: Vec<(Lang, Scenario)>,
}

impl Localized {
    /// The scenario with no translation.
    pub fn english(loaded: Arc<Loaded>) -> Localized {
        Localized { loaded, translated: Vec::new() }
    }

    /// The scenario with each translation applied (per key; English where a translation is
    /// missing, stale or cites a ¶ out of range), and how each file covered it.
    pub fn new(loaded: Arc<Loaded>, translations: &[Arc<Translation>]) -> (Localized, Vec<(Lang, Coverage)>) {
        let mut translated = Vec::new();
        let mut coverage = Vec::new();
        for t in translations {
            if t.lang == Lang::En || translated.iter().any(|(l, _)| *l == t.lang) {
                continue;
            }
            let (copy, cov) = translation::apply(&loaded.scenario, t);
            translated.push((t.lang, copy));
            coverage.push((t.lang, cov));
        }
        translated.sort_by_key(|(l, _)| *l);
        (Localized { loaded, translated }, coverage)
    }

    /// The scenario's texts in a language (English when it has no translation into it).
    pub fn get(&self, lang: Lang) -> &Scenario {
        self.translated.iter().find(|(l, _)| *l == lang).map_or(&self.loaded.scenario, |(_, sc)| sc)
    }

    /// The English scenario: the one the engine runs.
    pub fn english_scenario(&self) -> &Scenario {
        &self.loaded.scenario
    }

    /// The languages it can be read in: English, then each with a translation file.
    pub fn languages(&self) -> Vec<Lang> {
        std::iter::once(Lang::En).chain(self.translated.iter().map(|(l, _)| *l)).collect()
    }

    /// The language a page asked for if the scenario has it, else English.
    pub fn pick(&self, lang: Lang) -> Lang {
        if self.languages().contains(&lang) {
            lang
        } else {
            Lang::En
        }
    }

    /// Every copy, English first (for matching what players wrote against names in any language).
    pub fn all(&self) -> impl Iterator<Item = &Scenario> {
        std::iter::once(&self.loaded.scenario).chain(self.translated.iter().map(|(_, sc)| sc))
    }
}
