//! The languages a class can play in, and the words the server itself puts around a scenario's
//! texts.
//!
//! A scenario file is written in English; its translations (`scenarios/<stem>.<lang>.toml`, read
//! by [`crate::scenario::translation`]) replace its texts key by key. What the server composes
//! around those texts — "… succeeded.", "… did not join in", a headline's "Track +2", a debrief's
//! what-if sentence — comes from [`phrases`], one small table per language, and [`narrate`]
//! puts them together. The engine and the log stay language-free: a language is chosen only when
//! a frame or a page is written.
//!
//! Pure like the engine: no I/O, no clock.

pub mod narrate;
pub mod phrases;

use std::fmt;

use serde::{Deserialize, Serialize};

/// A language of the game: the scenario files' own (`en`) and the three a class may also play in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English: the language scenario files are written in.
    #[default]
    En,
    /// Монгол хэл, in Cyrillic script.
    Mn,
    Ru,
    /// Simplified Chinese.
    Zh,
}

/// A language code the server does not speak.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language `{shown}`: use en, mn, ru or zh")]
pub struct UnknownLang {
    shown: String,
}

impl Lang {
    /// Every language, the scenarios' own first.
    pub const ALL: [Lang; 4] = [Lang::En, Lang::Mn, Lang::Ru, Lang::Zh];
    /// The languages a translation file may be in (everything but the scenarios' own).
    pub const TRANSLATED: [Lang; 3] = [Lang::Mn, Lang::Ru, Lang::Zh];

    /// The code on the wire, in file names and in `Content-Language`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Mn => "mn",
            Lang::Ru => "ru",
            Lang::Zh => "zh",
        }
    }

    /// The language's own name for itself.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Mn => "Монгол",
            Lang::Ru => "Русский",
            Lang::Zh => "中文",
        }
    }

    /// Reads a code exactly as the wire and the files write it (`en`, `mn`, `ru`, `zh`).
    pub fn parse(code: &str) -> Result<Lang, UnknownLang> {
        Lang::ALL
            .into_iter()
            .find(|l| l.code() == code)
            .ok_or_else(|| UnknownLang { shown: code.chars().take(20).collect() })
    }

    /// Reads a language tag as browsers send it (`mn-MN`, `zh-Hans-CN`, `RU`): the primary
    /// subtag, in any case. `zh-Hant`/`zh-TW`… (Traditional Chinese) is not Simplified Chinese
    /// and gives `None`.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase();
        let mut parts = tag.split(['-', '_']);
        let primary = parts.next()?;
        let lang = Lang::parse(primary).ok()?;
        if lang == Lang::Zh && parts.any(|p| matches!(p, "hant" | "tw" | "hk" | "mo")) {
            return None;
        }
        Some(lang)
    }

    /// The language an `Accept-Language` header asks for: the one with the highest q-value
    /// among those the server speaks (the first of equals); `None` when it names none of them.
    /// A malformed header is read as far as it makes sense, never refused.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(u32, Lang)> = None;
        for item in header.split(',') {
            let mut params = item.split(';');
            let Some(lang) = params.next().and_then(Lang::from_tag) else { continue };
            let mut q = 1000;
            for param in params {
                if let Some(value) = param.trim().strip_prefix("q=").or_else(|| param.trim().strip_prefix("Q=")) {
                    q = parse_q(value).unwrap_or(0);
                }
            }
            if q > 0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, lang)| lang)
    }
}

/// A q-value (`0`, `0.5`, `1.000`) in thousandths.
fn parse_q(value: &str) -> Option<u32> {
    let value = value.trim();
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if !matches!(whole, "0" | "1") || fraction.len() > 3 || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let digits: u32 = format!("{fraction:0<3}").parse().ok()?;
    let q = if whole == "1" { 1000 } else { digits };
    (q <= 1000).then_some(q)
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl std::str::FromStr for Lang {
    type Err = UnknownLang;

    fn from_str(s: &str) -> Result<Lang, UnknownLang> {
        Lang::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back() {
        for lang in Lang::ALL {
            assert_eq!(Lang::parse(lang.code()), Ok(lang));
        }
        let e = Lang::parse("fr").unwrap_err();
        assert_eq!(e.to_string(), "unknown language `fr`: use en, mn, ru or zh");
        assert!(Lang::parse("MN").is_err(), "the wire and the files write codes in lowercase");
    }

    #[test]
    fn tags_take_their_primary_subtag() {
        assert_eq!(Lang::from_tag("mn-MN"), Some(Lang::Mn));
        assert_eq!(Lang::from_tag("zh-Hans-CN"), Some(Lang::Zh));
        assert_eq!(Lang::from_tag("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::from_tag("zh-TW"), None);
        assert_eq!(Lang::from_tag("zh-Hant"), None);
        assert_eq!(Lang::from_tag("RU"), Some(Lang::Ru));
        assert_eq!(Lang::from_tag("*"), None);
    }

    #[test]
    fn accept_language_takes_the_best_q_the_server_speaks() {
        assert_eq!(Lang::from_accept_language("mn"), Some(Lang::Mn));
        assert_eq!(Lang::from_accept_language("fr-FR, ru;q=0.8, en;q=0.5"), Some(Lang::Ru));
        assert_eq!(Lang::from_accept_language("en;q=0.5, zh-CN;q=0.9"), Some(Lang::Zh));
        assert_eq!(Lang::from_accept_language("mn;q=0.7, ru;q=0.7"), Some(Lang::Mn));
        assert_eq!(Lang::from_accept_language("ru;q=0, en"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("de, fr"), None);
        assert_eq!(Lang::from_accept_language(""), None);
        assert_eq!(Lang::from_accept_language(";;;,q=,mn;q=abc"), None);
        assert_eq!(Lang::from_accept_language("mn;q=1.0"), Some(Lang::Mn));
        assert_eq!(Lang::from_accept_language("mn;q=2, ru;q=0.1"), Some(Lang::Ru));
    }
}
