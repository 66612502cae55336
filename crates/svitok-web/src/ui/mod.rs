//! The web interface: server-rendered HTML in Russian over the same service layer as
//! the REST API. No script, no external asset: the stylesheet is compiled into the
//! binary, and the Content-Security-Policy allows nothing else.

mod csrf;
mod pages;
mod render;

use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;

pub use render::render;

/// The interface's routes (outside `/api/v1`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home))
        .route("/login", get(pages::login_page).post(pages::login_submit))
        .route("/login/code", post(pages::code_submit))
        .route("/logout", post(pages::logout))
        .route("/inbox", get(pages::inbox))
        .route("/documents", get(pages::documents))
        .route("/documents/new", get(pages::new_document).post(pages::create_document))
        .route("/documents/{id}", get(pages::document))
        .route("/documents/{id}/status", post(pages::change_status))
        .route("/documents/{id}/sign", post(pages::sign_start))
        .route("/documents/{id}/sign/confirm", post(pages::sign_confirm))
        .route("/static/app.css", get(render::stylesheet))
}
