//! What a browser test needs to check a page in another language: the catalogues' English
//! phrases that must not show on a page in that language, a check of the page's text and
//! attributes for them, a check that no button, tab or line overflows, and a record of the
//! WebSocket frames the page sends (to see its `lang` and `set_lang`). Made for tests/browser/languages.rs
//! and for the four-language game test that will follow the server's side.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;

use super::cdp::{js, Page};

fn catalogue(lang: &str) -> serde_json::Map<String, Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("client/i18n").join(format!("{lang}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    match serde_json::from_str(&text) {
        Ok(Value::Object(map)) => map,
        _ => panic!("{} is not one JSON object", path.display()),
    }
}

/// Every text of an entry: itself, or each of its plural forms.
fn texts(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Object(forms) => forms.values().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => Vec::new(),
    }
}

/// The pieces of a text between its `{placeholders}`, trimmed.
fn fragments(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut piece = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        piece.push_str(&rest[..open]);
        match rest[open..].find('}') {
            Some(close) => {
                out.push(std::mem::take(&mut piece));
                rest = &rest[open + close + 1..];
            }
            None => {
                piece.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    piece.push_str(rest);
    out.push(piece);
    out.into_iter()
        .map(|p| p.trim_matches(|c: char| c.is_whitespace() || ":·.,;()→←«»“”\"'…?!".contains(c)).to_string())
        .collect()
}

/// The English catalogue's phrases (4 characters or more, with a Latin letter) that the
/// catalogue of `lang` does not also use, so that a page in `lang` must not show them. Proper
/// names (`allow`) are left out.
pub(crate) fn english_phrases(lang: &str, allow: &[&str]) -> Vec<String> {
    let en = catalogue("en");
    let own = catalogue(lang);
    let own_text: String = own.values().flat_map(texts).collect::<Vec<_>>().join("\n");
    let mut found = BTreeSet::new();
    for value in en.values() {
        for text in texts(value) {
            for piece in fragments(&text) {
                let letters = piece.chars().filter(|c| c.is_ascii_alphabetic()).count();
                if piece.chars().count() >= 4
                    && letters >= 3
                    && !own_text.contains(&piece)
                    && !allow.contains(&piece.as_str())
                {
                    found.insert(piece);
                }
            }
        }
    }
    found.into_iter().collect()
}

/// The page's words: its visible text, every `aria-label`, `title`, `placeholder` and `alt`, its
/// document title and its live regions (announcements), each on a line.
const PAGE_WORDS: &str = "(() => { const out = [document.title, document.body.innerText]; \
    for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [alt], [aria-valuetext]')) \
      for (const a of ['aria-label', 'title', 'placeholder', 'alt', 'aria-valuetext']) if (el.getAttribute(a)) out.push(el.getAttribute(a)); \
    for (const el of document.querySelectorAll('[aria-live], [role=status], [role=alert]')) out.push(el.textContent); \
    return out.join('\\n'); })()";

/// The English phrases of `phrases` that the page shows (text or attributes), leaving out those
/// that the server's scenarios use (their texts come in the class's language from the server once
/// it translates them; the client never translates them itself).
pub(crate) async fn english_on_page(page: &Page, phrases: &[String]) -> Vec<String> {
    let list = serde_json::to_string(phrases).expect("a JSON list");
    let found = page
        .run(&format!(
            "(async () => {{ const words = {PAGE_WORDS}; \
               const ids = (await (await fetch('/api/scenarios?lang=en')).json()).map(s => s.id); \
               const scenarios = await Promise.all(ids.map(id => fetch('/api/scenarios/' + encodeURIComponent(id) + '?lang=en').then(r => r.text()))); \
               const server = [JSON.stringify(await (await fetch('/api/scenarios?lang=en')).json()), ...scenarios].join('\\n'); \
               return {list}.filter(p => words.includes(p) && !server.includes(p)); }})()"
        ))
        .await;
    found.as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

/// Panics when the page shows an English phrase of its catalogue while in `lang`.
pub(crate) async fn assert_no_english(page: &Page, lang: &str, what: &str) {
    let phrases = english_phrases(lang, &[]);
    assert!(phrases.len() > 100, "only {} English phrases to look for", phrases.len());
    let found = english_on_page(page, &phrases).await;
    assert!(found.is_empty(), "[{}] {what} in {lang} shows English words of the catalogue: {found:?}", page.label);
}

/// `<html lang>`.
pub(crate) async fn html_lang(page: &Page) -> String {
    page.run("document.documentElement.lang").await.as_str().unwrap_or_default().to_string()
}

/// Waits until the page is in `lang` (`<html lang>`).
pub(crate) async fn wait_for_lang(page: &Page, lang: &str) {
    page.wait_for(&format!("the page in {lang}"), &format!("document.documentElement.lang === {}", js(lang))).await;
}

/// Chooses `lang` in the language picker `selector` (a `<select>`).
pub(crate) async fn pick_language(page: &Page, selector: &str, lang: &str) {
    page.select(selector, lang).await;
    wait_for_lang(page, lang).await;
    page.settle().await;
}

/// Panics when a button, tab, link-button or summary is wider than its box (its words cut or
/// spilling), or the page is wider than the screen (a sideways scroll on a phone).
pub(crate) async fn assert_no_overflow(page: &Page, what: &str) {
    let problems = page
        .run(
            "(() => { const bad = []; \
               if (document.documentElement.scrollWidth > window.innerWidth + 1) bad.push(`page ${document.documentElement.scrollWidth}px wide in ${window.innerWidth}px`); \
               for (const el of document.querySelectorAll('button, .tab, a.button, summary, .tag, .code-chip')) { \
                 const r = el.getBoundingClientRect(); if (!r.width || el.closest('[hidden], dialog:not([open])')) continue; \
                 if (el.scrollWidth > el.clientWidth + 1) bad.push(`${el.tagName.toLowerCase()} \"${el.textContent.trim().slice(0, 40)}\" ${el.scrollWidth}>${el.clientWidth}`); \
                 if (r.right > window.innerWidth + 1) bad.push(`${el.tagName.toLowerCase()} \"${el.textContent.trim().slice(0, 40)}\" ends at ${Math.round(r.right)}px`); } \
               return bad; })()",
        )
        .await;
    assert_eq!(problems, serde_json::json!([]), "[{}] {what}: something overflows", page.label);
}

/// From now on, every frame the page sends on a WebSocket is kept in `window.__sent` (parsed).
pub(crate) async fn record_frames(page: &Page) {
    page.on_new_document(
        "(() => { const send = WebSocket.prototype.send; window.__sent = []; \
           WebSocket.prototype.send = function (data) { try { window.__sent.push(JSON.parse(data)); } catch { /* not JSON */ } \
             return send.call(this, data); }; })();",
    )
    .await;
}

/// The frames of `type` the page has sent so far.
pub(crate) async fn sent_frames(page: &Page, kind: &str) -> Vec<Value> {
    let frames = page.run(&format!("(window.__sent || []).filter(f => f.type === {})", js(kind))).await;
    frames.as_array().cloned().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn fragments_are_the_words_between_placeholders() {
        assert_eq!(super::fragments("Round {round} of {rounds}"), ["Round", "of", ""]);
        assert_eq!(super::fragments("Go to {host} and enter the code"), ["Go to", "and enter the code"]);
    }
}
