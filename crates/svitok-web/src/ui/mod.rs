//! The web interface: server-rendered HTML in Russian over the same service layer as
//! the REST API. Every asset is compiled into the binary; one small script (upload
//! progress, dropped files, a countdown) improves pages that work without it.

mod admin;
mod audit;
mod csrf;
mod documents;
mod forms;
pub(crate) use crate::i18n;
mod page;
mod profile;
pub(crate) mod render;
mod session;
mod setup;
mod signing;
mod stats;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use svitok_app::App;

pub use render::render;

/// The interface's routes (outside `/api/v1`).
pub fn router() -> Router<App> {
    // Files stream into the store, which enforces `SVITOK_MAX_UPLOAD` itself.
    let uploads = Router::new()
        .route("/documents/upload", post(documents::upload))
        .route("/documents/{id}/versions", post(documents::add_version))
        .layer(DefaultBodyLimit::disable());
    Router::new()
        .route("/", get(home))
        .route("/login", get(session::login_page).post(session::login_submit))
        .route("/login/code", get(session::code_page_for).post(session::code_submit))
        .route("/logout", post(session::logout))
        .route("/register", get(session::register_page).post(session::register_submit))
        .route("/register/confirm", post(session::confirm_submit))
        .route("/reset", get(session::reset_page).post(session::reset_submit))
        .route("/reset/confirm", post(session::reset_confirm))
        .route("/inbox", get(documents::inbox))
        .route("/documents", get(documents::all))
        .route("/documents/mine", get(documents::mine))
        .route("/trash", get(documents::trash))
        .route(
            "/documents/new",
            get(documents::new_document).post(documents::create_card),
        )
        .route("/documents/{id}", get(documents::card))
        .route("/documents/{id}/status", post(documents::change_status))
        .route("/documents/{id}/edit", post(documents::edit))
        .route("/documents/{id}/take", post(documents::take))
        .route("/documents/{id}/delete", post(documents::delete))
        .route("/documents/{id}/restore", post(documents::restore))
        .route(
            "/documents/{id}/send",
            get(documents::send_page).post(documents::send_submit),
        )
        .route(
            "/documents/{id}/responsible",
            get(documents::responsible_page).post(documents::responsible_submit),
        )
        .route(
            "/documents/{id}/signers",
            get(documents::signers_page).post(documents::signers_submit),
        )
        .route("/documents/{id}/sign", post(signing::sign_start))
        .route("/documents/{id}/sign/confirm", post(signing::sign_confirm))
        .route("/users", get(admin::users_page))
        .route("/users/new", get(admin::new_user).post(admin::create_user))
        .route("/users/{id}", get(admin::user_page).post(admin::update_user))
        .route("/users/{id}/block", post(admin::block))
        .route("/users/{id}/unblock", post(admin::unblock))
        .route("/users/{id}/rights", post(admin::set_rights))
        .route("/groups", get(admin::groups_page).post(admin::create_group))
        .route("/groups/{id}", get(admin::group_page))
        .route("/groups/{id}/members", post(admin::membership))
        .route("/groups/{id}/delete", post(admin::delete_group))
        .route("/password/reset", get(session::invitation_page))
        .route("/profile", get(profile::profile).post(profile::save))
        .route("/profile/password", post(profile::password))
        .route("/profile/email", post(profile::email_begin))
        .route("/profile/email/confirm", post(profile::email_confirm))
        .route("/groups/{id}/edit", post(admin::edit_group))
        .route("/profile/totp", post(profile::totp_begin))
        .route("/profile/totp/confirm", post(profile::totp_confirm))
        .route("/profile/totp/disable", post(profile::totp_disable))
        .route("/profile/revoke", post(profile::revoke))
        .route("/profile/identities/unlink", post(profile::unlink))
        .route("/profile/tokens", post(profile::create_token))
        .route("/stats", get(stats::page))
        .route("/audit", get(audit::page))
        .route("/language", post(session::set_language))
        .route("/setup/{token}", get(setup::page).post(setup::submit))
        .route("/static/app.css", get(render::stylesheet))
        .route("/static/app.js", get(render::script))
        .merge(uploads)
}

/// An address nobody serves: the API answers in problem+json, a browser gets the
/// interface's 404 page in its language.
pub async fn not_found(req: axum::extract::Request) -> axum::response::Response {
    if req.uri().path().starts_with("/api/") {
        return crate::error::not_found().await;
    }
    let lang = i18n::of_request(req.headers());
    i18n::scoped(lang, async {
        render::error_page(axum::http::StatusCode::NOT_FOUND, None)
    })
    .await
}

async fn home() -> axum::response::Redirect {
    axum::response::Redirect::to("/inbox")
}
