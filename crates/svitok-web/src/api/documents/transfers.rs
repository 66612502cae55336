//! Sending and forwarding documents.

use super::*;
use crate::api::problems;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendRequest {
    /// 1–100 users and groups.
    pub to: Vec<PartyRef>,
    pub comment: Option<String>,
    /// Make the (single) recipient responsible.
    #[serde(default)]
    pub hand_over: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SendResult {
    /// How many recipients got the document.
    pub sent: usize,
}

/// Sends a document to users and groups (`send_documents`, a reader).
#[utoipa::path(post, path = "/api/v1/documents/{id}/send", tag = "documents", params(("id" = Uuid, Path)), request_body = SendRequest,
    responses((status = 200, body = SendResult), problems::BadRequest,
              problems::Unauthorized, problems::Forbidden,
              problems::NotFound, problems::Unprocessable),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn send_document(
    State(state): State<App>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<SendRequest>,
) -> ApiResult<Json<SendResult>> {
    let to = req.to.into_iter().map(Into::into).collect();
    Ok(Json(SendResult {
        sent: svc::transfer(&state, &actor, DocumentId(id), to, req.comment, req.hand_over, false).await?,
    }))
}

/// Passes a received document on (`send_documents`, a recipient).
#[utoipa::path(post, path = "/api/v1/documents/{id}/forward", tag = "documents", params(("id" = Uuid, Path)), request_body = SendRequest,
    responses((status = 200, body = SendResult), problems::BadRequest,
              problems::Unauthorized, problems::Forbidden,
              problems::NotFound, problems::Unprocessable),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn forward_document(
    State(state): State<App>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<SendRequest>,
) -> ApiResult<Json<SendResult>> {
    let to = req.to.into_iter().map(Into::into).collect();
    Ok(Json(SendResult {
        sent: svc::transfer(&state, &actor, DocumentId(id), to, req.comment, req.hand_over, true).await?,
    }))
}
