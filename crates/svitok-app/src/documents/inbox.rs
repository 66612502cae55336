//! What was sent to the caller.

use super::*;

/// The caller's inbox: (items, total, unread).
pub async fn inbox(state: &App, actor: &Caller, limit: i64, offset: i64) -> Result<(Vec<InboxRow>, i64, i64)> {
    state.db.inbox(actor.user.id, limit, offset).await
}
