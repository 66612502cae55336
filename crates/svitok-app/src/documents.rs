//! Documents: cards and files, status, responsibility, sending, inbox, history, trash.
//! Every operation on one document goes through [`open`], which works out the caller's
//! relation to it and asks `svitok_core::documents::decide`; a document the caller may not
//! read is "not found", and the refusal is audited.

use crate::audit;
use crate::state::AppState;
use crate::Caller;
use bytes::Bytes;
use futures_util::Stream;
use serde_json::json;
use svitok_core::documents::{self as rules, DocOp, Party, Relation, Status};
use svitok_core::ids::{DocumentId, GroupId, UserId};
use svitok_core::rights::Right;
use svitok_core::user::{person_text, UserStatus};
use svitok_core::{CoreError, Result};
use svitok_db::{DocumentFilter, DocumentRow, Event, InboxRow, NewDocument, NewVersion, Tx, VersionRow};
use svitok_storage::{BlobError, BlobWriter};

/// A document as its reader sees it, with the caller's relation to it.
pub struct Opened {
    pub doc: DocumentRow,
    pub rel: Relation,
    pub principals: Vec<String>,
}

async fn relation(
    state: &AppState,
    actor: &Caller,
    doc: &DocumentRow,
    principals: &[String],
    op: DocOp,
) -> Result<Relation> {
    let me = actor.user.id;
    let mut rel = Relation {
        owner: doc.owner == me,
        responsible_user: doc.responsible == Party::User(me),
        responsible_group_member: matches!(doc.responsible, Party::Group(g) if principals.contains(&Party::Group(g).principal())),
        recipient: false,
    };
    // Being a recipient matters only when nothing else lets the caller read, or to
    // forward: spare the owner's and the responsible party's requests that query.
    if !rel.can_read() || op == DocOp::Forward {
        rel.recipient = state.db.is_recipient(doc.id, principals).await?;
    }
    Ok(rel)
}

/// Loads a document for `op`, or refuses (404 to strangers, 403 to readers lacking the
/// right), writing refusals to the audit log.
pub async fn open(state: &AppState, actor: &Caller, id: DocumentId, op: DocOp) -> Result<Opened> {
    let principals = actor.principals();
    let doc = state.db.document(id).await?;
    let decision = match &doc {
        None => Err(CoreError::NotFound("document")),
        Some(d) => {
            let rel = relation(state, actor, d, &principals, op).await?;
            // Readability first, so nothing below tells a stranger the document exists.
            let trashed = d.deleted_at.is_some();
            if !rel.can_read() || (trashed && !(rel.owner && matches!(op, DocOp::Read | DocOp::Restore))) {
                // In the trash a document is its owner's alone, to look at or restore.
                Err(CoreError::NotFound("document"))
            } else {
                rules::decide(actor.rights, rel, op).and_then(|()| {
                    if !trashed && op == DocOp::Restore {
                        Err(CoreError::Conflict {
                            message: "Документ не в корзине".into(),
                            field: None,
                        })
                    } else {
                        Ok(rel)
                    }
                })
            }
        }
    };
    match decision {
        Ok(rel) => Ok(Opened {
            doc: doc.expect("decided on a document"),
            rel,
            principals,
        }),
        Err(e) => {
            if matches!(e, CoreError::NotFound(_) | CoreError::Forbidden(_)) {
                state
                    .audit(audit::event(
                        Some(&actor.user.id),
                        "document.access_denied",
                        Some(id.to_string()),
                        &actor.client,
                        false,
                        json!({ "operation": format!("{op:?}"), "reason": e.code() }),
                    ))
                    .await?;
            }
            Err(e)
        }
    }
}

fn event(actor: &Caller, action: &'static str, details: serde_json::Value) -> Event {
    Event {
        actor: actor.user.id,
        action,
        details,
    }
}

/// Queues the audit entry of a change to a document in the change's unit of work.
pub(crate) fn audited(
    tx: &mut Tx,
    state: &AppState,
    actor: &Caller,
    action: &str,
    doc: DocumentId,
    details: serde_json::Value,
) {
    tx.audit(
        audit::event(
            Some(&actor.user.id),
            action,
            Some(doc.to_string()),
            &actor.client,
            true,
            details,
        ),
        state.now(),
    );
}

/// The card's fields as they arrive.
#[derive(Debug, Clone, Default)]
pub struct CardInput {
    pub title: Option<String>,
    pub description: Option<String>,
    pub kind: Option<String>,
    pub reg_number: Option<String>,
    pub due_date: Option<String>,
}

