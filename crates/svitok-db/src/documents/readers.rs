//! Who may read a document (the readers index the lists run on).

use super::*;

/// Recomputes who may read a document from its owner, responsible party and recipients.
pub(crate) async fn refresh_readers(tx: &mut sqlx::AnyConnection, doc: DocumentId) -> Result<()> {
    let id = doc.to_string();
    sqlx::query("DELETE FROM document_readers WHERE document_id = $1")
        .bind(&id)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    sqlx::query(
        "INSERT INTO document_readers (principal, document_id, updated_at) \
         SELECT p.principal, $1, (SELECT updated_at FROM documents WHERE id = $1) FROM ( \
           SELECT 'u:' || owner_id AS principal FROM documents WHERE id = $1 \
           UNION SELECT 'u:' || responsible_user_id FROM documents WHERE id = $1 AND responsible_user_id IS NOT NULL \
           UNION SELECT 'g:' || responsible_group_id FROM documents WHERE id = $1 AND responsible_group_id IS NOT NULL \
           UNION SELECT 'u:' || to_user_id FROM transfers WHERE document_id = $1 AND to_user_id IS NOT NULL \
           UNION SELECT 'g:' || to_group_id FROM transfers WHERE document_id = $1 AND to_group_id IS NOT NULL) p",
    )
    .bind(&id)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Carries a document's new `updated_at` to its reader rows (the lists' order).
pub(super) async fn sync_reader_times(tx: &mut sqlx::AnyConnection, doc: DocumentId, now: i64) -> Result<()> {
    sqlx::query("UPDATE document_readers SET updated_at = $2 WHERE document_id = $1")
        .bind(doc.to_string())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    Ok(())
}

impl Db {
    /// Whether the document was sent or forwarded to any of `principals`.
    pub async fn is_recipient(&self, doc: DocumentId, principals: &[String]) -> Result<bool> {
        let sql = format!(
            "SELECT 1 AS one FROM transfers WHERE document_id = $1 AND \
             (('u:' || to_user_id) IN ({m}) OR ('g:' || to_group_id) IN ({m})) LIMIT 1",
            m = marks(2, principals.len())
        );
        let mut q = sqlx::query(&sql).bind(doc.to_string());
        for p in principals {
            q = q.bind(p.as_str());
        }
        Ok(q.fetch_optional(&self.pool).await.map_err(map_err)?.is_some())
    }
}
