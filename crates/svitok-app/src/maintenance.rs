//! Background upkeep: purging the trash after its retention, and sweeping blobs that no
//! document refers to (an upload whose database row never committed). One replica at a
//! time runs it, the holder of the `maintenance` lease (SPEC §13); a replica that dies
//! stops renewing, and another takes the lease over when it expires.

use crate::state::App;
use std::time::{Duration, SystemTime};
use svitok_core::Result;
use svitok_db::AuditEvent;

/// A blob younger than this may belong to an upload still being committed.
pub const ORPHAN_GRACE: Duration = Duration::from_secs(60 * 60);

/// Deletes documents that have been in the trash longer than the retention, with their
/// files. Returns how many were purged.
pub async fn purge_trash(state: &App) -> Result<usize> {
    let before = state.now() - state.settings.trash_retention_ms;
    let mut purged = 0;
    loop {
        let batch = state.db.trash_older_than(before, 100).await?;
        if batch.is_empty() {
            return Ok(purged);
        }
        for (id, keys) in batch {
            // The row goes first: a blob without a row is swept later, a row without its
            // blob would be a broken document.
            state.db.purge_document(id).await?;
            for k in keys {
                if let Err(e) = state.blobs.delete(&k).await {
                    tracing::warn!(error = %e, blob = %k, "could not delete a purged blob; the sweeper will retry");
                }
            }
            state
                .audit(AuditEvent {
                    actor: None,
                    action: "document.purged".into(),
                    target: Some(id.to_string()),
                    client_addr: None,
                    outcome: "success",
                    details: serde_json::json!({}),
                })
                .await?;
            purged += 1;
        }
    }
}

/// Deletes stored blobs last written before `older_than` that no version refers to.
pub async fn sweep_orphans(state: &App, older_than: SystemTime) -> Result<usize> {
    let keys = state
        .blobs
        .list_older_than(older_than)
        .await
        .map_err(svitok_core::CoreError::internal)?;
    let mut swept = 0;
    for key in keys {
        if !state.db.blob_in_use(&key).await? {
            state
                .blobs
                .delete(&key)
                .await
                .map_err(svitok_core::CoreError::internal)?;
            tracing::info!(blob = %key, "swept an orphan blob");
            swept += 1;
        }
    }
    Ok(swept)
}

/// The lease's name in the database.
pub const LEASE: &str = "maintenance";

/// One round, when this replica (`holder`) holds the lease or can take it; whether it ran.
/// The lease lasts two rounds, so a live holder keeps it and a dead one loses it soon.
pub async fn round(state: &App, holder: &str, every: Duration) -> Result<bool> {
    let ttl = 2 * i64::try_from(every.as_millis()).unwrap_or(i64::MAX / 4);
    if !state.db.take_lease(LEASE, holder, state.now(), ttl).await? {
        return Ok(false);
    }
    if let Err(e) = purge_trash(state).await {
        tracing::warn!(error = %e, "purging the trash failed");
    }
    let cutoff = SystemTime::now()
        .checked_sub(ORPHAN_GRACE)
        .unwrap_or(SystemTime::UNIX_EPOCH);
    if let Err(e) = sweep_orphans(state, cutoff).await {
        tracing::warn!(error = %e, "sweeping orphan blobs failed");
    }
    if let Err(e) = crate::audit::checkpoint_if_grown(state).await {
        tracing::warn!(error = %e, "signing an audit checkpoint failed");
    }
    Ok(true)
}

/// Runs a round every `every` until `stop` turns true, then gives the lease up. A round
/// under way finishes first: stopping happens between rounds only.
pub async fn run(state: App, every: Duration, mut stop: tokio::sync::watch::Receiver<bool>) {
    let holder = uuid::Uuid::now_v7().to_string();
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => break,
        }
        if *stop.borrow() {
            break;
        }
        if let Err(e) = round(&state, &holder, every).await {
            tracing::warn!(error = %e, "a maintenance round failed");
        }
    }
    if let Err(e) = state.db.release_lease(LEASE, &holder).await {
        tracing::warn!(error = %e, "could not give the maintenance lease up");
    }
}
