//! Translation files: a scenario's texts in another language, beside the scenario as
//! `<stem>.<lang>.toml`, keyed by the ids of the original.
//!
//! ```toml
//! # Монгол (mn) texts of tutorial.toml
//! language = "mn"
//! [texts]
//! "title" = { text = "…", source = "1a2b3c4d5e6f" }
//! ```
//!
//! `source` is the first 12 hex digits of the SHA-256 of the English text a translation was made
//! from: when the English changes, the translation is *stale* and English is shown instead until
//! a translator updates it. [`keys`] is the one canonical list of a scenario's texts (every text a
//! person reads; empty texts have no key); [`apply`] puts a file's usable translations into a
//! copy of the scenario; [`check`] says what a file lacks; [`template`] writes the file a
//! translator fills in (`third-neighbor scenario translate`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use toml_edit::TableLike;

use super::error::{Problem, ScenarioError};
use super::reader::{line_column, Reader};
use crate::engine::{Lookup, Scenario};
use crate::i18n::Lang;

/// Hex digits of a `source` hash.
pub const SOURCE_DIGITS: usize = 12;

const TOP_KEYS: &[&str] = &["language", "texts"];
const ENTRY_KEYS: &[&str] = &["text", "source"];
/// The comment lines `template` writes above an entry: the English original, and the earlier
/// translation of a stale entry. Other comments above an entry are the translator's and are kept.
const EN_MARK: &str = "# en:";
const OLD_MARK: &str = "# old:";
/// The block at the end of a file where `template` keeps translations of texts the scenario no
/// longer has (as comments).
const GONE_MARK: &str = "# ---- no longer in the scenario";

/// The first 12 hex digits of the SHA-256 of a text (UTF-8).
pub fn source_hash(text: &str) -> String {
    format!("{:.*x}", SOURCE_DIGITS, Sha256::digest(text.as_bytes()))
}

// ---- the keys ---------------------------------------------------------------------------------

/// Calls `f` with the key and the text of every text a person reads in the scenario, in the
/// canonical order; empty texts are skipped (they have no key). The one enumeration: [`keys`],
/// [`apply`], [`check`] and [`template`] all go through it.
///
/// The scheme (`<n>` counts from 1):
/// `title`, `summary`, `source_title`;
/// `roles.<role>.name|briefing|objective|memo|private_objective`, `roles.<role>.score.<n>.label`;
/// `tracks.<track>.name|summary`; `targets.<actor>.name` (the outside actors: a role's target
/// name is the role's name);
/// `moves.<role>.<move>.name|summary|success_text|failure_text|unmet_text`;
/// `events.<event>.name|text`; `interactions.<id>.text`; `rounds.<n>.name|briefing|discussion`;
/// `lesson.objectives.<n>`, `lesson.timing.<n>.step`, `lesson.terms.<n>.term|meaning`,
/// `lesson.debrief_questions.<n>`, `lesson.reflection`, `lesson.caveats.<n>`.
pub fn visit_texts(sc: &mut Scenario, f: &mut dyn FnMut(&str, &mut String)) {
    let mut visit = |key: String, text: &mut String| {
        if !text.is_empty() {
            f(&key, text);
        }
    };
    let Scenario {
        title,
        summary,
        source_title,
        roles,
        tracks,
        targets,
        moves,
        interactions,
        events,
        rounds,
        lesson,
        ..
    } = sc;
    visit("title".into(), title);
    visit("summary".into(), summary);
    visit("source_title".into(), source_title);
    let role_ids: Vec<String> = roles.iter().map(|r| r.id.clone()).collect();
    for r in roles.iter_mut() {
        let p = format!("roles.{}", r.id);
        visit(format!("{p}.name"), &mut r.name);
        visit(format!("{p}.briefing"), &mut r.briefing);
        visit(format!("{p}.objective"), &mut r.objective.summary);
        for (n, term) in r.objective.terms.iter_mut().enumerate() {
            visit(format!("{p}.score.{}.label", n + 1), &mut term.label);
        }
        visit(format!("{p}.memo"), &mut r.memo);
        if let Some(private) = &mut r.private_objective {
            visit(format!("{p}.private_objective"), &mut private.summary);
        }
    }
    for t in tracks.iter_mut() {
        visit(format!("tracks.{}.name", t.id), &mut t.name);
        visit(format!("tracks.{}.summary", t.id), &mut t.summary);
    }
    for t in targets.iter_mut().filter(|t| t.role.is_none()) {
        visit(format!("targets.{}.name", t.id), &mut t.name);
    }
    for m in moves.iter_mut() {
        let p = format!("moves.{}.{}", role_ids.get(m.role.index()).map_or("", String::as_str), m.id);
        visit(format!("{p}.name"), &mut m.name);
        visit(format!("{p}.summary"), &mut m.summary);
        visit(format!("{p}.success_text"), &mut m.success_text);
        visit(format!("{p}.failure_text"), &mut m.failure_text);
        visit(format!("{p}.unmet_text"), &mut m.unmet_text);
    }
    for e in events.iter_mut() {
        visit(format!("events.{}.name", e.id), &mut e.name);
        visit(format!("events.{}.text", e.id), &mut e.text);
    }
    for i in interactions.iter_mut() {
        visit(format!("interactions.{}.text", i.id), &mut i.text);
    }
    for (n, r) in rounds.iter_mut().enumerate() {
        let p = format!("rounds.{}", n + 1);
        visit(format!("{p}.name"), &mut r.name);
        visit(format!("{p}.briefing"), &mut r.briefing);
        visit(format!("{p}.discussion"), &mut r.discussion);
    }
    if let Some(lesson) = lesson {
        for (n, o) in lesson.objectives.iter_mut().enumerate() {
            visit(format!("lesson.objectives.{}", n + 1), o);
        }
        for (n, step) in lesson.timing.iter_mut().enumerate() {
            visit(format!("lesson.timing.{}.step", n + 1), &mut step.step);
        }
        for (n, term) in lesson.terms.iter_mut().enumerate() {
            visit(format!("lesson.terms.{}.term", n + 1), &mut term.term);
            visit(format!("lesson.terms.{}.meaning", n + 1), &mut term.meaning);
        }
        for (n, q) in lesson.debrief_questions.iter_mut().enumerate() {
            visit(format!("lesson.debrief_questions.{}", n + 1), q);
        }
        visit("lesson.reflection".into(), &mut lesson.reflection);
        for (n, caveat) in lesson.caveats.iter_mut().enumerate() {
            visit(format!("lesson.caveats.{}", n + 1), caveat);
        }
    }
    // A role as a target goes by the role's name (in whatever language it now is).
    for t in targets.iter_mut() {
        if let Some(name) = t.role.and_then(|r| roles.lookup(r)).map(|r| r.name.clone()) {
            t.name = name;
        }
    }
}

