//! `/api/v1/users/*`: user administration and rights.

use super::views::{page_bounds, Page, RightsInput, RightsView, UserView};
use crate::api::problems;
use crate::error::ApiResult;
use crate::extract::{Actor, ApiJson, ApiPath, ApiQuery};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use svitok_app::accounts::ProfileInput;
use svitok_app::users::{self, NewUserRequest, ProfilePatch};
use svitok_app::App;
use svitok_core::ids::{ChallengeId, GroupId, UserId};
use svitok_core::user::UserStatus;
use svitok_db::UserFilter;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UserQuery {
    /// Text in the login, email, names or position (case-insensitive).
    pub q: Option<String>,
    pub status: Option<UserStatus>,
    /// Only members of this group.
    pub group: Option<Uuid>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// Lists users (`manage_users`), ordered by name.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(UserQuery),
    responses((status = 200, body = Page<UserView>), problems::BadRequest,
              problems::Unauthorized, problems::Forbidden,
              problems::Unprocessable),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn list_users(
    State(state): State<App>,
    actor: Actor,
    ApiQuery(q): ApiQuery<UserQuery>,
) -> ApiResult<Json<Page<UserView>>> {
    let (limit, offset) = page_bounds(q.limit, q.offset)?;
    let filter = UserFilter {
        q: q.q,
        status: q.status,
        group: q.group.map(GroupId),
    };
    let (page, groups) = users::list(&state, &actor, &filter, limit, offset).await?;
    let items = page
        .items
        .iter()
        .map(|u| UserView::with_groups(u, groups.get(&u.id).map(Vec::as_slice).unwrap_or(&[])))
        .collect();
    Ok(Json(Page {
        items,
        total: page.total,
        limit,
        offset,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    pub login: String,
    pub email: String,
    pub last_name: String,
    pub first_name: String,
    pub middle_name: Option<String>,
    pub position: Option<String>,
    /// `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// Absent: the default rights. Setting rights needs `grant_rights`, within one's own.
    pub rights: Option<RightsView>,
    /// Ids of groups to put the user in.
    #[serde(default)]
    pub groups: Vec<Uuid>,
}

/// Creates a user (`manage_users`); it gets an invitation mail with a code to set its
/// password and stays `pending` until then.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = CreateUserRequest,
    responses((status = 201, body = UserView), problems::Unauthorized,
              problems::Forbidden, problems::Conflict,
              problems::Unprocessable, problems::Unavailable),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn create_user(
    State(state): State<App>,
    actor: Actor,
    ApiJson(req): ApiJson<CreateUserRequest>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    let groups: Vec<GroupId> = req.groups.iter().copied().map(GroupId).collect();
    let user = users::create(
        &state,
        &actor,
        NewUserRequest {
            profile: ProfileInput {
                login: req.login,
                email: req.email,
                last_name: req.last_name,
                first_name: req.first_name,
                middle_name: req.middle_name,
                birth_date: req.birth_date,
                position: req.position,
            },
            rights: req.rights.map(Into::into),
            groups: groups.clone(),
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(UserView::with_groups(&user, &groups))))
}

/// A user (`manage_users`, or the user itself).
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = Uuid, Path)),
    responses((status = 200, body = UserView), problems::BadRequest,
              problems::Unauthorized, problems::Forbidden,
              problems::NotFound),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn get_user(State(state): State<App>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<UserView>> {
    let (user, groups) = users::get(&state, &actor, UserId(id)).await?;
    Ok(Json(UserView::with_groups(&user, &groups)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    /// Must be the current address when given: an address changes only through
    /// `POST /users/{id}/email` (administrators) or `/me/email` (oneself).
    pub email: Option<String>,
    pub last_name: Option<String>,
    pub first_name: Option<String>,
    /// An empty string clears it.
    pub middle_name: Option<String>,
    /// `YYYY-MM-DD`; an empty string clears it.
    pub birth_date: Option<String>,
    /// An empty string clears it.
    pub position: Option<String>,
}

impl From<UpdateUserRequest> for ProfilePatch {
    fn from(r: UpdateUserRequest) -> Self {
        ProfilePatch {
            email: r.email,
            last_name: r.last_name,
            first_name: r.first_name,
            middle_name: r.middle_name,
            birth_date: r.birth_date,
            position: r.position,
        }
    }
}

/// Edits a user's profile (`manage_users`; a user may edit its own names, position and
/// birth date). Login, rights and status are not edited here.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = Uuid, Path)), request_body = UpdateUserRequest,
    responses((status = 200, body = UserView), problems::BadRequest,
              problems::Unauthorized, problems::Forbidden,
              problems::NotFound, problems::Conflict,
              problems::Unprocessable),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn update_user(
    State(state): State<App>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<UpdateUserRequest>,
) -> ApiResult<Json<UserView>> {
    let user = users::update(&state, &actor, UserId(id), req.into()).await?;
    let groups = state.db.groups_of_user(user.id).await?;
    Ok(Json(UserView::with_groups(&user, &groups)))
}

/// Blocks a user (`manage_users`): its sessions and API tokens end at once.
#[utoipa::path(post, path = "/api/v1/users/{id}/block", tag = "users", params(("id" = Uuid, Path)),
    responses((status = 204, description = "blocked"), problems::BadRequest,
              problems::Unauthorized, problems::Forbidden,
              problems::NotFound, problems::Conflict),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn block_user(State(state): State<App>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> ApiResult<StatusCode> {
    users::block(&state, &actor, UserId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unblocks a user (`manage_users`).
#[utoipa::path(post, path = "/api/v1/users/{id}/unblock", tag = "users", params(("id" = Uuid, Path)),
    responses((status = 204, description = "unblocked"), problems::BadRequest,
              problems::Unauthorized, problems::Forbidden,
              problems::NotFound),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn unblock_user(State(state): State<App>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> ApiResult<StatusCode> {
    users::unblock(&state, &actor, UserId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A user's seven rights (`manage_users`, `grant_rights`, or the user itself).
#[utoipa::path(get, path = "/api/v1/users/{id}/rights", tag = "users", params(("id" = Uuid, Path)),
    responses((status = 200, body = RightsView), problems::BadRequest,
              problems::Unauthorized, problems::Forbidden,
              problems::NotFound),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn get_rights(
    State(state): State<App>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<RightsView>> {
    Ok(Json(users::rights(&state, &actor, UserId(id)).await?.into()))
}

/// Replaces a user's rights (`grant_rights`): only rights the caller holds may change,
/// never the caller's own, and never the last active holder of `grant_rights` or
/// `manage_users`.
#[utoipa::path(put, path = "/api/v1/users/{id}/rights", tag = "users", params(("id" = Uuid, Path)), request_body = RightsInput,
    responses((status = 200, body = RightsView), problems::BadRequest,
              problems::Unauthorized, problems::Forbidden,
              problems::NotFound, problems::Conflict,
              problems::Unprocessable),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn set_rights(
    State(state): State<App>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<RightsInput>,
) -> ApiResult<Json<RightsView>> {
    Ok(Json(
        users::set_rights(&state, &actor, UserId(id), req.into()).await?.into(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeEmailRequest {
    pub email: String,
    /// The administrator's own fresh second factor, from `POST /auth/step-up`.
    pub challenge: Uuid,
    pub code: String,
}

/// Starts changing another user's address (`manage_users`, only on a user whose rights
/// are a subset of the caller's, with the caller's fresh second factor). A code goes to the
/// new address; nothing changes until it is confirmed.
#[utoipa::path(post, path = "/api/v1/users/{id}/email", operation_id = "change_user_email", tag = "users", params(("id" = Uuid, Path)), request_body = ChangeEmailRequest,
    responses((status = 202, description = "a code was mailed to the new address"), problems::BadRequest,
              problems::Unauthorized, problems::Forbidden,
              problems::NotFound, problems::Conflict,
              problems::Unprocessable, problems::TooManyRequests),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn change_email(
    State(state): State<App>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<ChangeEmailRequest>,
) -> ApiResult<StatusCode> {
    users::begin_admin_email_change(
        &state,
        &actor,
        UserId(id),
        &req.email,
        (ChallengeId(req.challenge), &req.code),
    )
    .await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmEmailRequest {
    /// The code mailed to the new address.
    pub code: String,
}

/// Finishes the change with the code mailed to the new address; the old address is told.
#[utoipa::path(post, path = "/api/v1/users/{id}/email/confirm", operation_id = "confirm_user_email", tag = "users", params(("id" = Uuid, Path)), request_body = ConfirmEmailRequest,
    responses((status = 200, body = UserView), problems::BadRequest,
              problems::Unauthorized, problems::Forbidden,
              problems::NotFound, problems::Unprocessable),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn confirm_email(
    State(state): State<App>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<ConfirmEmailRequest>,
) -> ApiResult<Json<UserView>> {
    let user = users::confirm_admin_email_change(&state, &actor, UserId(id), &req.code).await?;
    let groups = state.db.groups_of_user(user.id).await?;
    Ok(Json(UserView::with_groups(&user, &groups)))
}

/// Ends every session and API token of a user (`manage_users`, on a user whose rights are a
/// subset of the caller's).
#[utoipa::path(delete, path = "/api/v1/users/{id}/sessions", tag = "users", params(("id" = Uuid, Path)),
    responses((status = 204, description = "ended"), problems::BadRequest,
              problems::Unauthorized, problems::Forbidden,
              problems::NotFound),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn end_sessions(State(state): State<App>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> ApiResult<StatusCode> {
    users::end_sessions(&state, &actor, UserId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
