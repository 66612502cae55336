//! Login throttling (NIST 800-63B 5.2.2): progressive lockout per account and a ceiling
//! per client address. Counters live in the database, shared by all replicas.
//!
//! | key                        | counts                        | locks                                  |
//! |----------------------------|-------------------------------|----------------------------------------|
//! | `acct:<user id>`           | wrong passwords, voided codes | from the 5th failure: 30 s, doubling, ≤ 15 min |
//! | `ident:<login or email>`   | the same, for unknown names   | the same, so unknown names look alike  |
//! | `ip:<address>`             | every failure from it         | 50 failures in 15 min: 15 min          |
//! | `req-ip:<address>`         | registrations, resends, resets it asks for | 50 in 15 min: 429 until the window ends |
//! | `req-to:<address>`, `req-to-min:<address>` | notices to one owner ("someone registered with your address / login") | 5 an hour and 1 a minute; past that the notice is skipped silently |
//!
//! Codes themselves keep their own limits (one a minute, ten an hour per account).

use crate::state::App;
use svitok_core::{CoreError, Result};

const ACCOUNT_FREE_FAILURES: i64 = 4;
const ACCOUNT_BASE_LOCK_MS: i64 = 30_000;
const MAX_LOCK_MS: i64 = 15 * 60_000;
const ACCOUNT_WINDOW_MS: i64 = 24 * 60 * 60_000;
const ADDR_MAX_FAILURES: i64 = 50;
const ADDR_WINDOW_MS: i64 = 15 * 60_000;

fn account_lock(failures: i64) -> Option<i64> {
    let over = failures - ACCOUNT_FREE_FAILURES;
    (over > 0).then(|| (ACCOUNT_BASE_LOCK_MS << (over - 1).min(10)).min(MAX_LOCK_MS))
}

fn addr_lock(failures: i64) -> Option<i64> {
    (failures >= ADDR_MAX_FAILURES).then_some(MAX_LOCK_MS)
}

/// The lock of one account, however it was named (login or email).
pub fn account_key(user: svitok_core::ids::UserId) -> String {
    format!("acct:{user}")
}

pub fn addr_key(addr: Option<&str>) -> Option<String> {
    addr.map(|a| format!("ip:{a}"))
}

/// Refuses with 429 and `Retry-After` while any of `keys` is locked.
pub async fn check(state: &App, keys: &[&str]) -> Result<()> {
    let now = state.now();
    for key in keys {
        if let Some(t) = state.db.throttle(key).await? {
            if let Some(until) = t.locked_until.filter(|u| *u > now) {
                return Err(CoreError::RateLimited {
                    retry_after: ((until - now + 999) / 1000) as u64,
                    message: "msg-too-many-failures".into(),
                });
            }
        }
    }
    Ok(())
}

const REQUESTS_PER_ADDR: i64 = 50;
const REQUESTS_PER_ADDR_WINDOW_MS: i64 = 15 * 60_000;
const REQUESTS_PER_TARGET_HOUR: i64 = 5;

/// Counts one request against `key`; from the `max`-th in `window_ms` on, requests are
/// refused (429 with Retry-After) until the window that counted them ends.
async fn spend(state: &App, key: &str, max: i64, window_ms: i64) -> Result<()> {
    let refused = |retry_after_ms: i64| CoreError::RateLimited {
        retry_after: ((retry_after_ms.max(1) + 999) / 1000) as u64,
        message: "msg-too-many-requests".into(),
    };
    let now = state.now();
    if let Some(until) = state
        .db
        .throttle(key)
        .await?
        .and_then(|t| t.locked_until)
        .filter(|u| *u > now)
    {
        return Err(refused(until - now));
    }
    // The count comes back from the same atomic update that made it, so requests racing
    // past the check above are still counted one by one and the excess refused.
    let t = state
        .db
        .record_failure(key, now, window_ms, |n| (n >= max).then_some(window_ms))
        .await?;
    if t.failures > max {
        return Err(refused(t.window_start + window_ms - now));
    }
    Ok(())
}

/// A request that costs a hash or a mail (registration, its resend, a password reset):
/// limited per client address, refused with 429 and Retry-After past the limit.
pub async fn client_request(state: &App, client_addr: Option<&str>) -> Result<()> {
    match client_addr {
        Some(addr) => {
            spend(
                state,
                &format!("req-ip:{addr}"),
                REQUESTS_PER_ADDR,
                REQUESTS_PER_ADDR_WINDOW_MS,
            )
            .await
        }
        None => Ok(()),
    }
}

/// Whether a notice may go to `target` now: no more often than codes (one a minute, and
/// here five an hour). Callers skip the mail silently when not: a 429 would tell the
/// requester that the address or login is someone's.
pub async fn may_mail(state: &App, target: &str) -> Result<bool> {
    let target = target.trim().to_lowercase();
    let minute = spend(
        state,
        &format!("req-to-min:{target}"),
        1,
        svitok_core::otp::RESEND_AFTER_MS,
    )
    .await;
    if matches!(minute, Err(CoreError::RateLimited { .. })) {
        return Ok(false);
    }
    minute?;
    match spend(state, &format!("req-to:{target}"), REQUESTS_PER_TARGET_HOUR, 3_600_000).await {
        Ok(()) => Ok(true),
        Err(CoreError::RateLimited { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Counts a failure against the account (or unknown name) key and the client's address.
pub async fn fail(state: &App, account_key: &str, addr: Option<&str>) -> Result<()> {
    let now = state.now();
    state
        .db
        .record_failure(account_key, now, ACCOUNT_WINDOW_MS, account_lock)
        .await?;
    if let Some(k) = addr_key(addr) {
        state.db.record_failure(&k, now, ADDR_WINDOW_MS, addr_lock).await?;
    }
    Ok(())
}

pub async fn succeed(state: &App, account_key: &str) -> Result<()> {
    state.db.clear_throttle(account_key).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_grows_and_is_capped() {
        assert_eq!(account_lock(4), None);
        assert_eq!(account_lock(5), Some(30_000));
        assert_eq!(account_lock(6), Some(60_000));
        assert_eq!(account_lock(100), Some(MAX_LOCK_MS));
        assert_eq!(addr_lock(49), None);
        assert_eq!(addr_lock(50), Some(MAX_LOCK_MS));
    }
}
