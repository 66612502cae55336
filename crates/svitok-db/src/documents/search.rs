//! Full-text search of cards: SQLite's FTS5 index kept in step (PostgreSQL's is a
//! generated column).

use super::*;

/// Keeps SQLite's full-text index in step with a card (PostgreSQL's is a generated column).
pub(super) async fn index_text(tx: &mut sqlx::AnyConnection, backend: crate::Backend, doc: DocumentId) -> Result<()> {
    if !backend.has_text_index_table() {
        return Ok(());
    }
    // By rowid through documents_fts_rows: `doc_id` is not indexed inside FTS5.
    unindex_text(tx, doc).await?;
    sqlx::query(
        "INSERT INTO documents_fts (doc_id, body) SELECT id, title || ' ' || description || ' ' || kind || ' ' || \
         COALESCE(reg_number, '') FROM documents WHERE id = $1",
    )
    .bind(doc.to_string())
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    sqlx::query("INSERT INTO documents_fts_rows (doc_id, fts_rowid) VALUES ($1, last_insert_rowid())")
        .bind(doc.to_string())
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    Ok(())
}

/// Removes a document's text from SQLite's full-text index.
pub(super) async fn unindex_text(conn: &mut sqlx::AnyConnection, doc: DocumentId) -> Result<()> {
    sqlx::query(
        "DELETE FROM documents_fts WHERE rowid IN (SELECT fts_rowid FROM documents_fts_rows WHERE doc_id = $1)",
    )
    .bind(doc.to_string())
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    sqlx::query("DELETE FROM documents_fts_rows WHERE doc_id = $1")
        .bind(doc.to_string())
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    Ok(())
}