struct Card {
    title: String,
    description: String,
    kind: String,
    reg_number: Option<String>,
    due_date: Option<String>,
}

fn optional(field: &str, v: Option<&str>, max: usize) -> Result<Option<String>> {
    match v.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => {
            if s.chars().count() > max {
                return Err(CoreError::validation(
                    field,
                    format!("Поле «{field}» длиннее {max} символов"),
                ));
            }
            // Descriptions may hold line breaks; nothing else below a space.
            if s.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
                return Err(CoreError::validation(
                    field,
                    format!("Поле «{field}» содержит недопустимые символы"),
                ));
            }
            Ok(Some(s.to_string()))
        }
    }
}

fn due_date(v: Option<&str>) -> Result<Option<String>> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => {
            let fmt = time::macros::format_description!("[year]-[month]-[day]");
            time::Date::parse(s, &fmt)
                .map(|d| Some(d.to_string()))
                .map_err(|_| CoreError::validation("due_date", "Срок должен быть датой в формате ГГГГ-ММ-ДД"))
        }
    }
}

impl CardInput {
    fn validate(&self, fallback_title: Option<&str>) -> Result<Card> {
        let title = match self
            .title
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .or(fallback_title)
        {
            Some(t) => person_text("title", t, 500)?,
            None => return Err(CoreError::validation("title", "Укажите название документа")),
        };
        Ok(Card {
            title,
            description: optional("description", self.description.as_deref(), 10_000)?.unwrap_or_default(),
            kind: optional("kind", self.kind.as_deref(), 200)?.unwrap_or_default(),
            reg_number: optional("reg_number", self.reg_number.as_deref(), 100)?,
            due_date: due_date(self.due_date.as_deref())?,
        })
    }
}

/// Checks that a party exists (an active user or a group) before it is made responsible
/// or a recipient.
async fn existing(state: &AppState, p: Party, field: &str) -> Result<Party> {
    let ok = match p {
        Party::User(u) => state.db.user(u).await?.is_some_and(|u| u.status == UserStatus::Active),
        Party::Group(g) => state.db.group(g).await?.is_some(),
    };
    if ok {
        Ok(p)
    } else {
        Err(CoreError::validation(
            field,
            "Такого активного пользователя или группы нет",
        ))
    }
}

/// Creating needs `create_documents` for a card, `manage_own_documents` with a file:
/// checked before a single byte of the file is read.
pub fn may_create(actor: &Caller, with_file: bool) -> Result<()> {
    actor.require(if with_file {
        Right::ManageOwnDocuments
    } else {
        Right::CreateDocuments
    })
}

/// A file received, stored and not yet attached to a document.
pub struct Upload {
    pub file_name: String,
    pub media_type: String,
    pub blob: svitok_storage::StoredBlob,
}

/// Starts receiving a file into the blob store, within the size limit.
pub async fn begin_upload(state: &AppState) -> Result<BlobWriter> {
    state.blobs.writer(state.settings.max_upload).await.map_err(blob_error)
}

pub fn blob_error(e: BlobError) -> CoreError {
    match e {
        BlobError::TooLarge { limit } => CoreError::TooLarge(format!(
            "Файл больше допустимого размера ({} МиБ)",
            limit / (1024 * 1024)
        )),
        BlobError::Corrupt(why) => CoreError::Internal(format!("stored file failed its integrity check: {why}")),
        other => CoreError::internal(other),
    }
}

/// Characters that reorder text when shown (U+202A–U+202E, U+2066–U+2069, the marks):
/// «счёт\u{202E}fdp.exe» reads as «счётexe.pdf».
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The name a file is stored under: no directories, no control or bidirectional control
/// characters, at most 255.
pub fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let name: String = base
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .take(255)
        .collect();
    let name = name.trim().to_string();
    if name.is_empty() || name == "." || name == ".." {
        "file".into()
    } else {
        name
    }
}

/// Types a browser only shows or saves, never runs: served as stored. Anything else (HTML,
/// scripts, SVG, XML…) is served as `application/octet-stream`, so a file from one reader
/// cannot run as our own origin in another's browser.
const PASSIVE_TYPES: &[&str] = &[
    "application/pdf",
    "application/zip",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/plain",
    "text/csv",
];

/// The Content-Type a stored file is served with.
pub fn served_media_type(stored: &str) -> &str {
    if PASSIVE_TYPES.contains(&stored) {
        stored
    } else {
        "application/octet-stream"
    }
}

