//! Failure counters for login throttling, keyed by account or client address. They live
//! in the database so every replica sees the same counts.

use crate::{map_err, Db, Result};
use sqlx::Row;
use svitok_core::CoreError;

#[derive(Debug, Clone, Copy)]
pub struct Throttle {
    pub failures: i64,
    pub window_start: i64,
    pub locked_until: Option<i64>,
}

impl Db {
    pub async fn throttle(&self, key: &str) -> Result<Option<Throttle>> {
        let row = sqlx::query("SELECT failures, window_start, locked_until FROM throttle WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.map(|r| {
            Ok(Throttle {
                failures: r.try_get("failures").map_err(CoreError::internal)?,
                window_start: r.try_get("window_start").map_err(CoreError::internal)?,
                locked_until: r.try_get("locked_until").map_err(CoreError::internal)?,
            })
        })
        .transpose()
    }

    /// Adds one failure (starting a new window when the old one is over) and returns the
    /// counter as it now stands. `lock` decides the lock from the new failure count.
    pub async fn record_failure(
        &self,
        key: &str,
        now: i64,
        window_ms: i64,
        lock: impl Fn(i64) -> Option<i64>,
    ) -> Result<Throttle> {
        let row = sqlx::query(
            "INSERT INTO throttle (key, failures, window_start, locked_until) VALUES ($1, 1, $2, NULL) \
             ON CONFLICT (key) DO UPDATE SET \
               failures = CASE WHEN throttle.window_start < $3 THEN 1 ELSE throttle.failures + 1 END, \
               window_start = CASE WHEN throttle.window_start < $3 THEN $2 ELSE throttle.window_start END \
             RETURNING failures, window_start",
        )
        .bind(key)
        .bind(now)
        .bind(now - window_ms)
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        let failures: i64 = row.try_get("failures").map_err(CoreError::internal)?;
        let window_start: i64 = row.try_get("window_start").map_err(CoreError::internal)?;
        let locked_until = lock(failures).map(|ms| now + ms);
        if locked_until.is_some() {
            sqlx::query("UPDATE throttle SET locked_until = $2 WHERE key = $1")
                .bind(key)
                .bind(locked_until)
                .execute(&self.pool)
                .await
                .map_err(map_err)?;
        }
        Ok(Throttle {
            failures,
            window_start,
            locked_until,
        })
    }

    pub async fn clear_throttle(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM throttle WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }
}
