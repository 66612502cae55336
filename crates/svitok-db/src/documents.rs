//! Documents, versions, transfers, read marks, readers and history.

use crate::{map_err, rows, Db, Result, Tx};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, Row};
use std::borrow::Cow;
use std::cmp::Reverse;
use svitok_core::documents::{Party, Status};
use svitok_core::ids::{DocumentId, GroupId, TransferId, UserId};
use svitok_core::CoreError;

#[cfg(test)]
mod tests {
    #[test]
    fn fts5_queries_quote_every_word() {
        assert_eq!(
            super::fts5_query("отпуск Иванова").as_deref(),
            Some("\"отпуск\"* \"Иванова\"*")
        );
        assert_eq!(
            super::fts5_query("a\" OR x:y*").as_deref(),
            Some("\"a\"* \"OR\"* \"x\"* \"y\"*")
        );
        assert_eq!(super::fts5_query("-- ** \""), None);
    }
}

#[derive(Debug, Clone)]
pub struct DocumentRow {
    pub id: DocumentId,
    pub title: String,
    pub description: String,
    pub kind: String,
    pub reg_number: Option<String>,
    pub owner: UserId,
    pub status: Status,
    pub responsible: Party,
    pub due_date: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct VersionRow {
    pub number: i64,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub blob_key: String,
    pub author: UserId,
    pub created_at: i64,
    /// How many signatures this version has.
    pub signatures: i64,
}

#[derive(Debug, Clone)]
pub struct NewVersion {
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub blob_key: String,
    pub author: UserId,
}

#[derive(Debug, Clone)]
pub struct TransferRow {
    pub id: TransferId,
    pub from: UserId,
    pub to: Party,
    pub action: String,
    pub comment: String,
    pub hand_over: bool,
    /// The recipients are asked to sign.
    pub signature_request: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct EventRow {
    pub actor: Option<UserId>,
    pub action: String,
    pub details: String,
    pub created_at: i64,
}

/// A history entry to write with a change, in the same transaction.
#[derive(Debug, Clone)]
pub struct Event {
    pub actor: UserId,
    pub action: &'static str,
    pub details: serde_json::Value,
}

#[derive(Debug, Clone)]
pub struct NewDocument {
    pub id: DocumentId,
    pub title: String,
    pub description: String,
    pub kind: String,
    pub reg_number: Option<String>,
    pub owner: UserId,
    pub responsible: Party,
    pub due_date: Option<String>,
}

/// Narrows a document list. Every field is optional.
#[derive(Debug, Clone, Default)]
pub struct DocumentFilter {
    pub status: Option<Status>,
    pub responsible: Option<Party>,
    pub owner: Option<UserId>,
    /// Responsible group or recipient group.
    pub group: Option<GroupId>,
    pub kind: Option<String>,
    pub q: Option<String>,
    pub created_from: Option<i64>,
    pub created_to: Option<i64>,
    pub updated_from: Option<i64>,
    pub updated_to: Option<i64>,
    pub due_before: Option<String>,
    pub deleted: bool,
}

/// The orders a list of documents can come in; the newest change first is the default
/// (and the fast one: keyset pages on the readers' index).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DocumentSort {
    #[default]
    UpdatedDesc,
    UpdatedAsc,
    CreatedDesc,
    CreatedAsc,
    TitleAsc,
    TitleDesc,
    /// Soonest due first; documents without a due date last.
    DueAsc,
    DueDesc,
}

impl DocumentSort {
    pub const ALL: [DocumentSort; 8] = [
        DocumentSort::UpdatedDesc,
        DocumentSort::UpdatedAsc,
        DocumentSort::CreatedDesc,
        DocumentSort::CreatedAsc,
        DocumentSort::TitleAsc,
        DocumentSort::TitleDesc,
        DocumentSort::DueAsc,
        DocumentSort::DueDesc,
    ];