/// Every text of the scenario by key, in the canonical order: `(key, English text)`.
pub fn keys(sc: &Scenario) -> Vec<(String, String)> {
    let mut copy = sc.clone();
    let mut out = Vec::new();
    visit_texts(&mut copy, &mut |key, text| out.push((key.to_string(), text.clone())));
    out
}

// ---- file names -------------------------------------------------------------------------------

/// Whether a file name is a translation's (`<stem>.<lang>.toml`: a dot in the stem; scenario
/// files have none), and if so its stem and language code as written.
pub fn split_name(file_name: &str) -> Option<(&str, &str)> {
    let stem = file_name.strip_suffix(".toml")?;
    let (scenario, lang) = stem.rsplit_once('.')?;
    (!scenario.is_empty()).then_some((scenario, lang))
}

/// Whether a path names a translation file rather than a scenario.
pub fn is_translation_path(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| split_name(n).is_some())
}

/// Where a scenario's translation into `lang` lives: beside it, `<stem>.<lang>.toml`.
pub fn path_for(scenario: &Path, lang: Lang) -> PathBuf {
    let stem = scenario.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    scenario.with_file_name(format!("{stem}.{}.toml", lang.code()))
}

/// The scenario file a translation file belongs to (`<stem>.toml` beside it).
pub fn scenario_path_of(translation: &Path) -> Option<PathBuf> {
    let name = translation.file_name()?.to_str()?;
    let (stem, _) = split_name(name)?;
    Some(translation.with_file_name(format!("{stem}.toml")))
}

// ---- reading ----------------------------------------------------------------------------------

/// One translated text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: String,
    pub text: String,
    /// The hash of the English it was translated from.
    pub source: String,
    /// 1-based line of its key.
    pub line: usize,
    /// Byte range of its text in the file (to point at a ¶ inside it).
    text_span: std::ops::Range<usize>,
    /// The translator's own comment lines just above it (kept by [`template`]).
    notes: Vec<String>,
    /// The earlier translation of a stale entry, from `# old:` lines (kept by [`template`] until
    /// the entry is translated again).
    old: Vec<String>,
}

