//! Documents: cards and files, status, responsibility, sending, inbox, history, trash.
//! Every operation on one document goes through [`open`], which works out the caller's
//! relation to it and asks `svitok_core::documents::decide`; a document the caller may not
//! read is "not found", and the refusal is audited.

use crate::state::App;
use crate::Caller;
use crate::{access, audit};
use bytes::Bytes;
use futures_util::Stream;
use serde_json::json;
use svitok_core::documents::{self as rules, DocOp, Party, Relation, Status};
use svitok_core::ids::{DocumentId, GroupId, UserId};
use svitok_core::policy::Operation;
use svitok_core::user::{person_text, UserStatus};
use svitok_core::{CoreError, Result};
use svitok_db::{DocumentFilter, DocumentRow, Event, InboxRow, NewDocument, NewVersion, Tx, VersionRow};
use svitok_storage::{BlobError, BlobWriter};

mod cards;
mod files;
mod inbox;
mod lists;
mod transfers;
mod trash;

pub use cards::*;
pub use files::*;
pub use inbox::*;
pub use lists::*;
pub use transfers::*;
pub use trash::*;

/// A document as its reader sees it, with the caller's relation to it.
pub struct Opened {
    pub doc: DocumentRow,
    pub rel: Relation,
    pub principals: Vec<String>,
}

async fn relation(
    state: &App,
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

/// Loads a document for `op`, or refuses through the gate (404 to strangers, 403 to
/// readers lacking the right), which records the refusal.
pub async fn open(state: &App, actor: &Caller, id: DocumentId, op: DocOp) -> Result<Opened> {
    let principals = actor.principals();
    let Some(doc) = state.db.document(id).await? else {
        return Err(access::no_document(state, actor, id, op).await);
    };
    let rel = relation(state, actor, &doc, &principals, op).await?;
    access::document(state, actor, id, rel, doc.deleted_at.is_some(), op).await?;
    Ok(Opened { doc, rel, principals })
}

/// [`open`]'s check of one more operation on a document already opened.
pub async fn also(state: &App, actor: &Caller, o: &Opened, op: DocOp) -> Result<()> {
    access::document(state, actor, o.doc.id, o.rel, o.doc.deleted_at.is_some(), op).await
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
    state: &App,
    actor: &Caller,
    action: &str,
    doc: DocumentId,
    details: serde_json::Value,
) {
    audit::queue(tx, state, actor, action, Some(doc.to_string()), details);
}

/// Checks that a party exists (an active user or a group) before it is made responsible
/// or a recipient.
async fn existing(state: &App, p: Party, field: &str) -> Result<Party> {
    let ok = match p {
        Party::User(u) => state.db.user(u).await?.is_some_and(|u| u.status == UserStatus::Active),
        Party::Group(g) => state.db.group(g).await?.is_some(),
    };
    if ok {
        Ok(p)
    } else {
        Err(CoreError::validation(field, "msg-no-such-party"))
    }
}

pub fn party_json(p: Party) -> serde_json::Value {
    match p {
        Party::User(u) => json!({ "kind": "user", "id": u }),
        Party::Group(g) => json!({ "kind": "group", "id": g }),
    }
}

/// Users the interface names (owner, authors): id → full name.
pub async fn names(state: &App, ids: &[UserId]) -> Result<std::collections::HashMap<UserId, String>> {
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
