//! What the API's handlers take from a request besides its body: the instructor signed in with a
//! key (`Instructor`), the language asked for (`Language`), and the answer marked with the
//! language it is in (`in_language`).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::{self, AUTHORIZATION};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

use super::api_error::ApiError;
use super::limits::Charged;
use super::{secret, App};
use crate::i18n::Lang;
use crate::store::InstructorRow;

/// The instructor making a request, from `Authorization: Bearer <key>`.
pub(super) struct Instructor(pub InstructorRow);

impl FromRequestParts<App> for Instructor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Instructor, ApiError> {
        let ip = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let key = bearer(&parts.headers)
            .ok_or_else(|| ApiError::unauthorized("send Authorization: Bearer <instructor key>"))?;
        // The key is checked first: a valid key is never refused for its address's failures.
        match app.store().instructor_by_key_hash(&secret::hash(key)).await {
            Ok(Some(instructor)) => Ok(Instructor(instructor)),
            Ok(None) => match ip {
                Some(ip) if app.guesses().failed(ip).await == Charged::Tarpitted => Err(ApiError::rate_limited()),
                _ => Err(ApiError::unauthorized("unknown (or revoked) instructor key")),
            },
            Err(e) => Err(ApiError::store(&e)),
        }
    }
}

/// The credential of `Authorization: Bearer <credential>` (an instructor key, a seat token).
pub(super) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).map(str::trim)
}

/// The language a page asks for: `?lang=` (wins; an unknown code is `400 bad_request`), else the
/// best of `Accept-Language` the server speaks, else English. Whether the scenario has it is for
/// the handler to see (`Localized::pick`); the answer says what it got in `Content-Language`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Language(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for Language {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Language, ApiError> {
        let asked = parts.uri.query().unwrap_or("").split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            (key == "lang" && !value.is_empty()).then_some(value)
        });
        if let Some(code) = asked {
            return Lang::parse(code).map(Language).map_err(|e| ApiError::bad_request(e.to_string()));
        }
        let header = parts.headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
        Ok(Language(Lang::from_accept_language(header).unwrap_or_default()))
    }
}

/// An answer in a language: with `Content-Language`.
pub(super) fn in_language(lang: Lang, response: impl IntoResponse) -> Response {
    let mut response = response.into_response();
    response.headers_mut().insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(lang.code()));
    response
}