/// A translation file, read.
#[derive(Debug, Clone)]
pub struct Translation {
    /// Where it came from, for messages.
    pub file: String,
    pub lang: Lang,
    /// In file order.
    pub entries: Vec<Entry>,
    /// Line of the `[texts]` table (where missing keys are reported).
    texts_line: usize,
    text: String,
    /// The comment lines of the file's last block of texts the scenario no longer has.
    gone: Vec<String>,
}

impl Translation {
    /// Reads a translation file's text. `file` names it in messages; the language its name says
    /// (`x.mn.toml` → `mn`), if given, must be the one it declares. Every problem that keeps the
    /// file from loading is reported at once, as `file:line:column: message`.
    pub fn parse(file: &str, text: &str, named: Option<&str>) -> Result<Translation, ScenarioError> {
        let mut r = Reader::new(text);
        let parsed = read(file, text, named, &mut r);
        match parsed {
            Some(t) if r.problems.is_empty() => Ok(t),
            _ => Err(ScenarioError::new(file, r.problems)),
        }
    }

    /// Reads a translation file from disk (its language is checked against its name).
    pub fn load(path: &Path) -> Result<Translation, ScenarioError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ScenarioError::whole_file(&file, format!("cannot read the file: {e}")))?;
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        Translation::parse(&file, &text, split_name(name).map(|(_, lang)| lang))
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }
}

fn read(file: &str, text: &str, named: Option<&str>, r: &mut Reader) -> Option<Translation> {
    let doc = r.document(text)?;
    let root: &dyn TableLike = doc.as_table();
    r.only_keys(root, TOP_KEYS, "a translation file");
    let language = r.string(root, "language", 0, "a translation file");
    let lang = language.as_ref().and_then(|l| match Lang::parse(&l.value) {
        Ok(Lang::En) => {
            r.problem(l.span.start, "`language` cannot be `en`: the scenario file itself is the English");
            None
        }
        Ok(lang) => Some(lang),
        Err(_) => {
            let shown: String = l.value.chars().take(20).collect();
            r.problem(l.span.start, format!("unknown language `{shown}`: a translation is in mn, ru or zh"));
            None
        }
    });
    if let (Some(lang), Some(named), Some(l)) = (lang, named, &language) {
        if lang.code() != named {
            r.problem(
                l.span.start,
                format!("wrong language: the file is named for `{named}` but says language = \"{}\"", lang.code()),
            );
        }
    }
    if let (None, Some(named)) = (&language, named) {
        if Lang::parse(named).is_err() {
            r.problem(0, format!("the file name's language `{named}` is unknown: use mn, ru or zh"));
        }
    }
    let texts_at = Reader::span_of(root, "texts").start;
    let (texts_line, _) = line_column(text, texts_at);
    let mut entries = Vec::new();
    match root.get("texts") {
        None => r.problem(0, "a translation file needs a [texts] table (it may be empty)"),
        Some(item) => match item.as_table_like() {
            None => r.problem(texts_at, "`texts` must be a table: [texts]"),
            Some(texts) => {
                for (key, _) in texts.iter() {
                    let key_at = texts.key(key).and_then(|k| k.span()).map_or(texts_at, |s| s.start);
                    let what = format!("the text `{key}`");
                    let Some(entry) = texts.get(key).and_then(|i| i.as_table_like()) else {
                        r.problem(key_at, format!("{what} must be a table: {{ text = \"…\", source = \"…\" }}"));
                        continue;
                    };
                    r.only_keys(entry, ENTRY_KEYS, &what);
                    let body = r.string(entry, "text", key_at, &what);
                    let source = r.string(entry, "source", key_at, &what);
                    if let Some(s) = &source {
                        let ok = s.value.len() == SOURCE_DIGITS
                            && s.value.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c));
                        if !ok {
                            r.problem(
                                s.span.start,
                                format!(
                                    "`source` must be {SOURCE_DIGITS} lowercase hex digits (the start of the English \
                                     text's SHA-256, as `scenario translate` writes it), not \"{}\"",
                                    s.value.chars().take(40).collect::<String>()
                                ),
                            );
                        }
                    }
                    let (Some(body), Some(source)) = (body, source) else { continue };
                    let (line, _) = line_column(text, key_at);
                    let (notes, old) = comments_above(text, line);
                    entries.push(Entry {
                        key: key.to_string(),
                        text: body.value,
                        source: source.value,
                        line,
                        text_span: body.span,
                        notes,
                        old,
                    });
                }
            }
        },
    }
    let gone = match text.find(GONE_MARK) {
        Some(at) => text[at..].lines().skip(1).filter(|l| l.starts_with('#')).map(str::to_string).collect(),
        None => Vec::new(),
    };
    Some(Translation { file: file.to_string(), lang: lang?, entries, texts_line, text: text.to_string(), gone })
}

