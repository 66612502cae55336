//! `/api/v1/groups/*`: groups (departments) and membership.

use super::views::{page_bounds, rfc3339, Page};
use crate::api::problems;
use crate::error::ApiResult;
use crate::extract::{Actor, ApiJson, ApiPath, ApiQuery};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use svitok_app::groups;
use svitok_app::App;
use svitok_core::ids::{GroupId, UserId};
use svitok_core::user::User;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupView {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub member_count: i64,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    pub id: Uuid,
    pub login: String,
    pub full_name: String,
    pub position: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupDetail {
    #[serde(flatten)]
    pub group: GroupView,
    /// Shown to the group's members and to `manage_users`; null for others.
    pub members: Option<Vec<MemberView>>,
}

fn member(u: &User) -> MemberView {
    MemberView {
        id: u.id.0,
        login: u.login.clone(),
        full_name: u.full_name(),
        position: u.position.clone(),
    }
}

fn view(g: &svitok_db::Group, count: i64) -> GroupView {
    GroupView {
        id: g.id.0,
        name: g.name.clone(),
        description: g.description.clone(),
        member_count: count,
        created_at: rfc3339(g.created_at),
        updated_at: rfc3339(g.updated_at),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GroupQuery {
    /// Text in the group's name (case-insensitive).
    pub q: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// Lists groups with their member counts (any signed-in user: to address documents).
#[utoipa::path(get, path = "/api/v1/groups", tag = "groups", params(GroupQuery),
    responses((status = 200, body = Page<GroupView>), problems::BadRequest,
              problems::Unauthorized, problems::Unprocessable),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn list_groups(
    State(state): State<App>,
    actor: Actor,
    ApiQuery(q): ApiQuery<GroupQuery>,
) -> ApiResult<Json<Page<GroupView>>> {
    let (limit, offset) = page_bounds(q.limit, q.offset)?;
    let (items, total) = groups::list(&state, &actor, q.q.as_deref(), limit, offset).await?;
    let items = items.iter().map(|g| view(&g.group, g.members)).collect();
    Ok(Json(Page {
        items,
        total,
        limit,
        offset,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateGroupRequest {
    /// Unique, case-insensitively; 1–200 characters.
    pub name: String,
    pub description: Option<String>,
}

/// Creates a group (`manage_users`).
#[utoipa::path(post, path = "/api/v1/groups", tag = "groups", request_body = CreateGroupRequest,
    responses((status = 201, body = GroupView), problems::Unauthorized,
              problems::Forbidden, problems::Conflict,
              problems::Unprocessable),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn create_group(
    State(state): State<App>,
    actor: Actor,
    ApiJson(req): ApiJson<CreateGroupRequest>,
) -> ApiResult<(StatusCode, Json<GroupView>)> {
    let g = groups::create(&state, &actor, &req.name, req.description.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(view(&g, 0))))
}

/// A group, with its members for members and `manage_users`.
#[utoipa::path(get, path = "/api/v1/groups/{id}", tag = "groups", params(("id" = Uuid, Path)),
    responses((status = 200, body = GroupDetail), problems::BadRequest,
              problems::Unauthorized, problems::NotFound),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn get_group(
    State(state): State<App>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<GroupDetail>> {
    let (g, members) = groups::get(&state, &actor, GroupId(id)).await?;
    let count = match &members {
        Some(m) => m.len() as i64,
        None => state.db.member_count(g.id).await?,
    };
    Ok(Json(GroupDetail {
        group: view(&g, count),
        members: members.map(|m| m.iter().map(member).collect()),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateGroupRequest {
    pub name: Option<String>,
    /// An empty string clears it.
    pub description: Option<String>,
}

/// Renames or re-describes a group (`manage_users`).
#[utoipa::path(patch, path = "/api/v1/groups/{id}", tag = "groups", params(("id" = Uuid, Path)), request_body = UpdateGroupRequest,
    responses((status = 200, body = GroupView), problems::BadRequest,
              problems::Unauthorized, problems::Forbidden,
              problems::NotFound, problems::Conflict,
              problems::Unprocessable),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn update_group(
    State(state): State<App>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<UpdateGroupRequest>,
) -> ApiResult<Json<GroupView>> {
    let g = groups::update(
        &state,
        &actor,
        GroupId(id),
        req.name.as_deref(),
        req.description.as_deref(),
    )
    .await?;
    let count = state.db.member_count(g.id).await?;
    Ok(Json(view(&g, count)))
}

/// Deletes a group (`manage_users`).
#[utoipa::path(delete, path = "/api/v1/groups/{id}", tag = "groups", params(("id" = Uuid, Path)),
    responses((status = 204, description = "deleted"), problems::BadRequest,
              problems::Unauthorized, problems::Forbidden,
              problems::NotFound, problems::Conflict),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn delete_group(State(state): State<App>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> ApiResult<StatusCode> {
    groups::delete(&state, &actor, GroupId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a member (`manage_users`); adding a member twice is not an error.
#[utoipa::path(put, path = "/api/v1/groups/{id}/members/{user_id}", tag = "groups",
    params(("id" = Uuid, Path), ("user_id" = Uuid, Path)),
    responses((status = 204, description = "member"), problems::BadRequest,
              problems::Unauthorized, problems::Forbidden,
              problems::NotFound),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn add_member(
    State(state): State<App>,
    actor: Actor,
    ApiPath((id, user_id)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<StatusCode> {
    groups::add_member(&state, &actor, GroupId(id), UserId(user_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a member (`manage_users`).
#[utoipa::path(delete, path = "/api/v1/groups/{id}/members/{user_id}", tag = "groups",
    params(("id" = Uuid, Path), ("user_id" = Uuid, Path)),
    responses((status = 204, description = "removed"), problems::BadRequest,
              problems::Unauthorized, problems::Forbidden,
              problems::NotFound),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn remove_member(
    State(state): State<App>,
    actor: Actor,
    ApiPath((id, user_id)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<StatusCode> {
    groups::remove_member(&state, &actor, GroupId(id), UserId(user_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
