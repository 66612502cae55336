//! Extractors that turn malformed input into our problem format, identify the client, and
//! authenticate the caller (session cookie or Bearer token, with the CSRF check).

use crate::error::{problem, ApiError};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use serde::de::DeserializeOwned;
use std::net::SocketAddr;
use svitok_app::{App, Caller, Client};
use svitok_core::user::UserStatus;
use svitok_core::{token, CoreError, Message};
use svitok_db::SessionKind;

/// The largest JSON body any API route accepts.
pub const MAX_JSON_BYTES: usize = 64 * 1024;

/// How much of an oversized body we read and throw away before answering 413, so the
/// client, still uploading, reliably receives the answer instead of a reset connection.
const DRAIN_LIMIT: usize = 1024 * 1024;

/// JSON body whose every rejection is a problem+json with a clear message.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|n| n > MAX_JSON_BYTES) {
            drain(req.into_body()).await;
            return Err(problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                Message::new("msg-body-too-large").arg("kib", MAX_JSON_BYTES / 1024),
                None,
            ));
        }
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rej) => Err(json_rejection(rej)),
        }
    }
}

/// Reads and discards up to [`DRAIN_LIMIT`] bytes, for at most five seconds.
async fn drain(body: axum::body::Body) {
    use http_body_util::BodyExt;
    let mut body = body;
    let mut seen = 0usize;
    let discard = async {
        while let Some(Ok(frame)) = body.frame().await {
            seen += frame.data_ref().map_or(0, |d| d.len());
            if seen > DRAIN_LIMIT {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), discard).await;
}

fn json_rejection(rej: JsonRejection) -> Response {
    let status = rej.status();
    match status {
        StatusCode::UNSUPPORTED_MEDIA_TYPE => problem(status, "unsupported_media_type", "msg-json-expected", None),
        StatusCode::PAYLOAD_TOO_LARGE => problem(status, "payload_too_large", "msg-body-too-big", None),
        StatusCode::UNPROCESSABLE_ENTITY => problem(
            status,
            "validation",
            Message::new("msg-json-fields").arg("why", rej.body_text()),
            None,
        ),
        _ => problem(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            Message::new("msg-json-malformed").arg("why", rej.body_text()),
            None,
        ),
    }
}

/// Path parameters; a malformed id is a 400/404 problem, not a plain-text error.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => Err(problem(
                StatusCode::BAD_REQUEST,
                "invalid_path",
                Message::new("msg-path-invalid").arg("why", e.body_text()),
                None,
            )),
            Err(e) => Err(problem(
                StatusCode::BAD_REQUEST,
                "invalid_path",
                Message::new("msg-path-invalid").arg("why", e.body_text()),
                None,
            )),
        }
    }
}

/// Query string parameters with problem+json rejections.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => Err(problem(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                Message::new("msg-query-invalid").arg("why", e.body_text()),
                None,
            )),
            Err(e) => Err(problem(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                Message::new("msg-query-invalid").arg("why", e.body_text()),
                None,
            )),
        }
    }
}

/// The client's address and user agent, as a handler argument.
pub struct ClientOf(pub Client);

impl FromRequestParts<App> for ClientOf {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &App) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(a)| a.ip());
        let addr = peer
            .map(|p| client_address(p, &parts.headers, &state.settings.trusted_proxies))
            .map(|ip| ip.to_string());
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().filter(|c| !c.is_control()).take(200).collect());
        Ok(ClientOf(Client { addr, user_agent }))
    }
}

/// The client's address: the peer's, unless the peer is a trusted proxy; then the rightmost
/// `X-Forwarded-For` address that is not itself a trusted proxy (everything left of it
/// could be written by the client). A header we cannot read stops the walk at the last
/// proxy we trust.
pub fn client_address(
    peer: std::net::IpAddr,
    headers: &axum::http::HeaderMap,
    trusted: &[ipnet::IpNet],
) -> std::net::IpAddr {
    let is_trusted = |ip: &std::net::IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    // Bytes, not text: the client may put anything in its own (leftmost) part, and that
    // must not make the header unreadable and the proxy the client.
    let values: Vec<String> = headers
        .get_all("x-forwarded-for")
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect();
    let hops: Vec<&str> = values.iter().flat_map(|v| v.split(',')).map(str::trim).collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match parse_hop(hop) {
            Some(ip) => {
                client = ip;
                if !is_trusted(&ip) {
                    break;
                }
            }
            None => break,
        }
    }
    client
}

/// One X-Forwarded-For entry: an address, possibly with a port (`1.2.3.4:5555`,
/// `[2001:db8::1]:443`), as some proxies write them.
fn parse_hop(hop: &str) -> Option<std::net::IpAddr> {
    if let Ok(ip) = hop.parse() {
        return Some(ip);
    }
    if let Ok(sock) = hop.parse::<std::net::SocketAddr>() {
        return Some(sock.ip());
    }
    hop.strip_prefix('[')?.split_once(']')?.0.parse().ok()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Cookie,
    Bearer,
}

/// An authenticated caller, and how its credential came (cookie or Bearer header).
#[derive(Debug, Clone)]
pub struct Actor {
    pub caller: Caller,
    pub via: Via,
}

impl std::ops::Deref for Actor {
    type Target = Caller;

    fn deref(&self) -> &Caller {
        &self.caller
    }
}