/// The comment lines right above a line (up to a line that is not a comment): the translator's
/// notes, and the earlier translation `template` kept (`# old:`). The English (`# en:`) is not
/// kept: `template` writes it again from the scenario.
fn comments_above(text: &str, line: usize) -> (Vec<String>, Vec<String>) {
    let lines: Vec<&str> = text.lines().take(line.saturating_sub(1)).collect();
    let block: Vec<&str> = lines.iter().rev().take_while(|l| l.trim_start().starts_with('#')).copied().collect();
    let (mut notes, mut old) = (Vec::new(), Vec::new());
    for l in block.into_iter().rev() {
        let l = l.trim_start();
        if let Some(rest) = l.strip_prefix(OLD_MARK) {
            old.push(rest.strip_prefix(' ').unwrap_or(rest).to_string());
        } else if !l.starts_with(EN_MARK) && !l.starts_with(GONE_MARK) {
            notes.push(l.to_string());
        }
    }
    (notes, old)
}

// ---- checking and applying --------------------------------------------------------------------

/// How a translation file stands against the scenario it translates.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    /// The scenario's texts (its keys).
    pub total: usize,
    /// Keys with a usable translation.
    pub translated: usize,
    /// Keys absent from the file, or with an empty text.
    pub missing: Vec<String>,
    /// Keys translated from an earlier English text.
    pub stale: Vec<String>,
    /// Keys the scenario does not have.
    pub extra: Vec<String>,
    /// Keys whose text cites a ¶ the source does not have (not used).
    pub bad_paragraph: Vec<String>,
    /// Every finding, at its place in the translation file.
    pub problems: Vec<Problem>,
}

impl Coverage {
    /// `mn: 212/212 texts, 0 missing, 0 stale` (and the extra keys and bad ¶s, when there are).
    pub fn line(&self, lang: Lang) -> String {
        let mut line = format!(
            "{}: {}/{} texts, {} missing, {} stale",
            lang.code(),
            self.translated,
            self.total,
            self.missing.len(),
            self.stale.len()
        );
        if !self.extra.is_empty() {
            line.push_str(&format!(", {} extra", self.extra.len()));
        }
        if !self.bad_paragraph.is_empty() {
            line.push_str(&format!(", {} with a ¶ out of range", self.bad_paragraph.len()));
        }
        line
    }

    /// Whether the file has a problem `scenario check` fails on: an extra key or a bad ¶ always;
    /// missing and stale texts only when `strict`.
    pub fn fails(&self, strict: bool) -> bool {
        !self.extra.is_empty()
            || !self.bad_paragraph.is_empty()
            || (strict && (!self.missing.is_empty() || !self.stale.is_empty()))
    }

    /// The findings as `file:line:column: message` lines.
    pub fn error(&self, file: &str) -> ScenarioError {
        ScenarioError::new(file, self.problems.clone())
    }
}

/// Short form of a text for a message.
fn preview(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    let short: String = line.chars().take(60).collect();
    if short.len() < text.len() {
        format!("\"{short}…\"")
    } else {
        format!("\"{short}\"")
    }
}

/// What a translation would do to one text.
enum Verdict<'a> {
    Use(&'a str),
    Missing,
    Stale,
    BadParagraph(u64),
}

fn judge<'a>(entry: Option<&'a Entry>, english: &str, paragraphs: u32) -> Verdict<'a> {
    let Some(entry) = entry.filter(|e| !e.text.trim().is_empty()) else { return Verdict::Missing };
    if entry.source != source_hash(english) {
        return Verdict::Stale;
    }
    if let Some(n) = paragraphs_cited(&entry.text).into_iter().find(|n| *n < 1 || *n > u64::from(paragraphs)) {
        return Verdict::BadParagraph(n);
    }
    Verdict::Use(&entry.text)
}

