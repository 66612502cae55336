//! The audit log: append-only, each entry's MAC covering the previous entry's and a
//! canonical encoding of its own fields, so an edited, inserted or deleted row breaks the
//! chain. The MAC is keyed (HMAC-SHA256, a key derived from the master key that never
//! enters the database), so whoever can write the database cannot re-hash a forged chain.
//! Entries written before keying (plain SHA-256, no `k1:` prefix) may only precede keyed
//! ones; the first keyed entry's MAC covers the last of them. Deleting the newest entries
//! leaves a valid shorter chain: the signed checkpoints kept outside the database catch
//! that (see `svitok_app::audit`).

use crate::{map_err, Db, Result};
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::sync::Arc;
use std::time::Duration;
use svitok_core::secrets::SubKey;
use svitok_core::CoreError;

/// The prefix of keyed hashes.
const KEYED: &str = "k1:";

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub actor: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub client_addr: Option<String>,
    pub outcome: &'static str,
    pub details: serde_json::Value,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: i64,
    pub actor: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub client_addr: Option<String>,
    pub outcome: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRecord {
    /// The hash this record should carry: with a key, `k1:` and the HMAC-SHA256 of the
    /// previous hash and a JSON array of the fields (JSON arrays of strings and numbers
    /// encode one way only); without one, the SHA-256 of the same (entries from before
    /// keying).
    pub fn expected_hash(&self, key: Option<&SubKey>) -> String {
        let canonical = self.canonical();
        match key {
            Some(k) => format!(
                "{KEYED}{}",
                hex::encode(k.mac(&[self.prev_hash.as_bytes(), canonical.as_bytes()]))
            ),
            None => {
                let mut h = Sha256::new();
                h.update(self.prev_hash.as_bytes());
                h.update(b"\n");
                h.update(canonical.as_bytes());
                hex::encode(h.finalize())
            }
        }
    }

    fn canonical(&self) -> String {
        serde_json::json!([
            self.seq,
            self.at,
            self.actor,
            self.action,
            self.target,
            self.client_addr,
            self.outcome,
            self.details
        ])
        .to_string()
    }
}

/// What the audit list is narrowed by; `action` matches itself and its sub-actions
/// (`login` matches `login.password`).
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub target: Option<String>,
    pub outcome: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
}

fn decode(r: &sqlx::any::AnyRow) -> Result<AuditRecord> {
    Ok(AuditRecord {
        seq: r.try_get("seq").map_err(CoreError::internal)?,
        at: r.try_get("at").map_err(CoreError::internal)?,
        actor: r.try_get("actor").map_err(CoreError::internal)?,
        action: r.try_get("action").map_err(CoreError::internal)?,
        target: r.try_get("target").map_err(CoreError::internal)?,
        client_addr: r.try_get("client_addr").map_err(CoreError::internal)?,
        outcome: r.try_get("outcome").map_err(CoreError::internal)?,
        details: r.try_get("details").map_err(CoreError::internal)?,
        prev_hash: r.try_get("prev_hash").map_err(CoreError::internal)?,
        hash: r.try_get("hash").map_err(CoreError::internal)?,
    })
}

fn retryable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            let m = db.message().to_lowercase();
            db.is_unique_violation() || m.contains("locked") || m.contains("busy") || m.contains("serializ")
        }
        sqlx::Error::PoolTimedOut => true,
        _ => false,
    }
}

impl Db {
    /// The key the chain's MACs use from now on (derived from the master key).
    pub fn with_audit_key(mut self, key: SubKey) -> Db {
        self.audit_key = Some(Arc::new(key));
        self
    }

