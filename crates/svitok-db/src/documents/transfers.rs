//! Transfers: a document sent or forwarded to users and groups, fanned out into inboxes.

use super::*;

/// One transfer to one recipient, fanned out into the inboxes it reaches.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_transfer(
    tx: &mut sqlx::AnyConnection,
    doc: DocumentId,
    from: UserId,
    p: Party,
    action: &str,
    comment: &str,
    hand_over: bool,
    signature_request: bool,
    now: i64,
) -> Result<TransferId> {
    let id = TransferId::new();
    let (u, g) = split(p);
    sqlx::query(
            "INSERT INTO transfers (id, document_id, from_user_id, to_user_id, to_group_id, action, comment, hand_over, signature_request, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id.to_string())
        .bind(doc.to_string())
        .bind(from.to_string())
        .bind(u)
        .bind(g)
        .bind(action)
        .bind(comment)
        .bind(i64::from(hand_over))
        .bind(i64::from(signature_request))
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    // Into the recipient's inbox, or each member's.
    let fan_out = match p {
        Party::User(_) => {
            "INSERT INTO inbox_items (user_id, transfer_id, document_id, via_group_id, created_at) \
                 VALUES ($3, $1, $2, NULL, $4) ON CONFLICT (user_id, transfer_id) DO NOTHING"
        }
        Party::Group(_) => {
            "INSERT INTO inbox_items (user_id, transfer_id, document_id, via_group_id, created_at) \
                 SELECT m.user_id, $1, $2, $3, $4 FROM group_members m WHERE m.group_id = $3 \
                 ON CONFLICT (user_id, transfer_id) DO NOTHING"
        }
    };
    let target = match p {
        Party::User(u) => u.to_string(),
        Party::Group(g) => g.to_string(),
    };
    sqlx::query(fan_out)
        .bind(id.to_string())
        .bind(doc.to_string())
        .bind(target)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    Ok(id)
}

impl Db {
    pub async fn transfers(&self, doc: DocumentId) -> Result<Vec<TransferRow>> {
        let rows = sqlx::query(
            "SELECT id AS t_id, from_user_id, to_user_id, to_group_id, action, comment, hand_over, signature_request, created_at AS t_created_at \
             FROM transfers WHERE document_id = $1 ORDER BY created_at, id",
        )
        .bind(doc.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter().map(transfer).collect()
    }
}

impl Tx {
    /// Records transfers to each recipient (and hands responsibility over when asked), in
    /// one transaction; returns their ids.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_transfers(
        &mut self,
        doc: DocumentId,
        from: UserId,
        to: &[Party],
        action: &str,
        comment: &str,
        hand_over: Option<Party>,
        e: &Event,
        now: i64,
    ) -> Result<Vec<TransferId>> {
        let tx: &mut sqlx::AnyConnection = &mut self.tx;
        touch(tx, doc, now).await?;
        let mut ids = Vec::new();
        for p in to {
            ids.push(insert_transfer(tx, doc, from, *p, action, comment, hand_over == Some(*p), false, now).await?);
        }
        if let Some(p) = hand_over {
            set_responsible(tx, doc, p, now).await?;
        }
        refresh_readers(tx, doc).await?;
        add_event(tx, doc, e, now).await?;
        Ok(ids)
    }
}
