//! A document's card: creating it (with or without a file), reading it, editing its
//! fields, moving its status and its responsible party.

use super::*;
use svitok_core::Message;

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

pub(super) fn optional(field: &str, v: Option<&str>, max: usize) -> Result<Option<String>> {
    match v.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => {
            if s.chars().count() > max {
                return Err(CoreError::validation(
                    field,
                    Message::new("msg-field-too-long").arg("field", field).arg("max", max),
                ));
            }
            // Descriptions may hold line breaks; nothing else below a space.
            if s.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
                return Err(CoreError::validation(
                    field,
                    Message::new("msg-field-characters").arg("field", field),
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
                .map_err(|_| CoreError::validation("due_date", "msg-due-date-format"))
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
            None => return Err(CoreError::validation("title", "msg-title-required")),
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

/// Creating needs `create_documents` for a card, `manage_own_documents` with a file:
/// checked before a single byte of the file is read.
pub async fn may_create(state: &App, actor: &Caller, with_file: bool) -> Result<()> {
    access::authorize(state, actor, Operation::CreateDocument { with_file }, None).await
}

pub async fn create(
    state: &App,
    actor: &Caller,
    card: CardInput,
    responsible: Option<Party>,
    upload: Option<Upload>,
) -> Result<DocumentId> {
    may_create(state, actor, upload.is_some()).await?;
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

/// Opens a document for reading and marks what was sent to the caller as read.
pub async fn read(state: &App, actor: &Caller, id: DocumentId) -> Result<(Opened, Vec<VersionRow>)> {
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
pub async fn card(state: &App, actor: &Caller, id: DocumentId) -> Result<(Opened, Vec<VersionRow>)> {
    let o = open(state, actor, id, DocOp::Read).await?;
    let versions = state.db.versions(id).await?;
    Ok((o, versions))
}

pub async fn update_card(state: &App, actor: &Caller, id: DocumentId, input: CardInput) -> Result<()> {
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

pub async fn change_status(state: &App, actor: &Caller, id: DocumentId, to: Status) -> Result<()> {
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
            message: "msg-status-changed-meanwhile".into(),
            field: Some("status"),
        });
    }
    audited(&mut tx, state, actor, "document.status_changed", id, details);
    tx.commit().await
}

/// Hands responsibility to a user or group; a member of the responsible group may take
/// the document into its own responsibility.
pub async fn change_responsible(state: &App, actor: &Caller, id: DocumentId, to: Party) -> Result<()> {
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