    /// The API's names: a field, `-` in front for descending.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentSort::UpdatedDesc => "-updated_at",
            DocumentSort::UpdatedAsc => "updated_at",
            DocumentSort::CreatedDesc => "-created_at",
            DocumentSort::CreatedAsc => "created_at",
            DocumentSort::TitleAsc => "title",
            DocumentSort::TitleDesc => "-title",
            DocumentSort::DueAsc => "due_date",
            DocumentSort::DueDesc => "-due_date",
        }
    }

    pub fn parse(s: &str) -> Option<DocumentSort> {
        DocumentSort::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The SQL order; the id breaks ties, so pages never overlap. Missing due dates go
    /// last either way (the two databases place NULLs differently by themselves).
    fn order_by(self) -> &'static str {
        match self {
            DocumentSort::UpdatedDesc => "d.updated_at DESC, d.id DESC",
            DocumentSort::UpdatedAsc => "d.updated_at ASC, d.id ASC",
            DocumentSort::CreatedDesc => "d.created_at DESC, d.id DESC",
            DocumentSort::CreatedAsc => "d.created_at ASC, d.id ASC",
            DocumentSort::TitleAsc => "d.title ASC, d.id ASC",
            DocumentSort::TitleDesc => "d.title DESC, d.id DESC",
            DocumentSort::DueAsc => "(d.due_date IS NULL) ASC, d.due_date ASC, d.id ASC",
            DocumentSort::DueDesc => "(d.due_date IS NULL) ASC, d.due_date DESC, d.id DESC",
        }
    }
}

/// An argument of a list query's filter.
enum Arg {
    Text(String),
    Int(i64),
}

/// A list query's conditions and their arguments, numbered from `first`.
struct Where {
    conds: Vec<String>,
    args: Vec<Arg>,
    first: usize,
}

impl Where {
    /// Adds an argument; returns its placeholder number.
    fn arg(&mut self, a: Arg) -> usize {
        self.args.push(a);
        self.first + self.args.len() - 1
    }

    /// The placeholder number after the last argument.
    fn next(&self) -> usize {
        self.first + self.args.len()
    }

    /// Binds the arguments, then the principals, in placeholder order.
    fn bind<'q>(
        &'q self,
        mut q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
        principals: &'q [String],
    ) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
        for a in &self.args {
            q = match a {
                Arg::Text(t) => q.bind(t.as_str()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        for p in principals {
            q = q.bind(p.as_str());
        }
        q
    }
}

/// "One of `principals` may read d", the principals' placeholders numbered from `first`.
fn readable_by(first: usize, n: usize) -> String {
    let list: Vec<String> = (first..first + n).map(|i| format!("${i}")).collect();
    format!(
        "d.id IN (SELECT r.document_id FROM document_readers r WHERE r.principal IN ({}))",
        list.join(", ")
    )
}

#[derive(Debug, Clone)]
pub struct InboxRow {
    pub document: DocumentRow,
    pub transfer: TransferRow,
    pub read: bool,
}

const DOC_COLUMNS: &str = "d.id, d.title, d.description, d.kind, d.reg_number, d.owner_id, d.status, \
     d.responsible_user_id, d.responsible_group_id, d.due_date, d.created_at, d.updated_at, d.deleted_at";

fn err(e: impl std::fmt::Display) -> CoreError {
    CoreError::internal(e)
}

pub(crate) fn party(row: &AnyRow, user_col: &str, group_col: &str) -> Result<Party> {
    let u: Option<String> = row.try_get(user_col).map_err(err)?;
    let g: Option<String> = row.try_get(group_col).map_err(err)?;
    match (u, g) {
        (Some(u), None) => Ok(Party::User(UserId(u.parse().map_err(err)?))),
        (None, Some(g)) => Ok(Party::Group(GroupId(g.parse().map_err(err)?))),
        _ => Err(CoreError::Internal("a party must be exactly one user or group".into())),
    }
}

fn document(row: &AnyRow) -> Result<DocumentRow> {
    let status: String = row.try_get("status").map_err(err)?;
    Ok(DocumentRow {
        id: DocumentId(rows::uuid(row, "id")?),
        title: row.try_get("title").map_err(err)?,
        description: row.try_get("description").map_err(err)?,
        kind: row.try_get("kind").map_err(err)?,
        reg_number: row.try_get("reg_number").map_err(err)?,
        owner: UserId(rows::uuid(row, "owner_id")?),
        status: Status::parse(&status).ok_or_else(|| CoreError::Internal(format!("status {status}")))?,
        responsible: party(row, "responsible_user_id", "responsible_group_id")?,
        due_date: row.try_get("due_date").map_err(err)?,
        created_at: row.try_get("created_at").map_err(err)?,
        updated_at: row.try_get("updated_at").map_err(err)?,
        deleted_at: row.try_get("deleted_at").map_err(err)?,
    })
}

/// One document as [`Db::json_rows`] renders [`DOC_COLUMNS`] (a JSON array, in order).
/// Text that needed no JSON escaping is borrowed from the page, not copied.
#[derive(serde::Deserialize)]
struct JsonDocument<'a> {
    id: &'a str,
    #[serde(borrow)]
    title: Cow<'a, str>,
    #[serde(borrow)]
    description: Cow<'a, str>,
    #[serde(borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    reg_number: Option<Cow<'a, str>>,
    owner_id: &'a str,
    status: &'a str,
    responsible_user_id: Option<&'a str>,
    responsible_group_id: Option<&'a str>,
    due_date: Option<&'a str>,
    created_at: i64,
    updated_at: i64,
    deleted_at: Option<i64>,
}

