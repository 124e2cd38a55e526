//! The three exports of a stored game: the whole log as JSON (enough to replay it elsewhere),
//! CSV (one row per order, or one per message) and one self-contained HTML page.

use super::fold::Replay;
use super::lens::ReplayView;
use crate::engine::{Lookup, Scenario, Status};
use crate::i18n::Lang;
use crate::log::{EventRow, LogEvent};
use serde::{Deserialize, Serialize};

/// The `format` word of a JSON export.
pub const FORMAT: &str = "third-neighbor-log";
/// Its version; readers refuse versions they do not know.
pub const VERSION: u32 = 1;

/// The JSON export: the scenario's exact text, the seed and every event in order.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportLog {
    pub format: String,
    pub version: u32,
    pub session_id: String,
    pub scenario: ExportScenario,
    pub seed: u64,
    pub status: String,
    pub created_at: i64,
    pub events: Vec<ExportEvent>,
    /// The state hash after the last event, as the server computed it.
    pub final_hash: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportScenario {
    pub id: String,
    pub hash: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportEvent {
    pub seq: i64,
    pub at: i64,
    pub event: LogEvent,
}

impl ExportLog {
    /// The events as the fold takes them.
    pub fn rows(&self) -> Vec<EventRow> {
        self.events.iter().map(|e| EventRow { seq: e.seq, at: e.at, event: e.event.clone() }).collect()
    }
}

/// Why an export cannot be read back.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("not a Third Neighbor export: {0}")]
    Json(#[from] serde_json::Error),
    #[error("not a Third Neighbor export (format `{0}`)")]
    Format(String),
    #[error("export version {0} is newer than this program reads ({VERSION})")]
    Version(u32),
    #[error("the scenario text does not match its hash: it was edited after the export")]
    ScenarioHash,
}

/// Reads a JSON export back, checking its format and the scenario text's hash.
pub fn read_json(text: &str) -> Result<ExportLog, ImportError> {
    let log: ExportLog = serde_json::from_str(text)?;
    if log.format != FORMAT {
        return Err(ImportError::Format(log.format));
    }
    if log.version > VERSION {
        return Err(ImportError::Version(log.version));
    }
    if crate::scenario::text_hash(&log.scenario.text) != log.scenario.hash {
        return Err(ImportError::ScenarioHash);
    }
    Ok(log)
}

/// One CSV field (RFC 4180). Text a spreadsheet would run as a formula gets a leading `'`.
fn field(out: &mut String, value: &str) {
    let guarded;
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        guarded = format!("'{value}");
        guarded.as_str()
    } else {
        value
    };
    if value.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

fn row(out: &mut String, fields: &[&str]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        field(out, f);
    }
    out.push_str("\r\n");
}

fn essay(list: &[u32]) -> String {
    list.iter().map(|p| format!("¶{p}")).collect::<Vec<_>>().join(" ")
}

/// One row per order, automatic choices included: `round,role,move,target,succeeded,status,essay`.
pub fn orders_csv(sc: &Scenario, replay: &Replay) -> String {
    let mut out = String::new();
    row(&mut out, &["round", "role", "move", "target", "succeeded", "status", "essay"]);
    for round in &replay.rounds {
        for o in &round.report.orders {
            // An illegal order says why in its status.
            let status = match &o.status {
                Status::Illegal { reason } => reason.code(),
                other => other.code(),
            };
            let mv = sc.moves.lookup(o.order.mv);
            let target = o.order.target.and_then(|t| sc.targets.lookup(t)).map_or("", |t| t.id.as_str());
            let round_no = round.round.to_string();
            let cited = mv.map_or(String::new(), |m| essay(&m.essay));
            let fields = [
                round_no.as_str(),
                sc.roles.lookup(o.role).map_or("", |r| r.id.as_str()),
                mv.map_or("", |m| m.id.as_str()),
                target,
                if o.status.succeeded() { "true" } else { "false" },
                status,
                &cited,
            ];
            row(&mut out, &fields);
        }
    }
    out
}

/// One row per message: `round,at,from,role,to,text` (`to` is `all` or role ids joined by `;`).
pub fn messages_csv(sc: &Scenario, replay: &Replay) -> String {
    let mut out = String::new();
    row(&mut out, &["round", "at", "from", "role", "to", "text"]);
    for m in &replay.messages {
        let to = m.to_ids(sc).map_or_else(|| "all".to_string(), |to| to.join(";"));
        let (round, at) = (m.round.to_string(), m.at.to_string());
        row(&mut out, &[&round, &at, &m.from.name, m.from.role.as_deref().unwrap_or(""), &to, &m.text]);
    }
    out
}

/// One row per player who wrote a reflection (its latest): `player,role,text`.
pub fn reflections_csv(sc: &Scenario, replay: &Replay) -> String {
    let mut out = String::new();
    row(&mut out, &["player", "role", "text"]);
    for p in &replay.players {
        let Some(text) = &p.reflection else { continue };
        let role = p.role.and_then(|r| sc.roles.lookup(r)).map_or("", |r| r.id.as_str());
        row(&mut out, &[&p.name, role, text]);
    }
    out
}

/// Escapes text for HTML.
fn html_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON text that is safe inside a `<script>` element: no `<` (so no `</script>` or `<!--`),
/// and no line separators that old parsers took for line ends. In JSON those characters can only
/// stand inside strings, where their `\u` escapes mean the same.
fn script_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

const PAGE: &str = include_str!("page.html");

/// One self-contained HTML page of a replay view (see [`super::view`]): inline style and script,
/// no external request. `source` is the essay's text, when the instructor has loaded it. The
/// page's own labels are in `lang` (the view's language; `sc` is the scenario in it).
pub fn html(sc: &Scenario, view: &ReplayView, source: Option<&str>, lang: Lang) -> Result<String, serde_json::Error> {
    let title = match view.join_code() {
        Some(code) => format!("{} — {code}", sc.title),
        None => sc.title.clone(),
    };
    let paragraphs: Vec<&str> =
        source.map(|s| s.lines().filter(|l| !l.trim().is_empty()).collect()).unwrap_or_default();
    let data = format!(
        "{{\"replay\":{},\"source\":{},\"labels\":{}}}",
        script_json(&serde_json::to_string(view)?),
        script_json(&serde_json::to_string(&paragraphs)?),
        script_json(&serde_json::to_string(&lang.phrases().page)?)
    );
    Ok(PAGE.replace("{{LANG}}", lang.code()).replace("{{TITLE}}", &html_text(&title)).replace("{{DATA}}", &data))
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        let mut out = String::new();
        row(&mut out, &["a,b", "say \"hi\"", "=SUM(A1)", "plain", "two\nlines"]);
        assert_eq!(out, "\"a,b\",\"say \"\"hi\"\"\",'=SUM(A1),plain,\"two\nlines\"\r\n");
    }

    #[test]
    fn embedded_json_cannot_close_the_script() {
        let v = serde_json::json!({ "text": "</script><script>alert(1)</script>" });
        let s = script_json(&v.to_string());
        assert!(!s.contains('<'));
        let back: Value = serde_json::from_str(&s).expect("still JSON");
        assert_eq!(back, v);
    }
}
