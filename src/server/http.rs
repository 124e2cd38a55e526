//! The HTTP side: the client page, `/healthz`, the JSON API and the `/ws` upgrade.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts, Path, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, HOST, ORIGIN};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::api_error::ApiError;
use super::session::{self, CreateError, CreateSession};
use super::{connection, secret, static_files, stored_games, App};
use crate::scenario::describe;
use crate::store::{InstructorRow, Op};

/// Largest request body (a source essay), in bytes.
const MAX_BODY: usize = 1024 * 1024;

pub fn router(app: App) -> Router {
    Router::new()
        .route("/", get(static_files::index))
        .route("/healthz", get(healthz))
        .route("/api/scenarios", get(list_scenarios))
        .route("/api/scenarios/{id}", get(scenario))
        .route("/api/scenarios/{id}/source", get(get_source).put(put_source))
        .route("/api/sessions", get(stored_games::list).post(create_session))
        .route("/api/sessions/{id}", delete(stored_games::delete))
        .route("/api/sessions/{id}/replay", get(stored_games::replay))
        .route("/api/sessions/{id}/debrief", get(stored_games::debrief))
        .route("/api/sessions/{id}/export.json", get(stored_games::export_json))
        .route("/api/sessions/{id}/export.csv", get(stored_games::export_csv))
        .route("/api/sessions/{id}/export.html", get(stored_games::export_html))
        .route("/api/sessions/{id}/fork", post(stored_games::fork))
        .route("/api/compare", get(stored_games::compare))
        .route("/ws", get(ws))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(app)
}

async fn not_found() -> ApiError {
    ApiError::not_found("not_found", "no such page")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "this path does not take that method")
}

/// `GET /healthz`: `ok` once the database is open and migrated (it is by the time we serve).
async fn healthz(State(app): State<App>) -> Response {
    if app.store().healthy().await {
        (StatusCode::OK, "ok").into_response()
    } else {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "the database does not answer").into_response()
    }
}

/// The instructor making a request, from `Authorization: Bearer <key>`.
pub struct Instructor(pub InstructorRow);

impl FromRequestParts<App> for Instructor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Instructor, ApiError> {
        let ip = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let key = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| ApiError::unauthorized("send Authorization: Bearer <instructor key>"))?;
        if ip.is_some_and(|ip| !app.guesses().may_try(ip)) {
            return Err(ApiError::rate_limited());
        }
        match app.store().instructor_by_key_hash(&secret::hash(key)).await {
            Ok(Some(instructor)) => Ok(Instructor(instructor)),
            Ok(None) => {
                if let Some(ip) = ip {
                    app.guesses().failed(ip);
                }
                Err(ApiError::unauthorized("unknown instructor key"))
            }
            Err(e) => Err(ApiError::internal(&e)),
        }
    }
}

/// `GET /api/scenarios`: `[{id, title, summary, roles, rounds}]`.
async fn list_scenarios(State(app): State<App>) -> Json<Value> {
    let list: Vec<Value> = app
        .catalog()
        .all()
        .map(|l| {
            let sc = &l.scenario;
            json!({
                "id": sc.id, "title": sc.title, "summary": sc.summary,
                "roles": sc.roles.iter().map(|r| json!({ "id": r.id, "name": r.name })).collect::<Vec<_>>(),
                "rounds": sc.round_count(),
            })
        })
        .collect();
    Json(Value::from(list))
}

/// `GET /api/scenarios/{id}`: the whole scenario.
async fn scenario(State(app): State<App>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let loaded = app.catalog().get(&id).ok_or_else(|| ApiError::not_found("unknown_scenario", "no such scenario"))?;
    let mut json = describe::to_json(&loaded.scenario);
    json["hash"] = Value::from(loaded.hash.clone());
    Ok(Json(json))
}