/// The transfer columns of an inbox row, likewise.
#[derive(serde::Deserialize)]
struct JsonTransfer<'a> {
    id: &'a str,
    from_user_id: &'a str,
    to_user_id: Option<&'a str>,
    to_group_id: Option<&'a str>,
    action: &'a str,
    #[serde(borrow)]
    comment: Cow<'a, str>,
    hand_over: i64,
    signature_request: i64,
    created_at: i64,
}

/// One inbox item as [`Db::inbox`] renders it: the document, the transfer, whether it
/// was read, and when it arrived (a JSON array, in order).
#[derive(serde::Deserialize)]
struct JsonInboxItem<'a> {
    #[serde(borrow)]
    document: JsonDocument<'a>,
    #[serde(borrow)]
    transfer: JsonTransfer<'a>,
    read: i64,
    arrived_at: i64,
}

fn json_uuid(s: &str) -> Result<uuid::Uuid> {
    uuid::Uuid::parse_str(s).map_err(err)
}

fn json_party(user: Option<&str>, group: Option<&str>) -> Result<Party> {
    match (user, group) {
        (Some(u), None) => Ok(Party::User(UserId(json_uuid(u)?))),
        (None, Some(g)) => Ok(Party::Group(GroupId(json_uuid(g)?))),
        _ => Err(CoreError::Internal("a party must be exactly one user or group".into())),
    }
}

impl JsonDocument<'_> {
    fn into_row(self) -> Result<DocumentRow> {
        Ok(DocumentRow {
            id: DocumentId(json_uuid(self.id)?),
            title: self.title.into_owned(),
            description: self.description.into_owned(),
            kind: self.kind.into_owned(),
            reg_number: self.reg_number.map(Cow::into_owned),
            owner: UserId(json_uuid(self.owner_id)?),
            status: Status::parse(self.status).ok_or_else(|| CoreError::Internal(format!("status {}", self.status)))?,
            responsible: json_party(self.responsible_user_id, self.responsible_group_id)?,
            due_date: self.due_date.map(str::to_string),
            created_at: self.created_at,
            updated_at: self.updated_at,
            deleted_at: self.deleted_at,
        })
    }
}

impl JsonTransfer<'_> {
    fn into_row(self) -> Result<TransferRow> {
        Ok(TransferRow {
            id: TransferId(json_uuid(self.id)?),
            from: UserId(json_uuid(self.from_user_id)?),
            to: json_party(self.to_user_id, self.to_group_id)?,
            action: self.action.to_string(),
            comment: self.comment.into_owned(),
            hand_over: self.hand_over != 0,
            signature_request: self.signature_request != 0,
            created_at: self.created_at,
        })
    }
}

