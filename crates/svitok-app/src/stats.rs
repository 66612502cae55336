//! Organisation-wide statistics (`view_statistics`): counts, never content.

use crate::access::authorize;
use crate::state::App;
use crate::Caller;
use svitok_core::policy::Operation;
use svitok_core::Result;

/// The statistics over the last `weeks` weeks, with the names of the top senders.
pub async fn collect(
    state: &App,
    actor: &Caller,
    weeks: i64,
) -> Result<(
    svitok_db::Stats,
    std::collections::HashMap<svitok_core::ids::UserId, String>,
)> {
    authorize(state, actor, Operation::ViewStatistics, None).await?;
    let now = state.now();
    let today = state.clock.now().date().to_string();
    let stats = state.db.stats(now, &today, weeks).await?;
    let senders: Vec<_> = stats.top_senders.iter().map(|(u, _)| *u).collect();
    let names = crate::documents::names(state, &senders).await?;
    Ok((stats, names))
}
