//! A document's history: one entry per change, written in the change's transaction.

use super::*;

pub(crate) async fn add_event(tx: &mut sqlx::AnyConnection, doc: DocumentId, e: &Event, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO document_events (id, document_id, actor_id, action, details, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(doc.to_string())
    .bind(e.actor.to_string())
    .bind(e.action)
    .bind(e.details.to_string())
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    Ok(())
}

impl Db {
    pub async fn history(&self, doc: DocumentId) -> Result<Vec<EventRow>> {
        let rows = sqlx::query(
            "SELECT actor_id, action, details, created_at FROM document_events WHERE document_id = $1 ORDER BY created_at, id",
        )
        .bind(doc.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                let actor: Option<String> = r.try_get("actor_id").map_err(err)?;
                Ok(EventRow {
                    actor: actor.and_then(|a| a.parse().ok()).map(UserId),
                    action: r.try_get("action").map_err(err)?,
                    details: r.try_get("details").map_err(err)?,
                    created_at: r.try_get("created_at").map_err(err)?,
                })
            })
            .collect()
    }
}

impl Tx {
    /// Records a history entry on its own (a download changes nothing else).
    pub async fn add_document_event(&mut self, doc: DocumentId, e: &Event, now: i64) -> Result<()> {
        let tx: &mut sqlx::AnyConnection = &mut self.tx;
        add_event(tx, doc, e, now).await?;
        Ok(())
    }
}
