//! Form tokens (double-submit): a random value in an HttpOnly, SameSite=Strict cookie and
//! the same value in every form; a POST whose two values differ is refused. The API's
//! Origin check cannot serve the forms: under `Referrer-Policy: no-referrer` browsers
//! send `Origin: null` even to the same site.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use subtle::ConstantTimeEq;
use svitok_app::AppState;

pub struct FormToken {
    pub value: String,
    /// Made for this response: nothing posted with it yet can be valid.
    fresh: bool,
}

fn cookie_name(state: &AppState) -> &'static str {
    if state.settings.https() {
        "__Host-svitok_csrf"
    } else {
        "svitok_csrf"
    }
}

impl FromRequestParts<AppState> for FormToken {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        match jar.get(cookie_name(state)).map(|c| c.value().to_string()) {
            Some(v) if v.len() == 43 => Ok(FormToken { value: v, fresh: false }),
            _ => {
                let mut b = [0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut b);
                Ok(FormToken {
                    value: URL_SAFE_NO_PAD.encode(b),
                    fresh: true,
                })
            }
        }
    }
}

impl FormToken {
    /// The `Set-Cookie` value when the browser does not hold the token yet.
    pub fn set_cookie(&self, state: &AppState) -> Option<String> {
        self.fresh.then(|| {
            Cookie::build((cookie_name(state), self.value.clone()))
                .http_only(true)
                .secure(state.settings.https())
                .same_site(SameSite::Strict)
                .path("/")
                .build()
                .to_string()
        })
    }

    /// Whether a form carried the browser's own token (compared in constant time).
    pub fn matches(&self, submitted: &str) -> bool {
        !self.fresh && bool::from(self.value.as_bytes().ct_eq(submitted.as_bytes()))
    }
}
