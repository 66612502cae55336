//! Embedded migrations. Each runs once, in its own transaction, in order.

use crate::dialect::Lock;
use crate::{map_err, Backend, Db, Result};
use sqlx::Row;

/// A migration's SQL: one text for both databases, or one each where their features
/// differ (full-text search).
enum Sql {
    Both(&'static str),
    Each {
        sqlite: &'static str,
        postgres: &'static str,
    },
}

/// (version, name, SQL). Append only: never edit a migration that has shipped.
const MIGRATIONS: &[(i64, &str, Sql)] = &[
    (
        1,
        "accounts",
        Sql::Both(include_str!("../migrations/0001_accounts.sql")),
    ),
    (2, "groups", Sql::Both(include_str!("../migrations/0002_groups.sql"))),
    (
        3,
        "documents",
        Sql::Both(include_str!("../migrations/0003_documents.sql")),
    ),
    (
        4,
        "reader_times",
        Sql::Both(include_str!("../migrations/0004_reader_times.sql")),
    ),
    (5, "inbox", Sql::Both(include_str!("../migrations/0005_inbox.sql"))),
    (
        6,
        "search",
        Sql::Each {
            sqlite: include_str!("../migrations/0006_search.sqlite.sql"),
            postgres: include_str!("../migrations/0006_search.postgres.sql"),
        },
    ),
    (
        7,
        "signatures",
        Sql::Both(include_str!("../migrations/0007_signatures.sql")),
    ),
    (
        8,
        "inbox_counts",
        Sql::Each {
            sqlite: include_str!("../migrations/0008_inbox_counts.sqlite.sql"),
            postgres: include_str!("../migrations/0008_inbox_counts.postgres.sql"),
        },
    ),
    (
        9,
        "search_rows",
        Sql::Each {
            sqlite: include_str!("../migrations/0009_search_rows.sqlite.sql"),
            postgres: include_str!("../migrations/0009_search_rows.postgres.sql"),
        },
    ),
    (
        10,
        "user_language",
        Sql::Both(include_str!("../migrations/0010_user_language.sql")),
    ),
    (
        11,
        "signatures_by_serial",
        Sql::Both(include_str!("../migrations/0011_signatures_by_serial.sql")),
    ),
    (
        12,
        "time_stamping",
        Sql::Both(include_str!("../migrations/0012_time_stamping.sql")),
    ),
    (
        13,
        "external_identities",
        Sql::Both(include_str!("../migrations/0013_external_identities.sql")),
    ),
    (
        14,
        "session_provider",
        Sql::Both(include_str!("../migrations/0014_session_provider.sql")),
    ),
    (15, "leases", Sql::Both(include_str!("../migrations/0015_leases.sql"))),
];

pub async fn run(db: &Db) -> Result<usize> {
    run_to(db, i64::MAX).await
}

/// Applies migrations up to and including `target` (upgrade tests start from old schemas).
pub async fn run_to(db: &Db, target: i64) -> Result<usize> {
    let mut conn = db.pool.acquire().await.map_err(map_err)?;
    let lock = db.backend.session_lock(Lock::Migrations);
    if let Some((take, _, key)) = lock {
        sqlx::query(take).bind(key).execute(&mut *conn).await.map_err(map_err)?;
    }
    let result = apply(&mut conn, target, db.backend).await;
    if let Some((_, release, key)) = lock {
        let _ = sqlx::query(release).bind(key).execute(&mut *conn).await;
    }
    result
}

async fn apply(conn: &mut sqlx::AnyConnection, target: i64, backend: Backend) -> Result<usize> {
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    let done: Vec<i64> = sqlx::query("SELECT version FROM schema_migrations")
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?
        .iter()
        .map(|r| r.get::<i64, _>(0))
        .collect();
    let mut applied = 0;
    for (version, name, sql) in MIGRATIONS {
        if done.contains(version) || *version > target {
            continue;
        }
        let mut tx = sqlx::Connection::begin(&mut *conn).await.map_err(map_err)?;
        let sql = match (sql, backend) {
            (Sql::Both(s), _) | (Sql::Each { sqlite: s, .. }, Backend::Sqlite) => *s,
            (Sql::Each { postgres: s, .. }, Backend::Postgres) => *s,
        };
        sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(map_err)?;
        sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(*version)
            .bind(*name)
            .bind(svitok_core::clock::to_ms(time_now()))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        tracing::info!(version, name, "applied migration");
        applied += 1;
    }
    Ok(applied)
}

fn time_now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}
