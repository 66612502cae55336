//! A unit of work: one database transaction that a use case carries through its repository
//! calls, so a change, its history entry and its audit entry commit together or not at
//! all.
//!
//! Audit entries are queued and written last, just before `COMMIT`: appending takes the
//! chain's head (on PostgreSQL an advisory lock held until the transaction ends; on SQLite
//! the write lock the transaction took at `BEGIN IMMEDIATE`), and the shorter that is held
//! the less concurrent writers wait for each other. Concurrent units therefore extend the
//! chain one after another, never from the same head.

use crate::audit::{append, AuditEvent};
use crate::dialect::Lock;
use crate::{map_err, Backend, Db, Result};
use std::sync::Arc;
use svitok_core::secrets::SubKey;

/// An open transaction. Dropped without [`Tx::commit`], it rolls back.
pub struct Tx {
    pub(crate) tx: sqlx::Transaction<'static, sqlx::Any>,
    pub(crate) backend: Backend,
    audit_key: Option<Arc<SubKey>>,
    audits: Vec<(AuditEvent, i64)>,
    /// An append failed: the unit may only roll back.
    failed: bool,
}

impl Db {
    /// Starts a unit of work.
    pub async fn begin(&self) -> Result<Tx> {
        let tx = self.begin_raw().await.map_err(map_err)?;
        Ok(Tx {
            tx,
            backend: self.backend,
            audit_key: self.audit_key.clone(),
            audits: Vec::new(),
            failed: false,
        })
    }

    pub(crate) async fn begin_raw(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        self.pool.begin_with(self.backend.begin()).await
    }
}

/// Takes the chain's head for the rest of the transaction (on SQLite the transaction's
/// write lock already does).
pub(crate) async fn lock_chain(tx: &mut sqlx::AnyConnection, backend: Backend) -> Result<(), sqlx::Error> {
    if let Some((sql, key)) = backend.lock(Lock::AuditChain) {
        sqlx::query(sql).bind(key).execute(tx).await?;
    }
    Ok(())
}

impl Tx {
    /// Queues an audit entry, written at [`Tx::seal`] or [`Tx::commit`].
    pub fn audit(&mut self, event: AuditEvent, now: i64) {
        self.audits.push((event, now));
    }

    /// Writes the queued audit entries; returns the last one's sequence number. After an
    /// error here nothing of the unit is committed (it rolls back when dropped), so what
    /// only it would have referred to (a stored file) may go.
    pub async fn seal(&mut self) -> Result<Option<i64>> {
        let queued = std::mem::take(&mut self.audits);
        if queued.is_empty() {
            return Ok(None);
        }
        let written = async {
            lock_chain(&mut self.tx, self.backend).await?;
            let mut last = None;
            for (event, now) in &queued {
                last = Some(append(&mut self.tx, self.audit_key.as_deref(), event, *now).await?);
            }
            Ok(last)
        }
        .await;
        self.failed |= written.is_err();
        written.map_err(map_err)
    }

    /// Writes what is queued and commits. An error from `COMMIT` itself leaves it unknown
    /// whether the unit committed: keep what it refers to (the blob sweeper removes what
    /// no row names).
    pub async fn commit(mut self) -> Result<()> {
        if self.failed {
            return Err(svitok_core::CoreError::Internal(
                "a unit of work whose audit entry failed cannot commit".into(),
            ));
        }
        self.seal().await?;
        self.tx.commit().await.map_err(map_err)
    }
}