    /// The newest entry's sequence number and hash: what a checkpoint signs.
    pub async fn audit_head(&self) -> Result<Option<(i64, String)>> {
        let row = sqlx::query("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.map(|r| {
            Ok((
                r.try_get("seq").map_err(CoreError::internal)?,
                r.try_get("hash").map_err(CoreError::internal)?,
            ))
        })
        .transpose()
    }

    /// Appends an event at the end of the chain in a transaction of its own (an event
    /// that goes with a change is appended in the change's [`crate::Tx`]). Appends queue
    /// for the chain's head; one that still meets a busy database tries again.
    pub async fn append_audit(&self, e: &AuditEvent, now: i64) -> Result<i64> {
        let mut attempt = 0u32;
        loop {
            match self.try_append_audit(e, now).await {
                Ok(seq) => return Ok(seq),
                Err(err) if retryable(&err) && attempt < 100 => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(u64::from(attempt.min(20)))).await;
                }
                Err(err) => return Err(map_err(err)),
            }
        }
    }

    async fn try_append_audit(&self, e: &AuditEvent, now: i64) -> Result<i64, sqlx::Error> {
        let mut tx = self.begin_raw().await?;
        crate::unit::lock_chain(&mut tx, self.backend).await?;
        let seq = append(&mut tx, self.audit_key.as_deref(), e, now).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// Newest first, before sequence number `before` (exclusive), narrowed by the filter.
    pub async fn search_audit(&self, f: &AuditFilter, before: Option<i64>, limit: i64) -> Result<Vec<AuditRecord>> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, action, target, client_addr, outcome, details, prev_hash, hash \
             FROM audit_events WHERE ($1 IS NULL OR seq < $1) AND ($2 IS NULL OR actor = $2) \
             AND ($3 IS NULL OR action = $3 OR action LIKE $4) AND ($5 IS NULL OR target = $5) \
             AND ($6 IS NULL OR at >= $6) AND ($7 IS NULL OR at < $7) AND ($8 IS NULL OR outcome = $8) \
             ORDER BY seq DESC LIMIT $9",
        )
        .bind(before)
        .bind(f.actor.clone())
        .bind(f.action.clone())
        .bind(f.action.as_ref().map(|a| format!("{a}.%")))
        .bind(f.target.clone())
        .bind(f.from)
        .bind(f.to)
        .bind(f.outcome.clone())
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter().map(decode).collect()
    }

    /// Events in order, from `after` (exclusive), at most `limit`.
    pub async fn audit_page(&self, after: i64, limit: i64) -> Result<Vec<AuditRecord>> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, action, target, client_addr, outcome, details, prev_hash, hash \
             FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter().map(decode).collect()
    }

    /// Walks the whole chain. Ok(number of entries) when intact; otherwise the sequence
    /// number of the first entry that does not fit and why.
    pub async fn verify_audit_chain(&self) -> Result<Result<i64, (i64, String)>> {
        self.verify_audit_chain_from(0, GENESIS).await
    }

    /// [`Db::verify_audit_chain`] for the entries after `start_seq`, whose hash is
    /// `start_hash` (a checkpoint already vouches for what comes before).
    pub async fn verify_audit_chain_from(
        &self,
        start_seq: i64,
        start_hash: &str,
    ) -> Result<Result<i64, (i64, String)>> {
        let mut prev_seq = start_seq;
        let mut prev_hash = start_hash.to_string();
        let mut keyed = start_hash.starts_with(KEYED);
        loop {
            let page = self.audit_page(prev_seq, 1000).await?;
            if page.is_empty() {
                return Ok(Ok(prev_seq));
            }
            for rec in page {
                if rec.seq != prev_seq + 1 {
                    return Ok(Err((prev_seq + 1, format!("entry {} is missing", prev_seq + 1))));
                }
                if rec.prev_hash != prev_hash {
                    return Ok(Err((
                        rec.seq,
                        "does not follow the entry before it (inserted or reordered)".into(),
                    )));
                }
                let key = if rec.hash.starts_with(KEYED) {
                    keyed = true;
                    match self.audit_key.as_deref() {
                        Some(k) => Some(k),
                        None => return Ok(Err((rec.seq, "the chain is keyed: the master key is needed".into()))),
                    }
                } else if keyed {
                    return Ok(Err((rec.seq, "an unkeyed entry after keyed ones (rewritten)".into())));
                } else {
                    None
                };
                if rec.expected_hash(key) != rec.hash {
                    return Ok(Err((rec.seq, "its contents were changed".into())));
                }
                prev_seq = rec.seq;
                prev_hash = rec.hash;
            }
        }
    }
}

/// Appends `e` after the newest entry, inside `tx`, which must hold the chain's head
/// ([`crate::unit::lock_chain`]).
pub(crate) async fn append(
    tx: &mut sqlx::AnyConnection,
    key: Option<&SubKey>,
    e: &AuditEvent,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let last = sqlx::query("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *tx)
        .await?;
    let (prev_seq, prev_hash) = match last {
        Some(r) => (r.try_get::<i64, _>("seq")?, r.try_get::<String, _>("hash")?),
        None => (0, GENESIS.to_string()),
    };
    let mut rec = AuditRecord {
        seq: prev_seq + 1,
        at: now,
        actor: e.actor.clone(),
        action: e.action.clone(),
        target: e.target.clone(),
        client_addr: e.client_addr.clone(),
        outcome: e.outcome.to_string(),
        details: e.details.to_string(),
        prev_hash,
        hash: String::new(),
    };
    rec.hash = rec.expected_hash(key);
    sqlx::query(
        "INSERT INTO audit_events (seq, at, actor, action, target, client_addr, outcome, details, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(rec.seq)
    .bind(rec.at)
    .bind(rec.actor)
    .bind(rec.action)
    .bind(rec.target)
    .bind(rec.client_addr)
    .bind(rec.outcome)
    .bind(rec.details)
    .bind(rec.prev_hash)
    .bind(rec.hash)
    .execute(&mut *tx)
    .await?;
    Ok(rec.seq)
}
