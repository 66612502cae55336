//! The API's error adapter: every failure becomes `application/problem+json` (RFC 9457),
//! its `detail` in the request's language. Internal errors are logged once and never
//! shown to the client.

use crate::i18n;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use svitok_core::{CoreError, Message};
use utoipa::ToSchema;

/// RFC 9457 problem details, plus Svitok's stable `code` and the offending `field`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URN naming the kind of problem, e.g. `urn:svitok:problem:validation`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// A human-readable explanation in the request's language (`Accept-Language`, else
    /// the caller's saved language, else Russian).
    pub detail: String,
    /// Stable machine-readable code.
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For `invalid_transition`: the statuses the document may move to from where it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
}

#[derive(Debug)]
pub struct ApiError(pub CoreError);

pub type ApiResult<T> = Result<T, ApiError>;

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        ApiError(e)
    }
}

/// A problem whose detail is `message` said in the request's language.
pub fn problem(status: StatusCode, code: &str, message: impl Into<Message>, field: Option<String>) -> Response {
    respond(status, code, i18n::say(&message.into()), field, None)
}

fn respond(
    status: StatusCode,
    code: &str,
    detail: String,
    field: Option<String>,
    allowed: Option<Vec<String>>,
) -> Response {
    let body = Problem {
        kind: format!("urn:svitok:problem:{code}"),
        title: status.canonical_reason().unwrap_or("Error").to_string(),
        status: status.as_u16(),
        detail,
        code: code.to_string(),
        field,
        allowed,
    };
    let mut res = (status, axum::Json(body)).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    res
}

/// The HTTP status an error is answered with (pages show their own body for it).
pub fn status_of(e: &CoreError) -> StatusCode {
    match e {
        CoreError::NotFound(_) => StatusCode::NOT_FOUND,
        CoreError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        CoreError::Forbidden(_) => StatusCode::FORBIDDEN,
        CoreError::Conflict { .. } | CoreError::InvalidTransition { .. } => StatusCode::CONFLICT,
        CoreError::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        CoreError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        CoreError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        CoreError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        CoreError::StorageFull(_) => StatusCode::INSUFFICIENT_STORAGE,
        CoreError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        if let CoreError::Internal(m) = &e {
            tracing::error!(error = %m, "internal error");
        }
        let status = status_of(&e);
        let detail = i18n::describe(&e);
        let (field, allowed) = match &e {
            CoreError::Conflict { field, .. } => (field.map(str::to_string), None),
            CoreError::Validation { field, .. } => (field.clone(), None),
            CoreError::InvalidTransition { allowed, .. } => (
                Some("status".to_string()),
                Some(allowed.iter().map(|s| s.to_string()).collect()),
            ),
            _ => (None, None),
        };
        let mut res = respond(status, e.code(), detail, field, allowed);
        if let CoreError::RateLimited { retry_after, .. } = e {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after.max(1)));
        } else if matches!(e, CoreError::Unavailable(_)) {
            // A dependency is down: worth another try soon, not at once.
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(5u64));
        }
        res
    }
}

/// Answers unknown paths in our format.
pub async fn not_found() -> Response {
    problem(StatusCode::NOT_FOUND, "not_found", "msg-no-such-address", None)
}

pub async fn method_not_allowed() -> Response {
    problem(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "msg-method-not-allowed",
        None,
    )
}
