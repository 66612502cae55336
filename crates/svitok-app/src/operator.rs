//! What the operator does from the server's shell (`svitok user …`, `svitok group …`):
//! the same use cases the API calls, as [`Caller::operator`], which holds every right.
//! The system's invariant still holds: an active holder of `grant_rights` and of
//! `manage_users` always remains. The CLI names users by login or address and groups by
//! name; these find them.

use crate::state::App;
use crate::{groups, users, Caller};
use svitok_core::rights::Rights;
use svitok_core::user::User;
use svitok_core::{CoreError, Result};
use svitok_db::Group;

async fn user(state: &App, login: &str) -> Result<User> {
    state
        .db
        .user_by_login_or_email(login)
        .await?
        .map(|(u, _)| u)
        .ok_or(CoreError::NotFound("user"))
}

pub async fn set_rights(state: &App, login: &str, grant: Rights, revoke: Rights) -> Result<Rights> {
    let u = user(state, login).await?;
    let after = Rights::from_mask((u.rights.mask() | grant.mask()) & !revoke.mask());
    users::set_rights(state, &Caller::operator(), u.id, after).await
}

pub async fn block(state: &App, login: &str) -> Result<()> {
    let u = user(state, login).await?;
    users::block(state, &Caller::operator(), u.id).await
}

pub async fn unblock(state: &App, login: &str) -> Result<()> {
    let u = user(state, login).await?;
    users::unblock(state, &Caller::operator(), u.id).await
}

pub async fn create_group(state: &App, name: &str, description: Option<&str>) -> Result<Group> {
    groups::create(state, &Caller::operator(), name, description).await
}

pub async fn add_member(state: &App, group: &str, login: &str) -> Result<()> {
    let g = state
        .db
        .group_by_name(group)
        .await?
        .ok_or(CoreError::NotFound("group"))?;
    let u = user(state, login).await?;
    groups::add_member(state, &Caller::operator(), g.id, u.id).await
}
