//! The audit log page (`manage_users`): newest first, filtered, a page at a time.

use super::csrf::FormToken;
use super::forms::{day, midnight_ms};
use super::page::{or_error, show, Page};
use super::render::date_text;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use serde::Deserialize;
use svitok_app::App;
use svitok_app::{audit, documents as docs};
use svitok_core::ids::UserId;

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    action: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    target: String,
    /// `YYYY-MM-DD`, inclusive.
    #[serde(default)]
    from: String,
    /// `YYYY-MM-DD`, inclusive.
    #[serde(default)]
    to: String,
    before: Option<i64>,
}

fn some(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Midnight UTC of a `YYYY-MM-DD` day, in ms; `None` for an empty or malformed field
/// (the log's filters are lenient: a bad day filters nothing).
fn day_ms(field: &'static str, s: &str) -> Option<i64> {
    day(field, s).ok().flatten().map(midnight_ms)
}

const PAGE: i64 = 100;

pub async fn page(
    State(state): State<App>,
    Page(actor): Page,
    token: FormToken,
    Query(q): Query<AuditQuery>,
) -> Response {
    let result = async {
        let filter = svitok_db::AuditFilter {
            actor: None,
            action: some(&q.action),
            target: some(&q.target),
            outcome: some(&q.outcome),
            from: day_ms("from", &q.from),
            to: day_ms("to", &q.to).map(|d| d + 24 * 3600 * 1000),
        };
        let events = audit::search(&state, &actor, &filter, q.before, PAGE).await?;
        let people: Vec<UserId> = events
            .iter()
            .filter_map(|e| e.actor.as_deref()?.parse().ok().map(UserId))
            .collect();
        let names = docs::names(&state, &people).await?;
        let next = (events.len() as i64 == PAGE)
            .then(|| events.last().map(|e| e.seq))
            .flatten()
            .map(|before| {
                url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("action", &q.action)
                    .append_pair("outcome", &q.outcome)
                    .append_pair("target", &q.target)
                    .append_pair("from", &q.from)
                    .append_pair("to", &q.to)
                    .append_pair("before", &before.to_string())
                    .finish()
            });
        let items: Vec<_> = events
            .iter()
            .map(|e| {
                let who = e.actor.as_deref().map(|a| {
                    a.parse()
                        .ok()
                        .and_then(|id| names.get(&UserId(id)).cloned())
                        .unwrap_or_else(|| a.to_string())
                });
                context! {
                    seq => e.seq, at => crate::api::views::rfc3339(e.at), at_text => date_text(e.at),
                    who, action => e.action, target => e.target, addr => e.client_addr,
                    ok => e.outcome == "success", details => e.details,
                }
            })
            .collect();
        let ctx = context! {
            section => "audit", items, next, action => q.action, outcome => q.outcome, target => q.target,
            from => q.from, to => q.to,
        };
        Ok(show(&state, &actor, &token, StatusCode::OK, "audit.html", ctx).await)
    }
    .await;
    or_error(&actor, result)
}
