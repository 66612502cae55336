//! Groups (departments): anyone active sees their names; members and administrators see
//! who is in them; administrators change them.

use crate::access::authorize;
use crate::audit;
use crate::state::App;
use crate::Caller;
use serde_json::json;
use svitok_core::ids::{GroupId, UserId};
use svitok_core::policy::Operation;
use svitok_core::user::User;
use svitok_core::{CoreError, Result};
use svitok_db::{Group, GroupWithCount};

fn name(raw: &str) -> Result<String> {
    svitok_core::user::person_text("name", raw, 200)
}

fn description(raw: Option<&str>) -> Result<String> {
    Ok(svitok_core::user::optional_person_text("description", raw, 2000)?.unwrap_or_default())
}

pub async fn list(
    state: &App,
    actor: &Caller,
    q: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<GroupWithCount>, i64)> {
    authorize(state, actor, Operation::ListGroups, None).await?;
    state.db.list_groups(q, limit, offset).await
}

async fn load(state: &App, id: GroupId) -> Result<Group> {
    state.db.group(id).await?.ok_or(CoreError::NotFound("group"))
}

/// The group, and its members when the caller may see them.
pub async fn get(state: &App, actor: &Caller, id: GroupId) -> Result<(Group, Option<Vec<User>>)> {
    authorize(state, actor, Operation::ListGroups, None).await?;
    let group = load(state, id).await?;
    let is_member = state.db.is_member(id, actor.user.id).await?;
    // Not seeing the members is not an error: the group itself is visible to everyone.
    let members = if crate::access::allows(actor, &Operation::ViewGroupMembers { is_member }) {
        Some(state.db.members(id).await?)
    } else {
        None
    };
    Ok((group, members))
}

pub async fn create(state: &App, actor: &Caller, raw_name: &str, raw_description: Option<&str>) -> Result<Group> {
    authorize(state, actor, Operation::ManageGroups, None).await?;
    let (name, description) = (name(raw_name)?, description(raw_description)?);
    let mut tx = state.db.begin().await?;
    let group = tx
        .insert_group(GroupId::new(), &name, &description, state.now())
        .await?;
    audit::queue(
        &mut tx,
        state,
        actor,
        "group.created",
        Some(group.id.to_string()),
        json!({ "name": group.name }),
    );
    tx.commit().await?;
    Ok(group)
}

pub async fn update(
    state: &App,
    actor: &Caller,
    id: GroupId,
    raw_name: Option<&str>,
    raw_description: Option<&str>,
) -> Result<Group> {
    authorize(state, actor, Operation::ManageGroups, Some(id.to_string())).await?;
    let before = load(state, id).await?;
    let new_name = match raw_name {
        Some(n) => name(n)?,
        None => before.name.clone(),
    };
    let new_description = match raw_description {
        Some(d) => description(Some(d))?,
        None => before.description.clone(),
    };
    let mut tx = state.db.begin().await?;
    tx.update_group(id, &new_name, &new_description, state.now()).await?;
    audit::queue(
        &mut tx,
        state,
        actor,
        "group.updated",
        Some(id.to_string()),
        json!({ "before": { "name": before.name, "description": before.description },
                    "after": { "name": new_name, "description": new_description } }),
    );
    tx.commit().await?;
    load(state, id).await
}

/// Deletes a group; refused while documents are assigned or addressed to it.
pub async fn delete(state: &App, actor: &Caller, id: GroupId) -> Result<()> {
    authorize(state, actor, Operation::ManageGroups, Some(id.to_string())).await?;
    let group = load(state, id).await?;
    let documents = state.db.group_document_count(id).await?;
    if documents > 0 {
        return Err(CoreError::clash(
            svitok_core::Message::new("msg-group-has-documents").arg("count", documents),
        ));
    }
    let mut tx = state.db.begin().await?;
    tx.delete_group(id).await?;
    audit::queue(
        &mut tx,
        state,
        actor,
        "group.deleted",
        Some(id.to_string()),
        json!({ "name": group.name }),
    );
    tx.commit().await
}

pub async fn add_member(state: &App, actor: &Caller, group: GroupId, user: UserId) -> Result<()> {
    authorize(
        state,
        actor,
        Operation::ChangeMembership { member: user },
        Some(group.to_string()),
    )
    .await?;
    load(state, group).await?;
    state.db.user(user).await?.ok_or(CoreError::NotFound("user"))?;
    let mut tx = state.db.begin().await?;
    if tx.add_member(group, user, state.now()).await? {
        audit::queue(
            &mut tx,
            state,
            actor,
            "group.member_added",
            Some(group.to_string()),
            json!({ "user": user }),
        );
    }
    tx.commit().await
}

pub async fn remove_member(state: &App, actor: &Caller, group: GroupId, user: UserId) -> Result<()> {
    authorize(
        state,
        actor,
        Operation::ChangeMembership { member: user },
        Some(group.to_string()),
    )
    .await?;
    load(state, group).await?;
    let mut tx = state.db.begin().await?;
    if !tx.remove_member(group, user).await? {
        return Err(CoreError::NotFound("member"));
    }
    audit::queue(
        &mut tx,
        state,
        actor,
        "group.member_removed",
        Some(group.to_string()),
        json!({ "user": user }),
    );
    tx.commit().await
}
