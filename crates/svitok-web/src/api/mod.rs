//! The REST API under `/api/v1`: its routes and their OpenAPI description.

pub mod audit;
pub mod auth;
pub mod documents;
pub mod groups;
pub mod health;
pub mod me;
pub mod oidc;
pub mod pki;
pub mod problems;
pub mod setup;
pub mod signatures;
pub mod stats;
pub mod users;
pub mod views;

use crate::error;
use axum::extract::DefaultBodyLimit;
use svitok_app::App;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "Svitok API", version = "1", description = "Secure electronic document management (ЭДО). Errors are application/problem+json (RFC 9457)."),
    components(schemas(error::Problem)),
    modifiers(&SecuritySchemes),
    tags((name = "auth"), (name = "me"), (name = "documents"), (name = "users"), (name = "signatures"), (name = "pki"), (name = "groups"), (name = "audit"), (name = "stats"), (name = "setup"), (name = "health"))
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("svitok_session"))),
        );
    }
}

/// The API routes with their OpenAPI description.
pub(crate) fn api() -> OpenApiRouter<App> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::register))
        .routes(routes!(auth::confirm_registration))
        .routes(routes!(auth::resend_registration))
        .routes(routes!(auth::login))
        .routes(routes!(auth::verify_login))
        .routes(routes!(auth::resend_login_code))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::request_password_reset))
        .routes(routes!(auth::confirm_password_reset))
        .routes(routes!(auth::step_up))
        .routes(routes!(oidc::list_providers))
        .routes(routes!(oidc::start))
        .routes(routes!(oidc::callback))
        .routes(routes!(oidc::list_identities))
        .routes(routes!(oidc::unlink_identity))
        .routes(routes!(me::me, me::update_me))
        .routes(routes!(me::change_email))
        .routes(routes!(me::confirm_email))
        .routes(routes!(users::list_users, users::create_user))
        .routes(routes!(users::get_user, users::update_user))
        .routes(routes!(users::block_user))
        .routes(routes!(users::unblock_user))
        .routes(routes!(users::change_email))
        .routes(routes!(users::confirm_email))
        .routes(routes!(users::end_sessions))
        .routes(routes!(users::get_rights, users::set_rights))
        .routes(routes!(groups::list_groups, groups::create_group))
        .routes(routes!(groups::get_group, groups::update_group, groups::delete_group))
        .routes(routes!(groups::add_member, groups::remove_member))
        .routes(routes!(audit::list_audit))
        .routes(routes!(stats::get_stats))
        .routes(routes!(documents::list_documents))
        .routes(routes!(
            documents::get_document,
            documents::update_document,
            documents::delete_document
        ))
        .routes(routes!(documents::restore_document))
        .routes(routes!(documents::list_versions))
        .routes(routes!(documents::download_version))
        .routes(routes!(documents::change_status))
        .routes(routes!(documents::change_responsible))
        .routes(routes!(documents::send_document))
        .routes(routes!(documents::forward_document))
        .routes(routes!(documents::document_history))
        .routes(routes!(documents::inbox))
        .routes(routes!(documents::group_documents))
        .routes(routes!(signatures::sign_version, signatures::list_signatures))
        .routes(routes!(signatures::download_signature))
        .routes(routes!(signatures::request_signatures, signatures::signature_requests))
        .routes(routes!(pki::ca_certificate))
        .routes(routes!(pki::crl))
        .routes(routes!(pki::my_certificate, pki::issue_certificate))
        // Uploads stream with their own size limit (SVITOK_MAX_UPLOAD), not the JSON one.
        .merge(
            OpenApiRouter::new()
                .routes(routes!(documents::create_document))
                .routes(routes!(documents::add_version))
                .layer(DefaultBodyLimit::disable()),
        )
        .routes(routes!(me::change_password))
        .routes(routes!(me::list_sessions, me::revoke_all_sessions))
        .routes(routes!(me::revoke_session))
        .routes(routes!(me::list_tokens, me::create_token))
        .routes(routes!(me::revoke_token))
        .routes(routes!(me::begin_totp, me::disable_totp))
        .routes(routes!(me::confirm_totp))
        .routes(routes!(setup::create_admin))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(health::metrics_text))
}

/// The OpenAPI 3.1 document, as served at `/api/v1/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api().into_openapi()
}
