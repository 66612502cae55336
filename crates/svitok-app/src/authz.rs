//! Asks the policy (`svitok_core::policy`) and writes refusals to the audit log. Every
//! service operation on users, rights, groups and the audit log starts here.

use crate::audit;
use crate::state::AppState;
use crate::Caller;
use serde_json::json;
use svitok_core::policy::{self, Operation, Subject};
use svitok_core::Result;

/// Whether the policy would allow `op`, recording nothing: what a page offers (links,
/// buttons, switches). The operation itself still goes through [`authorize`].
pub fn allows(actor: &Caller, op: &Operation) -> bool {
    let subject = Subject {
        id: actor.user.id,
        rights: actor.rights,
    };
    policy::decide(&subject, op).is_ok()
}

pub async fn authorize(state: &AppState, actor: &Caller, op: Operation, target: Option<String>) -> Result<()> {
    let subject = Subject {
        id: actor.user.id,
        rights: actor.rights,
    };
    match policy::decide(&subject, &op) {
        Ok(()) => Ok(()),
        Err(refusal) => {
            state
                .audit(audit::event(
                    Some(&actor.user.id),
                    "access.denied",
                    target,
                    &actor.client,
                    false,
                    json!({ "operation": op.name(), "reason": refusal.to_string() }),
                ))
                .await?;
            Err(refusal)
        }
    }
}