/// Every `¶N` a text cites.
fn paragraphs_cited(text: &str) -> Vec<u64> {
    text.match_indices('¶')
        .filter_map(|(i, _)| {
            let digits: String = text[i + '¶'.len_utf8()..].chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .collect()
}

/// How a translation file stands against the scenario: every key missing, stale, extra or
/// citing a ¶ out of range, each at its line.
pub fn check(t: &Translation, sc: &Scenario) -> Coverage {
    let mut cov = Coverage::default();
    let mut r = Reader::new(&t.text);
    let texts_at = line_offset(&t.text, t.texts_line);
    let all = keys(sc);
    let known: BTreeSet<&str> = all.iter().map(|(k, _)| k.as_str()).collect();
    cov.total = all.len();
    for (key, english) in &all {
        let entry = t.entry(key);
        let at = entry.map_or(texts_at, |e| line_offset(&t.text, e.line));
        match judge(entry, english, sc.source_paragraphs) {
            Verdict::Use(_) => cov.translated += 1,
            Verdict::Missing => {
                let how = if entry.is_some() { "its text is empty" } else { "absent from [texts]" };
                r.problem(at, format!("missing: `{key}` is not translated ({how}); the English: {}", preview(english)));
                cov.missing.push(key.clone());
            }
            Verdict::Stale => {
                r.problem(
                    at,
                    format!(
                        "stale: `{key}` was translated from an earlier English text (source {}, now {}); the English \
                         now: {}",
                        entry.map_or("", |e| e.source.as_str()),
                        source_hash(english),
                        preview(english)
                    ),
                );
                cov.stale.push(key.clone());
            }
            Verdict::BadParagraph(n) => {
                let span = entry.map_or(0..0, |e| e.text_span.clone());
                let raw = r.source(span.clone()).to_string();
                let needle = format!("¶{n}");
                let offset = raw.find(&needle).map_or(span.start, |o| span.start + o);
                r.problem(
                    offset,
                    format!(
                        "¶{n} does not exist: the source has paragraphs 1 to {} (`{key}` is shown in English until \
                         this is fixed)",
                        sc.source_paragraphs
                    ),
                );
                cov.bad_paragraph.push(key.clone());
            }
        }
    }
    for e in &t.entries {
        if !known.contains(e.key.as_str()) {
            r.problem(
                line_offset(&t.text, e.line),
                format!("extra: the scenario has no text `{}` (an id that no longer exists?)", e.key),
            );
            cov.extra.push(e.key.clone());
        }
    }
    cov.problems = r.problems;
    cov
}

/// The byte offset where a 1-based line starts.
fn line_offset(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    text.match_indices('\n').nth(line - 2).map_or(text.len(), |(i, _)| i + 1)
}

/// The scenario with every usable translation of the file in place of its English; what has no
/// usable translation (missing, stale, a bad ¶) stays English. Returns the copy and how the file
/// covered it.
pub fn apply(sc: &Scenario, t: &Translation) -> (Scenario, Coverage) {
    let coverage = check(t, sc);
    let mut out = sc.clone();
    let paragraphs = sc.source_paragraphs;
    let by_key: BTreeMap<&str, &Entry> = t.entries.iter().map(|e| (e.key.as_str(), e)).collect();
    visit_texts(&mut out, &mut |key, text| {
        if let Verdict::Use(translated) = judge(by_key.get(key).copied(), text, paragraphs) {
            *text = translated.to_string();
        }
    });
    (out, coverage)
}

// ---- writing ----------------------------------------------------------------------------------

/// The translation file `scenario translate` writes: every key of the scenario in the canonical
/// order; a translation whose source still matches is kept; a new, missing or stale key gets
/// `text = ""` and the current `source`, with the English above it as `# en:` comment lines (a
/// stale one also keeps its earlier translation as `# old:` lines). The translator's own comments
/// above an entry are kept; translations of texts the scenario no longer has are kept as comments
/// at the end. Running it again on its own output changes nothing.
pub fn template(sc: &Scenario, scenario_file: &str, lang: Lang, existing: Option<&Translation>) -> String {
    let mut out = String::new();
    out.push_str(&format!("# {} ({}) texts of {scenario_file}\n", lang.native_name(), lang.code()));
    out.push_str("# Fill in every text = \"\": the English it translates is in the `# en:` lines above it.\n");
    out.push_str("# Keep every ¶N as it is. After the English changes, run\n");
    out.push_str(&format!("#   third-neighbor scenario translate {scenario_file} --lang {}\n", lang.code()));
    out.push_str("# to list the new and changed texts again; `scenario check` reports what is missing.\n");
    out.push_str(&format!("language = \"{}\"\n\n[texts]\n", lang.code()));
    let all = keys(sc);
    let known: BTreeSet<&str> = all.iter().map(|(k, _)| k.as_str()).collect();
    for (key, english) in &all {
        let entry = existing.and_then(|t| t.entry(key));
        let source = source_hash(english);
        out.push('\n');
        for note in entry.map(|e| e.notes.as_slice()).unwrap_or_default() {
            out.push_str(note);
            out.push('\n');
        }
        for line in english.split('\n') {
            out.push_str(EN_MARK);
            if !line.is_empty() {
                out.push(' ');
                out.push_str(line);
            }
            out.push('\n');
        }
        let current = entry.filter(|e| e.source == source && !e.text.trim().is_empty());
        match (current, entry) {
            (Some(e), _) => {
                out.push_str(&format!("{} = {{ text = {}, source = \"{source}\" }}\n", quote(key), quote(&e.text)));
            }
            (None, Some(e)) => {
                // Stale (or empty): the earlier translation stays visible to the translator.
                let old: Vec<String> = if e.text.trim().is_empty() {
                    e.old.clone()
                } else {
                    e.text.split('\n').map(str::to_string).collect()
                };
                for line in old {
                    out.push_str(OLD_MARK);
                    if !line.is_empty() {
                        out.push(' ');
                        out.push_str(&line);
                    }
                    out.push('\n');
                }
                out.push_str(&format!("{} = {{ text = \"\", source = \"{source}\" }}\n", quote(key)));
            }
            (None, None) => {
                out.push_str(&format!("{} = {{ text = \"\", source = \"{source}\" }}\n", quote(key)));
            }
        }
    }
    let mut gone: Vec<String> = existing.map(|t| t.gone.clone()).unwrap_or_default();
    for e in existing.map(|t| t.entries.as_slice()).unwrap_or_default() {
        if !known.contains(e.key.as_str()) && !e.text.trim().is_empty() {
            let line = format!("{} = {{ text = {}, source = \"{}\" }}", quote(&e.key), quote(&e.text), e.source);
            for l in line.split('\n') {
                gone.push(format!("# {l}"));
            }
        }
    }
    if !gone.is_empty() {
        out.push_str(&format!("\n{GONE_MARK} (kept for reference; delete once used) ----\n"));
        for l in gone {
            out.push_str(&l);
            out.push('\n');
        }
    }
    out
}

/// A TOML string for any text: one line in `"…"`, or a multi-line `"""…"""` for text with line
/// breaks (so a translator reads paragraphs as paragraphs).
pub fn quote(text: &str) -> String {
    let multi = text.contains('\n');
    let mut out = String::from(if multi { "\"\"\"\n" } else { "\"" });
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' if multi => out.push('\n'),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push_str(if multi { "\"\"\"" } else { "\"" });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_hashes_are_twelve_hex_digits_of_sha256() {
        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
        assert_eq!(source_hash("abc"), "ba7816bf8f01");
    }

    #[test]
    fn quoted_texts_read_back_as_toml() {
        for text in
            ["plain", "a \"quote\" and a \\ backslash", "two\nlines \"\"\" here\n", "tab\tand\u{1}", "¶3 ü 中文"]
        {
            let doc = format!("x = {{ text = {}, source = \"abc\" }}\n", quote(text));
            let parsed = toml_edit::ImDocument::parse(doc.as_str()).expect("valid TOML");
            let back = parsed.as_table().get("x").and_then(|x| x.as_table_like()).and_then(|t| t.get("text"));
            assert_eq!(back.and_then(|v| v.as_str()), Some(text), "{doc}");
        }
    }

    #[test]
    fn file_names_tell_translations_from_scenarios() {
        assert_eq!(split_name("lesson-2025.mn.toml"), Some(("lesson-2025", "mn")));
        assert_eq!(split_name("tutorial.toml"), None);
        assert_eq!(split_name(".mn.toml"), None);
        assert!(is_translation_path(Path::new("a/b/x.fr.toml")));
        assert_eq!(path_for(Path::new("s/x.toml"), Lang::Zh), PathBuf::from("s/x.zh.toml"));
        assert_eq!(scenario_path_of(Path::new("s/x.ru.toml")), Some(PathBuf::from("s/x.toml")));
    }
}
