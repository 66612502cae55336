//! `/api/v1/auth/*`: registration, two-step login, logout, password reset, step-up.

use super::views::Accepted;
use crate::api::problems;
use crate::error::ApiResult;
use crate::extract::{Actor, ApiJson, ClientOf};
use crate::http::cookies::session_cookie;
use crate::i18n;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use svitok_app::App;
use svitok_app::{
    accounts,
    accounts::{login, sessions},
};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// 3–64 characters of `a-z 0-9 . _ -`.
    pub login: String,
    pub email: String,
    /// 10–256 characters; must not be easy to guess or contain the login or email.
    pub password: String,
    pub last_name: String,
    pub first_name: String,
    pub middle_name: Option<String>,
    /// `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    pub position: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailCodeRequest {
    pub email: String,
    /// The six-digit code from the mail.
    pub code: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailRequest {
    pub email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Login or email.
    pub login: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChallengeResponse {
    pub challenge: Uuid,
    /// `email` (a code was mailed) or `totp` (ask the authenticator app).
    pub method: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    pub challenge: Uuid,
    pub code: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResendRequest {
    pub challenge: Uuid,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionToken {
    /// Bearer token; browsers also get it as an HttpOnly cookie.
    pub token: String,
    pub expires_at: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetConfirmRequest {
    pub email: String,
    pub code: String,
    pub password: String,
}

fn accepted(message: &'static str) -> Response {
    (
        StatusCode::ACCEPTED,
        axum::Json(Accepted {
            message: i18n::say(&message.into()),
        }),
    )
        .into_response()
}

fn challenge_json(s: login::Started) -> axum::Json<ChallengeResponse> {
    axum::Json(ChallengeResponse {
        challenge: s.challenge.0,
        method: s.method.into(),
    })
}

/// Registers a new account; a code is mailed to confirm the address.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth", request_body = RegisterRequest,
    responses((status = 202, body = Accepted), problems::Forbidden, problems::Conflict,
              problems::Unprocessable, problems::TooManyRequests))]
pub async fn register(
    State(state): State<App>,
    ClientOf(client): ClientOf,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> ApiResult<Response> {
    let input = accounts::ProfileInput {
        login: req.login,
        email: req.email,
        last_name: req.last_name,
        first_name: req.first_name,
        middle_name: req.middle_name,
        birth_date: req.birth_date,
        position: req.position,
    };
    accounts::register(&state, input, &req.password, &client).await?;
    Ok(accepted("msg-code-sent"))
}

/// Confirms the address with the mailed code; the account becomes active.
#[utoipa::path(post, path = "/api/v1/auth/register/confirm", tag = "auth", request_body = EmailCodeRequest,
    responses((status = 200, body = Accepted), problems::Unauthorized, problems::Unprocessable))]
pub async fn confirm_registration(
    State(state): State<App>,
    ClientOf(client): ClientOf,
    ApiJson(req): ApiJson<EmailCodeRequest>,
) -> ApiResult<Response> {
    accounts::confirm_registration(&state, &req.email, &req.code, &client).await?;
    Ok(axum::Json(Accepted {
        message: i18n::say(&"msg-address-confirmed".into()),
    })
    .into_response())
}

/// Mails a new registration code (same answer for unknown addresses).
#[utoipa::path(post, path = "/api/v1/auth/register/resend", tag = "auth", request_body = EmailRequest,
    responses((status = 202, body = Accepted), problems::TooManyRequests))]
pub async fn resend_registration(
    State(state): State<App>,
    ClientOf(client): ClientOf,
    ApiJson(req): ApiJson<EmailRequest>,
) -> ApiResult<Response> {
    accounts::resend_registration(&state, &req.email, &client).await?;
    Ok(accepted("msg-code-resent-if-pending"))
}

/// First step of login: password. Answers with a challenge for the second factor.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = ChallengeResponse), problems::Unauthorized, problems::TooManyRequests))]
pub async fn login(
    State(state): State<App>,
    ClientOf(client): ClientOf,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<axum::Json<ChallengeResponse>> {
    Ok(challenge_json(
        login::start(&state, &req.login, &req.password, &client).await?,
    ))
}

/// Second step of login: the code. Opens a session (token and cookie).
#[utoipa::path(post, path = "/api/v1/auth/login/verify", tag = "auth", request_body = VerifyRequest,
    responses((status = 200, body = SessionToken), problems::Unauthorized, problems::TooManyRequests))]
pub async fn verify_login(
    State(state): State<App>,
    ClientOf(client): ClientOf,
    ApiJson(req): ApiJson<VerifyRequest>,
) -> ApiResult<Response> {
    let issued = login::verify(&state, svitok_core::ids::ChallengeId(req.challenge), &req.code, &client).await?;
    let cookie = session_cookie(&state, &issued.token, issued.expires_at);
    let mut res = axum::Json(SessionToken {
        token: issued.token,
        expires_at: super::views::rfc3339(issued.expires_at),
    })
    .into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie.to_string()).map_err(svitok_core::CoreError::internal)?,
    );
    Ok(res)
}

/// Mails a new login code; the previous one stops working.
#[utoipa::path(post, path = "/api/v1/auth/login/resend", tag = "auth", request_body = ResendRequest,
    responses((status = 200, body = ChallengeResponse), problems::Unauthorized, problems::TooManyRequests))]
pub async fn resend_login_code(
    State(state): State<App>,
    ClientOf(client): ClientOf,
    ApiJson(req): ApiJson<ResendRequest>,
) -> ApiResult<axum::Json<ChallengeResponse>> {
    Ok(challenge_json(
        login::resend(&state, svitok_core::ids::ChallengeId(req.challenge), &client).await?,
    ))
}

/// Ends the current session (or revokes the API token used).
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204, description = "signed out"), problems::Unauthorized),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn logout(State(state): State<App>, actor: Actor) -> ApiResult<Response> {
    sessions::logout(&state, &actor).await?;
    let gone = session_cookie(&state, "", state.now());
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, gone.to_string())]).into_response())
}

/// Mails a password reset code (same answer for unknown addresses).
#[utoipa::path(post, path = "/api/v1/auth/password/reset", tag = "auth", request_body = EmailRequest,
    responses((status = 202, body = Accepted), problems::Unprocessable))]
pub async fn request_password_reset(
    State(state): State<App>,
    ClientOf(client): ClientOf,
    ApiJson(req): ApiJson<EmailRequest>,
) -> ApiResult<Response> {
    accounts::request_reset(&state, &req.email, &client).await?;
    Ok(accepted("msg-reset-code-sent-if-known"))
}

/// Sets a new password with the mailed code (also an invited user's first password).
#[utoipa::path(post, path = "/api/v1/auth/password/reset/confirm", tag = "auth", request_body = ResetConfirmRequest,
    responses((status = 204, description = "password set"), problems::Unauthorized, problems::Unprocessable))]
pub async fn confirm_password_reset(
    State(state): State<App>,
    ClientOf(client): ClientOf,
    ApiJson(req): ApiJson<ResetConfirmRequest>,
) -> ApiResult<StatusCode> {
    accounts::confirm_reset(&state, &req.email, &req.code, &req.password, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A fresh second factor for a signed-in user (required before signing).
#[utoipa::path(post, path = "/api/v1/auth/step-up", tag = "auth",
    responses((status = 200, body = ChallengeResponse), problems::Unauthorized, problems::TooManyRequests),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn step_up(State(state): State<App>, actor: Actor) -> ApiResult<axum::Json<ChallengeResponse>> {
    Ok(challenge_json(login::step_up(&state, &actor).await?))
}