/// `type/subtype` made of token characters, or `application/octet-stream`.
pub fn clean_media_type(raw: Option<&str>) -> String {
    let token = |s: &str| {
        !s.is_empty() && s.len() <= 100 && s.chars().all(|c| c.is_ascii_alphanumeric() || "!#$&^_.+-".contains(c))
    };
    match raw.map(|m| m.split(';').next().unwrap_or("").trim().to_ascii_lowercase()) {
        Some(m) if m.split_once('/').is_some_and(|(a, b)| token(a) && token(b)) => m,
        _ => "application/octet-stream".into(),
    }
}

pub async fn create(
    state: &AppState,
    actor: &Caller,
    card: CardInput,
    responsible: Option<Party>,
    upload: Option<Upload>,
) -> Result<DocumentId> {
    may_create(actor, upload.is_some())?;
    let fallback = upload.as_ref().map(|u| u.file_name.as_str());
    let result = async {
        let c = card.validate(fallback)?;
        let responsible = match responsible {
            Some(p) => existing(state, p, "responsible").await?,
            None => Party::User(actor.user.id),
        };
        let id = DocumentId::new();
        let version = upload.as_ref().map(|u| NewVersion {
            file_name: u.file_name.clone(),
            media_type: u.media_type.clone(),
            size: u.blob.size as i64,
            sha256: u.blob.sha256.clone(),
            blob_key: u.blob.key.clone(),
            author: actor.user.id,
        });
        let new = NewDocument {
            id,
            title: c.title,
            description: c.description,
            kind: c.kind,
            reg_number: c.reg_number,
            owner: actor.user.id,
            responsible,
            due_date: c.due_date,
        };
        let details = json!({ "title": new.title, "file": version.as_ref().map(|v| &v.file_name) });
        let mut tx = state.db.begin().await?;
        tx.insert_document(
            &new,
            version.as_ref(),
            &event(actor, "created", details.clone()),
            state.now(),
        )
        .await?;
        // The audit log names objects by id; titles and file names stay in the document's
        // own history, which only its readers see.
        audited(
            &mut tx,
            state,
            actor,
            "document.created",
            id,
            json!({ "with_file": version.is_some() }),
        );
        tx.seal().await?;
        Ok((id, tx))
    }
    .await;
    match result {
        Ok((id, tx)) => {
            // Should COMMIT itself fail, whether the row committed is unknown: the file
            // stays, and the sweeper removes it if no version names it.
            tx.commit().await?;
            Ok(id)
        }
        Err(e) => {
            // Nothing committed refers to the stored file: remove it now rather than wait
            // for the sweeper.
            if let Some(u) = upload {
                let _ = state.blobs.delete(&u.blob.key).await;
            }
            Err(e)
        }
    }
}

pub async fn add_version(state: &AppState, actor: &Caller, id: DocumentId, upload: Upload) -> Result<i64> {
    let result = async {
        open(state, actor, id, DocOp::AddVersion).await?;
        let v = NewVersion {
            file_name: upload.file_name.clone(),
            media_type: upload.media_type.clone(),
            size: upload.blob.size as i64,
            sha256: upload.blob.sha256.clone(),
            blob_key: upload.blob.key.clone(),
            author: actor.user.id,
        };
        let details = json!({ "file": v.file_name, "size": v.size });
        let mut tx = state.db.begin().await?;
        let n = tx
            .add_version(id, &v, &event(actor, "version_added", details.clone()), state.now())
            .await?;
        audited(
            &mut tx,
            state,
            actor,
            "document.version_added",
            id,
            json!({ "number": n, "size": v.size }),
        );
        tx.seal().await?;
        Ok((n, tx))
    }
    .await;
    match result {
        Ok((n, tx)) => {
            // As in `create`: after a failed COMMIT the file stays for the sweeper.
            tx.commit().await?;
            Ok(n)
        }
        Err(e) => {
            let _ = state.blobs.delete(&upload.blob.key).await;
            Err(e)
        }
    }
}

/// Opens a document for reading and marks what was sent to the caller as read.
pub async fn read(state: &AppState, actor: &Caller, id: DocumentId) -> Result<(Opened, Vec<VersionRow>)> {
    let o = open(state, actor, id, DocOp::Read).await?;
    let mut tx = state.db.begin().await?;
    tx.mark_read(id, actor.user.id).await?;
    audited(&mut tx, state, actor, "document.read", id, json!({}));
    tx.commit().await?;
    let versions = state.db.versions(id).await?;
    Ok((o, versions))
}

