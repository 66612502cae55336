//! Signing in through the organisation's identity provider (SPEC §11): the providers,
//! the start of the flow, the provider's callback, and a person's linked identities.
//!
//! The start and the callback are steps of a browser's navigation, not calls of a client
//! program: they answer with redirects. A refusal lands on the login page, which says why
//! in the person's language (`/login?oidc_error=…`, a fixed set of message names).

use super::views::rfc3339;
use crate::api::problems;
use crate::error::ApiResult;
use crate::extract::{Actor, ApiPath, ApiQuery, ClientOf};
use crate::http::cookies::{
    append_cookie, flow_cookie, flow_cookie_gone, flow_of, landing_cookie, language_cookie, session_cookie,
};
use crate::i18n::Lang;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use svitok_app::accounts::oidc::{self, Callback, Landed};
use svitok_app::App;
use svitok_core::CoreError;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderView {
    /// The provider's name in configuration and routes.
    pub name: String,
    /// The button's text.
    pub label: String,
    /// Where a browser starts signing in with it.
    pub start_url: String,
}

/// The identity providers people may sign in with, in the order of their buttons.
#[utoipa::path(get, path = "/api/v1/auth/oidc", tag = "auth", responses((status = 200, body = [ProviderView])))]
pub async fn list_providers(State(state): State<App>) -> Json<Vec<ProviderView>> {
    Json(
        oidc::providers(&state)
            .into_iter()
            .map(|p| ProviderView {
                name: p.name.clone(),
                label: p.label.clone(),
                start_url: state.settings.link(&format!("/api/v1/auth/oidc/{}/start", p.name)),
            })
            .collect(),
    )
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StartQuery {
    /// A path inside Svitok to land on afterwards (default `/inbox`).
    pub return_to: Option<String>,
}

/// Sends the browser to the provider's login, with `state`, `nonce` and a PKCE S256
/// challenge bound to it by a short-lived cookie.
#[utoipa::path(get, path = "/api/v1/auth/oidc/{name}/start", tag = "auth",
    params(("name" = String, Path), StartQuery),
    responses((status = 302, description = "to the provider's authorization endpoint"),
              (status = 303, description = "the provider is unavailable: back to the login page, which says so"),
              problems::BadRequest, problems::NotFound))]
pub async fn start(
    State(state): State<App>,
    ApiPath(name): ApiPath<String>,
    ApiQuery(q): ApiQuery<StartQuery>,
) -> ApiResult<Response> {
    match oidc::start(&state, &name, q.return_to.as_deref()).await {
        Ok((url, flow)) => {
            let mut res = (StatusCode::FOUND, [(header::LOCATION, url)]).into_response();
            append_cookie(&mut res, &flow_cookie(&state, &flow));
            Ok(res)
        }
        Err(CoreError::Unavailable(m)) => Ok(to_login(m.key())),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    /// The provider's refusal (`access_denied`, …).
    pub error: Option<String>,
    /// The issuer, when the provider names itself (RFC 9207); checked in the ID token.
    pub iss: Option<String>,
}

/// The provider sends the browser back here. A verified identity signs in (303 to where
/// the person was going), or continues to Svitok's own second factor (303 to the code
/// page with `?challenge=`); a refusal lands on the login page with the reason.
#[utoipa::path(get, path = "/api/v1/auth/oidc/{name}/callback", tag = "auth",
    params(("name" = String, Path), CallbackQuery),
    responses((status = 303, description = "signed in, on to the second factor, or back to the login page with the reason"),
              problems::BadRequest, problems::NotFound))]
pub async fn callback(
    State(state): State<App>,
    ClientOf(client): ClientOf,
    headers: HeaderMap,
    ApiPath(name): ApiPath<String>,
    ApiQuery(q): ApiQuery<CallbackQuery>,
) -> ApiResult<Response> {
    let flow = flow_of(&state, &headers);
    let back = Callback {
        code: q.code.as_deref(),
        state: q.state.as_deref(),
        error: q.error.as_deref(),
    };
    let mut res = match oidc::land(&state, &name, back, flow, &client).await {
        Ok(Landed::Session(issued, to)) => {
            let mut res = see_other(&to);
            append_cookie(
                &mut res,
                &session_cookie(&state, &issued.token, issued.expires_at).to_string(),
            );
            append_cookie(&mut res, &landing_cookie(&state));
            if let Some(lang) = issued.language.as_deref().and_then(Lang::parse) {
                append_cookie(&mut res, &language_cookie(&state, lang));
            }
            res
        }
        Ok(Landed::SecondFactor(started)) => see_other(&format!(
            "/login/code?challenge={}&method={}",
            started.challenge, started.method
        )),
        Err(CoreError::NotFound(what)) => return Err(CoreError::NotFound(what).into()),
        Err(e) => {
            let key = e.message().map(|m| m.key()).unwrap_or("msg-oidc-refused");
            if !matches!(e, CoreError::Unauthenticated(_) | CoreError::Unavailable(_)) {
                tracing::error!(error = %e, "an identity provider's landing failed");
            }
            to_login(key)
        }
    };
    append_cookie(&mut res, &flow_cookie_gone(&state));
    Ok(res)
}

fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// Back to the login page, which says in the person's language what `key` names.
fn to_login(key: &str) -> Response {
    see_other(&format!("/login?oidc_error={key}"))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IdentityView {
    pub id: Uuid,
    /// The provider's name in configuration.
    pub provider: String,
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub linked_at: String,
    pub last_used_at: String,
}

/// The caller's linked external identities.
#[utoipa::path(get, path = "/api/v1/me/identities", tag = "me",
    responses((status = 200, body = [IdentityView]), problems::Unauthorized), security(("bearer" = []), ("cookie" = [])))]
pub async fn list_identities(State(state): State<App>, actor: Actor) -> ApiResult<Json<Vec<IdentityView>>> {
    let list = oidc::identities(&state, &actor).await?;
    Ok(Json(
        list.into_iter()
            .map(|i| IdentityView {
                id: i.id,
                provider: i.provider,
                issuer: i.issuer,
                subject: i.subject,
                email: i.email,
                linked_at: rfc3339(i.linked_at),
                last_used_at: rfc3339(i.last_used_at),
            })
            .collect(),
    ))
}

/// Unlinks one of the caller's identities (not the last way into the account).
#[utoipa::path(delete, path = "/api/v1/me/identities/{id}", tag = "me", params(("id" = Uuid, Path)),
    responses((status = 204, description = "unlinked"), problems::BadRequest, problems::Unauthorized,
              problems::NotFound, problems::Conflict),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn unlink_identity(
    State(state): State<App>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    oidc::unlink(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
