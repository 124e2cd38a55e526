//! The instructor's stored games over HTTP: the list, replay (three lenses), debrief, the three
//! exports, fork and delete. Every route reads the session's log from the store and hands it to
//! the pure [`crate::replay`]; only the session's own instructor may use them.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::api_error::ApiError;
use super::catalog::CatalogError;
use super::extract::{in_language, Instructor, Language};
use super::session::{self, ForkError, LoadError};
use super::App;
use crate::i18n::Lang;
use crate::log::EventRow;
use crate::replay::export::{self, ExportEvent, ExportLog, ExportScenario};
use crate::replay::{self, Lens, Meta, Replay};
use crate::scenario::{Loaded, Localized};
use crate::store::{Op, SessionRow};
use crate::table::Phase;

/// A stored game of the requesting instructor, rebuilt.
pub(super) struct Stored {
    pub(super) row: SessionRow,
    pub(super) loaded: Arc<Loaded>,
    /// The text it was played with, in every language its scenario now has a translation for
    /// (each text translated only where the translation was made from that very English).
    pub(super) texts: Arc<Localized>,
    pub(super) log: Vec<EventRow>,
    pub(super) replay: Replay,
}

impl Stored {
    fn meta(&self) -> Meta<'_> {
        Meta {
            session_id: &self.row.id,
            join_code: &self.row.join_code,
            status: &self.row.status,
            created_at: self.row.created_at,
            scenario_hash: &self.row.scenario_hash,
            log: &self.log,
        }
    }

    /// The whole log with the scenario text and the seed (`export.json`).
    pub(super) fn export_log(&self) -> ExportLog {
        ExportLog {
            format: export::FORMAT.into(),
            version: export::VERSION,
            session_id: self.row.id.clone(),
            scenario: ExportScenario {
                id: self.row.scenario_id.clone(),
                hash: self.row.scenario_hash.clone(),
                text: self.loaded.text.clone(),
            },
            seed: self.row.seed,
            status: self.row.status.clone(),
            created_at: self.row.created_at,
            events: self.log.iter().map(|e| ExportEvent { seq: e.seq, at: e.at, event: e.event.clone() }).collect(),
            final_hash: self.replay.final_hash.clone(),
        }
    }

    /// `<scenario>-<join code>.<ext>`, for downloads.
    fn file_name(&self, ext: &str) -> String {
        self.file_name_with(&self.row.join_code, ext)
    }

    /// `<scenario>-<name>.<ext>`, `name` made safe for a file name.
    fn file_name_with(&self, name: &str, ext: &str) -> String {
        let safe =
            |s: &str| s.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')).collect::<String>();
        format!("{}-{}.{ext}", safe(&self.row.scenario_id), safe(name))
    }
}

/// The session's row, if the instructor owns it.
async fn owned(app: &App, instructor: &Instructor, id: &str) -> Result<SessionRow, ApiError> {
    let row = app
        .store()
        .session(id)
        .await
        .map_err(|e| ApiError::store(&e))?
        .ok_or_else(|| ApiError::not_found("unknown_session", "no such session"))?;
    if row.instructor_id != instructor.0.id {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "not_instructor", "this game belongs to another instructor"));
    }
    Ok(row)
}

/// A stored game's scenario text that is missing or no longer reads: the game cannot be rebuilt,
/// and the instructor is told why rather than "the server failed".
fn scenario_error(session: &str, e: CatalogError) -> ApiError {
    match e {
        CatalogError::MissingText { .. } | CatalogError::Stored(_) => {
            tracing::error!(session, error = %e, "a stored game cannot be replayed");
            ApiError::new(StatusCode::CONFLICT, "scenario_unreadable", format!("this game cannot be replayed: {e}"))
        }
        other => ApiError::internal(&other),
    }
}

/// CPU-heavy work (folding a whole log through the engine, writing a large view) runs on the
/// blocking pool, so that the async workers serving every live socket never wait behind it.
pub(super) async fn off_runtime<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work).await.map_err(|e| ApiError::internal(&e))
}

