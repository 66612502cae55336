//! Organisation-wide statistics: counts only, never a document's content. Documents in
//! the trash are left out. One SQL text per figure, the same on both databases.

use crate::{map_err, Db, Result};
use sqlx::Row;
use svitok_core::documents::Status;
use svitok_core::ids::{GroupId, UserId};
use svitok_core::CoreError;

const WEEK_MS: i64 = 7 * 24 * 3600 * 1000;

#[derive(Debug, Clone, Default)]
pub struct Week {
    /// Start of the week (ms since the epoch, a Monday 00:00 UTC).
    pub start: i64,
    pub created: i64,
    pub completed: i64,
}

#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub total: i64,
    /// Every status, in the machine's order, with its count (zeros included).
    pub by_status: Vec<(Status, i64)>,
    /// Responsible groups with the most documents.
    pub by_group: Vec<(GroupId, String, i64)>,
    /// Oldest first, `weeks` of them, the last one holding `now`.
    pub per_week: Vec<Week>,
    /// Past their due date and not finished (done, rejected, archived).
    pub overdue: i64,
    /// Mean time from creation to the first move into `done` / `signed`, in ms.
    pub mean_to_done_ms: Option<f64>,
    pub mean_to_signed_ms: Option<f64>,
    /// Users who sent or forwarded the most documents.
    pub top_senders: Vec<(UserId, i64)>,
}

fn n(row: &sqlx::any::AnyRow, col: &str) -> Result<i64> {
    row.try_get(col).map_err(CoreError::internal)
}

/// The Monday 00:00 UTC on or before `ms` (1970-01-01 was a Thursday, three days after
/// a Monday).
pub fn week_start(ms: i64) -> i64 {
    const MONDAY_OFFSET: i64 = 3 * 24 * 3600 * 1000;
    (ms + MONDAY_OFFSET).div_euclid(WEEK_MS) * WEEK_MS - MONDAY_OFFSET
}

/// First moves into a status, per document (the status events' details hold `"to":"…"`).
fn first_moves(to: Status) -> String {
    format!(
        "SELECT e.document_id, MIN(e.created_at) AS at FROM document_events e \
         WHERE e.action = 'status_changed' AND e.details LIKE '%\"to\":\"{}\"%' GROUP BY e.document_id",
        to.as_str()
    )
}

impl Db {
    pub async fn stats(&self, now: i64, today: &str, weeks: i64) -> Result<Stats> {
        let mut s = Stats::default();
        let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM documents WHERE deleted_at IS NULL GROUP BY status")
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        let mut counts = std::collections::HashMap::new();
        for r in &rows {
            let status: String = r.try_get("status").map_err(CoreError::internal)?;
            counts.insert(status, n(r, "n")?);
        }
        s.by_status = Status::ALL
            .iter()
            .map(|st| (*st, counts.get(st.as_str()).copied().unwrap_or(0)))
            .collect();
        s.total = s.by_status.iter().map(|(_, c)| c).sum();

        let rows = sqlx::query(
            "SELECT g.id, g.name, COUNT(*) AS n FROM documents d JOIN groups g ON g.id = d.responsible_group_id \
             WHERE d.deleted_at IS NULL GROUP BY g.id, g.name ORDER BY n DESC, g.name LIMIT 20",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        for r in &rows {
            let id: String = r.try_get("id").map_err(CoreError::internal)?;
            let id = id.parse().map(GroupId).map_err(CoreError::internal)?;
            s.by_group
                .push((id, r.try_get("name").map_err(CoreError::internal)?, n(r, "n")?));
        }

        let weeks = weeks.clamp(1, 104);
        let first = week_start(now) - (weeks - 1) * WEEK_MS;
        s.per_week = (0..weeks)
            .map(|i| Week {
                start: first + i * WEEK_MS,
                ..Week::default()
            })
            .collect();
        let bucket = |at: &str| format!("({at} - $1) / {WEEK_MS}");
        let created = format!(
            "SELECT {b} AS w, COUNT(*) AS n FROM documents WHERE deleted_at IS NULL AND created_at >= $1 GROUP BY {b}",
            b = bucket("created_at")
        );
        for r in sqlx::query(&created)
            .bind(first)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?
        {
            if let Some(w) = s.per_week.get_mut(n(&r, "w")? as usize) {
                w.created = n(&r, "n")?;
            }
        }
        let completed = format!(
            "SELECT {b} AS w, COUNT(*) AS n FROM ({moves}) x JOIN documents d ON d.id = x.document_id \
             WHERE d.deleted_at IS NULL AND x.at >= $1 GROUP BY {b}",
            b = bucket("x.at"),
            moves = first_moves(Status::Done)
        );
        for r in sqlx::query(&completed)
            .bind(first)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?
        {
            if let Some(w) = s.per_week.get_mut(n(&r, "w")? as usize) {
                w.completed = n(&r, "n")?;
            }
        }

        let overdue = sqlx::query(
            "SELECT COUNT(*) AS n FROM documents WHERE deleted_at IS NULL AND due_date IS NOT NULL \
             AND due_date < $1 AND status NOT IN ('done', 'rejected', 'archived')",
        )
        .bind(today)
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        s.overdue = n(&overdue, "n")?;

        for (to, slot) in [
            (Status::Done, &mut s.mean_to_done_ms),
            (Status::Signed, &mut s.mean_to_signed_ms),
        ] {
            let sql = format!(
                "SELECT CAST(AVG(x.at - d.created_at) AS DOUBLE PRECISION) AS mean FROM ({}) x \
                 JOIN documents d ON d.id = x.document_id WHERE d.deleted_at IS NULL",
                first_moves(to)
            );
            let row = sqlx::query(&sql).fetch_one(&self.pool).await.map_err(map_err)?;
            *slot = row.try_get::<Option<f64>, _>("mean").map_err(CoreError::internal)?;
        }

        let rows = sqlx::query(
            "SELECT t.from_user_id AS u, COUNT(*) AS n FROM transfers t JOIN documents d ON d.id = t.document_id \
             WHERE d.deleted_at IS NULL GROUP BY t.from_user_id ORDER BY n DESC, t.from_user_id LIMIT 10",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        for r in &rows {
            let id: String = r.try_get("u").map_err(CoreError::internal)?;
            s.top_senders
                .push((id.parse().map(UserId).map_err(CoreError::internal)?, n(r, "n")?));
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday() {
        // 2026-11-26 (Thursday) 12:00 UTC → Monday 2026-11-23 00:00 UTC.
        assert_eq!(week_start(1_795_694_400_000), 1_795_392_000_000);
        // A Monday midnight is its own week's start.
        assert_eq!(week_start(1_795_392_000_000), 1_795_392_000_000);
    }
}
