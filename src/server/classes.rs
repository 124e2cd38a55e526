//! Classes over HTTP: create one, list them, read one (its tables and students), its debrief,
//! its exports (every table in one JSON or CSV) and delete it. Only the class's instructor may.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde_json::{json, Value};

use super::api_error::ApiError;
use super::class::{self, ClassError, CreateClass};
use super::extract::{in_language, Instructor, Language};
use super::stored_games::{download, off_runtime, open, Stored};
use super::App;
use crate::i18n::Lang;
use crate::replay::{self, export, ClassTable};
use crate::store::{ClassRow, Op};

/// `POST /api/classes` → `201 {class_id, join_code}`.
pub(super) async fn create(
    State(app): State<App>,
    Instructor(instructor): Instructor,
    body: Result<Json<CreateClass>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let Json(request) = body?;
    let handle = class::create(&app, &instructor.id, request).await.map_err(|e| match e {
        ClassError::UnknownScenario(_) => ApiError::not_found("unknown_scenario", e.to_string()),
        ClassError::BadRequest(_) => ApiError::bad_request(e.to_string()),
        ClassError::Store(store) => ApiError::store(&store),
        other => ApiError::internal(&other),
    })?;
    Ok((StatusCode::CREATED, Json(json!({ "class_id": &*handle.id, "join_code": &*handle.join_code }))))
}

/// The class, if the instructor owns it.
async fn owned(app: &App, instructor: &Instructor, id: &str) -> Result<ClassRow, ApiError> {
    let row = app
        .store()
        .class(id)
        .await
        .map_err(|e| ApiError::store(&e))?
        .ok_or_else(|| ApiError::not_found("unknown_class", "no such class"))?;
    if row.instructor_id != instructor.0.id {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "not_instructor", "this class belongs to another instructor"));
    }
    Ok(row)
}

/// The class as the API shows it, its scenario's title in `lang` when the scenario has it.
fn class_json(app: &App, row: &ClassRow, lang: Lang) -> Value {
    let settings: Value = serde_json::from_str(&row.settings).unwrap_or(Value::Null);
    let title = app.catalog().texts(&row.scenario_id).map(|t| t.get(lang).title.clone());
    json!({
        "class_id": row.id, "join_code": row.join_code, "scenario": row.scenario_id,
        "title": title.unwrap_or_else(|| row.scenario_id.clone()), "status": row.status,
        "settings": settings, "created_at": row.created_at,
    })
}

/// `GET /api/classes[?lang=…]`: the instructor's classes, newest first.
pub(super) async fn list(
    State(app): State<App>,
    instructor: Instructor,
    Language(lang): Language,
) -> Result<Response, ApiError> {
    let rows = app.store().classes_of(&instructor.0.id).await.map_err(|e| ApiError::store(&e))?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let tables = app.store().class_tables(&row.id).await.map_err(|e| ApiError::store(&e))?;
        let mut entry = class_json(&app, row, lang);
        entry["tables"] = Value::from(tables.len());
        out.push(entry);
    }
    Ok(in_language(lang, Json(Value::from(out))))
}

/// `GET /api/classes/{id}[?lang=…]`: the class, its tables and their students.
pub(super) async fn get(
    State(app): State<App>,
    instructor: Instructor,
    Path(id): Path<String>,
    Language(lang): Language,
) -> Result<Response, ApiError> {
    let row = owned(&app, &instructor, &id).await?;
    let mut tables = Vec::new();
    for table in app.store().class_tables(&row.id).await.map_err(|e| ApiError::store(&e))? {
        let players = app.store().players_of(&table.id).await.map_err(|e| ApiError::store(&e))?;
        let players: Vec<Value> = players
            .iter()
            .filter(|p| !p.kicked)
            .map(|p| json!({ "player_id": p.id, "name": p.name, "role": p.role, "bot": p.is_bot }))
            .collect();
        tables.push(json!({
            "session_id": table.id, "table": table.class.as_ref().map(|(_, n)| *n),
            "status": table.status, "round": table.round, "players": players,
        }));
    }
    let lang = app.catalog().texts(&row.scenario_id).map_or(Lang::En, |t| t.pick(lang));
    let mut out = class_json(&app, &row, lang);
    out["tables"] = Value::from(tables);
    Ok(in_language(lang, Json(out)))
}