pub(super) async fn open(app: &App, instructor: &Instructor, id: &str) -> Result<Stored, ApiError> {
    let row = owned(app, instructor, id).await?;
    let loaded =
        app.catalog().by_hash(app.store(), &row.scenario_hash).await.map_err(|e| scenario_error(&row.id, e))?;
    let log = app.store().events_of(&row.id).await.map_err(|e| ApiError::store(&e))?;
    let texts = app.catalog().localize(&loaded);
    let stored = off_runtime(move || {
        let replay = replay::rebuild(&loaded.scenario, row.seed, &log);
        Stored { row, loaded, texts, log, replay }
    })
    .await?;
    if !stored.replay.ok() {
        let errors = stored.replay.errors.len();
        tracing::warn!(session = %stored.row.id, errors, "a stored game does not replay exactly");
    }
    Ok(stored)
}

pub(super) fn download(content_type: &'static str, name: String, body: String) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    ([(CONTENT_TYPE, content_type.to_string()), (CONTENT_DISPOSITION, disposition)], body).into_response()
}

#[derive(Debug, Deserialize)]
pub(super) struct ListQuery {
    status: Option<String>,
    scenario: Option<String>,
}

/// `GET /api/sessions[?status=…&scenario=…][&lang=…]`: the instructor's games, newest first,
/// each scenario's title in the language asked for when the scenario has it.
pub(super) async fn list(
    State(app): State<App>,
    instructor: Instructor,
    Query(query): Query<ListQuery>,
    Language(asked): Language,
) -> Result<Response, ApiError> {
    let status = query.status.as_deref().filter(|s| !s.is_empty());
    if let Some(status) = status.filter(|s| !Phase::ALL.iter().any(|p| p.as_str() == *s)) {
        return Err(ApiError::bad_request(format!(
            "unknown status `{status}`: use lobby, running, paused or finished"
        )));
    }
    let scenario = query.scenario.as_deref().filter(|s| !s.is_empty());
    let mut served = Lang::En;
    let known: Vec<Value> = app
        .catalog()
        .all_texts()
        .map(|texts| {
            let lang = texts.pick(asked);
            if lang == asked {
                served = asked;
            }
            let sc = texts.get(lang);
            json!({ "id": sc.id, "title": sc.title, "rounds": sc.round_count() })
        })
        .collect();
    let list = app
        .store()
        .session_list_json(&instructor.0.id, status, scenario, &Value::from(known).to_string())
        .await
        .map_err(|e| ApiError::internal(&e))?;
    Ok(in_language(served, ([(CONTENT_TYPE, "application/json")], list)))
}

#[derive(Debug, Deserialize)]
pub(super) struct LensQuery {
    lens: Option<String>,
}

fn lens(stored: &Stored, query: &LensQuery, default: Lens) -> Result<Lens, ApiError> {
    match query.lens.as_deref().filter(|l| !l.is_empty()) {
        None => Ok(default),
        Some(text) => Lens::parse(&stored.loaded.scenario, text)
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_lens", e.to_string())),
    }
}

/// `GET /api/sessions/{id}/replay[?lens=…][&lang=…]`.
pub(super) async fn replay(
    State(app): State<App>,
    instructor: Instructor,
    Path(id): Path<String>,
    Query(query): Query<LensQuery>,
    Language(asked): Language,
) -> Result<Response, ApiError> {
    let stored = open(&app, &instructor, &id).await?;
    let lens = lens(&stored, &query, Lens::Declassified)?;
    let lang = stored.texts.pick(asked);
    let body = off_runtime(move || {
        let meta = stored.meta();
        serde_json::to_vec(&replay::view(stored.texts.get(lang), &stored.replay, &meta, lens, lang))
    })
    .await?
    .map_err(|e| ApiError::internal(&e))?;
    Ok(in_language(lang, ([(CONTENT_TYPE, "application/json")], body)))
}

