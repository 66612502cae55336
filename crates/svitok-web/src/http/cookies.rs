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

/// An `HttpOnly`, `SameSite=Lax` cookie (`Secure` behind HTTPS), as a header value.
fn lax(state: &App, name: &'static str, value: String, path: &'static str, max_age: time::Duration) -> String {
    Cookie::build((name, value))
        .http_only(true)
        .secure(state.settings.https())
        .same_site(SameSite::Lax)
        .path(path)
        .max_age(max_age)
        .build()
        .to_string()
}

/// The person's language for this browser.
pub(crate) fn language_cookie(state: &App, lang: Lang) -> String {
    lax(state, i18n::COOKIE, lang.code().into(), "/", time::Duration::days(400))
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
    let sealed = state.keys.oidc.seal(&json, FLOW_CONTEXT);
    lax(
        state,
        flow_name(state),
        sealed,
        FLOW_PATH,
        time::Duration::milliseconds(FLOW_TTL_MS),
    )
}

/// Clears the flow cookie (a flow is used once).
pub(crate) fn flow_cookie_gone(state: &App) -> String {
    lax(state, flow_name(state), String::new(), FLOW_PATH, time::Duration::ZERO)
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
    lax(state, LANDING, "1".into(), "/", time::Duration::minutes(1))
}

pub(crate) fn landing_cookie_gone(state: &App) -> String {
    lax(state, LANDING, String::new(), "/", time::Duration::ZERO)
}

pub(crate) fn has_landing(headers: &axum::http::HeaderMap) -> bool {
    CookieJar::from_headers(headers).get(LANDING).is_some()
}
