//! `/api/v1/audit`: the audit log for administrators.

use super::views::{rfc3339, time_param};
use crate::api::problems;
use crate::error::ApiResult;
use crate::extract::{Actor, ApiQuery};
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use svitok_app::audit;
use svitok_app::App;
use svitok_core::CoreError;
use svitok_db::AuditFilter;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// User id of the actor.
    pub actor: Option<String>,
    /// An action (`login`) or a full action name (`login.password`).
    pub action: Option<String>,
    pub target: Option<String>,
    /// `success` or `failure`.
    pub outcome: Option<String>,
    /// RFC 3339, inclusive.
    pub from: Option<String>,
    /// RFC 3339, exclusive.
    pub to: Option<String>,
    /// Events before this sequence number (the `next_before` of the previous page).
    pub before: Option<i64>,
    /// 1–500, default 100.
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventView {
    pub seq: i64,
    pub at: String,
    pub actor: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub client_addr: Option<String>,
    pub outcome: String,
    pub details: serde_json::Value,
    pub hash: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEventView>,
    /// Pass as `before` for the next (older) page; null at the start of the log.
    pub next_before: Option<i64>,
}

/// Audit events, newest first (`manage_users`).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = AuditPage), problems::BadRequest,
              problems::Unauthorized, problems::Forbidden,
              problems::Unprocessable),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn list_audit(
    State(state): State<App>,
    actor: Actor,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<AuditPage>> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(CoreError::validation(
            "limit",
            svitok_core::Message::new("msg-number-range")
                .arg("field", "limit")
                .arg("min", 1)
                .arg("max", 500),
        )
        .into());
    }
    let filter = AuditFilter {
        actor: q.actor,
        action: q.action,
        target: q.target,
        outcome: q.outcome,
        from: time_param("from", q.from.as_deref())?,
        to: time_param("to", q.to.as_deref())?,
    };
    let events = audit::search(&state, &actor, &filter, q.before, limit).await?;
    let next_before = (events.len() as i64 == limit)
        .then(|| events.last().map(|e| e.seq))
        .flatten();
    let items = events
        .into_iter()
        .map(|e| AuditEventView {
            seq: e.seq,
            at: rfc3339(e.at),
            actor: e.actor,
            action: e.action,
            target: e.target,
            client_addr: e.client_addr,
            outcome: e.outcome,
            details: serde_json::from_str(&e.details).unwrap_or(serde_json::Value::Null),
            hash: e.hash,
        })
        .collect();
    Ok(Json(AuditPage { items, next_before }))
}
