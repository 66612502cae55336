//! First start: the one-time link printed by the server opens a form for the first
//! administrator. Like every form, it carries the browser's form token.

use super::csrf::{CsrfForm, FormToken};
use super::i18n;
use super::page::error_text;
use super::render::{render, render_form};
use crate::api::setup::input;
use crate::extract::{ApiPath, ClientOf};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use serde::Deserialize;
use svitok_app::setup;
use svitok_app::App;
use svitok_core::CoreError;

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

fn gone() -> Response {
    render(
        StatusCode::NOT_FOUND,
        "error.html",
        context! { heading => i18n::text("setup-gone"), message => i18n::text("setup-gone-text") },
    )
}

pub async fn page(State(state): State<App>, token: FormToken) -> Response {
    match state.db.count_users().await {
        Ok(0) => render_form(&state, &token, StatusCode::OK, "setup.html", context! {}),
        Ok(_) => gone(),
        Err(e) => super::render::error_page(super::page::error_status(&e), None),
    }
}

pub async fn submit(
    State(state): State<App>,
    ClientOf(client): ClientOf,
    ApiPath(token): ApiPath<String>,
    CsrfForm(form_token, f): CsrfForm<SetupForm>,
) -> Response {
    let profile = input(
        f.login.clone(),
        f.email.clone(),
        f.last_name.clone(),
        f.first_name.clone(),
        f.middle_name.clone(),
    );
    match setup::create_admin(&state, &token, profile, &f.password, &client).await {
        Ok(user) => render(
            StatusCode::OK,
            "error.html",
            context! {
                heading => i18n::text("setup-done"),
                message => i18n::text_args("setup-done-text", [("login", user.login.into()), ("email", user.email.into())]),
            },
        ),
        Err(CoreError::NotFound(_)) => gone(),
        Err(e @ (CoreError::Validation { .. } | CoreError::Conflict { .. })) => render_form(
            &state,
            &form_token,
            StatusCode::UNPROCESSABLE_ENTITY,
            "setup.html",
            context! {
                error => error_text(&e), login => f.login, email => f.email, last_name => f.last_name,
                first_name => f.first_name, middle_name => f.middle_name,
            },
        ),
        Err(e) => super::render::error_page(super::page::error_status(&e), None),
    }
}