/// `GET /api/sessions/{id}/debrief[?lang=…]`.
pub(super) async fn debrief(
    State(app): State<App>,
    instructor: Instructor,
    Path(id): Path<String>,
    Language(asked): Language,
) -> Result<Response, ApiError> {
    let stored = open(&app, &instructor, &id).await?;
    let lang = stored.texts.pick(asked);
    let body =
        off_runtime(move || replay::debrief(&stored.texts, lang, &stored.replay, &stored.row.id, &stored.row.status))
            .await?;
    Ok(in_language(lang, Json(body)))
}

/// `GET /api/sessions/{id}/export.json`: the whole log with the scenario text and the seed.
pub(super) async fn export_json(
    State(app): State<App>,
    instructor: Instructor,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let stored = open(&app, &instructor, &id).await?;
    let body = serde_json::to_string_pretty(&stored.export_log()).map_err(|e| ApiError::internal(&e))?;
    Ok(download("application/json", stored.file_name("json"), body))
}

#[derive(Debug, Deserialize)]
pub(super) struct CsvQuery {
    what: Option<String>,
}

/// `GET /api/sessions/{id}/export.csv[?what=orders|messages|reflections]`.
pub(super) async fn export_csv(
    State(app): State<App>,
    instructor: Instructor,
    Path(id): Path<String>,
    Query(query): Query<CsvQuery>,
) -> Result<Response, ApiError> {
    let stored = open(&app, &instructor, &id).await?;
    let (body, suffix) = match query.what.as_deref().unwrap_or("orders") {
        "orders" | "" => (export::orders_csv(&stored.loaded.scenario, &stored.replay), "orders"),
        "messages" => (export::messages_csv(&stored.loaded.scenario, &stored.replay), "messages"),
        "reflections" => (export::reflections_csv(&stored.loaded.scenario, &stored.replay), "reflections"),
        other => {
            return Err(ApiError::bad_request(format!("unknown export `{other}`: use orders, messages or reflections")))
        }
    };
    Ok(download("text/csv; charset=utf-8", stored.file_name(&format!("{suffix}.csv")), body))
}

#[derive(Debug, Deserialize)]
pub(super) struct HtmlQuery {
    lens: Option<String>,
    /// `0` leaves out the essay's paragraphs (for a file that will be shared beyond the class).
    source: Option<String>,
}

