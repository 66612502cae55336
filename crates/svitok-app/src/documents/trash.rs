//! The trash: a document deleted by its owner, and restored.

use super::*;

pub async fn delete(state: &App, actor: &Caller, id: DocumentId) -> Result<()> {
    open(state, actor, id, DocOp::Delete).await?;
    // Signed content is evidence: it stays (SPEC §7).
    if state.db.signature_count(id).await? > 0 {
        return Err(CoreError::clash("msg-delete-signed"));
    }
    let mut tx = state.db.begin().await?;
    tx.set_deleted(id, true, &event(actor, "deleted", json!({})), state.now())
        .await?;
    audited(&mut tx, state, actor, "document.deleted", id, json!({}));
    tx.commit().await
}

pub async fn restore(state: &App, actor: &Caller, id: DocumentId) -> Result<()> {
    open(state, actor, id, DocOp::Restore).await?;
    let mut tx = state.db.begin().await?;
    tx.set_deleted(id, false, &event(actor, "restored", json!({})), state.now())
        .await?;
    audited(&mut tx, state, actor, "document.restored", id, json!({}));
    tx.commit().await
}
