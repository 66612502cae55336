//! First-start setup: the one-time link printed by `svitok serve` creates the first
//! administrator. A small HTML form for the browser, JSON for automation.

use super::views::UserView;
use crate::api::problems;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ClientOf};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use svitok_app::App;
use svitok_app::{accounts, setup};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetupRequest {
    /// The secret part of the setup link.
    pub token: String,
    pub login: String,
    pub email: String,
    pub password: String,
    pub last_name: String,
    pub first_name: String,
    pub middle_name: Option<String>,
}

pub(crate) fn input(
    login: String,
    email: String,
    last_name: String,
    first_name: String,
    middle_name: Option<String>,
) -> accounts::ProfileInput {
    accounts::ProfileInput {
        login,
        email,
        last_name,
        first_name,
        middle_name,
        ..Default::default()
    }
}

/// Creates the first administrator (all seven rights) with a one-time setup token.
#[utoipa::path(post, path = "/api/v1/setup", tag = "setup", request_body = SetupRequest,
    responses((status = 201, body = UserView), problems::NotFound, problems::Unprocessable))]
pub async fn create_admin(
    State(state): State<App>,
    ClientOf(client): ClientOf,
    ApiJson(req): ApiJson<SetupRequest>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    let user = setup::create_admin(
        &state,
        &req.token,
        input(req.login, req.email, req.last_name, req.first_name, req.middle_name),
        &req.password,
        &client,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(UserView::from(&user))))
}