/// The card as it stands after the caller changed it: no read mark, no audit event (the
/// change itself was audited).
pub async fn card(state: &AppState, actor: &Caller, id: DocumentId) -> Result<(Opened, Vec<VersionRow>)> {
    let o = open(state, actor, id, DocOp::Read).await?;
    let versions = state.db.versions(id).await?;
    Ok((o, versions))
}

pub async fn versions(state: &AppState, actor: &Caller, id: DocumentId) -> Result<Vec<VersionRow>> {
    open(state, actor, id, DocOp::Read).await?;
    state.db.versions(id).await
}

pub type ByteStream = std::pin::Pin<Box<dyn Stream<Item = std::result::Result<Bytes, BlobError>> + Send>>;

/// A `Range: bytes=…` request, before it is checked against the file's size.
#[derive(Debug, Clone, Copy)]
pub enum ByteRange {
    /// `a-` or `a-b`.
    From(u64, Option<u64>),
    /// `-n`: the last n bytes.
    Suffix(u64),
}

pub enum Download {
    Full(VersionRow, ByteStream),
    /// Bytes `start..=end` of the file.
    Partial(VersionRow, u64, u64, ByteStream),
    /// The range lies outside the file (416).
    Unsatisfiable(VersionRow),
}

/// A version's file as a stream, checked as it goes (see `svitok_storage`): all of it, or
/// the requested range.
pub async fn download(
    state: &AppState,
    actor: &Caller,
    id: DocumentId,
    number: i64,
    range: Option<ByteRange>,
) -> Result<Download> {
    open(state, actor, id, DocOp::Download).await?;
    let v = state
        .db
        .versions(id)
        .await?
        .into_iter()
        .find(|v| v.number == number)
        .ok_or(CoreError::NotFound("version"))?;
    let size = v.size as u64;
    let bounds = range.map(|r| match r {
        ByteRange::From(a, b) => (a, b.unwrap_or(u64::MAX).min(size.saturating_sub(1))),
        ByteRange::Suffix(n) => (size.saturating_sub(n), size.saturating_sub(1)),
    });
    if let Some((a, b)) = bounds {
        if size == 0 || a > b || a >= size {
            return Ok(Download::Unsatisfiable(v));
        }
    }
    let details = json!({ "version": number, "range": bounds.map(|(a, b)| format!("{a}-{b}")) });
    let mut tx = state.db.begin().await?;
    tx.add_document_event(id, &event(actor, "downloaded", details.clone()), state.now())
        .await?;
    audited(&mut tx, state, actor, "document.downloaded", id, details);
    tx.commit().await?;
    Ok(match bounds {
        None => {
            let s = state.blobs.read(&v.blob_key, &v.sha256).await.map_err(blob_error)?;
            Download::Full(v, Box::pin(s))
        }
        Some((a, b)) => {
            let s = state
                .blobs
                .read_range(&v.blob_key, size, a, b)
                .await
                .map_err(blob_error)?;
            Download::Partial(v, a, b, Box::pin(s))
        }
    })
}

pub async fn update_card(state: &AppState, actor: &Caller, id: DocumentId, input: CardInput) -> Result<()> {
    let o = open(state, actor, id, DocOp::EditCard).await?;
    let d = &o.doc;
    // The audit log says which fields changed, not to what: that is the card's content.
    let fields: Vec<&str> = [
        ("title", input.title.is_some()),
        ("description", input.description.is_some()),
        ("kind", input.kind.is_some()),
        ("reg_number", input.reg_number.is_some()),
        ("due_date", input.due_date.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, given)| given.then_some(name))
    .collect();
    // Absent fields keep their values; an empty string clears an optional one.
    let merged = CardInput {
        title: input.title.or(Some(d.title.clone())),
        description: input.description.or(Some(d.description.clone())),
        kind: input.kind.or(Some(d.kind.clone())),
        reg_number: input.reg_number.or(d.reg_number.clone()),
        due_date: input.due_date.or(d.due_date.clone()),
    };
    let c = merged.validate(None)?;
    let details = json!({ "title": c.title, "kind": c.kind, "reg_number": c.reg_number, "due_date": c.due_date });
    let mut tx = state.db.begin().await?;
    tx.update_card(
        id,
        (
            &c.title,
            &c.description,
            &c.kind,
            c.reg_number.as_deref(),
            c.due_date.as_deref(),
        ),
        &event(actor, "updated", details.clone()),
        state.now(),
    )
    .await?;
    audited(
        &mut tx,
        state,
        actor,
        "document.updated",
        id,
        json!({ "fields": fields }),
    );
    tx.commit().await
}

