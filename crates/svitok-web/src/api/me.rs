//! `/api/v1/me/*`: the caller's own account, sessions, API tokens and TOTP.

use super::views::{rfc3339, Accepted, RightsView, UserView};
use crate::api::problems;
use crate::error::ApiResult;
use crate::extract::{Actor, ApiJson, ApiPath};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use svitok_app::App;
use svitok_app::{
    accounts,
    accounts::{sessions, totp},
    users,
};
use svitok_core::ids::SessionId;
use svitok_db::{SessionKind, SessionRecord};
use utoipa::ToSchema;
use uuid::Uuid;

/// The signed-in user, with its groups and its rights as they apply to this request
/// (an API token may narrow them).
#[utoipa::path(get, path = "/api/v1/me", tag = "me",
    responses((status = 200, body = UserView), problems::Unauthorized), security(("bearer" = []), ("cookie" = [])))]
pub async fn me(State(state): State<App>, actor: Actor) -> ApiResult<Json<UserView>> {
    let groups = state.db.groups_of_user(actor.user.id).await?;
    let mut view = UserView::with_groups(&actor.user, &groups);
    view.rights = actor.rights.into();
    Ok(Json(view))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMeRequest {
    pub last_name: Option<String>,
    pub first_name: Option<String>,
    /// An empty string clears it.
    pub middle_name: Option<String>,
    /// `YYYY-MM-DD`; an empty string clears it.
    pub birth_date: Option<String>,
    /// An empty string clears it.
    pub position: Option<String>,
}

/// Edits one's own names, position and birth date.
#[utoipa::path(patch, path = "/api/v1/me", tag = "me", request_body = UpdateMeRequest,
    responses((status = 200, body = UserView), problems::Unauthorized,
              problems::Unprocessable),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn update_me(
    State(state): State<App>,
    actor: Actor,
    ApiJson(req): ApiJson<UpdateMeRequest>,
) -> ApiResult<Json<UserView>> {
    let patch = users::ProfilePatch {
        email: None,
        last_name: req.last_name,
        first_name: req.first_name,
        middle_name: req.middle_name,
        birth_date: req.birth_date,
        position: req.position,
    };
    let user = users::update(&state, &actor, actor.user.id, patch).await?;
    let groups = state.db.groups_of_user(user.id).await?;
    Ok(Json(UserView::with_groups(&user, &groups)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeEmailRequest {
    pub email: String,
    /// The current password (re-authentication).
    pub password: String,
}

/// Starts an address change: a code goes to the new address.
#[utoipa::path(post, path = "/api/v1/me/email", tag = "me", request_body = ChangeEmailRequest,
    responses((status = 202, body = Accepted), problems::Unauthorized,
              problems::Conflict, problems::Unprocessable,
              problems::TooManyRequests),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn change_email(
    State(state): State<App>,
    actor: Actor,
    ApiJson(req): ApiJson<ChangeEmailRequest>,
) -> ApiResult<(StatusCode, Json<Accepted>)> {
    users::begin_email_change(&state, &actor, &req.email, &req.password).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Accepted {
            message: crate::i18n::say(&"msg-code-sent-to-new-address".into()),
        }),
    ))
}

/// Confirms the new address with its code; the old address is told.
#[utoipa::path(post, path = "/api/v1/me/email/confirm", tag = "me", request_body = CodeRequest,
    responses((status = 200, body = UserView), problems::Unauthorized,
              problems::Unprocessable),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn confirm_email(
    State(state): State<App>,
    actor: Actor,
    ApiJson(req): ApiJson<CodeRequest>,
) -> ApiResult<Json<UserView>> {
    let user = users::confirm_email_change(&state, &actor, &req.code).await?;
    let groups = state.db.groups_of_user(user.id).await?;
    Ok(Json(UserView::with_groups(&user, &groups)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the password (needs the current one); other sessions end.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "me", request_body = ChangePasswordRequest,
    responses((status = 204, description = "changed"), problems::Unauthorized, problems::Unprocessable),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn change_password(
    State(state): State<App>,
    actor: Actor,
    ApiJson(req): ApiJson<ChangePasswordRequest>,
) -> ApiResult<StatusCode> {
    accounts::change_password(&state, &actor, &req.current_password, &req.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub id: Uuid,
    pub created_at: String,
    pub last_seen_at: String,
    pub expires_at: String,
    pub client_addr: Option<String>,
    pub user_agent: Option<String>,
    /// The session this request came with.
    pub current: bool,
}

fn session_view(s: &SessionRecord, current: SessionId) -> SessionView {
    SessionView {
        id: s.id.0,
        created_at: rfc3339(s.created_at),
        last_seen_at: rfc3339(s.last_seen_at),
        expires_at: rfc3339(s.expires_at),
        client_addr: s.client_addr.clone(),
        user_agent: s.user_agent.clone(),
        current: s.id == current,
    }
}

/// The caller's live sessions.
#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "me",
    responses((status = 200, body = [SessionView]), problems::Unauthorized), security(("bearer" = []), ("cookie" = [])))]
pub async fn list_sessions(State(state): State<App>, actor: Actor) -> ApiResult<Json<Vec<SessionView>>> {
    let list = sessions::list(&state, &actor, SessionKind::Session).await?;
    Ok(Json(list.iter().map(|s| session_view(s, actor.session.id)).collect()))
}

/// Signs out everywhere: ends all the caller's sessions, this one included.
#[utoipa::path(delete, path = "/api/v1/me/sessions", tag = "me",
    responses((status = 204, description = "all sessions ended"), problems::Unauthorized), security(("bearer" = []), ("cookie" = [])))]
pub async fn revoke_all_sessions(State(state): State<App>, actor: Actor) -> ApiResult<StatusCode> {
    sessions::revoke_all(&state, &actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends one of the caller's sessions.
#[utoipa::path(delete, path = "/api/v1/me/sessions/{id}", tag = "me", params(("id" = Uuid, Path)),
    responses((status = 204, description = "ended"), problems::BadRequest, problems::Unauthorized, problems::NotFound),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn revoke_session(
    State(state): State<App>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    sessions::revoke(&state, &actor, SessionId(id), SessionKind::Session).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTokenRequest {
    pub name: String,
    /// 1–366 days; 90 when absent.
    pub expires_in_days: Option<i64>,
    /// A subset of the owner's rights; all of them when absent.
    pub rights: Option<RightsView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    pub id: Uuid,
    pub name: String,
    pub created_at: String,
    pub expires_at: String,
    /// Null: all of the owner's rights.
    pub rights: Option<RightsView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    pub id: Uuid,
    pub name: String,
    /// The secret: shown now and never again.
    pub token: String,
    pub expires_at: String,
    pub rights: Option<RightsView>,
}

/// The caller's personal API tokens.
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "me",
    responses((status = 200, body = [TokenView]), problems::Unauthorized), security(("bearer" = []), ("cookie" = [])))]
pub async fn list_tokens(State(state): State<App>, actor: Actor) -> ApiResult<Json<Vec<TokenView>>> {
    let list = sessions::list(&state, &actor, SessionKind::ApiToken).await?;
    Ok(Json(
        list.iter()
            .map(|t| TokenView {
                id: t.id.0,
                name: t.name.clone().unwrap_or_default(),
                created_at: rfc3339(t.created_at),
                expires_at: rfc3339(t.expires_at),
                rights: t.rights.map(Into::into),
            })
            .collect(),
    ))
}

/// Creates a personal API token for another system.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "me", request_body = CreateTokenRequest,
    responses((status = 201, body = CreatedToken), problems::Unauthorized, problems::Forbidden, problems::Unprocessable),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn create_token(
    State(state): State<App>,
    actor: Actor,
    ApiJson(req): ApiJson<CreateTokenRequest>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    let name = req.name.clone();
    let (issued, rights) = sessions::create_token(
        &state,
        &actor,
        sessions::NewToken {
            name: req.name,
            days: req.expires_in_days.unwrap_or(90),
            rights: req.rights.map(Into::into),
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            id: issued.id.0,
            name: name.trim().to_string(),
            token: issued.token,
            expires_at: rfc3339(issued.expires_at),
            rights: rights.map(Into::into),
        }),
    ))
}