/// `GET /api/sessions/{id}/export.html[?lens=public|declassified|role:…][&source=0]`: one
/// offline page, with the paragraphs of the loaded essay behind its ¶ links unless `source=0`.
pub(super) async fn export_html(
    State(app): State<App>,
    instructor: Instructor,
    Path(id): Path<String>,
    Query(query): Query<HtmlQuery>,
    Language(asked): Language,
) -> Result<Response, ApiError> {
    let stored = open(&app, &instructor, &id).await?;
    let lens = lens(&stored, &LensQuery { lens: query.lens }, Lens::Public)?;
    let lang = stored.texts.pick(asked);
    let source = match query.source.as_deref() {
        Some("0") => None,
        None | Some("1") => app
            .store()
            .source(&stored.row.instructor_id, &stored.row.scenario_id)
            .await
            .map_err(|e| ApiError::store(&e))?,
        Some(other) => return Err(ApiError::bad_request(format!("source must be 0 or 1, not `{other}`"))),
    };
    // A page that may not show the join code does not carry it in its name either.
    let name = if lens.shows_entry(&stored.replay) {
        stored.file_name("html")
    } else {
        stored.file_name_with(
            &format!("{}-round{}", lens.name(stored.texts.get(lang)), stored.replay.final_state.round),
            "html",
        )
    };
    let body = off_runtime(move || {
        let meta = stored.meta();
        let sc = stored.texts.get(lang);
        let view = replay::view(sc, &stored.replay, &meta, lens, lang);
        export::html(sc, &view, source.as_deref(), lang)
    })
    .await?
    .map_err(|e| ApiError::internal(&e))?;
    Ok(in_language(lang, download("text/html; charset=utf-8", name, body)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ForkRequest {
    round: u32,
}

/// `POST /api/sessions/{id}/fork {round}` → `201 {session_id, join_code, round}`.
pub(super) async fn fork(
    State(app): State<App>,
    instructor: Instructor,
    Path(id): Path<String>,
    body: Result<Json<ForkRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let Json(request) = body?;
    let row = owned(&app, &instructor, &id).await?;
    let log = app.store().events_of(&row.id).await.map_err(|e| ApiError::store(&e))?;
    let handle = session::fork(&app, &row, &log, request.round).await.map_err(|e| match e {
        ForkError::BadRound { .. } => ApiError::new(StatusCode::BAD_REQUEST, "bad_round", e.to_string()),
        ForkError::Load(LoadError::Scenario(e)) => scenario_error(&row.id, e),
        ForkError::Store => ApiError::write_failed(&app, &e),
        ForkError::Load(LoadError::Store(store)) => ApiError::store(&store),
        ForkError::Load(LoadError::WrongNode(_)) | ForkError::Random(_) | ForkError::Load(LoadError::NotOwner) => {
            ApiError::internal(&e)
        }
    })?;
    let body = json!({ "session_id": &*handle.id, "join_code": &*handle.join_code, "round": request.round });
    Ok((StatusCode::CREATED, Json(body)))
}

/// `DELETE /api/sessions/{id}`: closes the game if it is live, then removes it, its players and
/// its log. `204`.
pub(super) async fn delete(
    State(app): State<App>,
    instructor: Instructor,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let row = owned(&app, &instructor, &id).await?;
    // Several nodes: only the node that runs it (or any, when none does) deletes it.
    let _lease = super::own_for_http(&app, &row.id, "game").await?;
    // Held so that nobody reads the session back from the database while it goes.
    let lock = app.registry().loading_lock(&row.id);
    let _loading = lock.lock().await;
    if let Some(handle) = app.registry().get(&row.id) {
        handle.close().await;
    }
    app.registry().remove(&row.id);
    app.store().commit(vec![Op::DeleteSession { id: row.id.clone() }]).await.map_err(|e| ApiError::store(&e))?;
    tracing::info!(session = %row.id, "session deleted");
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
pub(super) struct CompareQuery {
    sessions: Option<String>,
}

/// Tables compared at most.
const COMPARE_MAX: usize = 12;

/// `GET /api/compare?sessions=<id>,<id>,…[&lang=…]`: several tables of one scenario side by side.
pub(super) async fn compare(
    State(app): State<App>,
    instructor: Instructor,
    Query(query): Query<CompareQuery>,
    Language(asked): Language,
) -> Result<Response, ApiError> {
    let ids: Vec<&str> =
        query.sessions.as_deref().unwrap_or("").split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    if ids.is_empty() || ids.len() > COMPARE_MAX {
        return Err(ApiError::bad_request(format!("name 1 to {COMPARE_MAX} sessions: ?sessions=<id>,<id>")));
    }
    if ids.iter().enumerate().any(|(i, id)| ids[..i].contains(id)) {
        return Err(ApiError::bad_request("a session is named twice"));
    }
    let mut stored = Vec::with_capacity(ids.len());
    for id in &ids {
        stored.push(open(&app, &instructor, id).await?);
    }
    if stored.iter().any(|s| s.row.scenario_id != stored[0].row.scenario_id) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "mixed_scenarios",
            "these games are of different scenarios: compare tables that played the same one",
        ));
    }
    // Each table's text in the language (its scenario's texts may differ by version); the first
    // table's names the scenario, and so the answer's language.
    let lang = stored[0].texts.pick(asked);
    let tables: Vec<replay::Table> = stored
        .iter()
        .map(|s| replay::Table {
            sc: s.texts.get(lang),
            replay: &s.replay,
            session_id: &s.row.id,
            join_code: &s.row.join_code,
            status: &s.row.status,
            created_at: s.row.created_at,
        })
        .collect();
    Ok(in_language(lang, Json(replay::compare(&tables))))
}