pub async fn change_status(state: &AppState, actor: &Caller, id: DocumentId, to: Status) -> Result<()> {
    let o = open(state, actor, id, DocOp::ChangeStatus).await?;
    let from = o.doc.status;
    rules::transition(from, to)?;
    let details = json!({ "from": from.as_str(), "to": to.as_str() });
    let mut tx = state.db.begin().await?;
    if !tx
        .set_document_status(
            id,
            from,
            to,
            &event(actor, "status_changed", details.clone()),
            state.now(),
        )
        .await?
    {
        return Err(CoreError::Conflict {
            message: "Статус документа только что изменил кто-то другой; обновите карточку".into(),
            field: Some("status"),
        });
    }
    audited(&mut tx, state, actor, "document.status_changed", id, details);
    tx.commit().await
}

/// Hands responsibility to a user or group; a member of the responsible group may take
/// the document into its own responsibility.
pub async fn change_responsible(state: &AppState, actor: &Caller, id: DocumentId, to: Party) -> Result<()> {
    let taking = to == Party::User(actor.user.id);
    let o = match open(state, actor, id, DocOp::ChangeResponsible).await {
        Err(CoreError::Forbidden(_)) if taking => open(state, actor, id, DocOp::Take).await?,
        other => other?,
    };
    let to = existing(state, to, "responsible").await?;
    let details = json!({ "from": party_json(o.doc.responsible), "to": party_json(to), "taken": taking });
    let mut tx = state.db.begin().await?;
    tx.set_responsible(
        id,
        to,
        &event(actor, "responsible_changed", details.clone()),
        state.now(),
    )
    .await?;
    audited(&mut tx, state, actor, "document.responsible_changed", id, details);
    tx.commit().await
}

pub fn party_json(p: Party) -> serde_json::Value {
    match p {
        Party::User(u) => json!({ "kind": "user", "id": u }),
        Party::Group(g) => json!({ "kind": "group", "id": g }),
    }
}

/// Sends (or forwards) a document to users and groups, optionally handing over
/// responsibility to the single recipient. Recipients are told by mail in the background.
pub async fn transfer(
    state: &AppState,
    actor: &Caller,
    id: DocumentId,
    to: Vec<Party>,
    comment: Option<String>,
    hand_over: bool,
    forward: bool,
) -> Result<usize> {
    let o = open(state, actor, id, if forward { DocOp::Forward } else { DocOp::Send }).await?;
    if hand_over {
        rules::decide(actor.rights, o.rel, DocOp::ChangeResponsible)?;
    }
    if to.is_empty() || to.len() > 100 {
        return Err(CoreError::validation("to", "Укажите от 1 до 100 получателей"));
    }
    if hand_over && to.len() != 1 {
        return Err(CoreError::validation(
            "hand_over",
            "Передать ответственность можно одному получателю",
        ));
    }
    let mut recipients = Vec::new();
    for p in to {
        let p = existing(state, p, "to").await?;
        if !recipients.contains(&p) {
            recipients.push(p);
        }
    }
    let comment = optional("comment", comment.as_deref(), 2000)?.unwrap_or_default();
    let action = if forward { "forward" } else { "send" };
    let details = json!({ "to": recipients.iter().map(|p| party_json(*p)).collect::<Vec<_>>(), "comment": comment,
                          "hand_over": hand_over });
    let mut tx = state.db.begin().await?;
    tx.add_transfers(
        id,
        actor.user.id,
        &recipients,
        action,
        &comment,
        hand_over.then(|| recipients[0]),
        &event(actor, if forward { "forwarded" } else { "sent" }, details.clone()),
        state.now(),
    )
    .await?;
    // Recipients by id; the comment is the document's content, kept in its history.
    let audit_details = json!({ "to": details["to"], "hand_over": hand_over, "with_comment": !comment.is_empty() });
    audited(
        &mut tx,
        state,
        actor,
        if forward { "document.forwarded" } else { "document.sent" },
        id,
        audit_details,
    );
    tx.commit().await?;
    notify_recipients(state, actor, &o.doc, &recipients, false).await;
    Ok(recipients.len())
}

