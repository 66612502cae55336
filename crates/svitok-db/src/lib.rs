//! Storage: one SQL code path over sqlx's `Any` driver, so SQLite (the embedded default)
//! and PostgreSQL run the very same queries. Database errors are mapped to [`CoreError`]
//! here, once.

mod accounts;
mod audit;
mod challenges;
mod dialect;
mod documents;
mod groups;
mod identities;
mod leases;
mod migrate;
mod rows;
mod sessions;
mod setup;
mod signatures;
mod stats;
mod throttle;
mod unit;
mod users;

pub use audit::{AuditEvent, AuditFilter, AuditRecord, GENESIS};
pub use challenges::Challenge;
pub use documents::{
    DocumentFilter, DocumentRow, DocumentSort, Event, EventRow, InboxRow, NewDocument, NewVersion, TransferRow,
    VersionRow,
};
pub use groups::{Group, GroupWithCount};
pub use identities::IdentityRow;
pub use sessions::{NewSession, SessionKind, SessionRecord};
pub use signatures::{AuthorityRow, CertificateRow, SignatureRequestRow, SignatureRow};
pub use stats::{week_start, Stats, Week};
pub use throttle::Throttle;
pub use unit::Tx;
pub use users::{NewUser, ProfileUpdate, UserFilter, UserSecrets};

use sqlx::any::AnyConnectOptions;
use sqlx::AnyPool;
use std::str::FromStr;
use svitok_core::CoreError;

type Result<T, E = CoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// The audit chain's MAC key, when the caller has the master key.
    audit_key: Option<std::sync::Arc<svitok_core::secrets::SubKey>>,
}

impl Db {
    /// Opens a pool for `sqlite://…` or `postgres://…`. A SQLite file is created if absent.
    pub async fn connect(url: &str) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let (backend, url) = if url.starts_with("sqlite:") {
            let url = if url.contains('?') {
                url.to_string()
            } else {
                format!("{url}?mode=rwc")
            };
            (Backend::Sqlite, url)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_string())
        } else {
            return Err(CoreError::Internal(
                "database URL must start with sqlite:// or postgres://".into(),
            ));
        };
        let options = AnyConnectOptions::from_str(&url).map_err(CoreError::internal)?;
        let pool = backend.pool_options().connect_with(options).await.map_err(map_err)?;
        Ok(Db {
            pool,
            backend,
            audit_key: None,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies the embedded migrations that have not run yet.
    pub async fn migrate(&self) -> Result<usize> {
        let applied = migrate::run(self).await?;
        self.backfill_search_keys().await?;
        Ok(applied)
    }

    /// Applies migrations up to `version` only, without the data fix-ups; for upgrade
    /// tests that start from an older schema with data in it.
    pub async fn migrate_to(&self, version: i64) -> Result<usize> {
        migrate::run_to(self, version).await
    }

    /// Runs a statement as is: for upgrade tests that put rows into an old schema.
    pub async fn execute_raw(&self, sql: &str) -> Result<()> {
        sqlx::raw_sql(sql).execute(&self.pool).await.map_err(map_err)?;
        Ok(())
    }

    /// Readiness: the database answers a trivial query.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map_err(map_err)?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Maps a database error to the domain error; unique violations name the clashing field.
pub(crate) fn map_err(e: sqlx::Error) -> CoreError {
    match &e {
        sqlx::Error::RowNotFound => CoreError::NotFound("record"),
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            let text = format!("{} {}", db.constraint().unwrap_or_default(), db.message());
            if text.contains("groups_name") {
                CoreError::conflict("name", "msg-group-name-taken")
            } else if text.contains("login") {
                CoreError::conflict("login", "msg-login-taken")
            } else if text.contains("email") {
                CoreError::conflict("email", "msg-email-taken")
            } else {
                CoreError::clash("msg-record-exists")
            }
        }
        _ => CoreError::internal(e),
    }
}
