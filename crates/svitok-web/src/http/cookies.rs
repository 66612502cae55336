//! The session cookie.

use axum_extra::extract::cookie::{Cookie, SameSite};
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