/// One mail per recipient address (a group's members each get one), sent in the
/// background: the transfer is already recorded and visible in the inboxes.
pub(crate) async fn notify_recipients(
    state: &AppState,
    actor: &Caller,
    doc: &DocumentRow,
    to: &[Party],
    to_sign: bool,
) {
    let mut addresses = Vec::new();
    for p in to {
        let users = match p {
            Party::User(u) => state.db.user(*u).await.ok().flatten().into_iter().collect::<Vec<_>>(),
            Party::Group(g) => state.db.members(*g).await.unwrap_or_default(),
        };
        for u in users {
            if u.id != actor.user.id && u.status == UserStatus::Active && !addresses.contains(&u.email) {
                addresses.push(u.email);
            }
        }
    }
    let mailer = state.mailer.clone();
    let link = state.settings.link(&format!("/documents/{}", doc.id));
    let (title, from) = (doc.title.clone(), actor.user.full_name());
    tokio::spawn(async move {
        for to in addresses {
            let mail = svitok_mail::Mail {
                to,
                subject: if to_sign {
                    format!("Свиток: просьба подписать документ «{title}»")
                } else {
                    format!("Свиток: вам направлен документ «{title}»")
                },
                body: format!(
                    "Здравствуйте!\n\n{from} {} документ «{title}».\nОткрыть: {link}\n\n— Свиток\n",
                    if to_sign {
                        "просит вас подписать"
                    } else {
                        "направил(а) вам"
                    }
                ),
            };
            if let Err(e) = mailer.send(mail).await {
                tracing::warn!(error = %e, "could not send a document notice");
            }
        }
    });
}

pub async fn delete(state: &AppState, actor: &Caller, id: DocumentId) -> Result<()> {
    open(state, actor, id, DocOp::Delete).await?;
    // Signed content is evidence: it stays (SPEC §7).
    if state.db.signature_count(id).await? > 0 {
        return Err(CoreError::Conflict {
            message: "Документ с подписями удалить нельзя".into(),
            field: None,
        });
    }
    let mut tx = state.db.begin().await?;
    tx.set_deleted(id, true, &event(actor, "deleted", json!({})), state.now())
        .await?;
    audited(&mut tx, state, actor, "document.deleted", id, json!({}));
    tx.commit().await
}

pub async fn restore(state: &AppState, actor: &Caller, id: DocumentId) -> Result<()> {
    open(state, actor, id, DocOp::Restore).await?;
    let mut tx = state.db.begin().await?;
    tx.set_deleted(id, false, &event(actor, "restored", json!({})), state.now())
        .await?;
    audited(&mut tx, state, actor, "document.restored", id, json!({}));
    tx.commit().await
}

pub async fn history(state: &AppState, actor: &Caller, id: DocumentId) -> Result<Vec<svitok_db::EventRow>> {
    let o = open(state, actor, id, DocOp::Read).await?;
    history_of(state, &o).await
}

/// The history of a document the caller has already opened.
pub async fn history_of(state: &AppState, opened: &Opened) -> Result<Vec<svitok_db::EventRow>> {
    state.db.history(opened.doc.id).await
}

/// Documents the caller may read; the trash (`deleted`) shows only its own.
pub async fn list(
    state: &AppState,
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
    state: &AppState,
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
pub async fn count(state: &AppState, actor: &Caller, mut filter: DocumentFilter) -> Result<i64> {
    if filter.deleted {
        filter.owner = Some(actor.user.id);
    }
    state.db.count_documents(&actor.principals(), &filter).await
}

/// The caller's inbox: (items, total, unread).
pub async fn inbox(state: &AppState, actor: &Caller, limit: i64, offset: i64) -> Result<(Vec<InboxRow>, i64, i64)> {
    state.db.inbox(actor.user.id, limit, offset).await
}

/// A group's documents (responsible or addressed), for its members.
pub async fn group_documents(
    state: &AppState,
    actor: &Caller,
    group: GroupId,
    after: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<DocumentRow>> {
    state.db.group(group).await?.ok_or(CoreError::NotFound("group"))?;
    if !state.db.is_member(group, actor.user.id).await? {
        return Err(CoreError::Forbidden(
            "Документы группы видят только её участники".into(),
        ));
    }
    let filter = DocumentFilter::default();
    state
        .db
        .list_documents(&[Party::Group(group).principal()], &filter, after, limit)
        .await
}

/// Users the interface names (owner, authors): id → full name.
pub async fn names(state: &AppState, ids: &[UserId]) -> Result<std::collections::HashMap<UserId, String>> {
    let mut out = std::collections::HashMap::new();
    for id in ids {
        if !out.contains_key(id) {
            if let Some(u) = state.db.user(*id).await? {
                out.insert(*id, u.full_name());
            }
        }
    }
    Ok(out)
}
