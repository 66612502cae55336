//! The whole application's router: the API and the pages side by side, and the
//! middleware around both (the request's language, security headers, request ids,
//! tracing, panics as 500s).

use crate::error;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{header, HeaderName, HeaderValue};
use axum::routing::get;
use axum::Router;
use svitok_app::App;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub fn router(state: App) -> Router {
    let (routes, doc) = crate::api::api().split_for_parts();
    let doc = std::sync::Arc::new(doc);
    let request_id = HeaderName::from_static("x-request-id");
    routes
        .route("/api/v1/openapi.json", get(move || async move { axum::Json((*doc).clone()) }))
        .merge(crate::ui::router())
        .fallback(crate::ui::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .with_state(state)
        .layer(DefaultBodyLimit::max(crate::extract::MAX_JSON_BYTES))
        .layer(axum::middleware::from_fn(crate::api::health::track))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(CatchPanicLayer::custom(|_| {
            error::problem(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "msg-internal",
                None,
            )
        }))
        .layer(
            // Log the route template, never the raw URI: a path may carry a setup secret.
            TraceLayer::new_for_http().make_span_with(|req: &Request| {
                let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned());
                let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                tracing::info_span!("request", method = %req.method(), route = route.as_deref().unwrap_or("unmatched"), request_id = %id)
            }),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        // Outermost, so that every answer (a panic's too) speaks the request's language.
        .layer(axum::middleware::from_fn(crate::i18n::middleware))
}