/// Every table of the class, rebuilt (each on the blocking pool).
async fn stored_tables(app: &App, instructor: &Instructor, row: &ClassRow) -> Result<Vec<(u32, Stored)>, ApiError> {
    let mut out = Vec::new();
    for table in app.store().class_tables(&row.id).await.map_err(|e| ApiError::store(&e))? {
        let number = table.class.as_ref().map_or(0, |(_, n)| *n);
        out.push((number, open(app, instructor, &table.id).await?));
    }
    Ok(out)
}

/// `GET /api/classes/{id}/debrief[?lang=…]`: the tables side by side and the spread of outcomes.
pub(super) async fn debrief(
    State(app): State<App>,
    instructor: Instructor,
    Path(id): Path<String>,
    Language(asked): Language,
) -> Result<Response, ApiError> {
    let row = owned(&app, &instructor, &id).await?;
    let tables = stored_tables(&app, &instructor, &row).await?;
    let lang = tables.first().map_or(Lang::En, |(_, s)| s.texts.pick(asked));
    let body = off_runtime(move || {
        let class_tables: Vec<ClassTable> = tables
            .iter()
            .map(|(number, s)| ClassTable {
                number: *number,
                table: replay::Table {
                    sc: s.texts.get(lang),
                    replay: &s.replay,
                    session_id: &s.row.id,
                    join_code: &s.row.join_code,
                    status: &s.row.status,
                    created_at: s.row.created_at,
                },
            })
            .collect();
        replay::class_debrief(&row.id, &row.join_code, &row.status, &class_tables)
    })
    .await?;
    Ok(in_language(lang, Json(body)))
}

/// `GET /api/classes/{id}/export.json`: every table's log (as its own `export.json`) in one file.
pub(super) async fn export_json(
    State(app): State<App>,
    instructor: Instructor,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let row = owned(&app, &instructor, &id).await?;
    let tables = stored_tables(&app, &instructor, &row).await?;
    let exported: Vec<Value> = tables
        .iter()
        .map(|(number, s)| json!({ "table": number, "log": serde_json::to_value(s.export_log()).unwrap_or(Value::Null) }))
        .collect();
    let body = json!({
        "format": "third-neighbor-class", "version": 1, "class": class_json(&app, &row, Lang::En), "tables": exported,
    });
    let text = serde_json::to_string_pretty(&body).map_err(|e| ApiError::internal(&e))?;
    Ok(download("application/json", format!("class-{}.json", row.join_code), text))
}

/// `GET /api/classes/{id}/export.csv`: every table's orders, one row each, the table first.
pub(super) async fn export_csv(
    State(app): State<App>,
    instructor: Instructor,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let row = owned(&app, &instructor, &id).await?;
    let tables = stored_tables(&app, &instructor, &row).await?;
    let mut out = String::new();
    for (i, (number, s)) in tables.iter().enumerate() {
        let csv = export::orders_csv(&s.loaded.scenario, &s.replay);
        for (line_no, line) in csv.lines().enumerate() {
            match (line_no, i) {
                (0, 0) => out.push_str(&format!("table,{line}\r\n")),
                (0, _) => {}
                _ => out.push_str(&format!("{number},{line}\r\n")),
            }
        }
    }
    Ok(download("text/csv; charset=utf-8", format!("class-{}.orders.csv", row.join_code), out))
}

/// `DELETE /api/classes/{id}`: closes the class and its tables, then removes them. `204`.
pub(super) async fn delete(
    State(app): State<App>,
    instructor: Instructor,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let row = owned(&app, &instructor, &id).await?;
    // Several nodes: only the node that runs it (or any, when none does) deletes it.
    let _lease = super::own_for_http(&app, &row.id, "class").await?;
    if let Some(handle) = app.registry().class(&row.id) {
        for table in handle.close().await {
            table.close().await;
        }
    }
    app.registry().remove_class(&row.id);
    let mut ops = Vec::new();
    for table in app.store().class_tables(&row.id).await.map_err(|e| ApiError::store(&e))? {
        app.registry().remove(&table.id);
        ops.push(Op::DeleteSession { id: table.id });
    }
    ops.push(Op::DeleteClass { id: row.id.clone() });
    app.store().commit(ops).await.map_err(|e| ApiError::store(&e))?;
    tracing::info!(class = %row.id, "class deleted");
    Ok(StatusCode::NO_CONTENT)
}
