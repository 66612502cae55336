//! What the operator does from the server's shell (`svitok user …`, `svitok group …`).
//! Shell access to the server is already full trust, so the per-user rules of the policy
//! do not apply — but the system's invariant does: an active holder of `grant_rights` and
//! of `manage_users` always remains. Everything is audited as done by the CLI.

use crate::state::AppState;
use serde_json::json;
use svitok_core::ids::GroupId;
use svitok_core::rights::{Right, Rights};
use svitok_core::user::{User, UserStatus};
use svitok_core::{CoreError, Result};
use svitok_db::{AuditEvent, Group};

async fn user(state: &AppState, login: &str) -> Result<User> {
    state
        .db
        .user_by_login_or_email(login)
        .await?
        .map(|(u, _)| u)
        .ok_or(CoreError::NotFound("user"))
}

async fn audit(state: &AppState, action: &str, target: String, details: serde_json::Value) -> Result<()> {
    state
        .audit(AuditEvent {
            actor: None,
            action: action.into(),
            target: Some(target),
            client_addr: None,
            outcome: "success",
            details: json!({ "via": "cli", "details": details }),
        })
        .await
}

const PROTECTED: [Right; 2] = [Right::GrantRights, Right::ManageUsers];

pub async fn set_rights(state: &AppState, login: &str, grant: Rights, revoke: Rights) -> Result<Rights> {
    let u = user(state, login).await?;
    let after = Rights::from_mask((u.rights.mask() | grant.mask()) & !revoke.mask());
    let losing = Rights::from_mask(u.rights.mask() & !after.mask());
    let protect: Rights = PROTECTED.into_iter().filter(|r| losing.has(*r)).collect();
    state.db.set_rights_guarded(u.id, after, protect, state.now()).await?;
    let names = |r: Rights| r.iter().map(Right::name).collect::<Vec<_>>();
    audit(
        state,
        "rights.changed",
        u.id.to_string(),
        json!({ "before": names(u.rights), "after": names(after) }),
    )
    .await?;
    Ok(after)
}

pub async fn block(state: &AppState, login: &str) -> Result<()> {
    let u = user(state, login).await?;
    let protect: Rights = PROTECTED.into_iter().filter(|r| u.rights.has(*r)).collect();
    let now = state.now();
    let revoked = state
        .db
        .set_status_guarded(u.id, UserStatus::Blocked, protect, now)
        .await?;
    let ended = state.db.revoke_all_sessions(u.id, None, true, now).await?;
    if revoked > 0 {
        audit(
            state,
            "certificate.revoked",
            u.id.to_string(),
            json!({ "certificates": revoked, "reason": "user blocked" }),
        )
        .await?;
    }
    audit(
        state,
        "user.blocked",
        u.id.to_string(),
        json!({ "sessions_ended": ended, "certificates_revoked": revoked }),
    )
    .await
}

pub async fn unblock(state: &AppState, login: &str) -> Result<()> {
    let u = user(state, login).await?;
    let has_password = state.db.user_secrets(u.id).await?.password_hash.is_some();
    let status = if has_password {
        UserStatus::Active
    } else {
        UserStatus::Pending
    };
    state
        .db
        .set_status_guarded(u.id, status, Rights::NONE, state.now())
        .await?;
    audit(state, "user.unblocked", u.id.to_string(), json!({})).await
}

pub async fn create_group(state: &AppState, name: &str, description: Option<&str>) -> Result<Group> {
    let name = svitok_core::user::person_text("name", name, 200)?;
    let description = svitok_core::user::optional_person_text("description", description, 2000)?.unwrap_or_default();
    let g = state
        .db
        .insert_group(GroupId::new(), &name, &description, state.now())
        .await?;
    audit(state, "group.created", g.id.to_string(), json!({ "name": g.name })).await?;
    Ok(g)
}

pub async fn add_member(state: &AppState, group: &str, login: &str) -> Result<()> {
    let g = state
        .db
        .group_by_name(group)
        .await?
        .ok_or(CoreError::NotFound("group"))?;
    let u = user(state, login).await?;
    if state.db.add_member(g.id, u.id, state.now()).await? {
        audit(state, "group.member_added", g.id.to_string(), json!({ "user": u.id })).await?;
    }
    Ok(())
}
