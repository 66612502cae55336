//! Lists of documents: filters, orders, pages; a group's documents; a document's history.

use super::*;
use crate::api::problems;

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

pub(super) fn limit(l: Option<i64>) -> Result<i64, CoreError> {
    let l = l.unwrap_or(50);
    if (1..=200).contains(&l) {
        Ok(l)
    } else {
        Err(CoreError::validation(
            "limit",
            svitok_core::Message::new("msg-number-range")
                .arg("field", "limit")
                .arg("min", 1)
                .arg("max", 200),
        ))
    }
}

/// Documents the caller may read, most recently changed first (keyset pagination).
#[utoipa::path(get, path = "/api/v1/documents", tag = "documents", params(DocumentQuery),
    responses((status = 200, body = DocumentPage), problems::BadRequest,
              problems::Unauthorized, problems::Unprocessable),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn list_documents(
    State(state): State<App>,
    actor: Actor,
    ApiQuery(q): ApiQuery<DocumentQuery>,
) -> ApiResult<Json<DocumentPage>> {
    let limit = limit(q.limit)?;
    let responsible = match (q.responsible_kind, q.responsible_id) {
        (Some(kind), Some(id)) => Some(PartyRef { kind, id }.into()),
        (None, None) => None,
        _ => return Err(CoreError::validation("responsible_id", "msg-responsible-pair").into()),
    };
    let due_before = match q.due_before.as_deref() {
        Some(d) => Some(
            time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]"))
                .map_err(|_| CoreError::validation("due_before", "msg-date-format"))?
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
    responses((status = 200, body = [HistoryEntry]), problems::BadRequest,
              problems::Unauthorized, problems::NotFound),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn document_history(
    State(state): State<App>,
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
pub struct CursorQuery {
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// A group's documents (responsible or addressed), for its members.
#[utoipa::path(get, path = "/api/v1/groups/{id}/documents", tag = "groups", params(("id" = Uuid, Path), CursorQuery),
    responses((status = 200, body = DocumentPage), problems::BadRequest,
              problems::Unauthorized, problems::Forbidden,
              problems::NotFound, problems::Unprocessable),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn group_documents(
    State(state): State<App>,
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
