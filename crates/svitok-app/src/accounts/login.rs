//! Two-step login (SPEC §5): password, then an emailed or TOTP code, then a session.
//! Unknown accounts, wrong passwords and inactive accounts get one answer in one time.

use crate::state::App;
use crate::{
    accounts::{codes, sessions, throttle},
    audit,
};
use crate::{Caller, Client};
use serde_json::json;
use svitok_core::ids::ChallengeId;
use svitok_core::otp::Purpose;
use svitok_core::user::UserStatus;
use svitok_core::{password, CoreError, Result};

pub struct Started {
    pub challenge: ChallengeId,
    pub method: &'static str,
}

fn bad_credentials() -> CoreError {
    CoreError::unauthenticated("msg-credentials-wrong")
}

pub async fn start(state: &App, ident: &str, given_password: &str, client: &Client) -> Result<Started> {
    let ident = ident.trim().to_lowercase();
    let found = state.db.user_by_login_or_email(&ident).await?;
    let account_key = match &found {
        Some((u, _)) => throttle::account_key(u.id),
        None => format!("ident:{ident}"),
    };
    let addr = throttle::addr_key(client.addr.as_deref());
    let mut keys = vec![account_key.as_str()];
    keys.extend(addr.as_deref());
    if let Err(e) = throttle::check(state, &keys).await {
        state
            .audit(audit::event(
                found.as_ref().map(|(u, _)| &u.id),
                "login.locked",
                None,
                client,
                false,
                json!({}),
            ))
            .await?;
        return Err(e);
    }

    let pw = given_password.to_string();
    let hash = found.as_ref().and_then(|(_, s)| s.password_hash.clone());
    let verdict = state
        .cpu(move || match hash {
            Some(h) => password::verify(&pw, &h),
            None => {
                password::verify_dummy(&pw);
                password::Verified::No
            }
        })
        .await?;

    let user = match found {
        Some((u, _)) if u.status == UserStatus::Active && verdict != password::Verified::No => u,
        other => {
            let actor = other.as_ref().map(|(u, _)| u.id);
            throttle::fail(state, &account_key, client.addr.as_deref()).await?;
            state
                .audit(audit::event(
                    actor.as_ref(),
                    "login.password",
                    None,
                    client,
                    false,
                    json!({}),
                ))
                .await?;
            return Err(bad_credentials());
        }
    };
    // With password login off, only the break-glass accounts go on (SPEC §11). Told only
    // after the password held, in the same time as any login, so that which accounts are
    // break-glass is not for strangers to find out.
    if !state.settings.password_login.allows(&user.login) {
        state
            .audit(audit::event(
                Some(&user.id),
                "login.password_off",
                None,
                client,
                false,
                json!({}),
            ))
            .await?;
        return Err(CoreError::forbidden("msg-password-login-off"));
    }
    if verdict == password::Verified::YesRehash {
        let pw = given_password.to_string();
        let fresh = state.cpu(move || password::hash(&pw)).await??;
        let mut tx = state.db.begin().await?;
        tx.set_password_hash(user.id, &fresh, state.now()).await?;
        tx.commit().await?;
    }
    let (challenge, method) = codes::second_factor(state, &user, Purpose::Login, None).await?;
    state
        .audit(audit::event(
            Some(&user.id),
            "login.password",
            None,
            client,
            true,
            json!({ "second_factor": method }),
        ))
        .await?;
    Ok(Started { challenge, method })
}

/// The second step: a right code opens a session.
pub async fn verify(state: &App, challenge_id: ChallengeId, code: &str, client: &Client) -> Result<sessions::Issued> {
    let Some(challenge) = state.db.challenge(challenge_id).await? else {
        return Err(codes::invalid_code());
    };
    let account_key = throttle::account_key(challenge.user_id);
    // (redeem honours the account's lock.)
    codes::redeem_audited(state, &challenge, Purpose::Login, code, "login.code", client).await?;
    let user = state
        .db
        .user(challenge.user_id)
        .await?
        .ok_or_else(codes::invalid_code)?;
    if user.status != UserStatus::Active {
        return Err(codes::invalid_code());
    }
    throttle::succeed(state, &account_key).await?;
    let mut tx = state.db.begin().await?;
    // A login through an identity provider keeps its provider on the session.
    let via = if challenge.purpose == Purpose::Login.as_str() {
        crate::accounts::oidc::via_of(challenge.payload.as_deref())
    } else {
        None
    };
    let issued = sessions::open(&mut tx, state, &user, client, via).await?;
    tx.set_last_login(user.id, state.now()).await?;
    tx.audit(
        audit::event(
            Some(&user.id),
            "login.code",
            Some(format!("session:{}", issued.id)),
            client,
            true,
            json!({ "method": challenge.method }),
        ),
        state.now(),
    );
    tx.commit().await?;
    Ok(issued)
}

/// A new emailed code for a login in progress; the old code stops working.
pub async fn resend(state: &App, challenge_id: ChallengeId, client: &Client) -> Result<Started> {
    let challenge = state
        .db
        .challenge(challenge_id)
        .await?
        .filter(|c| c.purpose == Purpose::Login.as_str() && c.method == "email" && c.consumed_at.is_none())
        .ok_or_else(codes::invalid_code)?;
    if challenge.expires_at <= state.now() {
        return Err(codes::invalid_code());
    }
    let user = state
        .db
        .user(challenge.user_id)
        .await?
        .ok_or_else(codes::invalid_code)?;
    let id = codes::send(state, &user, Purpose::Login).await?;
    state
        .audit(audit::event(
            Some(&user.id),
            "login.code_resent",
            None,
            client,
            true,
            json!({}),
        ))
        .await?;
    Ok(Started {
        challenge: id,
        method: "email",
    })
}

/// A fresh second factor for a signed-in user (before signing).
pub async fn step_up(state: &App, actor: &Caller) -> Result<Started> {
    let (challenge, method) = codes::second_factor(state, &actor.user, Purpose::StepUp, None).await?;
    state
        .audit(audit::event(
            Some(&actor.user.id),
            "step_up.start",
            None,
            &actor.client,
            true,
            json!({ "method": method }),
        ))
        .await?;
    Ok(Started { challenge, method })
}