/// `GET /api/scenarios/{id}/source`: the source essay, one paragraph per line, if loaded.
async fn get_source(State(app): State<App>, Path(id): Path<String>) -> Result<Response, ApiError> {
    match app.store().source(&id).await.map_err(|e| ApiError::internal(&e))? {
        Some(text) => Ok(([(CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()),
        None => Err(ApiError::not_found("no_source", "no source text has been loaded for this scenario")),
    }
}

/// `PUT /api/scenarios/{id}/source` (instructor): stores the source essay.
async fn put_source(
    State(app): State<App>,
    Instructor(instructor): Instructor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let loaded = app.catalog().get(&id).ok_or_else(|| ApiError::not_found("unknown_scenario", "no such scenario"))?;
    let text = String::from_utf8(body.to_vec()).map_err(|_| ApiError::bad_request("the text must be UTF-8"))?;
    let text = text.replace("\r\n", "\n");
    let paragraphs = text.lines().filter(|l| !l.trim().is_empty()).count();
    let op = Op::Source { scenario_id: loaded.scenario.id.clone(), text, instructor_id: instructor.id };
    app.store().commit(vec![op]).await.map_err(|e| ApiError::internal(&e))?;
    Ok(Json(json!({
        "scenario": loaded.scenario.id,
        "paragraphs": paragraphs,
        "expected_paragraphs": loaded.scenario.source_paragraphs,
    })))
}

/// `POST /api/sessions` (instructor): `{scenario, deadline_secs?, seed?, bots?}` →
/// `201 {session_id, join_code}`.
async fn create_session(
    State(app): State<App>,
    Instructor(instructor): Instructor,
    body: Result<Json<CreateSession>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let Json(request) = body.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let handle = session::create(&app, &instructor.id, request).await.map_err(|e| match e {
        CreateError::UnknownScenario(_) => ApiError::not_found("unknown_scenario", e.to_string()),
        CreateError::UnknownRole(_) => ApiError::new(StatusCode::BAD_REQUEST, "unknown_role", e.to_string()),
        CreateError::BadDeadline { .. } => ApiError::bad_request(e.to_string()),
        CreateError::Random(_) | CreateError::Store => ApiError::internal(&e),
    })?;
    Ok((StatusCode::CREATED, Json(json!({ "session_id": &*handle.id, "join_code": &*handle.join_code }))))
}

/// `GET /ws`: checks the Origin, then upgrades with small buffers and a 64 KiB message limit.
async fn ws(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(rejection) => {
            return ApiError::new(rejection.status(), "not_websocket", rejection.body_text()).into_response();
        }
    };
    if !origin_allowed(&app, &headers) {
        tracing::info!(%peer, "websocket refused: origin not allowed");
        return ApiError::new(StatusCode::FORBIDDEN, "bad_origin", "this page's origin may not connect")
            .into_response();
    }
    let Ok(slot) = app.ws_slots().try_acquire_owned() else {
        return ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", "too many connections").into_response();
    };
    let limits = &app.config().limits;
    upgrade
        .read_buffer_size(limits.read_buffer)
        .write_buffer_size(limits.write_buffer)
        .max_write_buffer_size(limits.max_write_buffer)
        .max_message_size(limits.max_message)
        .max_frame_size(limits.max_message)
        .on_upgrade(move |socket| connection::serve(app, socket, peer, slot))
}

/// A browser page may connect only from the server's own origin or a configured one; clients
/// that send no `Origin` (not browsers) may always connect.
fn origin_allowed(app: &App, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(ORIGIN) else { return true };
    let Ok(origin) = origin.to_str() else { return false };
    let origin = origin.trim_end_matches('/');
    if app.config().allowed_origins.iter().any(|o| o.trim_end_matches('/').eq_ignore_ascii_case(origin)) {
        return true;
    }
    let host = headers.get(HOST).and_then(|h| h.to_str().ok());
    match (origin.split_once("://"), host) {
        (Some((scheme, rest)), Some(host)) => matches!(scheme, "http" | "https") && rest.eq_ignore_ascii_case(host),
        _ => false,
    }
}
