//! Emailed one-time codes: issuing (with the resend limits) and checking (with the
//! attempt limit). SPEC §5, SECURITY 8–13.

use crate::accounts::{letters, throttle};
use crate::state::App;
use svitok_core::ids::ChallengeId;
use svitok_core::otp::{self, Purpose};
use svitok_core::user::User;
use svitok_core::{CoreError, Result};
use svitok_db::Challenge;

pub fn invalid_code() -> CoreError {
    CoreError::unauthenticated("msg-code-wrong")
}

/// Refuses a new code sooner than 60 s after the last one for the same purpose, or past
/// 10 an hour for the account.
async fn check_send_limits(state: &App, user: &User, purpose: Purpose) -> Result<()> {
    let now = state.now();
    let (sent, last) = state
        .db
        .codes_sent_since(user.id, now - 3_600_000, purpose.as_str())
        .await?;
    if let Some(last) = last {
        let wait = last + otp::RESEND_AFTER_MS - now;
        if wait > 0 {
            return Err(CoreError::RateLimited {
                retry_after: ((wait + 999) / 1000) as u64,
                message: "msg-code-resend-wait".into(),
            });
        }
    }
    if sent >= otp::MAX_PER_HOUR {
        return Err(CoreError::RateLimited {
            retry_after: 3600,
            message: "msg-codes-per-hour".into(),
        });
    }
    Ok(())
}

/// Makes a challenge and mails its code to the user. Older open challenges of the same
/// purpose die.
pub async fn send(state: &App, user: &User, purpose: Purpose) -> Result<ChallengeId> {
    send_with(state, user, purpose, otp::TTL_MS, None, |code| {
        letters::code(&user.email, purpose, code)
    })
    .await
}

/// [`send`] with its own validity, payload and letter (invitations, email changes).
pub async fn send_with(
    state: &App,
    user: &User,
    purpose: Purpose,
    ttl_ms: i64,
    payload: Option<String>,
    letter: impl FnOnce(&str) -> svitok_mail::Mail,
) -> Result<ChallengeId> {
    check_send_limits(state, user, purpose).await?;
    let now = state.now();
    let id = ChallengeId::new();
    let code = otp::generate_code();
    state
        .db
        .insert_challenge(&Challenge {
            id,
            user_id: user.id,
            purpose: purpose.as_str().into(),
            method: "email".into(),
            code_hash: Some(otp::code_hash(&state.keys.otp, id, &code)),
            attempts: 0,
            created_at: now,
            expires_at: now + ttl_ms,
            consumed_at: None,
            payload,
        })
        .await?;
    if let Err(e) = state.mailer.send(letter(&code)).await {
        tracing::error!(error = %e, "could not send a one-time code");
        let _ = state.db.consume_challenge(id, now).await;
        return Err(CoreError::Unavailable("msg-code-mail-failed".into()));
    }
    Ok(id)
}

/// The second factor `user` answers for `purpose`: a TOTP challenge when they enrolled
/// an authenticator, else a mailed code; `payload` rides on the challenge for the step
/// after it. Returns the challenge and its method (`totp`, `email`).
pub async fn second_factor(
    state: &App,
    user: &User,
    purpose: Purpose,
    payload: Option<String>,
) -> Result<(ChallengeId, &'static str)> {
    if user.totp_enabled {
        return Ok((totp_challenge(state, user, purpose, payload).await?, "totp"));
    }
    let to = user.email.clone();
    let id = send_with(state, user, purpose, otp::TTL_MS, payload, |code| {
        letters::code(&to, purpose, code)
    })
    .await?;
    Ok((id, "email"))
}

/// Makes a TOTP challenge: nothing is mailed, the user's authenticator gives the code.
async fn totp_challenge(state: &App, user: &User, purpose: Purpose, payload: Option<String>) -> Result<ChallengeId> {
    let now = state.now();
    let id = ChallengeId::new();
    state
        .db
        .insert_challenge(&Challenge {
            id,
            user_id: user.id,
            purpose: purpose.as_str().into(),
            method: "totp".into(),
            code_hash: None,
            attempts: 0,
            created_at: now,
            expires_at: now + otp::TTL_MS,
            consumed_at: None,
            payload,
        })
        .await?;
    Ok(id)
}

/// Checks `code` against an open challenge of `purpose`, then uses the challenge up.
/// A wrong code counts; the fifth voids the challenge and counts against the account.
pub async fn redeem(state: &App, challenge: &Challenge, purpose: Purpose, code: &str) -> Result<()> {
    // A locked account takes no guesses on any path: login, reset, confirmation, step-up.
    throttle::check(state, &[&throttle::account_key(challenge.user_id)]).await?;
    let now = state.now();
    if challenge.purpose != purpose.as_str() || challenge.consumed_at.is_some() || challenge.expires_at <= now {
        return Err(invalid_code());
    }
    let ok = match challenge.method.as_str() {
        "email" => challenge
            .code_hash
            .as_deref()
            .is_some_and(|h| otp::code_matches(&state.keys.otp, challenge.id, code, h)),
        "totp" => crate::accounts::totp::check_code(state, challenge.user_id, code).await?,
        _ => false,
    };
    if !ok {
        let attempts = state.db.fail_challenge(challenge.id, otp::MAX_ATTEMPTS, now).await?;
        if attempts >= otp::MAX_ATTEMPTS {
            throttle::fail(state, &throttle::account_key(challenge.user_id), None).await?;
        }
        return Err(invalid_code());
    }
    if !state.db.consume_challenge(challenge.id, now).await? {
        return Err(invalid_code());
    }
    Ok(())
}

/// Spends the caller's fresh second factor (`POST /auth/step-up`) on an action that needs
/// one: signing, or an administrator's change of another person's address.
/// [`redeem`], and a failure written to the audit log as `action` of the challenge's user
/// (a wrong or stale code: registration, password reset, login).
pub async fn redeem_audited(
    state: &App,
    challenge: &Challenge,
    purpose: Purpose,
    code: &str,
    action: &str,
    client: &crate::Client,
) -> Result<()> {
    if let Err(e) = redeem(state, challenge, purpose, code).await {
        state
            .audit(crate::audit::event(
                Some(&challenge.user_id),
                action,
                None,
                client,
                false,
                serde_json::json!({}),
            ))
            .await?;
        return Err(e);
    }
    Ok(())
}

pub async fn redeem_step_up(state: &App, actor: &crate::Caller, challenge: ChallengeId, code: &str) -> Result<()> {
    let ch = state
        .db
        .challenge(challenge)
        .await?
        .filter(|c| c.user_id == actor.user.id)
        .ok_or_else(invalid_code)?;
    redeem(state, &ch, Purpose::StepUp, code).await
}
