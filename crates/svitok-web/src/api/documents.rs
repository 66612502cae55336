//! `/api/v1/documents/*`, `/api/v1/inbox`, `/api/v1/groups/{id}/documents`.

use super::views::{rfc3339, time_param, Binary};
use crate::error::{problem, ApiError, ApiResult, Problem};
use crate::extract::{Actor, ApiJson, ApiPath, ApiQuery};
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use svitok_app::documents::{self as svc, CardInput, Upload};
use svitok_app::AppState;
use svitok_core::documents::{Party, Status};
use svitok_core::ids::{DocumentId, GroupId, UserId};
use svitok_core::CoreError;
use svitok_db::{DocumentFilter, DocumentRow, DocumentSort, VersionRow};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

const JSON_PROBLEM: &str = "application/problem+json";

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    User,
    Group,
}

/// A user or a group: `{"kind": "user" | "group", "id": "<uuid>"}`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyRef {
    pub kind: PartyKind,
    pub id: Uuid,
}

impl From<PartyRef> for Party {
    fn from(p: PartyRef) -> Party {
        match p.kind {
            PartyKind::User => Party::User(UserId(p.id)),
            PartyKind::Group => Party::Group(GroupId(p.id)),
        }
    }
}

impl From<Party> for PartyRef {
    fn from(p: Party) -> PartyRef {
        match p {
            Party::User(u) => PartyRef {
                kind: PartyKind::User,
                id: u.0,
            },
            Party::Group(g) => PartyRef {
                kind: PartyKind::Group,
                id: g.0,
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VersionView {
    pub number: i64,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    /// Hex SHA-256 of the file.
    pub sha256: String,
    pub author: Uuid,
    pub created_at: String,
    /// Signatures of this version; those of older versions do not cover it.
    pub signatures: i64,
}

fn version_view(v: &VersionRow) -> VersionView {
    VersionView {
        number: v.number,
        file_name: v.file_name.clone(),
        media_type: v.media_type.clone(),
        size: v.size,
        sha256: v.sha256.clone(),
        author: v.author.0,
        created_at: rfc3339(v.created_at),
        signatures: v.signatures,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentView {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub kind: String,
    pub reg_number: Option<String>,
    pub status: Status,
    /// The status in Russian, for display.
    pub status_label: &'static str,
    /// Statuses the document may move to next.
    pub next_statuses: &'static [Status],
    pub owner: Uuid,
    pub responsible: PartyRef,
    /// `YYYY-MM-DD`.
    pub due_date: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Set while the document is in the trash.
    pub deleted_at: Option<String>,
    /// Absent in lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub versions: Option<Vec<VersionView>>,
}

/// Takes the row by value: a page of documents moves its text into the views.
fn document_view(d: DocumentRow, versions: Option<&[VersionRow]>) -> DocumentView {
    DocumentView {
        id: d.id.0,
        title: d.title,
        description: d.description,
        kind: d.kind,
        reg_number: d.reg_number,
        status: d.status,
        status_label: d.status.label(),
        next_statuses: d.status.next(),
        owner: d.owner.0,
        responsible: d.responsible.into(),
        due_date: d.due_date,
        created_at: rfc3339(d.created_at),
        updated_at: rfc3339(d.updated_at),
        deleted_at: d.deleted_at.map(rfc3339),
        versions: versions.map(|vs| vs.iter().map(version_view).collect()),
    }
}

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

/// Largest text field of a multipart form.
const FORM_TEXT_LIMIT: usize = 16 * 1024;

pub(crate) fn bad_form(e: impl std::fmt::Display) -> ApiError {
    ApiError(CoreError::Validation {
        message: format!("Некорректная форма multipart: {e}"),
        field: None,
    })
}

/// A check of the web forms' token, which must come first, before any file is stored.
pub(crate) type FormGuard<'a> = &'a (dyn Fn(&str) -> bool + Sync);

/// Reads a multipart form, streaming the `file` part into the blob store; other parts are
/// short text fields. With a `guard`, the first part must be a `csrf` field it accepts.
pub(crate) async fn read_form(
    state: &AppState,
    mut form: Multipart,
    guard: Option<FormGuard<'_>>,
) -> ApiResult<(Option<Upload>, CardInput)> {
    let mut card = CardInput::default();
    let mut upload: Option<Upload> = None;
    let mut trusted = guard.is_none();
    let result: ApiResult<()> = async {
        let mut refused: Option<CoreError> = None;
        while let Some(mut field) = form.next_field().await.map_err(bad_form)? {
            if refused.is_some() {
                drain_field(&mut field).await;
                continue;
            }
            let name = field.name().unwrap_or("").to_string();
            if !trusted {
                let given = if name == "csrf" {
                    read_text(&mut field, &name).await?
                } else {
                    String::new()
                };
                if !guard.is_some_and(|ok| ok(&given)) {
                    return Err(CoreError::Forbidden("Форма отправлена не со страницы системы".into()).into());
                }
                trusted = true;
                continue;
            }
            if name == "file" {
                if upload.is_some() {
                    return Err(bad_form("more than one file part"));
                }
                let file_name = svc::clean_file_name(field.file_name().unwrap_or("file"));
                let media_type = svc::clean_media_type(field.content_type());
                let mut writer = svc::begin_upload(state).await?;
                // Read the part into the store; on failure decide what to answer.
                let outcome: Result<(), ApiError> = loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            if let Err(e) = writer.write(&chunk).await {
                                break Err(svc::blob_error(e).into());
                            }
                        }
                        Ok(None) => break Ok(()),
                        Err(e) => break Err(bad_form(e)),
                    }
                };
                if let Err(e) = outcome {
                    writer.abort().await;
                    if matches!(e.0, CoreError::TooLarge(_)) {
                        drain_field(&mut field).await;
                        refused = Some(e.0);
                        continue;
                    }
                    return Err(e);
                }
                let blob = writer.finish().await.map_err(svc::blob_error)?;
                upload = Some(Upload {
                    file_name,
                    media_type,
                    blob,
                });
                continue;
            }
            let text = read_text(&mut field, &name).await?;
            match name.as_str() {
                "title" => card.title = Some(text),
                "description" => card.description = Some(text),
                "kind" => card.kind = Some(text),
                "reg_number" => card.reg_number = Some(text),
                "due_date" => card.due_date = Some(text),
                other => return Err(bad_form(format!("unknown field «{other}»"))),
            }
        }
        match refused {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }
    .await;
    if let Err(e) = result {
        if let Some(u) = upload {
            let _ = state.blobs.delete(&u.blob.key).await;
        }
        return Err(e);
    }
    Ok((upload, card))
}

async fn read_text(field: &mut axum::extract::multipart::Field<'_>, name: &str) -> ApiResult<String> {
    let mut text = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(bad_form)? {
        if text.len() + chunk.len() > FORM_TEXT_LIMIT {
            return Err(bad_form(format!("field «{name}» is too long")));
        }
        text.extend_from_slice(&chunk);
    }
    String::from_utf8(text).map_err(|_| bad_form(format!("field «{name}» is not UTF-8")))
}

/// After refusing an upload, reads and discards what the client is still sending (up to
/// 16 MiB a part, for at most 5 s), so that it receives the answer instead of a reset.
async fn drain_field(field: &mut axum::extract::multipart::Field<'_>) {
    const LIMIT: usize = 16 * 1024 * 1024;
    let drain = async {
        let mut seen = 0usize;
        while let Ok(Some(c)) = field.chunk().await {
            seen += c.len();
            if seen > LIMIT {
                return;
            }
        }
    };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), drain).await;
}

pub(crate) fn is_multipart(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"))
}

/// Creates a document: from a file (`multipart/form-data` with a `file` part and text
/// fields `title`, `description`, `kind`; needs `manage_own_documents`) or as a card
/// without a file (JSON; needs `create_documents`).
#[utoipa::path(post, path = "/api/v1/documents", tag = "documents",
    request_body(content(
        (CreateDocumentRequest = "application/json"),
        (UploadForm = "multipart/form-data"))),
    responses((status = 201, body = DocumentView), (status = 401, body = Problem, content_type = JSON_PROBLEM),
              (status = 403, body = Problem, content_type = JSON_PROBLEM), (status = 413, body = Problem, content_type = JSON_PROBLEM),
              (status = 415, body = Problem, content_type = JSON_PROBLEM), (status = 422, body = Problem, content_type = JSON_PROBLEM)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn create_document(State(state): State<AppState>, actor: Actor, req: Request) -> ApiResult<Response> {
    let id = if is_multipart(&req) {
        svc::may_create(&actor, true)?;
        let form = Multipart::from_request(req, &state).await.map_err(bad_form)?;
        let (upload, card) = read_form(&state, form, None).await?;
        let upload = upload.ok_or_else(|| ApiError(CoreError::validation("file", "В форме нет части «file»")))?;
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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DocumentQuery {
    pub status: Option<Status>,
    pub owner: Option<Uuid>,
    /// With `responsible_id`: `user` or `group`.
    pub responsible_kind: Option<PartyKind>,
    pub responsible_id: Option<Uuid>,
    /// Responsible or recipient group.
    pub group: Option<Uuid>,
    pub kind: Option<String>,
    /// Text in the title, description, kind or number.
    pub q: Option<String>,
    /// RFC 3339, inclusive.
    pub created_from: Option<String>,
    /// RFC 3339, exclusive.
    pub created_to: Option<String>,
    pub updated_from: Option<String>,
    pub updated_to: Option<String>,
    /// Due before this date (`YYYY-MM-DD`): overdue lists.
    pub due_before: Option<String>,
    /// The caller's trash.
    pub deleted: Option<bool>,
    /// Order: `-updated_at` (default: newest change first), `updated_at`, `-created_at`,
    /// `created_at`, `title`, `-title`, `due_date` (soonest first, none last), `-due_date`.
    pub sort: Option<String>,
    /// `true`: also count every matching document (`total`); costs a query more.
    pub total: Option<bool>,
    /// `next_cursor` of the previous page (of the same order).
    pub cursor: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentPage {
    pub items: Vec<DocumentView>,
    /// Pass as `cursor` for the next page; null on the last one.
    pub next_cursor: Option<String>,
    /// Every matching document, when asked for with `total=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
}

pub(crate) fn parse_sort(s: Option<&str>) -> Result<DocumentSort, CoreError> {
    match s.filter(|s| !s.is_empty()) {
        None => Ok(DocumentSort::default()),
        Some(s) => DocumentSort::parse(s).ok_or_else(|| {
            let names: Vec<&str> = DocumentSort::ALL.iter().map(|x| x.as_str()).collect();
            CoreError::validation("sort", format!("sort: одно из {}", names.join(", ")))
        }),
    }
}

/// One page of a list in any order: keyset cursors for the newest change first, offset
/// cursors (`+N`) for the others. Returns the rows and the next page's cursor.
pub(crate) async fn fetch_page(
    state: &AppState,
    actor: &Actor,
    filter: DocumentFilter,
    sort: DocumentSort,
    cursor: Option<&str>,
    limit: i64,
) -> Result<(Vec<DocumentRow>, Option<String>), CoreError> {
    if sort == DocumentSort::default() {
        let docs = svc::list(state, actor, filter, decode_cursor(cursor)?, limit).await?;
        let next = next_cursor(&docs, limit);
        return Ok((docs, next));
    }
    let offset = match cursor {
        None => 0,
        Some(c) => URL_SAFE_NO_PAD
            .decode(c)
            .ok()
            .and_then(|raw| String::from_utf8(raw).ok())
            .and_then(|t| t.strip_prefix('+').and_then(|n| n.parse::<i64>().ok()))
            .filter(|n| *n >= 0)
            .ok_or_else(|| CoreError::validation("cursor", "Некорректный курсор"))?,
    };
    let docs = svc::list_sorted(state, actor, filter, sort, offset, limit).await?;
    let next = (docs.len() as i64 == limit).then(|| URL_SAFE_NO_PAD.encode(format!("+{}", offset + limit)));
    Ok((docs, next))
}

pub(crate) fn decode_cursor(c: Option<&str>) -> Result<Option<(i64, String)>, CoreError> {
    let bad = || CoreError::validation("cursor", "Некорректный курсор");
    c.map(|c| {
        let raw = URL_SAFE_NO_PAD.decode(c).map_err(|_| bad())?;
        let text = String::from_utf8(raw).map_err(|_| bad())?;
        let (at, id) = text.split_once('/').ok_or_else(bad)?;
        Uuid::parse_str(id).map_err(|_| bad())?;
        Ok((at.parse().map_err(|_| bad())?, id.to_string()))
    })
    .transpose()
}

/// The cursor of the page after `docs`, when the page was full.
pub(crate) fn next_cursor(docs: &[DocumentRow], limit: i64) -> Option<String> {
    (docs.len() as i64 == limit)
        .then(|| {
            docs.last()
                .map(|d| URL_SAFE_NO_PAD.encode(format!("{}/{}", d.updated_at, d.id)))
        })
        .flatten()
}

fn limit(l: Option<i64>) -> Result<i64, CoreError> {
    let l = l.unwrap_or(50);
    if (1..=200).contains(&l) {
        Ok(l)
    } else {
        Err(CoreError::validation("limit", "limit должен быть от 1 до 200"))
    }
}

/// Documents the caller may read, most recently changed first (keyset pagination).
#[utoipa::path(get, path = "/api/v1/documents", tag = "documents", params(DocumentQuery),
    responses((status = 200, body = DocumentPage), (status = 400, body = Problem, content_type = JSON_PROBLEM),
              (status = 401, body = Problem, content_type = JSON_PROBLEM), (status = 422, body = Problem, content_type = JSON_PROBLEM)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn list_documents(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<DocumentQuery>,
) -> ApiResult<Json<DocumentPage>> {
    let limit = limit(q.limit)?;
    let responsible = match (q.responsible_kind, q.responsible_id) {
        (Some(kind), Some(id)) => Some(PartyRef { kind, id }.into()),
        (None, None) => None,
        _ => {
            return Err(
                CoreError::validation("responsible_id", "responsible_kind и responsible_id задаются вместе").into(),
            )
        }
    };
    let due_before = match q.due_before.as_deref() {
        Some(d) => Some(
            time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]"))
                .map_err(|_| CoreError::validation("due_before", "Ожидается дата ГГГГ-ММ-ДД"))?
                .to_string(),
        ),
        None => None,
    };
    let filter = DocumentFilter {
        status: q.status,
        responsible,
        owner: q.owner.map(UserId),
        group: q.group.map(GroupId),
        kind: q.kind,
        q: q.q,
        created_from: time_param("created_from", q.created_from.as_deref())?,
        created_to: time_param("created_to", q.created_to.as_deref())?,
        updated_from: time_param("updated_from", q.updated_from.as_deref())?,
        updated_to: time_param("updated_to", q.updated_to.as_deref())?,
        due_before,
        deleted: q.deleted.unwrap_or(false),
    };
    let sort = parse_sort(q.sort.as_deref())?;
    let total = match q.total {
        Some(true) => Some(svc::count(&state, &actor, filter.clone()).await?),
        _ => None,
    };
    let (docs, next_cursor) = fetch_page(&state, &actor, filter, sort, q.cursor.as_deref(), limit).await?;
    Ok(Json(DocumentPage {
        items: docs.into_iter().map(|d| document_view(d, None)).collect(),
        next_cursor,
        total,
    }))
}

/// A document's card with its versions; marks what was sent to the caller as read.
#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = "documents", params(("id" = Uuid, Path)),
    responses((status = 200, body = DocumentView), (status = 400, body = Problem, content_type = JSON_PROBLEM),
              (status = 401, body = Problem, content_type = JSON_PROBLEM), (status = 404, body = Problem, content_type = JSON_PROBLEM)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn get_document(
    State(state): State<AppState>,
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
    responses((status = 200, body = DocumentView), (status = 400, body = Problem, content_type = JSON_PROBLEM),
              (status = 401, body = Problem, content_type = JSON_PROBLEM), (status = 403, body = Problem, content_type = JSON_PROBLEM),
              (status = 404, body = Problem, content_type = JSON_PROBLEM), (status = 422, body = Problem, content_type = JSON_PROBLEM)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn update_document(
    State(state): State<AppState>,
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
    responses((status = 204, description = "in the trash"), (status = 400, body = Problem, content_type = JSON_PROBLEM),
              (status = 401, body = Problem, content_type = JSON_PROBLEM), (status = 403, body = Problem, content_type = JSON_PROBLEM),
              (status = 404, body = Problem, content_type = JSON_PROBLEM), (status = 409, body = Problem, content_type = JSON_PROBLEM)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn delete_document(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    svc::delete(&state, &actor, DocumentId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes a document out of the trash (owner).
#[utoipa::path(post, path = "/api/v1/documents/{id}/restore", tag = "documents", params(("id" = Uuid, Path)),
    responses((status = 204, description = "restored"), (status = 400, body = Problem, content_type = JSON_PROBLEM),
              (status = 401, body = Problem, content_type = JSON_PROBLEM), (status = 403, body = Problem, content_type = JSON_PROBLEM),
              (status = 404, body = Problem, content_type = JSON_PROBLEM), (status = 409, body = Problem, content_type = JSON_PROBLEM)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn restore_document(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    svc::restore(&state, &actor, DocumentId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A document's versions.
#[utoipa::path(get, path = "/api/v1/documents/{id}/versions", tag = "documents", params(("id" = Uuid, Path)),
    responses((status = 200, body = [VersionView]), (status = 400, body = Problem, content_type = JSON_PROBLEM),
              (status = 401, body = Problem, content_type = JSON_PROBLEM), (status = 404, body = Problem, content_type = JSON_PROBLEM)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn list_versions(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<VersionView>>> {
    Ok(Json(
        svc::versions(&state, &actor, DocumentId(id))
            .await?
            .iter()
            .map(version_view)
            .collect(),
    ))
}

/// Adds a version: `multipart/form-data` with a `file` part (owner or responsible party,
/// `manage_own_documents`).
#[utoipa::path(post, path = "/api/v1/documents/{id}/versions", tag = "documents", params(("id" = Uuid, Path)),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = VersionView), (status = 400, body = Problem, content_type = JSON_PROBLEM),
              (status = 401, body = Problem, content_type = JSON_PROBLEM), (status = 403, body = Problem, content_type = JSON_PROBLEM),
              (status = 404, body = Problem, content_type = JSON_PROBLEM), (status = 413, body = Problem, content_type = JSON_PROBLEM),
              (status = 415, body = Problem, content_type = JSON_PROBLEM), (status = 422, body = Problem, content_type = JSON_PROBLEM)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn add_version(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    req: Request,
) -> ApiResult<Response> {
    // Refuse before reading the file when the caller may not add versions (and answer a
    // stranger 404 whatever it sent).
    svc::open(
        &state,
        &actor,
        DocumentId(id),
        svitok_core::documents::DocOp::AddVersion,
    )
    .await?;
    if !is_multipart(&req) {
        return Ok(problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Ожидается multipart/form-data с частью «file»",
            None,
        ));
    }
    let form = Multipart::from_request(req, &state).await.map_err(bad_form)?;
    let (upload, _card) = read_form(&state, form, None).await?;
    let upload = upload.ok_or_else(|| ApiError(CoreError::validation("file", "В форме нет части «file»")))?;
    let n = svc::add_version(&state, &actor, DocumentId(id), upload).await?;
    let versions = svc::versions(&state, &actor, DocumentId(id)).await?;
    let v = versions
        .iter()
        .find(|v| v.number == n)
        .ok_or(CoreError::NotFound("version"))?;
    Ok((StatusCode::CREATED, Json(version_view(v))).into_response())
}

/// `attachment; filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266, 8187).
pub(crate) fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// `bytes=a-b`, `bytes=a-`, `bytes=-n`; anything else (several ranges, other units) is
/// ignored and the whole file served, as RFC 9110 allows.
fn parse_range(h: Option<&HeaderValue>) -> Option<svc::ByteRange> {
    let spec = h?.to_str().ok()?.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    if a.is_empty() {
        return b.parse().ok().filter(|n| *n > 0).map(svc::ByteRange::Suffix);
    }
    let a: u64 = a.parse().ok()?;
    let b = if b.is_empty() { None } else { Some(b.parse().ok()?) };
    Some(svc::ByteRange::From(a, b))
}

fn file_response(v: &VersionRow, status: StatusCode, length: u64, stream: svc::ByteStream) -> ApiResult<Response> {
    let key = v.blob_key.clone();
    let body = Body::from_stream(stream.inspect_err(move |e| {
        tracing::error!(error = %e, blob = %key, "a stored file failed its check while being sent");
    }));
    let mut res = Response::new(body);
    *res.status_mut() = status;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(svc::served_media_type(&v.media_type))
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    // Whatever the file is, it never runs with our origin's rights.
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox"));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&content_disposition(&svc::clean_file_name(&v.file_name)))
            .map_err(CoreError::internal)?,
    );
    h.insert(
        "x-content-sha256",
        HeaderValue::from_str(&v.sha256).map_err(CoreError::internal)?,
    );
    Ok(res)
}

/// Downloads a version's file (readers with `manage_own_documents`), whole or a
/// `Range: bytes=…` of it (206). The whole file is checked as it streams; a failed check
/// cuts the response short rather than send wrong bytes.
#[utoipa::path(get, path = "/api/v1/documents/{id}/versions/{n}/content", tag = "documents",
    params(("id" = Uuid, Path), ("n" = i64, Path)),
    responses((status = 200, description = "the file, sent with its stored media type", body = Binary, content_type = "application/octet-stream"),
              (status = 206, description = "the requested range", body = Binary, content_type = "application/octet-stream"),
              (status = 400, body = Problem, content_type = JSON_PROBLEM), (status = 401, body = Problem, content_type = JSON_PROBLEM),
              (status = 403, body = Problem, content_type = JSON_PROBLEM), (status = 404, body = Problem, content_type = JSON_PROBLEM),
              (status = 416, body = Problem, content_type = JSON_PROBLEM)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn download_version(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((id, n)): ApiPath<(Uuid, i64)>,
    headers: axum::http::HeaderMap,
) -> ApiResult<Response> {
    let range = parse_range(headers.get(header::RANGE));
    match svc::download(&state, &actor, DocumentId(id), n, range).await? {
        svc::Download::Full(v, stream) => file_response(&v, StatusCode::OK, v.size as u64, stream),
        svc::Download::Partial(v, a, b, stream) => {
            let mut res = file_response(&v, StatusCode::PARTIAL_CONTENT, b - a + 1, stream)?;
            let cr = format!("bytes {a}-{b}/{}", v.size);
            res.headers_mut().insert(
                header::CONTENT_RANGE,
                HeaderValue::from_str(&cr).map_err(CoreError::internal)?,
            );
            Ok(res)
        }
        svc::Download::Unsatisfiable(v) => {
            let mut res = problem(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "range_not_satisfiable",
                format!("Запрошенный диапазон вне файла размером {} байт", v.size),
                None,
            );
            let cr = format!("bytes */{}", v.size);
            res.headers_mut().insert(
                header::CONTENT_RANGE,
                HeaderValue::from_str(&cr).map_err(CoreError::internal)?,
            );
            Ok(res)
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    pub status: Status,
}

/// Moves the status (owner or responsible party); a move the state machine does not
/// allow is 409 with the allowed statuses in `allowed`.
#[utoipa::path(post, path = "/api/v1/documents/{id}/status", tag = "documents", params(("id" = Uuid, Path)), request_body = StatusRequest,
    responses((status = 200, body = DocumentView), (status = 400, body = Problem, content_type = JSON_PROBLEM),
              (status = 401, body = Problem, content_type = JSON_PROBLEM), (status = 403, body = Problem, content_type = JSON_PROBLEM),
              (status = 404, body = Problem, content_type = JSON_PROBLEM), (status = 409, body = Problem, content_type = JSON_PROBLEM),
              (status = 422, body = Problem, content_type = JSON_PROBLEM)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn change_status(
    State(state): State<AppState>,
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
    responses((status = 200, body = DocumentView), (status = 400, body = Problem, content_type = JSON_PROBLEM),
              (status = 401, body = Problem, content_type = JSON_PROBLEM), (status = 403, body = Problem, content_type = JSON_PROBLEM),
              (status = 404, body = Problem, content_type = JSON_PROBLEM), (status = 422, body = Problem, content_type = JSON_PROBLEM)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn change_responsible(
    State(state): State<AppState>,
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
    responses((status = 200, body = SendResult), (status = 400, body = Problem, content_type = JSON_PROBLEM),
              (status = 401, body = Problem, content_type = JSON_PROBLEM), (status = 403, body = Problem, content_type = JSON_PROBLEM),
              (status = 404, body = Problem, content_type = JSON_PROBLEM), (status = 422, body = Problem, content_type = JSON_PROBLEM)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn send_document(
    State(state): State<AppState>,
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
    responses((status = 200, body = SendResult), (status = 400, body = Problem, content_type = JSON_PROBLEM),
              (status = 401, body = Problem, content_type = JSON_PROBLEM), (status = 403, body = Problem, content_type = JSON_PROBLEM),
              (status = 404, body = Problem, content_type = JSON_PROBLEM), (status = 422, body = Problem, content_type = JSON_PROBLEM)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn forward_document(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<SendRequest>,
) -> ApiResult<Json<SendResult>> {
    let to = req.to.into_iter().map(Into::into).collect();
    Ok(Json(SendResult {
        sent: svc::transfer(&state, &actor, DocumentId(id), to, req.comment, req.hand_over, true).await?,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntry {
    pub at: String,
    pub actor: Option<Uuid>,
    /// `created`, `updated`, `version_added`, `status_changed`, `responsible_changed`,
    /// `sent`, `forwarded`, `downloaded`, `deleted`, `restored`.
    pub action: String,
    pub details: serde_json::Value,
}

/// The document's route history, oldest first.
#[utoipa::path(get, path = "/api/v1/documents/{id}/history", tag = "documents", params(("id" = Uuid, Path)),
    responses((status = 200, body = [HistoryEntry]), (status = 400, body = Problem, content_type = JSON_PROBLEM),
              (status = 401, body = Problem, content_type = JSON_PROBLEM), (status = 404, body = Problem, content_type = JSON_PROBLEM)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn document_history(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<HistoryEntry>>> {
    let events = svc::history(&state, &actor, DocumentId(id)).await?;
    Ok(Json(
        events
            .into_iter()
            .map(|e| HistoryEntry {
                at: rfc3339(e.created_at),
                actor: e.actor.map(|a| a.0),
                action: e.action,
                details: serde_json::from_str(&e.details).unwrap_or(serde_json::Value::Null),
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InboxItem {
    pub document: DocumentView,
    pub transfer_id: Uuid,
    pub from: Uuid,
    /// The caller or one of its groups.
    pub to: PartyRef,
    /// `send` or `forward`.
    pub action: String,
    pub comment: String,
    pub hand_over: bool,
    /// The caller (or its group) is asked to sign the document.
    pub signature_requested: bool,
    pub sent_at: String,
    pub read: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InboxPage {
    pub items: Vec<InboxItem>,
    pub total: i64,
    /// How many items are unread (for the navigation's counter).
    pub unread: i64,
    pub limit: i64,
    pub offset: i64,
}

/// Documents sent to the caller and to its groups, unread first.
#[utoipa::path(get, path = "/api/v1/inbox", tag = "documents", params(InboxQuery),
    responses((status = 200, body = InboxPage), (status = 400, body = Problem, content_type = JSON_PROBLEM),
              (status = 401, body = Problem, content_type = JSON_PROBLEM), (status = 422, body = Problem, content_type = JSON_PROBLEM)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn inbox(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<InboxQuery>,
) -> ApiResult<Json<InboxPage>> {
    let (limit, offset) = super::views::page_bounds(q.limit, q.offset)?;
    let (rows, total, unread) = svc::inbox(&state, &actor, limit, offset).await?;
    let items = rows
        .into_iter()
        .map(|r| InboxItem {
            document: document_view(r.document, None),
            transfer_id: r.transfer.id.0,
            from: r.transfer.from.0,
            to: r.transfer.to.into(),
            action: r.transfer.action,
            comment: r.transfer.comment,
            hand_over: r.transfer.hand_over,
            signature_requested: r.transfer.signature_request,
            sent_at: rfc3339(r.transfer.created_at),
            read: r.read,
        })
        .collect();
    Ok(Json(InboxPage {
        items,
        total,
        unread,
        limit,
        offset,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CursorQuery {
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// A group's documents (responsible or addressed), for its members.
#[utoipa::path(get, path = "/api/v1/groups/{id}/documents", tag = "groups", params(("id" = Uuid, Path), CursorQuery),
    responses((status = 200, body = DocumentPage), (status = 400, body = Problem, content_type = JSON_PROBLEM),
              (status = 401, body = Problem, content_type = JSON_PROBLEM), (status = 403, body = Problem, content_type = JSON_PROBLEM),
              (status = 404, body = Problem, content_type = JSON_PROBLEM), (status = 422, body = Problem, content_type = JSON_PROBLEM)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn group_documents(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<CursorQuery>,
) -> ApiResult<Json<DocumentPage>> {
    let limit = limit(q.limit)?;
    let docs = svc::group_documents(&state, &actor, GroupId(id), decode_cursor(q.cursor.as_deref())?, limit).await?;
    let next_cursor = next_cursor(&docs, limit);
    Ok(Json(DocumentPage {
        items: docs.into_iter().map(|d| document_view(d, None)).collect(),
        next_cursor,
        total: None,
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn active_types_are_served_as_octet_stream_and_bidi_controls_are_dropped() {
        use svitok_app::documents::{clean_file_name, served_media_type};
        for active in [
            "text/html",
            "text/javascript",
            "image/svg+xml",
            "application/xhtml+xml",
            "text/xml",
        ] {
            assert_eq!(served_media_type(active), "application/octet-stream", "{active}");
        }
        assert_eq!(served_media_type("application/pdf"), "application/pdf");
        assert_eq!(clean_file_name("счёт\u{202E}fdp.exe"), "счётfdp.exe");
        assert_eq!(clean_file_name("a\u{2066}b\u{2069}.txt"), "ab.txt");
    }

    #[test]
    fn content_disposition_is_safe_and_keeps_cyrillic() {
        let h = super::content_disposition("Приказ №5 \"о\\ премии\".pdf");
        assert!(h.starts_with("attachment; filename=\""));
        assert!(h.contains("filename*=UTF-8''%D0%9F%D1%80%D0%B8%D0%BA%D0%B0%D0%B7"));
        let ascii = h.split("filename=\"").nth(1).unwrap().split('"').next().unwrap();
        assert!(!ascii.contains('\\'));
    }
}
