//! The HTTP side: the client page, `/healthz`, the JSON API and the `/ws` upgrade.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection};
use axum::extract::Request;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, State};
use axum::http::header::{
    self, CONNECTION, CONTENT_TYPE, ORIGIN, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_EXTENSIONS, SEC_WEBSOCKET_KEY,
    SEC_WEBSOCKET_VERSION, UPGRADE,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::WebSocketStream;

use super::api_error::ApiError;
use super::cacheable::Cacheable;
use super::deflate::{self, Inflating};
use super::extract::{bearer, in_language, Instructor, Language};
use super::limits::{Charged, MAX_BODY};
use super::listening::{Listening, StudentsAddress};
use super::origin::{self, Refusal};
use super::qr;
use super::session::{self, CreateError, CreateSession};
use super::{classes, connection, secret, static_files, stored_games, App};
use crate::i18n::Lang;
use crate::scenario::{describe, source};
use crate::store::{Op, WriteStatus};

pub(super) fn router(app: App) -> Router {
    Router::new()
        .route("/", get(static_files::index))
        .route("/healthz", get(healthz))
        .route("/api/address", get(students_address))
        .route("/api/qr", get(qr_code))
        .route("/api/scenarios", get(list_scenarios))
        .route("/api/scenarios/{id}", get(scenario))
        .route("/api/scenarios/{id}/guide", get(guide))
        .route("/api/scenarios/{id}/source", get(get_source).put(put_source))
        .route("/api/sources", get(list_sources))
        .route("/api/seat/source", get(seat_source))
        .route("/api/sessions", get(stored_games::list).post(create_session))
        .route("/api/sessions/{id}", delete(stored_games::delete))
        .route("/api/sessions/{id}/replay", get(stored_games::replay))
        .route("/api/sessions/{id}/debrief", get(stored_games::debrief))
        .route("/api/sessions/{id}/export.json", get(stored_games::export_json))
        .route("/api/sessions/{id}/export.csv", get(stored_games::export_csv))
        .route("/api/sessions/{id}/export.html", get(stored_games::export_html))
        .route("/api/sessions/{id}/fork", post(stored_games::fork))
        .route("/api/compare", get(stored_games::compare))
        .route("/api/classes", get(classes::list).post(classes::create))
        .route("/api/classes/{id}", get(classes::get).delete(classes::delete))
        .route("/api/classes/{id}/debrief", get(classes::debrief))
        .route("/api/classes/{id}/export.json", get(classes::export_json))
        .route("/api/classes/{id}/export.csv", get(classes::export_csv))
        .route("/ws", get(ws))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::map_request_with_state(app.clone(), timed_body))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(app)
}

/// A request body must arrive within `limits.body_timeout`: a client that stops sending one
/// mid-way (a slow-body attack, or a dead link) gets its handler's error for an unreadable body,
/// and its connection closes, instead of holding it open for as long as it likes. Only the
/// methods that carry a body are wrapped; the timer starts when the request reaches the router.
async fn timed_body(State(app): State<App>, request: Request) -> Request {
    use futures_util::StreamExt as _;
    if matches!(*request.method(), axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::DELETE) {
        return request;
    }
    let deadline = tokio::time::Instant::now() + app.config().limits.body_timeout;
    request.map(|body| {
        let chunks = body.into_data_stream();
        axum::body::Body::from_stream(futures_util::stream::unfold(Some(chunks), move |chunks| async move {
            let mut chunks = chunks?;
            match tokio::time::timeout_at(deadline, chunks.next()).await {
                Ok(Some(chunk)) => Some((chunk, Some(chunks))),
                Ok(None) => None,
                Err(_) => {
                    let late = std::io::Error::new(std::io::ErrorKind::TimedOut, "the request body came too slowly");
                    Some((Err(axum::Error::new(late)), None))
                }
            }
        }))
    })
}

/// The client's pages: scripts and styles from this server only (the client has no inline
/// script, and sets styles through the CSSOM), WebSockets to it, images from it or `data:`,
/// never inside a frame.
const PAGE_CSP: &str = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; \
                        object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
/// Everything else (JSON, text, downloads): nothing may run or load from it.
const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'; sandbox";

