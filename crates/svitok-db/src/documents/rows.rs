//! The rows documents are read as, and their decoding (from columns, or from the JSON
//! page a list query renders).

use super::*;

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

#[derive(Debug, Clone)]
pub struct InboxRow {
    pub document: DocumentRow,
    pub transfer: TransferRow,
    pub read: bool,
}

pub(super) const DOC_COLUMNS: &str = "d.id, d.title, d.description, d.kind, d.reg_number, d.owner_id, d.status, \
     d.responsible_user_id, d.responsible_group_id, d.due_date, d.created_at, d.updated_at, d.deleted_at";

pub(super) fn err(e: impl std::fmt::Display) -> CoreError {
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

pub(super) fn document(row: &AnyRow) -> Result<DocumentRow> {
    let status: String = row.try_get("status").map_err(err)?;
    Ok(DocumentRow {
        id: DocumentId(columns::uuid(row, "id")?),
        title: row.try_get("title").map_err(err)?,
        description: row.try_get("description").map_err(err)?,
        kind: row.try_get("kind").map_err(err)?,
        reg_number: row.try_get("reg_number").map_err(err)?,
        owner: UserId(columns::uuid(row, "owner_id")?),
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
pub(super) struct JsonDocument<'a> {
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
pub(super) struct JsonTransfer<'a> {
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

pub(super) fn json_uuid(s: &str) -> Result<uuid::Uuid> {
    uuid::Uuid::parse_str(s).map_err(err)
}

pub(super) fn json_party(user: Option<&str>, group: Option<&str>) -> Result<Party> {
    match (user, group) {
        (Some(u), None) => Ok(Party::User(UserId(json_uuid(u)?))),
        (None, Some(g)) => Ok(Party::Group(GroupId(json_uuid(g)?))),
        _ => Err(CoreError::Internal("a party must be exactly one user or group".into())),
    }
}

/// Runs a statement whose one value is a page of documents as [`Db::json_rows`] renders
/// them, and decodes it.
pub(super) async fn fetch_documents<'q>(
    pool: &sqlx::AnyPool,
    q: Query<'q, Any, AnyArguments<'q>>,
) -> Result<Vec<DocumentRow>> {
    let page: Option<String> = q.fetch_one(pool).await.map_err(map_err)?.try_get(0).map_err(err)?;
    let Some(page) = page else { return Ok(Vec::new()) };
    let rows: Vec<JsonDocument> = serde_json::from_str(&page).map_err(err)?;
    rows.into_iter().map(JsonDocument::into_row).collect()
}

pub(super) fn transfer(row: &AnyRow) -> Result<TransferRow> {
    Ok(TransferRow {
        id: TransferId(columns::uuid(row, "t_id")?),
        from: UserId(columns::uuid(row, "from_user_id")?),
        to: party(row, "to_user_id", "to_group_id")?,
        action: row.try_get("action").map_err(err)?,
        comment: row.try_get("comment").map_err(err)?,
        hand_over: row.try_get::<i64, _>("hand_over").map_err(err)? != 0,
        signature_request: row.try_get::<i64, _>("signature_request").map_err(err)? != 0,
        created_at: row.try_get("t_created_at").map_err(err)?,
    })
}

pub(super) fn split(p: Party) -> (Option<String>, Option<String>) {
    match p {
        Party::User(u) => (Some(u.to_string()), None),
        Party::Group(g) => (None, Some(g.to_string())),
    }
}

pub(super) fn version(r: &AnyRow) -> Result<VersionRow> {
    Ok(VersionRow {
        number: r.try_get("number").map_err(err)?,
        file_name: r.try_get("file_name").map_err(err)?,
        media_type: r.try_get("media_type").map_err(err)?,
        size: r.try_get("size").map_err(err)?,
        sha256: r.try_get("sha256").map_err(err)?,
        blob_key: r.try_get("blob_key").map_err(err)?,
        author: UserId(columns::uuid(r, "author_id")?),
        created_at: r.try_get("created_at").map_err(err)?,
        signatures: r.try_get("signatures").map_err(err)?,
    })
}

impl JsonDocument<'_> {
    pub(super) fn into_row(self) -> Result<DocumentRow> {
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
    pub(super) fn into_row(self) -> Result<TransferRow> {
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
