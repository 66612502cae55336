//! The inbox: what was sent to a user, and the read marks.

use super::*;

/// One inbox item as [`Db::inbox`] renders it: the document, the transfer, whether it
/// was read, and when it arrived (a JSON array, in order).
#[derive(serde::Deserialize)]
pub(super) struct JsonInboxItem<'a> {
    #[serde(borrow)]
    document: JsonDocument<'a>,
    #[serde(borrow)]
    transfer: JsonTransfer<'a>,
    read: i64,
    arrived_at: i64,
}

impl Db {
    /// The user's inbox, unread first and newest first within each, with the number of
    /// items and of unread ones (kept per user by triggers). One statement, one row.
    pub async fn inbox(&self, user: UserId, limit: i64, offset: i64) -> Result<(Vec<InboxRow>, i64, i64)> {
        // Page size and offset are written into the SQL (checked integers), as in the
        // lists: PostgreSQL then keeps one generic plan instead of planning every call.
        let (limit, offset) = (limit.clamp(1, 1000), offset.max(0));
        // Per item: the document's columns, the transfer's, whether it was read and when
        // it arrived (the sort keys: the page is sorted here as the SQL sorts it).
        let array = self.backend.json_array();
        let item = format!(
            "{array}({}), {array}(x.t_id, x.from_user_id, x.to_user_id, x.to_group_id, x.action, x.comment, \
             x.hand_over, x.signature_request, x.t_created_at), 1 - x.unread, x.i_created_at",
            DOC_COLUMNS.replace("d.", "x.")
        );
        let page = self.json_rows(
            &item,
            None,
            &format!(
                "SELECT {DOC_COLUMNS}, t.id AS t_id, t.from_user_id, t.to_user_id, t.to_group_id, t.action, t.comment, \
                 t.hand_over, t.signature_request, t.created_at AS t_created_at, i.unread, i.created_at AS i_created_at, i.transfer_id \
                 FROM inbox_items i JOIN transfers t ON t.id = i.transfer_id JOIN documents d ON d.id = i.document_id \
                 WHERE i.user_id = $1 AND i.deleted = 0 \
                 ORDER BY i.unread DESC, i.created_at DESC, i.transfer_id DESC LIMIT {limit} OFFSET {offset}"
            ),
            "x",
        );
        let row = sqlx::query(&format!(
            "SELECT (SELECT total FROM inbox_counts WHERE user_id = $1) AS total, \
             (SELECT unread FROM inbox_counts WHERE user_id = $1) AS unread, {page} AS page"
        ))
        .bind(user.to_string())
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        let total: Option<i64> = row.try_get("total").map_err(err)?;
        let unread: Option<i64> = row.try_get("unread").map_err(err)?;
        let page: Option<String> = row.try_get("page").map_err(err)?;
        let items = match page.as_deref() {
            None => Vec::new(),
            Some(p) => {
                let rows: Vec<JsonInboxItem> = serde_json::from_str(p).map_err(err)?;
                let mut items = rows
                    .into_iter()
                    .map(|i| {
                        let arrived = i.arrived_at;
                        let row = InboxRow {
                            document: i.document.into_row()?,
                            transfer: i.transfer.into_row()?,
                            read: i.read == 1,
                        };
                        Ok((arrived, row))
                    })
                    .collect::<Result<Vec<_>>>()?;
                // Unread first, then the newest arrival, the transfer id breaking ties.
                items.sort_unstable_by_key(|(arrived, row)| (row.read, Reverse(*arrived), Reverse(row.transfer.id.0)));
                items.into_iter().map(|(_, row)| row).collect()
            }
        };
        Ok((items, total.unwrap_or(0), unread.unwrap_or(0)))
    }
}

impl Tx {
    /// Marks what was sent to `user` with this document as read.
    pub async fn mark_read(&mut self, doc: DocumentId, user: UserId) -> Result<()> {
        sqlx::query("UPDATE inbox_items SET unread = 0 WHERE document_id = $1 AND user_id = $2 AND unread = 1")
            .bind(doc.to_string())
            .bind(user.to_string())
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        Ok(())
    }
}
