//! What every page shares: the signed-in person, the navigation, how failures are shown.

use super::csrf::FormToken;
use super::render::{error_page, render, render_form};
use crate::extract::{authenticate, Actor};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use svitok_app::access::allows;
use svitok_app::documents as docs;
use svitok_app::App;
use svitok_core::policy::Operation;
use svitok_core::CoreError;

/// A signed-in person on a page: without a session the browser goes to the login page.
pub struct Page(pub Actor);

impl FromRequestParts<App> for Page {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &App) -> Result<Self, Self::Rejection> {
        // Forms carry their own token (checked by `CsrfForm`, `CsrfBody`).
        match authenticate(parts, state, false).await {
            // Pages are for a person at a browser: an API token (as a Bearer) opens none.
            Ok(a) if a.session.kind != svitok_db::SessionKind::Session => Err(Redirect::to("/login").into_response()),
            Ok(a) => Ok(Page(a)),
            Err(r) if r.status() == StatusCode::UNAUTHORIZED && crate::http::cookies::has_landing(&parts.headers) => {
                Err(once_more(
                    state,
                    parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/inbox"),
                ))
            }
            Err(r) if r.status() == StatusCode::UNAUTHORIZED => Err(Redirect::to("/login").into_response()),
            Err(r) => Err(error_page(r.status(), None)),
        }
    }
}

/// A browser just signed in at the end of an identity provider's redirects: the strict
/// session cookie stays behind on a navigation another site began, so the page sends the
/// browser on to the same address once more, from here (then the cookie goes along).
fn once_more(state: &App, to: &str) -> Response {
    // Only a path of this site (never `//elsewhere`), as after a provider's login.
    let mut res = onward(&svitok_app::accounts::oidc::safe_return(Some(to)));
    crate::http::cookies::append_cookie(&mut res, &crate::http::cookies::landing_cookie_gone(state));
    res
}

/// A page that sends the browser on to `to` by itself (and offers the link): a
/// navigation that this site begins, where a redirect would not do (a strict cookie on
/// the way back from another site; a form's redirect to another site, which
/// `form-action 'self'` forbids).
pub fn onward(to: &str) -> Response {
    let to = minijinja::HtmlEscape(to).to_string();
    let body = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"refresh\" content=\"0;url={to}\"><title>Svitok</title></head>\
         <body><p><a href=\"{to}\">{text}</a></p></body></html>",
        lang = super::i18n::current().code(),
        text = super::i18n::text("continue"),
    );
    axum::response::Html(body).into_response()
}

/// Whoever is signed in, if anyone: for what works with or without a session (the
/// language switch).
pub struct SignedIn(pub Option<Actor>);

impl FromRequestParts<App> for SignedIn {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &App) -> Result<Self, Self::Rejection> {
        Ok(SignedIn(authenticate(parts, state, false).await.ok()))
    }
}

pub fn error_status(e: &CoreError) -> StatusCode {
    crate::error::status_of(e)
}

/// What a person is told, in the page's language: the error's own words for their
/// mistakes, nothing internal; for a refusal to try again, how long to wait.
pub fn error_text(e: &CoreError) -> String {
    use super::i18n;
    if error_status(e).is_server_error() && !matches!(e, CoreError::Unavailable(_) | CoreError::StorageFull(_)) {
        tracing::error!(error = %e, "a page action failed");
        return i18n::text("error-internal");
    }
    let said = i18n::describe(e);
    let CoreError::RateLimited { retry_after, .. } = e else {
        return said;
    };
    // How long to wait, in words people use: seconds up to two minutes, then minutes.
    let (key, n) = if *retry_after < 120 {
        ("wait-seconds", *retry_after)
    } else {
        ("wait-minutes", retry_after.div_ceil(60))
    };
    let wait = i18n::text_args(key, [("n", (n as i64).into())]);
    format!("{said}. {}", i18n::text_args("retry-after", [("wait", wait.into())]))
}

/// A form that did not carry the browser's own token: refused.
pub fn foreign_form() -> Response {
    error_page(StatusCode::FORBIDDEN, None)
}

/// The navigation's links that depend on rights, and the unread counter.
async fn chrome(state: &App, actor: &Actor) -> minijinja::Value {
    // The counter is a nicety: a failure to read it must not cost the page.
    let unread = docs::inbox(state, actor, 1, 0).await.map(|(_, _, u)| u).unwrap_or(0);
    context! {
        me => actor.user.full_name(),
        unread,
        nav => context! {
            // A holder of grant_rights alone finds people there to set their rights.
            users => allows(actor, &Operation::ListUsers) || allows(actor, &Operation::GrantRights),
            audit => allows(actor, &Operation::ReadAudit),
            stats => allows(actor, &Operation::ViewStatistics),
        },
    }
}

/// A signed-in page: the template gets the person, the navigation and the form token.
pub async fn show(
    state: &App,
    actor: &Actor,
    token: &FormToken,
    status: StatusCode,
    name: &str,
    ctx: minijinja::Value,
) -> Response {
    let chrome = chrome(state, actor).await;
    render_form(state, token, status, name, context! { ..ctx, ..chrome })
}

/// The page a handler produced, or the error page for what stopped it.
/// Bad input (a malformed date, say) is explained; refusals and missing things get the
/// plain 403/404 pages, which say no more than they must.
pub fn or_error(actor: &Actor, r: Result<Response, CoreError>) -> Response {
    r.unwrap_or_else(|e| {
        let status = error_status(&e);
        if status.is_server_error() {
            tracing::error!(error = %e, "a page failed");
        }
        let me = actor.user.full_name();
        match e {
            CoreError::Validation { .. } | CoreError::Conflict { .. } | CoreError::InvalidTransition { .. } => render(
                status,
                "error.html",
                context! { me, heading => super::i18n::text("error-heading"), message => error_text(&e) },
            ),
            _ => error_page(status, Some(&me)),
        }
    })
}

/// An action that did not happen: the 404 page for strangers, otherwise what went wrong
/// (under the heading of catalog key `heading`) and a way back.
pub fn action_failed(me: &str, heading: &str, back: &str, e: &CoreError) -> Response {
    let heading = super::i18n::text(heading);
    if matches!(e, CoreError::NotFound(_)) {
        return error_page(StatusCode::NOT_FOUND, Some(me));
    }
    render(
        error_status(e),
        "error.html",
        context! { me, heading, message => error_text(e), back },
    )
}

/// A form's action done: on to `to`; not done: why, with a way `back`.
pub fn outcome<T>(me: &str, result: Result<T, CoreError>, to: &str, failed: &str, back: &str) -> Response {
    match result {
        Ok(_) => done(to),
        Err(e) => action_failed(me, failed, back, &e),
    }
}

/// After a successful form: back to a page (303, so a reload does not post again).
pub fn done(to: &str) -> Response {
    Redirect::to(to).into_response()
}
