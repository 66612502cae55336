//! The one gate. Every use case asks it before acting; it consults the core's decision
//! tables (`svitok_core::policy` for administration, `svitok_core::documents::decide_on`
//! for documents, trash included) and writes every refusal to the audit log under one
//! action, `access.denied`. Pages ask [`allows`] and [`allows_document`], which record
//! nothing, what to offer; the operation itself still comes through here. Nothing else
//! tests a right (a test fails if the web crate does).

use crate::audit;
use crate::state::App;
use crate::Caller;
use serde_json::json;
use svitok_core::documents::{self as rules, DocOp, Relation};
use svitok_core::policy::{self, Operation, Subject};
use svitok_core::{CoreError, Result};

/// The audit action of every refusal.
pub const DENIED: &str = "access.denied";

fn subject(caller: &Caller) -> Subject {
    Subject {
        id: caller.user.id,
        rights: caller.rights,
    }
}

/// Whether the policy would allow `op`, recording nothing: what a page offers (links,
/// buttons, switches). The operation itself still goes through [`authorize`].
pub fn allows(caller: &Caller, op: &Operation) -> bool {
    policy::decide(&subject(caller), op).is_ok()
}

/// Why the policy would refuse `op`, recording nothing (a switch shows why it is off).
pub fn refusal(caller: &Caller, op: &Operation) -> Option<CoreError> {
    policy::decide(&subject(caller), op).err()
}

/// Allows `op`, or refuses it and records the refusal.
pub async fn authorize(state: &App, caller: &Caller, op: Operation, target: Option<String>) -> Result<()> {
    match policy::decide(&subject(caller), &op) {
        Ok(()) => Ok(()),
        Err(refusal) => {
            refused(state, caller, op.name(), target, &refusal).await?;
            Err(refusal)
        }
    }
}

/// Whether `op` on a document the caller stands in `rel` to would be allowed, recording
/// nothing (for what a card offers).
pub fn allows_document(caller: &Caller, rel: Relation, trashed: bool, op: DocOp) -> bool {
    rules::decide_on(caller.rights, rel, op, trashed).is_ok()
}

/// Allows `op` on a document, or refuses it (not found to whoever may not read it,
/// forbidden to a reader lacking the right) and records the refusal. A conflict (restoring
/// what is not in the trash) is the document's state, not a refusal.
pub async fn document(
    state: &App,
    caller: &Caller,
    id: svitok_core::ids::DocumentId,
    rel: Relation,
    trashed: bool,
    op: DocOp,
) -> Result<()> {
    match rules::decide_on(caller.rights, rel, op, trashed) {
        Err(e @ (CoreError::NotFound(_) | CoreError::Forbidden(_))) => {
            refused(state, caller, op.name(), Some(id.to_string()), &e).await?;
            Err(e)
        }
        other => other,
    }
}

/// A document that does not exist, refused as one the caller may not read would be: the
/// error to return (the audit log's, if recording failed).
pub async fn no_document(state: &App, caller: &Caller, id: svitok_core::ids::DocumentId, op: DocOp) -> CoreError {
    let e = CoreError::NotFound("document");
    match refused(state, caller, op.name(), Some(id.to_string()), &e).await {
        Ok(()) => e,
        Err(failed) => failed,
    }
}

async fn refused(state: &App, caller: &Caller, operation: &str, target: Option<String>, why: &CoreError) -> Result<()> {
    state
        .audit(audit::event(
            Some(&caller.user.id),
            DENIED,
            target,
            &caller.client,
            false,
            json!({ "operation": operation, "reason": why.code(), "detail": why.to_string() }),
        ))
        .await
}
