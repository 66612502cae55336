//! Building audit events: one place decides what an event records.

use crate::extract::Client;
use svitok_db::AuditEvent;

pub fn event(
    actor: Option<&svitok_core::ids::UserId>,
    action: &str,
    target: Option<String>,
    client: &Client,
    success: bool,
    details: serde_json::Value,
) -> AuditEvent {
    AuditEvent {
        actor: actor.map(|a| a.to_string()),
        action: action.to_string(),
        target,
        client_addr: client.addr.clone(),
        outcome: if success { "success" } else { "failure" },
        details,
    }
}

/// The audit log for administrators, newest first.
pub async fn search(
    state: &crate::state::AppState,
    actor: &crate::extract::Actor,
    filter: &svitok_db::AuditFilter,
    before: Option<i64>,
    limit: i64,
) -> svitok_core::Result<Vec<svitok_db::AuditRecord>> {
    super::authz::authorize(state, actor, svitok_core::policy::Operation::ReadAudit, None).await?;
    state.db.search_audit(filter, before, limit).await
}
