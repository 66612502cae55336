//! First-start setup: the one-time link printed by `svitok serve` creates the first
//! administrator. A small HTML form for the browser, JSON for automation.

use super::views::UserView;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiPath, Client};
use crate::service::{accounts, setup};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::{Form, Json};
use serde::Deserialize;
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

#[derive(Debug, Deserialize)]
pub struct SetupForm {
    login: String,
    email: String,
    password: String,
    last_name: String,
    first_name: String,
    #[serde(default)]
    middle_name: Option<String>,
}

fn input(
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
    responses((status = 201, body = UserView), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_admin(
    State(state): State<AppState>,
    client: Client,
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

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"ru\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Свиток — первый запуск</title></head><body><main>{body}</main></body></html>"
    ))
}

fn form(error: Option<&str>) -> Html<String> {
    let err = error
        .map(|e| format!("<p role=\"alert\"><strong>{}</strong></p>", escape(e)))
        .unwrap_or_default();
    page(&format!(
        "<h1>Свиток: первый администратор</h1>{err}\
         <p>Эта ссылка работает один раз. Администратор получит все семь прав.</p>\
         <form method=\"post\">\
         <p><label>Фамилия <input name=\"last_name\" required maxlength=\"100\"></label></p>\
         <p><label>Имя <input name=\"first_name\" required maxlength=\"100\"></label></p>\
         <p><label>Отчество <input name=\"middle_name\" maxlength=\"100\"></label></p>\
         <p><label>Логин <input name=\"login\" required pattern=\"[a-z0-9._\\-]{{3,64}}\"></label></p>\
         <p><label>Почта <input name=\"email\" type=\"email\" required></label></p>\
         <p><label>Пароль <input name=\"password\" type=\"password\" required minlength=\"10\" maxlength=\"256\" autocomplete=\"new-password\"></label></p>\
         <p><button type=\"submit\">Создать администратора</button></p></form>"
    ))
}

/// The setup page (browser).
pub async fn setup_page(State(state): State<AppState>) -> ApiResult<Response> {
    if state.db.count_users().await? > 0 {
        return Ok((StatusCode::NOT_FOUND, page("<h1>Ссылка больше не действует</h1>")).into_response());
    }
    Ok(form(None).into_response())
}

/// The setup form's submission (browser).
pub async fn setup_submit(
    State(state): State<AppState>,
    client: Client,
    ApiPath(token): ApiPath<String>,
    Form(f): Form<SetupForm>,
) -> Response {
    let result = setup::create_admin(
        &state,
        &token,
        input(f.login, f.email, f.last_name, f.first_name, f.middle_name),
        &f.password,
        &client,
    )
    .await;
    match result {
        Ok(user) => page(&format!(
            "<h1>Администратор создан</h1><p>Войдите как <b>{}</b>: код входа придёт на {}.</p>",
            escape(&user.login),
            escape(&user.email)
        ))
        .into_response(),
        Err(svitok_core::CoreError::NotFound(_)) => {
            (StatusCode::NOT_FOUND, page("<h1>Ссылка больше не действует</h1>")).into_response()
        }
        Err(e @ (svitok_core::CoreError::Validation { .. } | svitok_core::CoreError::Conflict { .. })) => {
            (StatusCode::UNPROCESSABLE_ENTITY, form(Some(&e.to_string()))).into_response()
        }
        Err(e) => crate::error::ApiError(e).into_response(),
    }
}
