//! Versions: a document's files, numbered from 1.

use super::*;

pub(super) async fn insert_version(
    tx: &mut sqlx::AnyConnection,
    doc: DocumentId,
    number: i64,
    v: &NewVersion,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO document_versions (document_id, number, file_name, media_type, size, sha256, blob_key, author_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(doc.to_string())
    .bind(number)
    .bind(&v.file_name)
    .bind(&v.media_type)
    .bind(v.size)
    .bind(&v.sha256)
    .bind(&v.blob_key)
    .bind(v.author.to_string())
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    Ok(())
}

impl Db {
    pub async fn versions(&self, doc: DocumentId) -> Result<Vec<VersionRow>> {
        let rows = sqlx::query(
            "SELECT v.number, v.file_name, v.media_type, v.size, v.sha256, v.blob_key, v.author_id, v.created_at, \
             (SELECT COUNT(*) FROM signatures s WHERE s.document_id = v.document_id AND s.version_number = v.number) \
             AS signatures FROM document_versions v WHERE v.document_id = $1 ORDER BY v.number",
        )
        .bind(doc.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter().map(version).collect()
    }

    /// Whether any version refers to a blob (the orphan sweeper keeps those).
    pub async fn blob_in_use(&self, key: &str) -> Result<bool> {
        Ok(
            sqlx::query("SELECT 1 AS one FROM document_versions WHERE blob_key = $1 LIMIT 1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_err)?
                .is_some(),
        )
    }
}

impl Tx {
    /// Adds the next version (numbers are 1, 2, … without gaps).
    pub async fn add_version(&mut self, doc: DocumentId, v: &NewVersion, e: &Event, now: i64) -> Result<i64> {
        let tx: &mut sqlx::AnyConnection = &mut self.tx;
        // Writing first takes SQLite's write lock before reading the last number.
        touch(tx, doc, now).await?;
        let next: i64 =
            sqlx::query("SELECT COALESCE(MAX(number), 0) + 1 AS n FROM document_versions WHERE document_id = $1")
                .bind(doc.to_string())
                .fetch_one(&mut *tx)
                .await
                .map_err(map_err)?
                .try_get("n")
                .map_err(err)?;
        insert_version(tx, doc, next, v, now).await?;
        add_event(tx, doc, e, now).await?;
        Ok(next)
    }
}
