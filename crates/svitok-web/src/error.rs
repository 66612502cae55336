//! The API's error adapter: every failure becomes `application/problem+json` (RFC 9457).
//! Internal errors are logged once and never shown to the client.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use svitok_core::CoreError;
use utoipa::ToSchema;

/// RFC 9457 problem details, plus Svitok's stable `code` and the offending `field`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URN naming the kind of problem, e.g. `urn:svitok:problem:validation`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// A human-readable explanation (Russian).
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

pub fn problem(status: StatusCode, code: &str, detail: impl Into<String>, field: Option<String>) -> Response {
    let body = Problem {
        kind: format!("urn:svitok:problem:{code}"),
        title: status.canonical_reason().unwrap_or("Error").to_string(),
        status: status.as_u16(),
        detail: detail.into(),
        code: code.to_string(),
        field,
        allowed: None,
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
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let code = e.code();
        match e {
            CoreError::NotFound(what) => problem(StatusCode::NOT_FOUND, code, format!("Не найдено: {what}"), None),
            CoreError::Unauthenticated(m) => problem(StatusCode::UNAUTHORIZED, code, m, None),
            CoreError::Forbidden(m) => problem(StatusCode::FORBIDDEN, code, m, None),
            CoreError::Conflict { message, field } => {
                problem(StatusCode::CONFLICT, code, message, field.map(str::to_string))
            }
            CoreError::Validation { message, field } => problem(StatusCode::UNPROCESSABLE_ENTITY, code, message, field),
            e @ CoreError::InvalidTransition { .. } => {
                let detail = e.to_string();
                let CoreError::InvalidTransition { allowed, .. } = e else {
                    unreachable!()
                };
                let body = Problem {
                    kind: format!("urn:svitok:problem:{code}"),
                    title: "Conflict".into(),
                    status: 409,
                    detail: if allowed.is_empty() {
                        format!("{detail}: из этого статуса переходов нет")
                    } else {
                        format!("{detail}. Возможные статусы: {}", allowed.join(", "))
                    },
                    code: code.into(),
                    field: Some("status".into()),
                    allowed: Some(allowed.iter().map(|s| s.to_string()).collect()),
                };
                let mut res = (StatusCode::CONFLICT, axum::Json(body)).into_response();
                res.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/problem+json"),
                );
                res
            }
            CoreError::TooLarge(m) => problem(StatusCode::PAYLOAD_TOO_LARGE, code, m, None),
            CoreError::RateLimited { retry_after, message } => {
                let mut res = problem(StatusCode::TOO_MANY_REQUESTS, code, message, None);
                res.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after.max(1)));
                res
            }
            CoreError::Unavailable(m) => problem(StatusCode::SERVICE_UNAVAILABLE, code, m, None),
            CoreError::Internal(m) => {
                tracing::error!(error = %m, "internal error");
                problem(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    code,
                    "Внутренняя ошибка сервера. Попробуйте позже или обратитесь к администратору",
                    None,
                )
            }
        }
    }
}

/// Answers unknown paths in our format.
pub async fn not_found() -> Response {
    problem(StatusCode::NOT_FOUND, "not_found", "Адрес не найден", None)
}

pub async fn method_not_allowed() -> Response {
    problem(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "Метод не поддерживается для этого адреса",
        None,
    )
}
