//! HTTP errors: always JSON, `{"error": {"code", "message"}}`, with a fitting status.

use axum::extract::rejection::{BytesRejection, JsonRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::limits::{size_text, MAX_BODY};
use serde_json::json;

#[derive(Debug)]
pub(super) struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub(super) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into() }
    }

    pub(super) fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub(super) fn not_found(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, code, message)
    }

    pub(super) fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub(super) fn rate_limited() -> ApiError {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many wrong keys from this address: wait a minute",
        )
    }

    /// The database cannot take writes now (503): try again later.
    pub(super) fn unavailable(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }

    /// A store error: `503 unavailable` for a storage fault (disk full, I/O error, the database
    /// locked by another process), else `500 internal`. The cause is logged, not sent.
    pub(super) fn store(e: &crate::store::StoreError) -> ApiError {
        if e.is_unavailable() {
            tracing::warn!(error = %e, "request refused: the database is unavailable");
            ApiError::unavailable("the database cannot be written now; please try again in a minute")
        } else {
            ApiError::internal(e)
        }
    }

    /// A write that failed for a reason the caller cannot see (a session's own error type):
    /// `503 unavailable` while the writer reports failing writes, else `500 internal`.
    pub(super) fn write_failed(app: &super::App, cause: &dyn std::fmt::Display) -> ApiError {
        if app.store().write_status() == crate::store::WriteStatus::Ok {
            ApiError::internal(cause)
        } else {
            tracing::warn!(error = %cause, "request refused: the database is unavailable");
            ApiError::unavailable("the database cannot be written now; please try again in a minute")
        }
    }

    /// Logs the cause; the client only learns that it failed.
    pub(super) fn internal(cause: &dyn std::fmt::Display) -> ApiError {
        tracing::error!(error = %cause, "request failed");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the server failed; please try again")
    }

    /// A request body that could not be taken: over the size limit (`413 too_large`), not
    /// arrived within `limits.body_timeout` (`408 body_timeout`), else `400 bad_request` with
    /// what was wrong with it (not JSON, a field missing or mistyped, not the JSON content type).
    fn unreadable_body(status: StatusCode, explanation: String, cause: &(dyn std::error::Error + 'static)) -> ApiError {
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            let message = format!("the request body is over the server's limit of {}", size_text(MAX_BODY));
            return ApiError::new(status, "too_large", message);
        }
        let mut source = Some(cause);
        while let Some(error) = source {
            if error.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::TimedOut) {
                return ApiError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    "body_timeout",
                    "the request body did not arrive in time; please send it again",
                );
            }
            source = error.source();
        }
        ApiError::bad_request(explanation)
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> ApiError {
        ApiError::unreadable_body(rejection.status(), rejection.body_text(), &rejection)
    }
}

impl From<BytesRejection> for ApiError {
    fn from(rejection: BytesRejection) -> ApiError {
        ApiError::unreadable_body(rejection.status(), rejection.body_text(), &rejection)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(json!({ "error": { "code": self.code, "message": self.message } }))).into_response()
    }
}
