//! TOTP enrolment and checking. The secret is sealed under a key derived from the master
//! key and bound to the user's id; a code's time step is accepted once.

use crate::state::App;
use crate::{accounts::letters, audit};
use crate::{Caller, Client};
use svitok_core::ids::UserId;
use svitok_core::{password, totp, CoreError, Result};

pub struct Enrolment {
    pub secret_base32: String,
    pub otpauth_url: String,
    pub qr_svg: String,
}

fn open_secret(state: &App, user: UserId, sealed: &str) -> Result<Vec<u8>> {
    state.keys.totp.open(sealed, user.0.as_bytes())
}

/// Checks a login/step-up code against the enabled secret and claims its step.
pub async fn check_code(state: &App, user: UserId, code: &str) -> Result<bool> {
    let secrets = state.db.user_secrets(user).await?;
    let Some(sealed) = secrets.totp_secret else {
        return Ok(false);
    };
    let secret = open_secret(state, user, &sealed)?;
    let now = (state.now() / 1000) as u64;
    match totp::verify(&secret, code, now, secrets.totp_last_step) {
        Some(step) => state.db.claim_totp_step(user, step).await,
        None => {
            if totp::verify(&secret, code, now, None).is_some() {
                // A code already used is someone who saw it: worth an administrator's eye.
                tracing::warn!(user = %user, "replayed TOTP code refused");
                state
                    .audit(audit::event(
                        Some(&user),
                        "totp.replayed",
                        None,
                        &Client::default(),
                        false,
                        serde_json::json!({}),
                    ))
                    .await?;
            }
            Ok(false)
        }
    }
}

/// Re-authentication for sensitive changes: the current password.
/// Honours the account's lock, and a wrong password counts towards it.
pub async fn require_password(state: &App, user: UserId, given: &str) -> Result<()> {
    let key = crate::accounts::throttle::account_key(user);
    crate::accounts::throttle::check(state, &[&key]).await?;
    let secrets = state.db.user_secrets(user).await?;
    let given = given.to_string();
    let ok = state
        .cpu(move || {
            secrets
                .password_hash
                .as_deref()
                .is_some_and(|h| password::verify(&given, h) != password::Verified::No)
        })
        .await?;
    if ok {
        Ok(())
    } else {
        crate::accounts::throttle::fail(state, &key, None).await?;
        Err(CoreError::validation("password", "msg-current-password-wrong"))
    }
}

/// Starts enrolment: a new secret waits, sealed, until a code from it is confirmed.
pub async fn begin(state: &App, actor: &Caller, current_password: &str) -> Result<Enrolment> {
    require_password(state, actor.user.id, current_password).await?;
    let secret = totp::generate_secret();
    let sealed = state.keys.totp.seal(&secret, actor.user.id.0.as_bytes());
    state
        .db
        .set_totp_pending(actor.user.id, Some(&sealed), state.now())
        .await?;
    let url = totp::otpauth_url(&secret, &state.settings.org_name, &actor.user.email);
    let qr = qrcode::QrCode::new(url.as_bytes()).map_err(CoreError::internal)?;
    let qr_svg = qr
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build();
    Ok(Enrolment {
        secret_base32: totp::base32(&secret),
        otpauth_url: url,
        qr_svg,
    })
}

pub async fn confirm(state: &App, actor: &Caller, code: &str) -> Result<()> {
    let secrets = state.db.user_secrets(actor.user.id).await?;
    let Some(sealed) = secrets.totp_pending else {
        return Err(CoreError::clash("msg-totp-not-begun"));
    };
    let secret = open_secret(state, actor.user.id, &sealed)?;
    let now = (state.now() / 1000) as u64;
    let Some(step) = totp::verify(&secret, code, now, None) else {
        return Err(CoreError::validation("code", "msg-totp-code-wrong"));
    };
    let mut tx = state.db.begin().await?;
    tx.enable_totp(actor.user.id, step, state.now()).await?;
    audit::queue(&mut tx, state, actor, "totp.enabled", None, serde_json::json!({}));
    tx.commit().await?;
    notify(state, &actor.user.email, letters::Notice::TotpOn).await;
    Ok(())
}

pub async fn disable(state: &App, actor: &Caller, current_password: &str, client: &Client) -> Result<()> {
    require_password(state, actor.user.id, current_password).await?;
    let mut tx = state.db.begin().await?;
    tx.disable_totp(actor.user.id, state.now()).await?;
    tx.audit(
        audit::event(
            Some(&actor.user.id),
            "totp.disabled",
            None,
            client,
            true,
            serde_json::json!({}),
        ),
        state.now(),
    );
    tx.commit().await?;
    notify(state, &actor.user.email, letters::Notice::TotpOff).await;
    Ok(())
}

/// Security notices are best effort and sent in the background: the change already
/// happened and is audited, so the request need not wait for the relay.
pub async fn notify(state: &App, to: &str, what: letters::Notice) {
    let mailer = state.mailer.clone();
    let mail = letters::security_notice(to, &what);
    tokio::spawn(async move {
        if let Err(e) = mailer.send(mail).await {
            tracing::warn!(error = %e, "could not send a security notice");
        }
    });
}
