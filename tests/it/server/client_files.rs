//! The client's files and the scenario's description as a classroom's browsers fetch them: gzip
//! for a browser that takes it, the same bytes as the files in `client/` once inflated, and an
//! empty `304` for a reload that already holds them (which must not replace the page's
//! Content-Security-Policy with the closed one of a body-less answer).

use crate::common;

use std::io::Read as _;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use common::{header, spawn_app};

/// A raw `GET` with extra header lines; the status, the head and the body's bytes.
async fn get(app: &common::TestApp, path: &str, headers: &str) -> (u16, String, Vec<u8>) {
    send(app, "GET", path, headers).await
}

/// A raw request; the status, the head and the body's bytes.
async fn send(app: &common::TestApp, method: &str, path: &str, headers: &str) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(app.addr).await.expect("connect");
    let request = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n{headers}Connection: close\r\n\r\n", app.addr);
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(10), stream.read_to_end(&mut response))
        .await
        .expect("an answer in time")
        .expect("read");
    let end = response.windows(4).position(|w| w == b"\r\n\r\n").expect("a head");
    let head = String::from_utf8_lossy(&response[..end]).to_string();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("a status");
    (status, head, response[end + 4..].to_vec())
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).expect("gzip");
    out
}

fn client_file(name: &str) -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("client").join(name)).expect("client file")
}

/// What the server sends for a file of `client/`: its bytes, and for `index.html` the client's
/// version filled into its `<meta name="client-version">`.
fn expected_bytes(name: &str, version: &str) -> Vec<u8> {
    let bytes = client_file(name);
    if name != "index.html" {
        return bytes;
    }
    let text = String::from_utf8(bytes).expect("index.html is UTF-8");
    let empty = r#"<meta name="client-version" content="">"#;
    assert!(text.contains(empty), "client/index.html has {empty}");
    text.replacen(empty, &format!(r#"<meta name="client-version" content="{version}">"#), 1).into_bytes()
}

#[tokio::test]
async fn client_files_come_compressed_and_a_reload_gets_304s() {
    let app = spawn_app().await;
    let mut plain_total = 0;
    let mut sent_total = 0;
    let mut versions: Option<String> = None;
    for (path, file) in [
        ("/", "index.html"),
        ("/?asset=student.js", "student.js"),
        ("/?asset=app.css", "app.css"),
        ("/?asset=i18n/mn.json", "i18n/mn.json"),
    ] {
        let (status, head, body) = get(&app, path, "Accept-Encoding: gzip, deflate, br\r\n").await;
        assert_eq!(status, 200, "{path}: {head}");
        let served_version = header(&head, "x-client-version").unwrap_or_else(|| panic!("{path}: no X-Client-Version"));
        let version = versions.get_or_insert(served_version.clone());
        assert_eq!(&served_version, version, "{path}: one version for every file");
        let expected = expected_bytes(file, version);
        plain_total += expected.len();
        sent_total += body.len();
        let inflated = match header(&head, "content-encoding") {
            Some(coding) => {
                assert_eq!(coding, "gzip", "{path}");
                gunzip(&body)
            }
            None => {
                assert!(expected.len() < 1024, "{path}: a file of {} bytes was sent uncompressed", expected.len());
                body
            }
        };
        assert!(
            inflated == expected,
            "{path}: {} bytes served, not the {} bytes of client/{file}",
            inflated.len(),
            expected.len()
        );
        assert_eq!(header(&head, "vary").as_deref(), Some("Accept-Encoding"), "{path}");
        assert_eq!(header(&head, "cache-control").as_deref(), Some("no-cache"), "{path}: the browser asks each time");
        let etag = header(&head, "etag").unwrap_or_else(|| panic!("{path}: no ETag"));

        // Without gzip in Accept-Encoding, the plain bytes.
        let (status, head, body) = get(&app, path, "").await;
        assert_eq!(status, 200);
        assert_eq!(header(&head, "content-encoding"), None, "{path}");
        assert!(
            body == expected,
            "{path}: {} bytes served plain, not the {} bytes of the file",
            body.len(),
            expected.len()
        );
        assert_eq!(header(&head, "etag").as_deref(), Some(etag.as_str()), "{path}: one validator for both forms");

        // A reload: nothing but the head, and no policy to overwrite the page's.
        let (status, head, body) =
            get(&app, path, &format!("If-None-Match: {etag}\r\nAccept-Encoding: gzip\r\n")).await;
        assert_eq!(status, 304, "{path}: {head}");
        assert!(body.is_empty(), "{path}: a 304 has no body");
        assert_eq!(header(&head, "etag").as_deref(), Some(etag.as_str()));
        assert_eq!(header(&head, "content-security-policy"), None, "{path}: {head}");

        // Another validator (an older client) gets the file.
        let (status, _, _) = get(&app, path, "If-None-Match: W/\"0123456789abcdef01234567\"\r\n").await;
        assert_eq!(status, 200, "{path}");
    }
    assert!(sent_total * 3 < plain_total, "compressed to {sent_total} bytes of {plain_total}");

    // A page asks which client the server serves now with a `HEAD` (client/main.js).
    let (status, head, body) = send(&app, "HEAD", "/?asset=main.js", "").await;
    assert_eq!(status, 200, "{head}");
    assert!(body.is_empty(), "a HEAD has no body");
    assert_eq!(header(&head, "x-client-version"), versions, "{head}");

    // The page's own policy is still on the page itself.
    let (_, head, _) = get(&app, "/", "").await;
    assert!(header(&head, "content-security-policy")
        .is_some_and(|csp| csp.contains("script-src") || csp.contains("default-src 'self'")));
    let (status, _, _) = get(&app, "/?asset=nothing.js", "").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_scenario_description_is_compressed_and_revalidated_per_language() {
    let app = spawn_app().await;
    let (status, head, body) = get(&app, "/api/scenarios/tutorial?lang=en", "Accept-Encoding: gzip\r\n").await;
    assert_eq!(status, 200, "{head}");
    assert_eq!(header(&head, "content-encoding").as_deref(), Some("gzip"));
    assert_eq!(header(&head, "content-language").as_deref(), Some("en"));
    let json: serde_json::Value = serde_json::from_slice(&gunzip(&body)).expect("json");
    assert_eq!(json["id"], "tutorial");
    assert!(body.len() * 2 < serde_json::to_vec(&json).expect("json").len(), "compressed: {} bytes", body.len());
    let etag = header(&head, "etag").expect("an ETag");

    let (status, head, body) =
        get(&app, "/api/scenarios/tutorial?lang=en", &format!("If-None-Match: {etag}\r\n")).await;
    assert_eq!(status, 304, "{head}");
    assert!(body.is_empty());

    // The same scenario in another language is another body.
    let (status, head, _) = get(&app, "/api/scenarios/tutorial?lang=mn", &format!("If-None-Match: {etag}\r\n")).await;
    assert_eq!(status, 200, "{head}");
    assert_eq!(header(&head, "content-language").as_deref(), Some("mn"));
    assert_ne!(header(&head, "etag"), Some(etag));
}
