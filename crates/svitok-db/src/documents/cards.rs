//! Cards: creating a document, its fields, status and responsible party.

use super::*;

/// Moves a document from `from` to `to` unless someone moved it meanwhile (false), and
/// carries the change time to the lists' order.
pub(crate) async fn move_status(
    tx: &mut sqlx::AnyConnection,
    doc: DocumentId,
    from: Status,
    to: Status,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query("UPDATE documents SET status = $3, updated_at = $4 WHERE id = $1 AND status = $2")
        .bind(doc.to_string())
        .bind(from.as_str())
        .bind(to.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sync_reader_times(tx, doc, now).await?;
    Ok(true)
}

pub(super) async fn touch(tx: &mut sqlx::AnyConnection, doc: DocumentId, now: i64) -> Result<()> {
    let done = sqlx::query("UPDATE documents SET updated_at = $2 WHERE id = $1")
        .bind(doc.to_string())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    if done.rows_affected() == 0 {
        return Err(CoreError::NotFound("document"));
    }
    sync_reader_times(tx, doc, now).await
}

pub(super) async fn set_responsible(tx: &mut sqlx::AnyConnection, doc: DocumentId, to: Party, now: i64) -> Result<()> {
    let (u, g) = split(to);
    sqlx::query(
        "UPDATE documents SET responsible_user_id = $2, responsible_group_id = $3, updated_at = $4 WHERE id = $1",
    )
    .bind(doc.to_string())
    .bind(u)
    .bind(g)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    Ok(())
}

impl Db {
    pub async fn document(&self, id: DocumentId) -> Result<Option<DocumentRow>> {
        let row = sqlx::query(&format!("SELECT {DOC_COLUMNS} FROM documents d WHERE d.id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.as_ref().map(document).transpose()
    }
}

impl Tx {
    /// Creates a document, with its first version when it has a file, in one transaction.
    pub async fn insert_document(
        &mut self,
        d: &NewDocument,
        version: Option<&NewVersion>,
        e: &Event,
        now: i64,
    ) -> Result<()> {
        let tx: &mut sqlx::AnyConnection = &mut self.tx;
        let (ru, rg) = split(d.responsible);
        sqlx::query(
            "INSERT INTO documents (id, title, description, kind, reg_number, owner_id, status, responsible_user_id, \
             responsible_group_id, due_date, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $8, $9, $10, $10)",
        )
        .bind(d.id.to_string())
        .bind(&d.title)
        .bind(&d.description)
        .bind(&d.kind)
        .bind(d.reg_number.as_deref())
        .bind(d.owner.to_string())
        .bind(ru)
        .bind(rg)
        .bind(d.due_date.as_deref())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if let Some(v) = version {
            insert_version(tx, d.id, 1, v, now).await?;
        }
        index_text(tx, self.backend, d.id).await?;
        refresh_readers(tx, d.id).await?;
        add_event(tx, d.id, e, now).await?;
        Ok(())
    }

    pub async fn update_card(
        &mut self,
        doc: DocumentId,
        c: (&str, &str, &str, Option<&str>, Option<&str>),
        e: &Event,
        now: i64,
    ) -> Result<()> {
        let (title, description, kind, number, due) = c;
        let tx: &mut sqlx::AnyConnection = &mut self.tx;
        sqlx::query(
            "UPDATE documents SET title = $2, description = $3, kind = $4, reg_number = $5, due_date = $6, \
             updated_at = $7 WHERE id = $1",
        )
        .bind(doc.to_string())
        .bind(title)
        .bind(description)
        .bind(kind)
        .bind(number)
        .bind(due)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        index_text(tx, self.backend, doc).await?;
        sync_reader_times(tx, doc, now).await?;
        add_event(tx, doc, e, now).await?;
        Ok(())
    }

    /// Moves the status from `from` to `to`; false when someone else moved it first.
    pub async fn set_document_status(
        &mut self,
        doc: DocumentId,
        from: Status,
        to: Status,
        e: &Event,
        now: i64,
    ) -> Result<bool> {
        let tx: &mut sqlx::AnyConnection = &mut self.tx;
        if !move_status(tx, doc, from, to, now).await? {
            return Ok(false);
        }
        add_event(tx, doc, e, now).await?;
        Ok(true)
    }

    pub async fn set_responsible(&mut self, doc: DocumentId, to: Party, e: &Event, now: i64) -> Result<()> {
        let tx: &mut sqlx::AnyConnection = &mut self.tx;
        set_responsible(tx, doc, to, now).await?;
        refresh_readers(tx, doc).await?;
        add_event(tx, doc, e, now).await?;
        Ok(())
    }
}