fn unauthenticated() -> Response {
    ApiError(CoreError::unauthenticated("msg-sign-in-required")).into_response()
}

impl FromRequestParts<App> for Actor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &App) -> Result<Self, Self::Rejection> {
        authenticate(parts, state, true).await
    }
}

/// The caller of a request, from its Bearer token or session cookie. With `check_origin`
/// a cookie request that changes state must come from our own Origin; the web
/// interface's forms pass `false` and check their own form token instead (browsers send
/// `Origin: null` under `Referrer-Policy: no-referrer`).
pub(crate) async fn authenticate(parts: &mut Parts, state: &App, check_origin: bool) -> Result<Actor, Response> {
    {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(|t| t.trim().to_string());
        let (secret, via) = match bearer {
            Some(t) => (t, Via::Bearer),
            None => {
                let jar = CookieJar::from_headers(&parts.headers);
                match jar.get(state.settings.cookie_name()) {
                    Some(c) => (c.value().to_string(), Via::Cookie),
                    None => return Err(unauthenticated()),
                }
            }
        };
        if check_origin && via == Via::Cookie && !csrf_ok(parts, state) {
            return Err(problem(StatusCode::FORBIDDEN, "csrf", "msg-origin-mismatch", None));
        }
        let ClientOf(client) = ClientOf::from_request_parts(parts, state)
            .await
            .unwrap_or(ClientOf(Client::default()));
        let found = state
            .db
            .session_by_token_hash(&token::digest(&secret))
            .await
            .map_err(|e| ApiError(e).into_response())?;
        let Some((session, user, groups)) = found else {
            return Err(unauthenticated());
        };
        // Credentials keep their kind (SPEC §4): the cookie carries only a browser session.
        // An API token in the cookie would otherwise pass for a person at a browser.
        if via == Via::Cookie && session.kind != SessionKind::Session {
            return Err(unauthenticated());
        }
        let now = state.now();
        let idle_expired =
            session.kind == SessionKind::Session && now - session.last_seen_at > state.settings.session_idle_ms;
        // The nil id is the operator's (the CLI), never a person's.
        if user.id.is_operator() || user.status != UserStatus::Active || session.expires_at <= now || idle_expired {
            return Err(unauthenticated());
        }
        // Refresh the idle timer at most once a minute, so reads stay reads.
        if session.kind == SessionKind::Session && now - session.last_seen_at > 60_000 {
            state
                .db
                .touch_session(session.id, now)
                .await
                .map_err(|e| ApiError(e).into_response())?;
        }
        // An API client that names no language hears the one its person chose.
        crate::i18n::prefer_saved(user.language.as_deref());
        let rights = match session.rights {
            Some(subset) => user.rights.intersect(subset),
            None => user.rights,
        };
        Ok(Actor {
            caller: Caller {
                user,
                session,
                rights,
                client,
                groups,
            },
            via,
        })
    }
}

/// A cookie-authenticated request that changes state must come from our own origin.
/// Browsers always send `Origin` on such requests; without it we fall back to `Referer`,
/// and with neither the request is refused.
pub(crate) fn csrf_ok(parts: &Parts, state: &App) -> bool {
    if matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    let ours = state.settings.origin();
    let header_value = |name| parts.headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(origin) = header_value(header::ORIGIN) {
        return origin == ours;
    }
    if let Some(referer) = header_value(header::REFERER) {
        return url::Url::parse(referer)
            .map(|u| u.origin().ascii_serialization() == ours)
            .unwrap_or(false);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::client_address;
    use axum::http::HeaderMap;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let lb: Vec<ipnet::IpNet> = vec!["10.0.0.0/24".parse().unwrap()];
        let peer = "10.0.0.5".parse().unwrap();
        let stranger = "192.0.2.9".parse().unwrap();
        // Not from a proxy: the header is the client's own words.
        assert_eq!(client_address(stranger, &headers(&["203.0.113.1"]), &lb), stranger);
        assert_eq!(client_address(peer, &headers(&["203.0.113.1"]), &[]), peer);
        // From the proxy: the rightmost address it did not add itself.
        assert_eq!(
            client_address(peer, &headers(&["203.0.113.1"]), &lb).to_string(),
            "203.0.113.1"
        );
        let spoofed = headers(&["1.2.3.4, 203.0.113.1", "10.0.0.7"]);
        assert_eq!(client_address(peer, &spoofed, &lb).to_string(), "203.0.113.1");
        // The client's own bytes (not even text) do not blind the walk; ports are dropped.
        let mut raw = HeaderMap::new();
        raw.append(
            "x-forwarded-for",
            axum::http::HeaderValue::from_bytes(b"\xff\xfe, 203.0.113.9").unwrap(),
        );
        assert_eq!(client_address(peer, &raw, &lb).to_string(), "203.0.113.9");
        assert_eq!(
            client_address(peer, &headers(&["203.0.113.1:5555"]), &lb).to_string(),
            "203.0.113.1"
        );
        assert_eq!(
            client_address(peer, &headers(&["[2001:db8::1]:443"]), &lb).to_string(),
            "2001:db8::1"
        );
        // Garbage stops the walk; no header leaves the proxy.
        assert_eq!(
            client_address(peer, &headers(&["not-an-ip, 10.0.0.7"]), &lb).to_string(),
            "10.0.0.7"
        );
        assert_eq!(client_address(peer, &HeaderMap::new(), &lb), peer);
    }
}
