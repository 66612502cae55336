//! The caller's inbox.

use super::*;
use crate::api::problems;

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
    responses((status = 200, body = InboxPage), problems::BadRequest,
              problems::Unauthorized, problems::Unprocessable),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn inbox(
    State(state): State<App>,
    actor: Actor,
    ApiQuery(q): ApiQuery<InboxQuery>,
) -> ApiResult<Json<InboxPage>> {
    let (limit, offset) = crate::api::views::page_bounds(q.limit, q.offset)?;
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