/// Runs a statement whose one value is a page of documents as [`Db::json_rows`] renders
/// them, and decodes it.
async fn fetch_documents<'q>(pool: &sqlx::AnyPool, q: Query<'q, Any, AnyArguments<'q>>) -> Result<Vec<DocumentRow>> {
    let page: Option<String> = q.fetch_one(pool).await.map_err(map_err)?.try_get(0).map_err(err)?;
    let Some(page) = page else { return Ok(Vec::new()) };
    let rows: Vec<JsonDocument> = serde_json::from_str(&page).map_err(err)?;
    rows.into_iter().map(JsonDocument::into_row).collect()
}

fn transfer(row: &AnyRow) -> Result<TransferRow> {
    Ok(TransferRow {
        id: TransferId(rows::uuid(row, "t_id")?),
        from: UserId(rows::uuid(row, "from_user_id")?),
        to: party(row, "to_user_id", "to_group_id")?,
        action: row.try_get("action").map_err(err)?,
        comment: row.try_get("comment").map_err(err)?,
        hand_over: row.try_get::<i64, _>("hand_over").map_err(err)? != 0,
        signature_request: row.try_get::<i64, _>("signature_request").map_err(err)? != 0,
        created_at: row.try_get("t_created_at").map_err(err)?,
    })
}

fn split(p: Party) -> (Option<String>, Option<String>) {
    match p {
        Party::User(u) => (Some(u.to_string()), None),
        Party::Group(g) => (None, Some(g.to_string())),
    }
}

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