/// Security headers on every answer: a Content-Security-Policy (the page's or a closed one),
/// no framing, no referrer, no type sniffing.
async fn security_headers(mut response: Response) -> Response {
    // A `304` updates the headers the browser keeps with the body it holds (RFC 9111 §4.3.4):
    // it carries none of these, so that the page keeps its own policy rather than the closed
    // one a body-less answer would otherwise get.
    if response.status() == StatusCode::NOT_MODIFIED {
        return response;
    }
    let is_html =
        response.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
    let csp = if is_html { PAGE_CSP } else { API_CSP };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

async fn not_found() -> ApiError {
    ApiError::not_found("not_found", "no such page")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "this path does not take that method")
}

/// `GET /healthz`: `200 ok` while the database reads and writes; `503 unavailable` with the
/// reason while it does not. Writes are judged by the writer's last result; while they fail, or
/// when nothing was written for a while, the writer is asked for a one-row probe write
/// (coalesced: at most one a second however often this is asked).
async fn healthz(State(app): State<App>) -> Response {
    let limits = &app.config().limits;
    if !app.store().reads_work().await {
        return ApiError::unavailable("the database does not answer reads").into_response();
    }
    match app.store().check_writes(limits.health_idle, limits.health_probe_wait).await {
        WriteStatus::Ok => (StatusCode::OK, "ok").into_response(),
        WriteStatus::Failing { reason, for_secs, failures } => {
            ApiError::unavailable(format!("database writes fail ({failures} in a row, for {for_secs} s): {reason}"))
                .into_response()
        }
    }
}

/// `GET /api/address`: the address students type to reach the server (the projector shows it
/// beside the join code), and whether only this computer can reach it. No key: it tells a page
/// nothing it could not find out itself (`server::listening`).
async fn students_address(request: Request) -> Json<StudentsAddress> {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let answer = match (request.extensions().get::<Arc<Listening>>(), peer) {
        (Some(listening), Some(peer)) => listening.for_page(peer, host),
        _ => StudentsAddress { url: None, this_computer_only: false },
    };
    Json(answer)
}

