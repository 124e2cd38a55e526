//! The bundled web client, embedded in the binary at build time.
//!
//! `GET /` serves `client/index.html`; `GET /?asset=<name>` serves one of the client's other
//! files (its ES modules, stylesheet and message catalogues), so the whole client lives under the
//! one `/` route. Each file is sent with a validator and gzip-compressed ([`Cacheable`]): a
//! reload costs a `304` per file.

use std::sync::LazyLock;

use axum::extract::RawQuery;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::cacheable::Cacheable;

const INDEX_HTML: &str = include_str!("../../client/index.html");

const JS: &str = "text/javascript; charset=utf-8";
const JSON: &str = "application/json; charset=utf-8";

/// Every client file but `index.html`: (name, content type, text).
const ASSETS: &[(&str, &str, &str)] = &[
    ("app.css", "text/css; charset=utf-8", include_str!("../../client/app.css")),
    ("main.js", JS, include_str!("../../client/main.js")),
    ("dom.js", JS, include_str!("../../client/dom.js")),
    ("net.js", JS, include_str!("../../client/net.js")),
    ("live.js", JS, include_str!("../../client/live.js")),
    ("api.js", JS, include_str!("../../client/api.js")),
    ("widgets.js", JS, include_str!("../../client/widgets.js")),
    ("chat.js", JS, include_str!("../../client/chat.js")),
    ("report.js", JS, include_str!("../../client/report.js")),
    ("lesson.js", JS, include_str!("../../client/lesson.js")),
    ("student.js", JS, include_str!("../../client/student.js")),
    ("projector.js", JS, include_str!("../../client/projector.js")),
    ("instructor.js", JS, include_str!("../../client/instructor.js")),
    ("stored.js", JS, include_str!("../../client/stored.js")),
    ("replay.js", JS, include_str!("../../client/replay.js")),
    ("debrief.js", JS, include_str!("../../client/debrief.js")),
    ("compare.js", JS, include_str!("../../client/compare.js")),
    ("class-console.js", JS, include_str!("../../client/class-console.js")),
    ("class-projector.js", JS, include_str!("../../client/class-projector.js")),
    ("class-debrief.js", JS, include_str!("../../client/class-debrief.js")),
    ("guide.js", JS, include_str!("../../client/guide.js")),
    ("i18n.js", JS, include_str!("../../client/i18n.js")),
    // The message catalogues, one per language (client/README.md, "Languages").
    ("i18n/en.json", JSON, include_str!("../../client/i18n/en.json")),
    ("i18n/mn.json", JSON, include_str!("../../client/i18n/mn.json")),
    ("i18n/ru.json", JSON, include_str!("../../client/i18n/ru.json")),
    ("i18n/zh.json", JSON, include_str!("../../client/i18n/zh.json")),
];

/// `index.html`, then every other client file, as they are sent (each compressed once, the first
/// time a browser takes it so).
static INDEX: LazyLock<Cacheable> = LazyLock::new(|| Cacheable::new("text/html; charset=utf-8", INDEX_HTML));
static FILES: LazyLock<Vec<(&str, Cacheable)>> =
    LazyLock::new(|| ASSETS.iter().map(|(name, ty, text)| (*name, Cacheable::new(ty, *text))).collect());

/// `GET /` and `GET /?asset=<name>`.
pub(super) async fn index(RawQuery(query): RawQuery, headers: HeaderMap) -> Response {
    let asset = query.as_deref().and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("asset=")));
    let Some(name) = asset else { return INDEX.respond(&headers) };
    match FILES.iter().find(|(n, _)| *n == name) {
        Some((_, file)) => file.respond(&headers),
        None => (StatusCode::NOT_FOUND, "no such client file").into_response(),
    }
}