/// One transfer to one recipient, fanned out into the inboxes it reaches.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_transfer(
    tx: &mut sqlx::AnyConnection,
    doc: DocumentId,
    from: UserId,
    p: Party,
    action: &str,
    comment: &str,
    hand_over: bool,
    signature_request: bool,
    now: i64,
) -> Result<TransferId> {
    let id = TransferId::new();
    let (u, g) = split(p);
    sqlx::query(
            "INSERT INTO transfers (id, document_id, from_user_id, to_user_id, to_group_id, action, comment, hand_over, signature_request, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id.to_string())
        .bind(doc.to_string())
        .bind(from.to_string())
        .bind(u)
        .bind(g)
        .bind(action)
        .bind(comment)
        .bind(i64::from(hand_over))
        .bind(i64::from(signature_request))
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    // Into the recipient's inbox, or each member's.
    let fan_out = match p {
        Party::User(_) => {
            "INSERT INTO inbox_items (user_id, transfer_id, document_id, via_group_id, created_at) \
                 VALUES ($3, $1, $2, NULL, $4) ON CONFLICT (user_id, transfer_id) DO NOTHING"
        }
        Party::Group(_) => {
            "INSERT INTO inbox_items (user_id, transfer_id, document_id, via_group_id, created_at) \
                 SELECT m.user_id, $1, $2, $3, $4 FROM group_members m WHERE m.group_id = $3 \
                 ON CONFLICT (user_id, transfer_id) DO NOTHING"
        }
    };
    let target = match p {
        Party::User(u) => u.to_string(),
        Party::Group(g) => g.to_string(),
    };
    sqlx::query(fan_out)
        .bind(id.to_string())
        .bind(doc.to_string())
        .bind(target)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    Ok(id)
}

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

/// Keeps SQLite's full-text index in step with a card (PostgreSQL's is a generated column).
async fn index_text(tx: &mut sqlx::AnyConnection, backend: crate::Backend, doc: DocumentId) -> Result<()> {
    if backend != crate::Backend::Sqlite {
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
async fn unindex_text(conn: &mut sqlx::AnyConnection, doc: DocumentId) -> Result<()> {
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

/// The words of a search as an FTS5 query: each word quoted (so nothing in it is FTS
/// syntax) and matched as a prefix; all must match.
fn fts5_query(q: &str) -> Option<String> {
    let words: Vec<String> = q
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(16)
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

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

/// Carries a document's new `updated_at` to its reader rows (the lists' order).
async fn sync_reader_times(tx: &mut sqlx::AnyConnection, doc: DocumentId, now: i64) -> Result<()> {
    sqlx::query("UPDATE document_readers SET updated_at = $2 WHERE document_id = $1")
        .bind(doc.to_string())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    Ok(())
}

/// `$from, $from+1, …` placeholders for a list of principals.
fn marks(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
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

    /// The filter's conditions on `d` (documents), with their arguments numbered from
    /// `first`. Every list query shares them.
    fn document_where(&self, f: &DocumentFilter, first: usize) -> Where {
        let mut w = Where {
            conds: Vec::new(),
            args: Vec::new(),
            first,
        };
        w.conds.push(if f.deleted {
            "d.deleted_at IS NOT NULL".into()
        } else {
            "d.deleted_at IS NULL".into()
        });
        if let Some(s) = f.status {
            let i = w.arg(Arg::Text(s.as_str().into()));
            w.conds.push(format!("d.status = ${i}"));
        }
        match f.responsible {
            Some(Party::User(u)) => {
                let i = w.arg(Arg::Text(u.to_string()));
                w.conds.push(format!("d.responsible_user_id = ${i}"));
            }
            Some(Party::Group(g)) => {
                let i = w.arg(Arg::Text(g.to_string()));
                w.conds.push(format!("d.responsible_group_id = ${i}"));
            }
            None => {}
        }
        if let Some(o) = f.owner {
            let i = w.arg(Arg::Text(o.to_string()));
            w.conds.push(format!("d.owner_id = ${i}"));
        }
        if let Some(g) = f.group {
            let i = w.arg(Arg::Text(g.to_string()));
            w.conds.push(format!(
                "(d.responsible_group_id = ${i} OR EXISTS (SELECT 1 FROM transfers t WHERE t.document_id = d.id AND t.to_group_id = ${i}))"
            ));
        }
        if let Some(k) = &f.kind {
            let i = w.arg(Arg::Text(k.clone()));
            w.conds.push(format!("d.kind = ${i}"));
        }
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            // The database's own full-text search; one interface, two engines.
            match self.backend {
                crate::Backend::Sqlite => match fts5_query(q) {
                    Some(m) => {
                        let i = w.arg(Arg::Text(m));
                        w.conds.push(format!(
                            "d.id IN (SELECT doc_id FROM documents_fts WHERE documents_fts MATCH ${i})"
                        ));
                    }
                    None => w.conds.push("1 = 0".into()),
                },
                crate::Backend::Postgres => {
                    let i = w.arg(Arg::Text(q.to_string()));
                    w.conds
                        .push(format!("d.search_vector @@ plainto_tsquery('russian', ${i})"));
                }
            }
        }
        if let Some(d) = &f.due_before {
            let i = w.arg(Arg::Text(d.clone()));
            w.conds.push(format!("d.due_date IS NOT NULL AND d.due_date < ${i}"));
        }
        for (col, op, v) in [
            ("d.created_at", ">=", f.created_from),
            ("d.created_at", "<", f.created_to),
            ("d.updated_at", ">=", f.updated_from),
            ("d.updated_at", "<", f.updated_to),
        ] {
            if let Some(v) = v {
                let i = w.arg(Arg::Int(v));
                w.conds.push(format!("{col} {op} ${i}"));
            }
        }
        w
    }

    /// Documents `principals` may read, newest change first, after the keyset cursor
    /// `(updated_at, id)`. Each principal's readable documents are walked in time order
    /// on the `(principal, updated_at, document_id)` index, at most one page from each,
    /// and those few rows merged: a page costs the same with a thousand documents or a
    /// million, and however deep the cursor is.
    pub async fn list_documents(
        &self,
        principals: &[String],
        f: &DocumentFilter,
        after: Option<(i64, String)>,
        limit: i64,
    ) -> Result<Vec<DocumentRow>> {
        if principals.is_empty() {
            return Ok(Vec::new());
        }
        // Placeholders: the filter's and the cursor's, then one per principal; every arm
        // of the union shares the same filter placeholders.
        // The page size is written into the SQL (a checked integer, a handful of distinct
        // texts): a plan that knows it walks the index instead of sorting.
        let limit = limit.clamp(1, 1000);
        let mut w = self.document_where(f, 1);
        if let Some((at, id)) = after {
            // Written so the index range starts at the cursor instead of being filtered.
            let a = w.arg(Arg::Int(at));
            let b = w.arg(Arg::Text(id));
            w.conds.push(format!(
                "r.updated_at <= ${a} AND (r.updated_at < ${a} OR r.document_id < ${b})"
            ));
        }
        let filter = w.conds.join(" AND ");
        let next = w.next();
        let walk = |k: usize, cols: &str| {
            format!(
                "SELECT {cols} FROM document_readers r JOIN documents d ON d.id = r.document_id \
                 WHERE r.principal = ${p} AND {filter} ORDER BY r.updated_at DESC, r.document_id DESC LIMIT {limit}",
                p = next + k
            )
        };
        let select = if principals.len() == 1 {
            // One principal (a user in no group): its walk is the page itself. Fetching
            // the documents again by id, as a merge must, costs a third more (SQLite,
            // a page of 50: 68 -> 46 us; PostgreSQL 0.27 -> 0.20 ms).
            walk(0, DOC_COLUMNS)
        } else {
            // Several (a user and its groups): merge the walks' keys, keep the newest page
            // of distinct documents, and only then fetch those (SQLite, two walks of 50:
            // 132 -> 99 us against fetching every candidate first). A reader row's time is
            // its document's (`sync_reader_times`), as the cursor above also assumes.
            let arms: Vec<String> = (0..principals.len())
                .map(|k| {
                    format!(
                        "SELECT x{k}.document_id, x{k}.updated_at FROM ({}) x{k}",
                        walk(k, "r.document_id, r.updated_at")
                    )
                })
                .collect();
            format!(
                "SELECT {DOC_COLUMNS} FROM (SELECT m.document_id, MAX(m.updated_at) AS changed_at FROM ({}) m \
                 GROUP BY m.document_id ORDER BY changed_at DESC, m.document_id DESC LIMIT {limit}) k \
                 JOIN documents d ON d.id = k.document_id",
                arms.join(" UNION ALL ")
            )
        };
        let sql = format!("SELECT {}", self.json_rows(DOC_COLUMNS, None, &select, "d"));
        let mut docs = fetch_documents(&self.pool, w.bind(sqlx::query(&sql), principals)).await?;
        // The SQL's own order: newest change first, the id breaking ties (the uuid's bytes
        // order as its hex text does).
        docs.sort_unstable_by_key(|d| Reverse((d.updated_at, d.id.0)));
        Ok(docs)
    }

    /// Documents `principals` may read in another order than the newest change first:
    /// a page at `offset` (these orders have no keyset on the readers' index).
    pub async fn list_documents_sorted(
        &self,
        principals: &[String],
        f: &DocumentFilter,
        sort: DocumentSort,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<DocumentRow>> {
        if principals.is_empty() {
            return Ok(Vec::new());
        }
        let w = self.document_where(f, 3);
        let readable = readable_by(w.next(), principals.len());
        let order = sort.order_by();
        let sql = format!(
            "SELECT {}",
            self.json_rows(
                DOC_COLUMNS,
                Some(order),
                &format!(
                    "SELECT {DOC_COLUMNS} FROM documents d WHERE {readable} AND {} ORDER BY {order} LIMIT $1 OFFSET $2",
                    w.conds.join(" AND ")
                ),
                "d",
            )
        );
        fetch_documents(
            &self.pool,
            w.bind(sqlx::query(&sql).bind(limit).bind(offset), principals),
        )
        .await
    }

    /// How many documents `principals` may read that match the filter.
    pub async fn count_documents(&self, principals: &[String], f: &DocumentFilter) -> Result<i64> {
        if principals.is_empty() {
            return Ok(0);
        }
        let w = self.document_where(f, 1);
        let readable = readable_by(w.next(), principals.len());
        let sql = format!(
            "SELECT COUNT(*) AS n FROM documents d WHERE {readable} AND {}",
            w.conds.join(" AND ")
        );
        let q = w.bind(sqlx::query(&sql), principals);
        q.fetch_one(&self.pool)
            .await
            .map_err(map_err)?
            .try_get("n")
            .map_err(err)
    }

    /// A scalar subquery that gives the rows of `select` (aliased `alias`) as one JSON
    /// array of arrays of `cols`: a page is one value to move and decode instead of a row
    /// per item (the per-row hand-off between the database driver and the caller was most
    /// of a list request's cost). NULL when there are no rows.
    ///
    /// With `order` the array comes sorted. Without it the order is unspecified and the
    /// caller sorts the decoded page itself, as the hot pages do whose sort keys are in
    /// their rows: an ordered aggregate copies every row through a temporary B-tree
    /// (SQLite, a page of 50: inbox 107 → 89 µs, list 82 → 68 µs).
    fn json_rows(&self, cols: &str, order: Option<&str>, select: &str, alias: &str) -> String {
        let order = order.map(|o| format!(" ORDER BY {o}")).unwrap_or_default();
        match self.backend {
            crate::Backend::Sqlite => {
                format!("(SELECT json_group_array(json_array({cols}){order}) FROM ({select}) {alias})")
            }
            crate::Backend::Postgres => {
                format!("(SELECT CAST(json_agg(json_build_array({cols}){order}) AS TEXT) FROM ({select}) {alias})")
            }
        }
    }

    /// The user's inbox, unread first and newest first within each, with the number of
    /// items and of unread ones (kept per user by triggers). One statement, one row.
    pub async fn inbox(&self, user: UserId, limit: i64, offset: i64) -> Result<(Vec<InboxRow>, i64, i64)> {
        // Page size and offset are written into the SQL (checked integers), as in the
        // lists: PostgreSQL then keeps one generic plan instead of planning every call.
        let (limit, offset) = (limit.clamp(1, 1000), offset.max(0));
        // Per item: the document's columns, the transfer's, whether it was read and when
        // it arrived (the sort keys: the page is sorted here as the SQL sorts it).
        let array = match self.backend {
            crate::Backend::Sqlite => "json_array",
            crate::Backend::Postgres => "json_build_array",
        };
        let item = format!(
            "{array}({}), {array}(x.t_id, x.from_user_id, x.to_user_id, x.to_group_id, x.action, x.comment, \
             x.hand_over, x.signature_request, x.t_created_at), 1 - x.unread, x.i_created_at",
            DOC_COLUMNS.replace("d.", "x.")
        );
        let page = self.json_rows(
            &item,
            None,
            &format!(
                "SELECT {DOC_COLUMNS}, t.id AS t_id, t.from_user_id, t.to_user_id, t.to_group_id, t.action, t.comment, \
                 t.hand_over, t.signature_request, t.created_at AS t_created_at, i.unread, i.created_at AS i_created_at, i.transfer_id \
                 FROM inbox_items i JOIN transfers t ON t.id = i.transfer_id JOIN documents d ON d.id = i.document_id \
                 WHERE i.user_id = $1 AND i.deleted = 0 \
                 ORDER BY i.unread DESC, i.created_at DESC, i.transfer_id DESC LIMIT {limit} OFFSET {offset}"
            ),
            "x",
        );
        let row = sqlx::query(&format!(
            "SELECT (SELECT total FROM inbox_counts WHERE user_id = $1) AS total, \
             (SELECT unread FROM inbox_counts WHERE user_id = $1) AS unread, {page} AS page"
        ))
        .bind(user.to_string())
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        let total: Option<i64> = row.try_get("total").map_err(err)?;
        let unread: Option<i64> = row.try_get("unread").map_err(err)?;
        let page: Option<String> = row.try_get("page").map_err(err)?;
        let items = match page.as_deref() {
            None => Vec::new(),
            Some(p) => {
                let rows: Vec<JsonInboxItem> = serde_json::from_str(p).map_err(err)?;
                let mut items = rows
                    .into_iter()
                    .map(|i| {
                        let arrived = i.arrived_at;
                        let row = InboxRow {
                            document: i.document.into_row()?,
                            transfer: i.transfer.into_row()?,
                            read: i.read == 1,
                        };
                        Ok((arrived, row))
                    })
                    .collect::<Result<Vec<_>>>()?;
                // Unread first, then the newest arrival, the transfer id breaking ties.
                items.sort_unstable_by_key(|(arrived, row)| (row.read, Reverse(*arrived), Reverse(row.transfer.id.0)));
                items.into_iter().map(|(_, row)| row).collect()
            }
        };
        Ok((items, total.unwrap_or(0), unread.unwrap_or(0)))
    }

    pub async fn transfers(&self, doc: DocumentId) -> Result<Vec<TransferRow>> {
        let rows = sqlx::query(
            "SELECT id AS t_id, from_user_id, to_user_id, to_group_id, action, comment, hand_over, signature_request, created_at AS t_created_at \
             FROM transfers WHERE document_id = $1 ORDER BY created_at, id",
        )
        .bind(doc.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter().map(transfer).collect()
    }

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

    /// Documents for which the group is responsible or to which they were addressed.
    pub async fn group_document_count(&self, group: GroupId) -> Result<i64> {
        sqlx::query(
            "SELECT (SELECT COUNT(*) FROM documents WHERE responsible_group_id = $1) \
                  + (SELECT COUNT(*) FROM transfers WHERE to_group_id = $1) AS n",
        )
        .bind(group.to_string())
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?
        .try_get("n")
        .map_err(err)
    }

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
            let id = DocumentId(rows::uuid(&r, "id")?);
            let keys = self.versions(id).await?.into_iter().map(|v| v.blob_key).collect();
            out.push((id, keys));
        }
        Ok(out)
    }

    /// Removes a document for good (its versions, transfers and history go with it).
    pub async fn purge_document(&self, id: DocumentId) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        if self.backend == crate::Backend::Sqlite {
            unindex_text(&mut tx, id).await?;
        }
        sqlx::query("DELETE FROM documents WHERE id = $1 AND deleted_at IS NOT NULL")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)
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

/// The cursor's time is the last integer bound, followed by its id (a text).
/// Writes to documents, inside a unit of work ([`Tx`]): the caller adds the audit entry and
/// commits.
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

    /// Records transfers to each recipient (and hands responsibility over when asked), in
    /// one transaction; returns their ids.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_transfers(
        &mut self,
        doc: DocumentId,
        from: UserId,
        to: &[Party],
        action: &str,
        comment: &str,
        hand_over: Option<Party>,
        e: &Event,
        now: i64,
    ) -> Result<Vec<TransferId>> {
        let tx: &mut sqlx::AnyConnection = &mut self.tx;
        touch(tx, doc, now).await?;
        let mut ids = Vec::new();
        for p in to {
            ids.push(insert_transfer(tx, doc, from, *p, action, comment, hand_over == Some(*p), false, now).await?);
        }
        if let Some(p) = hand_over {
            set_responsible(tx, doc, p, now).await?;
        }
        refresh_readers(tx, doc).await?;
        add_event(tx, doc, e, now).await?;
        Ok(ids)
    }

    /// Records a history entry on its own (a download changes nothing else).
    pub async fn add_document_event(&mut self, doc: DocumentId, e: &Event, now: i64) -> Result<()> {
        let tx: &mut sqlx::AnyConnection = &mut self.tx;
        add_event(tx, doc, e, now).await?;
        Ok(())
    }

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

    /// Marks what was sent to `user` with this document as read.
    pub async fn mark_read(&mut self, doc: DocumentId, user: UserId) -> Result<()> {
        sqlx::query("UPDATE inbox_items SET unread = 0 WHERE document_id = $1 AND user_id = $2 AND unread = 1")
            .bind(doc.to_string())
            .bind(user.to_string())
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        Ok(())
    }
}

fn version(r: &AnyRow) -> Result<VersionRow> {
    Ok(VersionRow {
        number: r.try_get("number").map_err(err)?,
        file_name: r.try_get("file_name").map_err(err)?,
        media_type: r.try_get("media_type").map_err(err)?,
        size: r.try_get("size").map_err(err)?,
        sha256: r.try_get("sha256").map_err(err)?,
        blob_key: r.try_get("blob_key").map_err(err)?,
        author: UserId(rows::uuid(r, "author_id")?),
        created_at: r.try_get("created_at").map_err(err)?,
        signatures: r.try_get("signatures").map_err(err)?,
    })
}

async fn touch(tx: &mut sqlx::AnyConnection, doc: DocumentId, now: i64) -> Result<()> {
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

async fn insert_version(
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

async fn set_responsible(tx: &mut sqlx::AnyConnection, doc: DocumentId, to: Party, now: i64) -> Result<()> {
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
