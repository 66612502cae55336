//! The statistics page: each figure as a chart drawn on the server (SVG, no script) with
//! the numbers in a table beside it.

use super::csrf::FormToken;
use super::page::{or_error, show, Page};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use svitok_app::stats;
use svitok_app::App;

/// Horizontal bars: label, count, and the bar's length in the chart's units (0–240).
fn bars(items: Vec<(String, i64)>) -> minijinja::Value {
    let max = items.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let rows: Vec<_> = items
        .into_iter()
        .enumerate()
        .map(|(i, (label, n))| {
            // The chart has room for about 22 characters; the table beside it has all.
            let short = if label.chars().count() > 22 {
                format!("{}…", label.chars().take(21).collect::<String>())
            } else {
                label.clone()
            };
            context! { label, short, n, y => i * 26, len => (n * 240 + max - 1) / max }
        })
        .collect();
    let height = rows.len() * 26;
    context! { rows, height }
}

pub async fn page(State(state): State<App>, Page(actor): Page, token: FormToken) -> Response {
    let result = async {
        let (s, names) = stats::collect(&state, &actor, 12).await?;
        let by_status = bars(
            s.by_status
                .iter()
                .map(|(st, n)| (super::i18n::text(&format!("status-{}", st.as_str())), *n))
                .collect(),
        );
        let by_group = bars(s.by_group.iter().map(|(_, name, n)| (name.clone(), *n)).collect());
        let senders = bars(
            s.top_senders
                .iter()
                .map(|(u, n)| (names.get(u).cloned().unwrap_or_default(), *n))
                .collect(),
        );
        // Weekly columns: created and completed side by side, 30 units a week, 120 high.
        let max = s
            .per_week
            .iter()
            .map(|w| w.created.max(w.completed))
            .max()
            .unwrap_or(0)
            .max(1);
        let height = |n: i64| (n * 120 + max - 1) / max;
        let weeks: Vec<_> = s
            .per_week
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let date = svitok_core::clock::from_ms(w.start).date();
                context! {
                    x => i * 30 + 4, label => week_label(date),
                    created => w.created, completed => w.completed,
                    created_h => height(w.created), completed_h => height(w.completed),
                    week => crate::api::stats::week_date(w.start),
                }
            })
            .collect();
        let hours = |ms: Option<f64>| {
            ms.map(|m| {
                let h = format!("{:.1}", m / 3_600_000.0);
                match super::i18n::current() {
                    super::i18n::Lang::Ru => h.replace('.', ","),
                    super::i18n::Lang::En => h,
                }
            })
        };
        let ctx = context! {
            section => "stats", total => s.total, overdue => s.overdue, by_status, by_group, senders,
            weeks, weeks_width => s.per_week.len() * 30 + 8,
            to_done => hours(s.mean_to_done_ms), to_signed => hours(s.mean_to_signed_ms),
        };
        Ok(show(&state, &actor, &token, StatusCode::OK, "stats.html", ctx).await)
    }
    .await;
    or_error(&actor, result)
}

/// A week's Monday, short: `23.11` in Russian, `11-23` in English.
fn week_label(date: time::Date) -> String {
    let (d, m) = (date.day(), u8::from(date.month()));
    match super::i18n::current() {
        super::i18n::Lang::Ru => format!("{d:02}.{m:02}"),
        super::i18n::Lang::En => format!("{m:02}-{d:02}"),
    }
}
