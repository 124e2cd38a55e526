//! Bodies a browser may keep: sent with an `ETag`, so that a reload asks "is it still this?" and
//! gets an empty `304 Not Modified` rather than the same bytes again, and gzip-compressed for a
//! browser that accepts it.
//!
//! A class loads the client on thirty devices at once over one classroom's Wi-Fi, and phones
//! reload a page whenever they drop it from memory: the client (its modules, stylesheet and
//! catalogue) and the scenario's description are about 490 KiB a load as they are, and a few
//! hundred bytes of headers once the browser has them.

use axum::body::Body;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::StatusCode;
use axum::response::Response;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use std::io::Write as _;
use std::sync::OnceLock;

/// Bodies shorter than this are sent as they are (gzip's own header and checksum eat most of
/// what it would save).
const MIN_GZIP: usize = 1024;

/// One body, its validator and its gzip form (made the first time a browser takes it, and kept
/// when it is smaller).
pub(crate) struct Cacheable {
    content_type: &'static str,
    etag: HeaderValue,
    plain: Bytes,
    gzip: OnceLock<Option<Bytes>>,
}

impl Cacheable {
    pub(crate) fn new(content_type: &'static str, plain: impl Into<Bytes>) -> Cacheable {
        let plain = plain.into();
        let hex = format!("{:.24x}", Sha256::digest(&plain));
        // Weak: the gzip and the plain form are the same content under one validator.
        let etag = HeaderValue::from_str(&format!("W/\"{hex}\"")).unwrap_or(HeaderValue::from_static("W/\"0\""));
        Cacheable { content_type, etag, plain, gzip: OnceLock::new() }
    }

    /// The answer to a `GET` with these request headers: `304` when the browser already holds
    /// this body (`If-None-Match`), else the body, compressed when the browser accepts gzip. The
    /// browser must ask again each time (`no-cache`), so a new server version shows at once.
    pub(crate) fn respond(&self, request: &HeaderMap) -> Response {
        let mut response = if holds(request, &self.etag) {
            let mut response = Response::new(Body::empty());
            *response.status_mut() = StatusCode::NOT_MODIFIED;
            response
        } else {
            let gzip = accepts_gzip(request).then(|| self.gzipped()).flatten();
            let gzipped = gzip.is_some();
            let body = gzip.unwrap_or_else(|| self.plain.clone());
            let mut response = Response::new(Body::from(body));
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(self.content_type));
            if gzipped {
                headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            }
            response
        };
        let headers = response.headers_mut();
        headers.insert(header::ETAG, self.etag.clone());
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        response
    }
}

impl Cacheable {
    fn gzipped(&self) -> Option<Bytes> {
        let plain = &self.plain;
        self.gzip
            .get_or_init(|| (plain.len() >= MIN_GZIP).then(|| gzip(plain)).flatten().filter(|g| g.len() < plain.len()))
            .clone()
    }
}

fn gzip(plain: &[u8]) -> Option<Bytes> {
    let mut encoder =
        flate2::write::GzEncoder::new(Vec::with_capacity(plain.len() / 3), flate2::Compression::default());
    encoder.write_all(plain).ok()?;
    encoder.finish().ok().map(Bytes::from)
}

/// Whether `If-None-Match` names this body's validator (compared weakly, as RFC 9110 §13.1.2
/// asks), or is `*`.
fn holds(request: &HeaderMap, etag: &HeaderValue) -> bool {
    let ours = etag.to_str().unwrap_or_default().trim_start_matches("W/");
    request.get_all(header::IF_NONE_MATCH).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(
        |tag| {
            let tag = tag.trim();
            tag == "*" || tag.trim_start_matches("W/") == ours
        },
    )
}

/// Whether `Accept-Encoding` takes gzip (by name or `*`, with a quality above zero).
fn accepts_gzip(request: &HeaderMap) -> bool {
    request.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(
        |coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts
                .any(|p| p.strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()).is_some_and(|q| q <= 0.0));
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_static(value));
        }
        headers
    }

    fn text(n: usize) -> String {
        (0..n).map(|i| format!("line {i} of a client file\n")).collect()
    }

    #[test]
    fn gzip_is_sent_only_to_browsers_that_take_it() {
        let body = Cacheable::new("text/plain", text(200));
        for (accept, gzipped) in [
            ("gzip, deflate, br, zstd", true),
            ("br;q=1.0, gzip;q=0.8", true),
            ("*", true),
            ("GZIP", true),
            ("gzip;q=0", false),
            ("gzip; q=0.000", false),
            ("identity", false),
            ("br", false),
        ] {
            let response = body.respond(&request(&[("accept-encoding", accept)]));
            assert_eq!(response.headers().get(header::CONTENT_ENCODING).is_some(), gzipped, "{accept}");
            assert_eq!(response.headers().get(header::VARY).map(|v| v.to_str().ok()), Some(Some("Accept-Encoding")));
        }
        let response = body.respond(&HeaderMap::new());
        assert!(response.headers().get(header::CONTENT_ENCODING).is_none());
    }

    #[test]
    fn a_short_body_is_never_compressed() {
        let body = Cacheable::new("text/plain", "short");
        let response = body.respond(&request(&[("accept-encoding", "gzip")]));
        assert!(response.headers().get(header::CONTENT_ENCODING).is_none());
    }

    #[test]
    fn the_validator_it_gave_gets_a_304_and_another_gets_the_body() {
        let body = Cacheable::new("text/plain", text(10));
        let etag = body.respond(&HeaderMap::new()).headers()[header::ETAG].to_str().expect("ascii").to_string();
        assert!(etag.starts_with("W/\"") && etag.ends_with('"'), "{etag}");
        let strong = etag.trim_start_matches("W/").to_string();
        for held in [etag.as_str(), strong.as_str(), "\"other\", W/\"x\"", "*"] {
            let mut headers = HeaderMap::new();
            headers.insert(header::IF_NONE_MATCH, HeaderValue::from_str(held).expect("header"));
            let response = body.respond(&headers);
            let expected = if held.contains("other") { StatusCode::OK } else { StatusCode::NOT_MODIFIED };
            assert_eq!(response.status(), expected, "{held}");
            assert_eq!(response.headers()[header::ETAG], etag.as_str());
        }
        let mut both = HeaderMap::new();
        both.insert(header::IF_NONE_MATCH, HeaderValue::from_str(&format!("\"other\", {etag}")).expect("header"));
        assert_eq!(body.respond(&both).status(), StatusCode::NOT_MODIFIED);
        let changed = Cacheable::new("text/plain", text(11));
        let mut held = HeaderMap::new();
        held.insert(header::IF_NONE_MATCH, HeaderValue::from_str(&etag).expect("header"));
        assert_eq!(changed.respond(&held).status(), StatusCode::OK, "a changed body has another validator");
    }
}
