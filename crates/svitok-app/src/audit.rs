//! Building audit events: one place decides what an event records; and the chain's
//! signed checkpoints.
//!
//! What the chain and its checkpoints detect, and what they cannot:
//! - an entry edited, inserted or removed in the middle: its MAC or the next one's breaks
//!   (the MAC key comes from the master key and is never in the database, so a forger
//!   cannot re-hash what follows);
//! - the newest entries deleted (a shorter chain is still a valid chain): the latest
//!   checkpoint names a head the database no longer reaches, or reaches with another MAC;
//! - not: events deleted after the latest checkpoint together with nothing else (a
//!   checkpoint is written every ten minutes when the chain has grown, and on
//!   `svitok audit checkpoint`), nor anything done by whoever holds the master key and
//!   the CA key and can write the blob store.

use crate::Client;
use svitok_db::AuditEvent;

pub fn event(
    actor: Option<&svitok_core::ids::UserId>,
    action: &str,
    target: Option<String>,
    client: &Client,
    success: bool,
    details: serde_json::Value,
) -> AuditEvent {
    // The operator has no account: its actions are no user's, done from the shell.
    let operator = actor.is_some_and(|a| a.is_operator());
    let details = match details {
        serde_json::Value::Object(mut m) if operator => {
            m.insert("via".into(), "cli".into());
            serde_json::Value::Object(m)
        }
        other => other,
    };
    AuditEvent {
        actor: actor.filter(|a| !a.is_operator()).map(|a| a.to_string()),
        action: action.to_string(),
        target,
        client_addr: client.addr.clone(),
        outcome: if success { "success" } else { "failure" },
        details,
    }
}

/// Queues on `tx` the audit entry of a change `caller` made: written as the unit commits,
/// so the change and its entry stand or fall together.
pub fn queue(
    tx: &mut svitok_db::Tx,
    state: &crate::state::App,
    caller: &crate::Caller,
    action: &str,
    target: Option<String>,
    details: serde_json::Value,
) {
    tx.audit(
        event(Some(&caller.user.id), action, target, &caller.client, true, details),
        state.now(),
    );
}

/// The audit log for administrators, newest first.
pub async fn search(
    state: &crate::state::App,
    actor: &crate::Caller,
    filter: &svitok_db::AuditFilter,
    before: Option<i64>,
    limit: i64,
) -> svitok_core::Result<Vec<svitok_db::AuditRecord>> {
    crate::access::authorize(state, actor, svitok_core::policy::Operation::ReadAudit, None).await?;
    state.db.search_audit(filter, before, limit).await
}

/// The master key's purpose string for the chain's MAC key.
pub const CHAIN_KEY_PURPOSE: &str = "svitok audit chain v1";

/// Where checkpoints live in the blob store (outside the database).
pub const CHECKPOINTS: &str = "audit-checkpoints";

/// The head of the chain (sequence number and MAC) at a time, signed by the CA.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    pub at: i64,
    /// Base64 of the CA's ECDSA signature (DER) over [`Checkpoint::message`].
    pub signature: String,
}

impl Checkpoint {
    fn message(seq: i64, hash: &str, at: i64) -> Vec<u8> {
        format!("svitok audit checkpoint v1\n{seq}\n{hash}\n{at}").into_bytes()
    }

    /// Whether the CA signed it.
    pub fn verify(&self, ca: &svitok_pki::Certificate) -> bool {
        use base64::Engine;
        let Ok(sig) = base64::engine::general_purpose::STANDARD.decode(&self.signature) else {
            return false;
        };
        svitok_pki::key::verify_signature(
            &ca.tbs_certificate.subject_public_key_info,
            &svitok_pki::key::ecdsa_with_sha256(),
            &Self::message(self.seq, &self.hash, self.at),
            &sig,
        )
        .is_ok()
    }
}

fn store_error(e: impl std::fmt::Display) -> svitok_core::CoreError {
    svitok_core::CoreError::Internal(format!("checkpoint store: {e}"))
}

/// Signs the chain's head now and stores it in the blob store. None for an empty chain.
/// Refused when the chain no longer holds since the latest checkpoint: signing its head
/// then would vouch for a rewritten or shortened chain.
pub async fn checkpoint(state: &crate::state::App) -> svitok_core::Result<Option<Checkpoint>> {
    let latest = latest_checkpoint(state).await?;
    sign_head(state, latest.as_ref()).await
}

