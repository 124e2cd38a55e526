//! The bundled web client, embedded in the binary at build time.
//!
//! `GET /` serves `client/index.html`; `GET /?asset=<name>` serves one of the client's other
//! files (its ES modules, stylesheet and message catalogues), so the whole client lives under the
//! one `/` route. Each file is sent with a validator and gzip-compressed ([`Cacheable`]): a
//! reload costs a `304` per file.
//!
//! The page fetches a screen's module the first time its route opens, which may be hours after
//! it loaded and after the server was upgraded. So that a page never mixes the modules of two
//! versions, every file names the client's version in `X-Client-Version`, and `index.html`
//! carries it in `<meta name="client-version">`: before a module it has not loaded yet, the page
//! compares the two and reloads when they differ (`client/main.js`).

use std::sync::LazyLock;

use axum::extract::RawQuery;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use sha2::{Digest, Sha256};

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

/// The response header that names the client's version.
const VERSION_HEADER: HeaderName = HeaderName::from_static("x-client-version");

/// Where `index.html` says which client it belongs to (filled in as it is served).
const VERSION_META: &str = r#"<meta name="client-version" content="">"#;

/// The client's version: a digest of all its files, so that any change to any of them is a new
/// version, and the same files are the same version on every node of a school.
static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut digest = Sha256::new();
    for (name, _, text) in std::iter::once(&("index.html", "", INDEX_HTML)).chain(ASSETS) {
        digest.update(name.as_bytes());
        digest.update([0]);
        digest.update(text.as_bytes());
        digest.update([0]);
    }
    format!("{:.16x}", digest.finalize())
});

/// `index.html`, then every other client file, as they are sent (each compressed once, the first
/// time a browser takes it so).
static INDEX: LazyLock<Cacheable> = LazyLock::new(|| Cacheable::new("text/html; charset=utf-8", index_page(&VERSION)));
static FILES: LazyLock<Vec<(&str, Cacheable)>> =
    LazyLock::new(|| ASSETS.iter().map(|(name, ty, text)| (*name, Cacheable::new(ty, *text))).collect());

/// `index.html` as it is served: with the client's version.
fn index_page(version: &str) -> String {
    INDEX_HTML.replacen(VERSION_META, &format!(r#"<meta name="client-version" content="{version}">"#), 1)
}

/// `GET /` and `GET /?asset=<name>` (and `HEAD`, which a page uses to learn the version).
pub(super) async fn index(RawQuery(query): RawQuery, headers: HeaderMap) -> Response {
    let asset = query.as_deref().and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("asset=")));
    let file = match asset {
        None => &*INDEX,
        Some(name) => match FILES.iter().find(|(n, _)| *n == name) {
            Some((_, file)) => file,
            None => return (StatusCode::NOT_FOUND, "no such client file").into_response(),
        },
    };
    let mut response = file.respond(&headers);
    if let Ok(version) = HeaderValue::from_str(&VERSION) {
        response.headers_mut().insert(VERSION_HEADER, version);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_html_has_the_place_for_the_version_and_is_served_with_it_filled_in() {
        assert_eq!(INDEX_HTML.matches(VERSION_META).count(), 1, "client/index.html: {VERSION_META}");
        assert_eq!(VERSION.len(), 16);
        let served = index_page(&VERSION);
        assert!(served.contains(&format!(r#"<meta name="client-version" content="{}">"#, *VERSION)), "{served}");
        assert!(!served.contains(VERSION_META));
    }
}
