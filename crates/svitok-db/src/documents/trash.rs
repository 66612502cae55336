//! The trash: deleted documents, restored or purged after the retention.

use super::*;

impl Db {
    /// Documents in the trash since before `before`, with their blobs' keys.
    pub async fn trash_older_than(&self, before: i64, limit: i64) -> Result<Vec<(DocumentId, Vec<String>)>> {
        let rows = sqlx::query(
            "SELECT id FROM documents WHERE deleted_at IS NOT NULL AND deleted_at < $1 ORDER BY deleted_at LIMIT $2",
        )
        .bind(before)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let mut out = Vec::new();
        for r in rows {
            let id = DocumentId(columns::uuid(&r, "id")?);
            let keys = self.versions(id).await?.into_iter().map(|v| v.blob_key).collect();
            out.push((id, keys));
        }
        Ok(out)
    }

    /// Removes a document for good (its versions, transfers and history go with it).
    pub async fn purge_document(&self, id: DocumentId) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        if self.backend.has_text_index_table() {
            unindex_text(&mut tx, id).await?;
        }
        sqlx::query("DELETE FROM documents WHERE id = $1 AND deleted_at IS NOT NULL")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }
}

impl Tx {
    /// Moves to the trash (`deleted = true`) or back.
    pub async fn set_deleted(&mut self, doc: DocumentId, deleted: bool, e: &Event, now: i64) -> Result<()> {
        let tx: &mut sqlx::AnyConnection = &mut self.tx;
        sqlx::query("UPDATE documents SET deleted_at = $2, updated_at = $3 WHERE id = $1")
            .bind(doc.to_string())
            .bind(deleted.then_some(now))
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        sync_reader_times(tx, doc, now).await?;
        sqlx::query("UPDATE inbox_items SET deleted = $2 WHERE document_id = $1")
            .bind(doc.to_string())
            .bind(i64::from(deleted))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        add_event(tx, doc, e, now).await?;
        Ok(())
    }
}
