//! A document's card: creating (from JSON or a file), reading, editing, trash, status and
//! responsible party.

use super::*;
use crate::api::problems;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDocumentRequest {
    pub title: String,
    pub description: Option<String>,
    /// Free text, e.g. «Приказ», «Заявление».
    pub kind: Option<String>,
    pub reg_number: Option<String>,
    /// `YYYY-MM-DD`.
    pub due_date: Option<String>,
    /// Default: the creator.
    pub responsible: Option<PartyRef>,
}

/// `multipart/form-data` form of `POST /documents` and `POST /documents/{id}/versions`.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    pub file: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub kind: Option<String>,
}

/// Creates a document: from a file (`multipart/form-data` with a `file` part and text
/// fields `title`, `description`, `kind`; needs `manage_own_documents`) or as a card
/// without a file (JSON; needs `create_documents`).
#[utoipa::path(post, path = "/api/v1/documents", tag = "documents",
    request_body(content(
        (CreateDocumentRequest = "application/json"),
        (UploadForm = "multipart/form-data"))),
    responses((status = 201, body = DocumentView), problems::Unauthorized,
              problems::Forbidden, problems::TooLarge,
              problems::UnsupportedMediaType, problems::Unprocessable,
              problems::Unavailable, problems::InsufficientStorage),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn create_document(State(state): State<App>, actor: Actor, req: Request) -> ApiResult<Response> {
    let id = if is_multipart(&req) {
        svc::may_create(&state, &actor, true).await?;
        let form = Multipart::from_request(req, &state).await.map_err(bad_form)?;
        let (upload, card) = read_form(&state, form, None).await?;
        let upload = upload.ok_or_else(|| ApiError(CoreError::validation("file", "msg-file-part-missing")))?;
        svc::create(&state, &actor, card, None, Some(upload)).await?
    } else {
        let ApiJson(body) = match ApiJson::<CreateDocumentRequest>::from_request(req, &state).await {
            Ok(b) => b,
            Err(rejection) => return Ok(rejection),
        };
        let card = CardInput {
            title: Some(body.title),
            description: body.description,
            kind: body.kind,
            reg_number: body.reg_number,
            due_date: body.due_date,
        };
        svc::create(&state, &actor, card, body.responsible.map(Into::into), None).await?
    };
    let (o, versions) = svc::card(&state, &actor, id).await?;
    Ok((StatusCode::CREATED, Json(document_view(o.doc, Some(&versions)))).into_response())
}

/// A document's card with its versions; marks what was sent to the caller as read.
#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = "documents", params(("id" = Uuid, Path)),
    responses((status = 200, body = DocumentView), problems::BadRequest,
              problems::Unauthorized, problems::NotFound),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn get_document(
    State(state): State<App>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<DocumentView>> {
    let (o, versions) = svc::read(&state, &actor, DocumentId(id)).await?;
    Ok(Json(document_view(o.doc, Some(&versions))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDocumentRequest {
    pub title: Option<String>,
    pub description: Option<String>,
    pub kind: Option<String>,
    /// An empty string clears it.
    pub reg_number: Option<String>,
    /// `YYYY-MM-DD`; an empty string clears it.
    pub due_date: Option<String>,
}

/// Edits the card (owner or responsible party).
#[utoipa::path(patch, path = "/api/v1/documents/{id}", tag = "documents", params(("id" = Uuid, Path)), request_body = UpdateDocumentRequest,
    responses((status = 200, body = DocumentView), problems::BadRequest,
              problems::Unauthorized, problems::Forbidden,
              problems::NotFound, problems::Unprocessable),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn update_document(
    State(state): State<App>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<UpdateDocumentRequest>,
) -> ApiResult<Json<DocumentView>> {
    let input = CardInput {
        title: req.title,
        description: req.description,
        kind: req.kind,
        reg_number: req.reg_number,
        due_date: req.due_date,
    };
    svc::update_card(&state, &actor, DocumentId(id), input).await?;
    let (o, versions) = svc::card(&state, &actor, DocumentId(id)).await?;
    Ok(Json(document_view(o.doc, Some(&versions))))
}

/// Moves a document to the trash (owner, `manage_own_documents`).
#[utoipa::path(delete, path = "/api/v1/documents/{id}", tag = "documents", params(("id" = Uuid, Path)),
    responses((status = 204, description = "in the trash"), problems::BadRequest,
              problems::Unauthorized, problems::Forbidden,
              problems::NotFound, problems::Conflict),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn delete_document(
    State(state): State<App>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    svc::delete(&state, &actor, DocumentId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes a document out of the trash (owner).
#[utoipa::path(post, path = "/api/v1/documents/{id}/restore", tag = "documents", params(("id" = Uuid, Path)),
    responses((status = 204, description = "restored"), problems::BadRequest,
              problems::Unauthorized, problems::Forbidden,
              problems::NotFound, problems::Conflict),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn restore_document(
    State(state): State<App>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    svc::restore(&state, &actor, DocumentId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    pub status: Status,
}

/// Moves the status (owner or responsible party); a move the state machine does not
/// allow is 409 with the allowed statuses in `allowed`.
#[utoipa::path(post, path = "/api/v1/documents/{id}/status", tag = "documents", params(("id" = Uuid, Path)), request_body = StatusRequest,
    responses((status = 200, body = DocumentView), problems::BadRequest,
              problems::Unauthorized, problems::Forbidden,
              problems::NotFound, problems::Conflict,
              problems::Unprocessable),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn change_status(
    State(state): State<App>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<StatusRequest>,
) -> ApiResult<Json<DocumentView>> {
    svc::change_status(&state, &actor, DocumentId(id), req.status).await?;
    let (o, versions) = svc::card(&state, &actor, DocumentId(id)).await?;
    Ok(Json(document_view(o.doc, Some(&versions))))
}

/// Hands responsibility to a user or group (owner or responsible party); a member of the
/// responsible group takes it by naming itself.
#[utoipa::path(post, path = "/api/v1/documents/{id}/responsible", tag = "documents", params(("id" = Uuid, Path)), request_body = PartyRef,
    responses((status = 200, body = DocumentView), problems::BadRequest,
              problems::Unauthorized, problems::Forbidden,
              problems::NotFound, problems::Unprocessable),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn change_responsible(
    State(state): State<App>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<PartyRef>,
) -> ApiResult<Response> {
    svc::change_responsible(&state, &actor, DocumentId(id), req.into()).await?;
    // The caller may have handed the document away and no longer read it.
    match svc::card(&state, &actor, DocumentId(id)).await {
        Ok((o, versions)) => Ok(Json(document_view(o.doc, Some(&versions))).into_response()),
        Err(CoreError::NotFound(_)) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(e) => Err(e.into()),
    }
}