/// Revokes one of the caller's API tokens.
#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", tag = "me", params(("id" = Uuid, Path)),
    responses((status = 204, description = "revoked"), problems::BadRequest, problems::Unauthorized, problems::NotFound),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn revoke_token(State(state): State<App>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> ApiResult<StatusCode> {
    sessions::revoke(&state, &actor, SessionId(id), SessionKind::ApiToken).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordRequest {
    /// The current password (re-authentication).
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TotpEnrolment {
    /// Base32 secret for manual entry.
    pub secret: String,
    pub otpauth_url: String,
    /// The QR code of `otpauth_url` as an SVG document.
    pub qr_svg: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    pub code: String,
}

/// Starts TOTP enrolment: a new secret and its QR code. Confirm with a code to enable.
#[utoipa::path(post, path = "/api/v1/me/totp", tag = "me", request_body = PasswordRequest,
    responses((status = 200, body = TotpEnrolment), problems::Unauthorized, problems::Unprocessable),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn begin_totp(
    State(state): State<App>,
    actor: Actor,
    ApiJson(req): ApiJson<PasswordRequest>,
) -> ApiResult<Json<TotpEnrolment>> {
    let e = totp::begin(&state, &actor, &req.password).await?;
    Ok(Json(TotpEnrolment {
        secret: e.secret_base32,
        otpauth_url: e.otpauth_url,
        qr_svg: e.qr_svg,
    }))
}

/// Confirms enrolment with a code from the app; from now on login asks for TOTP.
#[utoipa::path(post, path = "/api/v1/me/totp/confirm", tag = "me", request_body = CodeRequest,
    responses((status = 204, description = "enabled"), problems::Unauthorized, problems::Conflict, problems::Unprocessable),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn confirm_totp(
    State(state): State<App>,
    actor: Actor,
    ApiJson(req): ApiJson<CodeRequest>,
) -> ApiResult<StatusCode> {
    totp::confirm(&state, &actor, &req.code).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Turns TOTP off (needs the current password); login goes back to emailed codes.
#[utoipa::path(delete, path = "/api/v1/me/totp", tag = "me", request_body = PasswordRequest,
    responses((status = 204, description = "disabled"), problems::Unauthorized, problems::Unprocessable),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn disable_totp(
    State(state): State<App>,
    actor: Actor,
    ApiJson(req): ApiJson<PasswordRequest>,
) -> ApiResult<StatusCode> {
    let client = actor.client.clone();
    totp::disable(&state, &actor, &req.password, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}
