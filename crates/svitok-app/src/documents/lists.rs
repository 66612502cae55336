//! What the caller may read: lists, counts, a group's documents, a document's history.

use super::*;

pub async fn history(state: &App, actor: &Caller, id: DocumentId) -> Result<Vec<svitok_db::EventRow>> {
    let o = open(state, actor, id, DocOp::Read).await?;
    history_of(state, &o).await
}

/// The history of a document the caller has already opened.
pub async fn history_of(state: &App, opened: &Opened) -> Result<Vec<svitok_db::EventRow>> {
    state.db.history(opened.doc.id).await
}

/// Documents the caller may read; the trash (`deleted`) shows only its own.
pub async fn list(
    state: &App,
    actor: &Caller,
    mut filter: DocumentFilter,
    after: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<DocumentRow>> {
    if filter.deleted {
        filter.owner = Some(actor.user.id);
    }
    let principals = actor.principals();
    state.db.list_documents(&principals, &filter, after, limit).await
}

/// A page of what the caller may read in another order, at `offset`.
pub async fn list_sorted(
    state: &App,
    actor: &Caller,
    mut filter: DocumentFilter,
    sort: svitok_db::DocumentSort,
    offset: i64,
    limit: i64,
) -> Result<Vec<DocumentRow>> {
    if filter.deleted {
        filter.owner = Some(actor.user.id);
    }
    let principals = actor.principals();
    state
        .db
        .list_documents_sorted(&principals, &filter, sort, offset, limit)
        .await
}

/// How many documents the caller may read match the filter.
pub async fn count(state: &App, actor: &Caller, mut filter: DocumentFilter) -> Result<i64> {
    if filter.deleted {
        filter.owner = Some(actor.user.id);
    }
    state.db.count_documents(&actor.principals(), &filter).await
}

/// A group's documents (responsible or addressed), for its members.
pub async fn group_documents(
    state: &App,
    actor: &Caller,
    group: GroupId,
    after: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<DocumentRow>> {
    state.db.group(group).await?.ok_or(CoreError::NotFound("group"))?;
    let is_member = state.db.is_member(group, actor.user.id).await?;
    access::authorize(
        state,
        actor,
        Operation::ViewGroupDocuments { is_member },
        Some(group.to_string()),
    )
    .await?;
    let filter = DocumentFilter::default();
    state
        .db
        .list_documents(&[Party::Group(group).principal()], &filter, after, limit)
        .await
}
