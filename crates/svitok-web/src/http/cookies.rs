//! The cookies: the session, the language, and an identity provider's flow.

use crate::i18n::{self, Lang};
use axum::http::header;
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use svitok_app::accounts::oidc::{Flow, FLOW_TTL_MS};
use svitok_app::App;

/// The session cookie (SPEC §5: HttpOnly, SameSite=Strict, Secure behind HTTPS), living
/// until `expires_at`; an empty token at `now` clears it.
pub(crate) fn session_cookie(state: &App, token: &str, expires_at: i64) -> Cookie<'static> {
    Cookie::build((state.settings.cookie_name(), token.to_string()))
        .http_only(true)
        .secure(state.settings.https())
        .same_site(SameSite::Strict)
        .path("/")
        .max_age(time::Duration::seconds(((expires_at - state.now()) / 1000).max(0)))
        .build()
}

/// The person's language for this browser.
pub(crate) fn language_cookie(state: &App, lang: Lang) -> String {
    Cookie::build((i18n::COOKIE, lang.code()))
        .http_only(true)
        .secure(state.settings.https())
        .same_site(SameSite::Lax)
        .path("/")
        .max_age(time::Duration::days(400))
        .build()
        .to_string()
}

pub(crate) fn append_cookie(res: &mut Response, cookie: &str) {
    if let Ok(v) = axum::http::HeaderValue::from_str(cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// `__Secure-` behind HTTPS, so that no sibling site (another subdomain, plain HTTP) can
/// plant a flow of its own in the browser.
fn flow_name(state: &App) -> &'static str {
    if state.settings.https() {
        "__Secure-svitok_oidc_flow"
    } else {
        "svitok_oidc_flow"
    }
}
const FLOW_PATH: &str = "/api/v1/auth/oidc/";
const FLOW_CONTEXT: &[u8] = b"svitok oidc flow v1";

/// A provider flow, sealed (encrypted and authenticated with a key from the master key)
/// into a short-lived cookie only the callback reads. `SameSite=Lax`, not `Strict`: the
/// provider sends the browser back from another site, and a strict cookie would stay
/// behind.
pub(crate) fn flow_cookie(state: &App, flow: &Flow) -> String {
    let json = serde_json::to_vec(flow).unwrap_or_default();
    Cookie::build((flow_name(state), state.keys.oidc.seal(&json, FLOW_CONTEXT)))
        .http_only(true)
        .secure(state.settings.https())
        .same_site(SameSite::Lax)
        .path(FLOW_PATH)
        .max_age(time::Duration::milliseconds(FLOW_TTL_MS))
        .build()
        .to_string()
}

/// Clears the flow cookie (a flow is used once).
pub(crate) fn flow_cookie_gone(state: &App) -> String {
    Cookie::build((flow_name(state), ""))
        .http_only(true)
        .secure(state.settings.https())
        .same_site(SameSite::Lax)
        .path(FLOW_PATH)
        .max_age(time::Duration::ZERO)
        .build()
        .to_string()
}

/// The flow a request's cookie holds, if it holds one sealed by this server.
pub(crate) fn flow_of(state: &App, headers: &axum::http::HeaderMap) -> Option<Flow> {
    let jar = CookieJar::from_headers(headers);
    let sealed = jar.get(flow_name(state))?.value().to_string();
    let json = state.keys.oidc.open(&sealed, FLOW_CONTEXT).ok()?;
    serde_json::from_slice(&json).ok()
}

const LANDING: &str = "svitok_landing";

/// Marks a browser that has just been signed in at the end of a provider's redirects.
/// Its strict session cookie is not sent while the navigation began on another site, so
/// the first page it reaches sends it on once more from here (`SameSite=Lax`; holds no
/// credential; one minute).
pub(crate) fn landing_cookie(state: &App) -> String {
    Cookie::build((LANDING, "1"))
        .http_only(true)
        .secure(state.settings.https())
        .same_site(SameSite::Lax)
        .path("/")
        .max_age(time::Duration::minutes(1))
        .build()
        .to_string()
}

pub(crate) fn landing_cookie_gone(state: &App) -> String {
    Cookie::build((LANDING, ""))
        .http_only(true)
        .secure(state.settings.https())
        .same_site(SameSite::Lax)
        .path("/")
        .max_age(time::Duration::ZERO)
        .build()
        .to_string()
}

pub(crate) fn has_landing(headers: &axum::http::HeaderMap) -> bool {
    CookieJar::from_headers(headers).get(LANDING).is_some()
}
