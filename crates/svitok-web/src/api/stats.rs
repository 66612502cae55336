//! `/api/v1/stats`: organisation-wide statistics for holders of `view_statistics`.

use crate::api::problems;
use crate::error::ApiResult;
use crate::extract::{Actor, ApiQuery};
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use svitok_app::stats;
use svitok_app::App;
use svitok_core::CoreError;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    /// How many weeks the weekly series covers, 1–104 (default 12).
    pub weeks: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusCount {
    pub status: String,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupCount {
    pub group_id: String,
    pub name: String,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WeekCount {
    /// Monday of the week (UTC), `YYYY-MM-DD`.
    pub week: String,
    pub created: i64,
    /// Documents that first reached `done` that week.
    pub completed: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SenderCount {
    pub user_id: String,
    pub name: String,
    pub sent: i64,
}

/// Documents outside the trash, counted.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsView {
    pub total: i64,
    pub by_status: Vec<StatusCount>,
    /// Documents whose responsible party is a group (up to 20 groups, most first).
    pub by_responsible_group: Vec<GroupCount>,
    pub per_week: Vec<WeekCount>,
    /// Past the due date and not done, rejected or archived.
    pub overdue: i64,
    /// Mean hours from creation to the first move into `done`; null when none has.
    pub mean_hours_to_done: Option<f64>,
    /// Mean hours from creation to the first move into `signed`.
    pub mean_hours_to_signed: Option<f64>,
    /// Up to 10 users who sent or forwarded the most.
    pub top_senders: Vec<SenderCount>,
}

pub fn week_date(ms: i64) -> String {
    svitok_core::clock::from_ms(ms).date().to_string()
}

fn hours(ms: Option<f64>) -> Option<f64> {
    ms.map(|m| (m / 3_600_000.0 * 10.0).round() / 10.0)
}

/// Statistics by status, responsible group, week, overdue, time to done/signed and top
/// senders (`view_statistics`).
#[utoipa::path(get, path = "/api/v1/stats", tag = "stats", params(StatsQuery),
    responses((status = 200, body = StatsView), problems::BadRequest,
              problems::Unauthorized, problems::Forbidden,
              problems::Unprocessable),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn get_stats(
    State(state): State<App>,
    actor: Actor,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Json<StatsView>> {
    let weeks = q.weeks.unwrap_or(12);
    if !(1..=104).contains(&weeks) {
        return Err(CoreError::validation(
            "weeks",
            svitok_core::Message::new("msg-number-range")
                .arg("field", "weeks")
                .arg("min", 1)
                .arg("max", 104),
        )
        .into());
    }
    let (s, names) = stats::collect(&state, &actor, weeks).await?;
    Ok(Json(StatsView {
        total: s.total,
        by_status: s
            .by_status
            .iter()
            .map(|(st, n)| StatusCount {
                status: st.as_str().into(),
                count: *n,
            })
            .collect(),
        by_responsible_group: s
            .by_group
            .into_iter()
            .map(|(id, name, count)| GroupCount {
                group_id: id.to_string(),
                name,
                count,
            })
            .collect(),
        per_week: s
            .per_week
            .iter()
            .map(|w| WeekCount {
                week: week_date(w.start),
                created: w.created,
                completed: w.completed,
            })
            .collect(),
        overdue: s.overdue,
        mean_hours_to_done: hours(s.mean_to_done_ms),
        mean_hours_to_signed: hours(s.mean_to_signed_ms),
        top_senders: s
            .top_senders
            .iter()
            .map(|(u, n)| SenderCount {
                user_id: u.to_string(),
                name: names.get(u).cloned().unwrap_or_default(),
                sent: *n,
            })
            .collect(),
    }))
}