/// A checkpoint when the chain has grown since the latest one (the upkeep loop).
pub async fn checkpoint_if_grown(state: &crate::state::App) -> svitok_core::Result<()> {
    let latest = latest_checkpoint(state).await?;
    let head = state.db.audit_head().await?.map(|(seq, _)| seq).unwrap_or(0);
    if head > latest.as_ref().map(|c| c.seq).unwrap_or(0) {
        sign_head(state, latest.as_ref()).await?;
    }
    Ok(())
}

async fn sign_head(
    state: &crate::state::App,
    previous: Option<&Checkpoint>,
) -> svitok_core::Result<Option<Checkpoint>> {
    use base64::Engine;
    use svitok_pki::SignerKey;
    if let Some(prev) = previous {
        let still = state.db.audit_page(prev.seq - 1, 1).await?;
        let broken = if still.first().map(|r| r.hash.as_str()) != Some(prev.hash.as_str()) {
            Some((prev.seq, "differs from the signed checkpoint".to_string()))
        } else {
            state.db.verify_audit_chain_from(prev.seq, &prev.hash).await?.err()
        };
        if let Some((seq, why)) = broken {
            tracing::error!(entry = seq, reason = %why, "the audit chain no longer holds; not signing a checkpoint");
            return Err(svitok_core::CoreError::Internal(format!(
                "the audit chain no longer holds since the checkpoint of entry {}: entry {seq} {why}",
                prev.seq
            )));
        }
    }
    let Some((seq, hash)) = state.db.audit_head().await? else {
        return Ok(None);
    };
    let at = state.now();
    let sig = state
        .authority
        .key()
        .sign(&Checkpoint::message(seq, &hash, at))
        .map_err(crate::pki::pki_error)?;
    let cp = Checkpoint {
        seq,
        hash,
        at,
        signature: base64::engine::general_purpose::STANDARD.encode(sig),
    };
    let body = serde_json::to_vec_pretty(&cp).map_err(svitok_core::CoreError::internal)?;
    state
        .blobs
        .put_raw(&format!("{CHECKPOINTS}/{seq:020}.json"), body.into())
        .await
        .map_err(store_error)?;
    Ok(Some(cp))
}

/// The newest checkpoint in the store; one whose signature fails is an error.
pub async fn latest_checkpoint(state: &crate::state::App) -> svitok_core::Result<Option<Checkpoint>> {
    let keys = state.blobs.list_prefix(CHECKPOINTS).await.map_err(store_error)?;
    // Names are zero-padded sequence numbers: the greatest is the newest.
    let Some(newest) = keys.into_iter().max() else {
        return Ok(None);
    };
    let bytes = state.blobs.raw(&newest).await.map_err(store_error)?;
    let cp: Checkpoint = serde_json::from_slice(&bytes)
        .map_err(|e| svitok_core::CoreError::Internal(format!("checkpoint {newest} is unreadable: {e}")))?;
    if !cp.verify(state.authority.certificate()) {
        return Err(svitok_core::CoreError::Internal(format!(
            "checkpoint {newest} is not signed by this CA"
        )));
    }
    Ok(Some(cp))
}

/// The whole chain against itself and its latest checkpoint: Ok((entries, checkpoint's
/// sequence number)), or the first entry that does not hold and why.
pub async fn verify(
    state: &crate::state::App,
) -> svitok_core::Result<std::result::Result<(i64, Option<i64>), (i64, String)>> {
    let n = match state.db.verify_audit_chain().await? {
        Ok(n) => n,
        Err(broken) => return Ok(Err(broken)),
    };
    let Some(cp) = latest_checkpoint(state).await? else {
        return Ok(Ok((n, None)));
    };
    if cp.seq > n {
        return Ok(Err((
            n + 1,
            format!(
                "entries {}–{} are missing: the checkpoint signed at {} covers {} entries",
                n + 1,
                cp.seq,
                svitok_core::clock::rfc3339(cp.at),
                cp.seq
            ),
        )));
    }
    let at = state.db.audit_page(cp.seq - 1, 1).await?;
    if at.first().map(|r| r.hash.as_str()) != Some(cp.hash.as_str()) {
        return Ok(Err((
            cp.seq,
            "differs from the signed checkpoint (the chain was rewritten)".into(),
        )));
    }
    Ok(Ok((n, Some(cp.seq))))
}
