//! Form tokens (double-submit): a random value in an HttpOnly, SameSite=Strict cookie and
//! the same value in every form; a POST whose two values differ is refused. The API's
//! Origin check cannot serve the forms: under `Referrer-Policy: no-referrer` browsers
//! send `Origin: null` even to the same site.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;
use svitok_app::App;

pub struct FormToken {
    pub value: String,
    /// Made for this response: nothing posted with it yet can be valid.
    fresh: bool,
}

fn cookie_name(state: &App) -> &'static str {
    if state.settings.https() {
        "__Host-svitok_csrf"
    } else {
        "svitok_csrf"
    }
}

impl FromRequestParts<App> for FormToken {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &App) -> Result<Self, Self::Rejection> {
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
    pub fn set_cookie(&self, state: &App) -> Option<String> {
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

/// The largest form a page posts without a file (the file forms are multipart): the
/// router's body limit, which `Form` applies again.
const FORM_LIMIT: usize = crate::extract::MAX_JSON_BYTES;

/// A form posted with the browser's own form token, and that token (a page re-rendered
/// after a failure needs it). A post whose token differs never reaches the handler: it
/// gets the foreign-form page (403).
pub struct CsrfForm<T>(pub FormToken, pub T);

/// [`CsrfForm`] for forms a handler reads itself (repeated fields: the rights switches).
pub struct CsrfBody(pub FormToken, pub axum::body::Bytes);

/// Reads the body and checks its `csrf` field against the browser's token.
async fn checked(req: Request, state: &App) -> Result<(FormToken, Parts, axum::body::Bytes), Response> {
    let (mut parts, body) = req.into_parts();
    let Ok(token) = FormToken::from_request_parts(&mut parts, state).await;
    let bytes = axum::body::to_bytes(body, FORM_LIMIT)
        .await
        .map_err(|_| super::render::error_page(StatusCode::PAYLOAD_TOO_LARGE, None))?;
    let given = url::form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    if !token.matches(&given) {
        return Err(super::page::foreign_form());
    }
    Ok((token, parts, bytes))
}

impl<T: DeserializeOwned> FromRequest<App> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &App) -> Result<Self, Response> {
        let (token, parts, bytes) = checked(req, state).await?;
        let req = Request::from_parts(parts, axum::body::Body::from(bytes));
        match Form::<T>::from_request(req, state).await {
            Ok(Form(f)) => Ok(CsrfForm(token, f)),
            Err(rejection) => Err(rejection.into_response()),
        }
    }
}

impl FromRequest<App> for CsrfBody {
    type Rejection = Response;

    async fn from_request(req: Request, state: &App) -> Result<Self, Response> {
        let (token, _, bytes) = checked(req, state).await?;
        Ok(CsrfBody(token, bytes))
    }
}