/// `GET /api/qr?url=…`: a link as a QR code (SVG), for the projector's join link. No key: it
/// draws only `http(s)://` links (`server::qr`).
async fn qr_code(axum::extract::Query(query): axum::extract::Query<QrQuery>) -> Result<Response, ApiError> {
    let drawn = qr::svg(&query.url).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let headers = [(CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")];
    Ok((headers, drawn).into_response())
}

#[derive(serde::Deserialize)]
struct QrQuery {
    url: String,
}

/// `GET /api/scenarios`: `[{id, title, summary, roles, rounds, language, languages}]`, each in
/// the language asked for when the scenario has it.
async fn list_scenarios(State(app): State<App>, Language(asked): Language) -> Response {
    let mut served = Lang::En;
    let list: Vec<Value> = app
        .catalog()
        .all_texts()
        .map(|texts| {
            let lang = texts.pick(asked);
            if lang == asked {
                served = asked;
            }
            let sc = texts.get(lang);
            json!({
                "id": sc.id, "title": sc.title, "summary": sc.summary,
                "roles": crate::protocol::NamedRef::roles(sc),
                "rounds": sc.round_count(),
                "language": lang, "languages": texts.languages(),
            })
        })
        .collect();
    in_language(served, Json(Value::from(list)))
}

/// `GET /api/scenarios/{id}`: the whole scenario, in the language asked for when it has it.
async fn scenario(
    State(app): State<App>,
    Path(id): Path<String>,
    Language(asked): Language,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let texts = app.catalog().texts(&id).ok_or_else(|| ApiError::not_found("unknown_scenario", "no such scenario"))?;
    let lang = texts.pick(asked);
    let mut json = describe::to_json(texts.get(lang));
    json["hash"] = Value::from(texts.loaded.hash.clone());
    json["language"] = json!(lang);
    json["languages"] = json!(texts.languages());
    // Every student's page asks for it (about 40 KB): a reload gets a `304`.
    let body = serde_json::to_vec(&json).map_err(|e| ApiError::internal(&e))?;
    Ok(in_language(lang, Cacheable::new("application/json", body).respond(&headers)))
}

/// `GET /api/scenarios/{id}/guide` (instructor): the teacher's guide — the lesson, every role's
/// memo and private objective, the rounds with their discussion prompts, and which paragraph of
/// the source drives which move — in the language asked for when the scenario has it.
async fn guide(
    State(app): State<App>,
    Instructor(_): Instructor,
    Path(id): Path<String>,
    Language(asked): Language,
) -> Result<Response, ApiError> {
    let texts = app.catalog().texts(&id).ok_or_else(|| ApiError::not_found("unknown_scenario", "no such scenario"))?;
    let lang = texts.pick(asked);
    let mut json = describe::guide(texts.get(lang), lang);
    json["hash"] = Value::from(texts.loaded.hash.clone());
    json["language"] = json!(lang);
    json["languages"] = json!(texts.languages());
    Ok(in_language(lang, Json(json)))
}

/// `GET /api/scenarios/{id}/source` (instructor): the source essay this instructor loaded, one
/// paragraph per line.
async fn get_source(
    State(app): State<App>,
    Instructor(instructor): Instructor,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    match app.store().source(&instructor.id, &id).await.map_err(|e| ApiError::store(&e))? {
        Some(text) => Ok(([(CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()),
        None => Err(ApiError::not_found("no_source", "no source text has been loaded for this scenario")),
    }
}

/// `PUT /api/scenarios/{id}/source` (instructor): stores the source essay.
async fn put_source(
    State(app): State<App>,
    Instructor(instructor): Instructor,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let loaded = app.catalog().get(&id).ok_or_else(|| ApiError::not_found("unknown_scenario", "no such scenario"))?;
    let text = String::from_utf8(body?.to_vec()).map_err(|_| ApiError::bad_request("the text must be UTF-8"))?;
    // One paragraph per line, or (as copied from a PDF) wrapped paragraphs between blank lines.
    let (text, reading, paragraphs) = source::normalize(&text, loaded.scenario.source_paragraphs);
    let op = Op::Source { scenario_id: loaded.scenario.id.clone(), text, instructor_id: instructor.id };
    app.store().commit(vec![op]).await.map_err(|e| ApiError::store(&e))?;
    Ok(Json(json!({
        "scenario": loaded.scenario.id,
        "paragraphs": paragraphs,
        "expected_paragraphs": loaded.scenario.source_paragraphs,
        "joined_lines": reading == source::Reading::Blocks,
    })))
}

/// `GET /api/sources` (instructor): the scenarios this instructor loaded a source essay for,
/// `[{scenario, paragraphs}]`, so that a client asks for texts that exist (no 404 per page).
async fn list_sources(State(app): State<App>, Instructor(instructor): Instructor) -> Result<Json<Value>, ApiError> {
    let sources = app.store().sources_of(&instructor.id).await.map_err(|e| ApiError::store(&e))?;
    let list: Vec<Value> = sources
        .iter()
        .map(|(scenario, text)| {
            json!({ "scenario": scenario, "paragraphs": text.lines().filter(|l| !l.trim().is_empty()).count() })
        })
        .collect();
    Ok(Json(Value::from(list)))
}

/// `GET /api/seat/source` with `Authorization: Bearer <seat token>`: the source essay the
/// seat's session's instructor loaded for its scenario, `{scenario, text}` (`text` null when
/// none): what a student's page shows behind a ¶. Never a 404 for a missing text.
async fn seat_source(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let token = bearer(&headers).ok_or_else(|| ApiError::unauthorized("send Authorization: Bearer <seat token>"))?;
    let player = app.store().player_by_token_hash(&secret::hash(token)).await.map_err(|e| ApiError::store(&e))?;
    let Some(player) = player.filter(|p| !p.kicked) else {
        if app.guesses().failed(peer.ip()).await == Charged::Tarpitted {
            return Err(ApiError::rate_limited());
        }
        return Err(ApiError::unauthorized("unknown seat token"));
    };
    let row = app
        .store()
        .session(&player.session_id)
        .await
        .map_err(|e| ApiError::store(&e))?
        .ok_or_else(|| ApiError::unauthorized("this seat's game is gone"))?;
    let text = app.store().source(&row.instructor_id, &row.scenario_id).await.map_err(|e| ApiError::store(&e))?;
    Ok(Json(json!({ "scenario": row.scenario_id, "text": text })))
}

/// `POST /api/sessions` (instructor): `{scenario, deadline_secs?, seed?, bots?}` →
/// `201 {session_id, join_code}`.
async fn create_session(
    State(app): State<App>,
    Instructor(instructor): Instructor,
    body: Result<Json<CreateSession>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let Json(request) = body?;
    let handle = session::create(&app, &instructor.id, request).await.map_err(|e| match e {
        CreateError::UnknownScenario(_) => ApiError::not_found("unknown_scenario", e.to_string()),
        CreateError::UnknownRole(_) => ApiError::new(StatusCode::BAD_REQUEST, "unknown_role", e.to_string()),
        CreateError::BadDeadline { .. } => ApiError::bad_request(e.to_string()),
        CreateError::Store => ApiError::write_failed(&app, &e),
        CreateError::Random(_) => ApiError::internal(&e),
    })?;
    Ok((StatusCode::CREATED, Json(json!({ "session_id": &*handle.id, "join_code": &*handle.join_code }))))
}

/// `GET /ws`: checks the handshake and the Origin, takes a connection slot, answers `101` and,
/// once hyper hands the connection over, serves it as a WebSocket with small buffers and a
/// 64 KiB message limit. (The upgrade is done here rather than by axum so that the connection
/// owns its socket: see `connection`.)
async fn ws(State(app): State<App>, ConnectInfo(peer): ConnectInfo<SocketAddr>, mut request: Request) -> Response {
    let headers = request.headers();
    let has_token = |name, token: &str| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    };
    let version_13 = headers.get(SEC_WEBSOCKET_VERSION).is_some_and(|v| v.as_bytes() == b"13");
    let key = headers.get(SEC_WEBSOCKET_KEY).map(|k| k.as_bytes().to_vec());
    let (true, true, true, Some(key)) =
        (has_token(CONNECTION, "upgrade"), has_token(UPGRADE, "websocket"), version_13, key)
    else {
        let message = "this is the WebSocket endpoint: open it as a WebSocket (version 13)";
        return ApiError::new(StatusCode::BAD_REQUEST, "not_websocket", message).into_response();
    };
    let compress = app.config().limits.compression && deflate::negotiate(headers);
    let loopback_only = request.extensions().get::<Arc<Listening>>().is_some_and(|l| l.loopback_only);
    if let Err(refusal) = origin::check(headers, &app.config().allowed_origins, loopback_only) {
        let page = headers.get(ORIGIN).and_then(|o| o.to_str().ok()).unwrap_or_default();
        let message = match refusal {
            Refusal::Foreign => {
                tracing::info!(%peer, page, "websocket refused: origin not allowed");
                "this page's origin may not connect"
            }
            Refusal::UnlistedName => {
                // DNS rebinding, or a local proxy's public name that the operator has not listed.
                tracing::warn!(%peer, page, "websocket refused: a page under a non-local name reached a server that \
                    listens on loopback only (DNS rebinding?); if the page is yours, list it with --origins");
                "this page's origin may not connect: the server listens on this machine only and takes pages \
                 from localhost or an IP address, or from an origin listed with --origins"
            }
        };
        return ApiError::new(StatusCode::FORBIDDEN, "bad_origin", message).into_response();
    }
    let Some(on_upgrade) = request.extensions_mut().remove::<hyper::upgrade::OnUpgrade>() else {
        let message = "this connection cannot be upgraded to a WebSocket";
        return ApiError::new(StatusCode::UPGRADE_REQUIRED, "not_websocket", message).into_response();
    };
    let Ok(slot) = app.ws_slots().try_acquire_owned() else {
        return ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", "too many connections").into_response();
    };
    let Some(addr_slot) = app.ws_per_address().try_acquire(peer.ip(), app.config().limits.ws_per_address) else {
        tracing::info!(%peer, "websocket refused: too many from this address");
        return ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", "too many connections from this address")
            .into_response();
    };
    let limits = &app.config().limits;
    let config = WebSocketConfig::default()
        .read_buffer_size(limits.read_buffer)
        .write_buffer_size(limits.write_buffer)
        .max_write_buffer_size(limits.max_write_buffer)
        .max_message_size(Some(limits.max_message))
        .max_frame_size(Some(limits.max_message));
    let max_message = limits.max_message;
    tokio::spawn(async move {
        match on_upgrade.await {
            Ok(upgraded) => {
                let io = Inflating::new(TokioIo::new(upgraded), compress, max_message);
                let socket = WebSocketStream::from_raw_socket(io, Role::Server, Some(config)).await;
                connection::serve(app, socket, peer, (slot, addr_slot)).await;
            }
            Err(e) => tracing::debug!(%peer, error = %e, "websocket upgrade failed"),
        }
    });
    let accept = derive_accept_key(&key);
    let mut response = (
        StatusCode::SWITCHING_PROTOCOLS,
        [(CONNECTION, "upgrade".to_string()), (UPGRADE, "websocket".to_string()), (SEC_WEBSOCKET_ACCEPT, accept)],
    )
        .into_response();
    if compress {
        response.headers_mut().insert(SEC_WEBSOCKET_EXTENSIONS, HeaderValue::from_static(deflate::ACCEPTED));
    }
    response
}
