//! Accounts: self-registration with an emailed code, password reset and change, and the
//! creation of users by the operator (CLI, first-start setup); in the submodules, logging
//! in, sessions, one-time codes, TOTP, throttling and the letters they send.

pub mod codes;
pub mod letters;
pub mod login;
pub mod oidc;
pub mod sessions;
pub mod throttle;
pub mod totp;

use crate::audit;
use crate::settings::Registration;
use crate::state::App;
use crate::{Caller, Client};
use serde_json::json;
use svitok_core::ids::UserId;
use svitok_core::otp::Purpose;
use svitok_core::rights::Rights;
use svitok_core::user::{self, Email, Login, User, UserStatus};
use svitok_core::{password, CoreError, Result};
use svitok_db::{NewUser, SessionKind};

/// Profile fields as they arrive, before validation.
#[derive(Debug, Clone, Default)]
pub struct ProfileInput {
    pub login: String,
    pub email: String,
    pub last_name: String,
    pub first_name: String,
    pub middle_name: Option<String>,
    pub birth_date: Option<String>,
    pub position: Option<String>,
}

/// Validated profile fields.
pub struct Profile {
    pub login: Login,
    pub email: Email,
    pub last_name: String,
    pub first_name: String,
    pub middle_name: Option<String>,
    pub birth_date: Option<String>,
    pub position: Option<String>,
}

impl Profile {
    pub fn parse(input: &ProfileInput, today: time::Date) -> Result<Profile> {
        Ok(Profile {
            login: Login::parse(&input.login)?,
            email: Email::parse(&input.email)?,
            last_name: user::person_text("last_name", &input.last_name, 100)?,
            first_name: user::person_text("first_name", &input.first_name, 100)?,
            middle_name: user::optional_person_text("middle_name", input.middle_name.as_deref(), 100)?,
            birth_date: user::parse_birth_date(input.birth_date.as_deref(), today)?.map(|d| d.to_string()),
            position: user::optional_person_text("position", input.position.as_deref(), 200)?,
        })
    }

    /// What the password must not contain.
    fn personal(&self) -> Vec<&str> {
        let mut v = vec![
            self.login.as_str(),
            self.email.as_str(),
            self.last_name.as_str(),
            self.first_name.as_str(),
        ];
        v.extend(self.middle_name.as_deref());
        v
    }
}

fn personal_of(u: &User) -> Vec<&str> {
    let mut v = vec![
        u.login.as_str(),
        u.email.as_str(),
        u.last_name.as_str(),
        u.first_name.as_str(),
    ];
    v.extend(u.middle_name.as_deref());
    v
}

async fn hash_new_password(state: &App, password: &str, personal: &[&str]) -> Result<String> {
    password::check_policy(password, personal)?;
    let pw = password.to_string();
    state.cpu(move || password::hash(&pw)).await?
}

fn new_user(p: Profile, status: UserStatus, verified: bool, hash: Option<String>, rights: Rights) -> NewUser {
    NewUser {
        id: UserId::new(),
        login: p.login.as_str().to_string(),
        email_key: p.email.key(),
        email: p.email.as_str().to_string(),
        email_verified: verified,
        password_hash: hash,
        last_name: p.last_name,
        first_name: p.first_name,
        middle_name: p.middle_name,
        birth_date: p.birth_date,
        position: p.position,
        status,
        rights,
    }
}

pub enum Registered {
    /// A code went to the address.
    CodeSent,
    /// The address belongs to an account already; its owner was told by mail. The caller
    /// sees the same answer as for a new account.
    AlreadyKnown,
}

pub async fn register(state: &App, input: ProfileInput, pw: &str, client: &Client) -> Result<Registered> {
    let profile = Profile::parse(&input, state.clock.now().date())?;
    match &state.settings.registration {
        Registration::Open => {}
        Registration::Closed => return Err(CoreError::forbidden("msg-registration-closed")),
        Registration::Domains(list) => {
            if !list.iter().any(|d| d == &profile.email.domain().to_lowercase()) {
                return Err(CoreError::validation(
                    "email",
                    svitok_core::Message::new("msg-registration-domains").arg("domains", list.join(", ")),
                ));
            }
        }
    }
    // Before the Argon2 hash and before any mail: each registration costs both.
    throttle::client_request(state, client.addr.as_deref()).await?;
    let hash = hash_new_password(state, pw, &profile.personal()).await?;
    // A taken address or login answers like a free one (no enumeration); the owner is told.
    if let Some((existing, _)) = state.db.user_by_login_or_email(profile.email.as_str()).await? {
        if existing.email.to_lowercase() == profile.email.key() {
            if throttle::may_mail(state, &existing.email).await? {
                let _ = state
                    .mailer
                    .send(letters::already_registered(
                        &existing.email,
                        &state.settings.link("/password/reset"),
                    ))
                    .await;
            }
            return Ok(Registered::AlreadyKnown);
        }
    }
    if let Some((owner, _)) = state.db.user_by_login_or_email(profile.login.as_str()).await? {
        if owner.login == profile.login.as_str() {
            tell_login_owner(state, &owner).await?;
            return Ok(Registered::AlreadyKnown);
        }
    }
    let rights = state.settings.default_rights;
    let mut tx = state.db.begin().await?;
    let user = tx
        .insert_user(
            new_user(profile, UserStatus::Pending, false, Some(hash), rights),
            state.now(),
        )
        .await?;
    tx.audit(
        audit::event(
            Some(&user.id),
            "user.registered",
            Some(user.id.to_string()),
            client,
            true,
            json!({ "login": user.login }),
        ),
        state.now(),
    );
    tx.commit().await?;
    codes::send(state, &user, Purpose::Register).await?;
    state
        .audit(audit::event(
            Some(&user.id),
            "code.sent",
            None,
            client,
            true,
            json!({ "purpose": "register" }),
        ))
        .await?;
    Ok(Registered::CodeSent)
}

/// Tells the owner of a login that someone tried to register with it, within the
/// notice limits (past them, silently: a 429 would say the login is taken).
async fn tell_login_owner(state: &App, owner: &User) -> Result<()> {
    if throttle::may_mail(state, &owner.email).await? {
        let _ = state
            .mailer
            .send(letters::login_taken(&owner.email, &owner.login))
            .await;
    }
    Ok(())
}

/// Finds the user whose address is `email`, for flows keyed by address.
async fn by_email(state: &App, email: &str) -> Result<Option<User>> {
    let Ok(email) = Email::parse(email) else {
        return Ok(None);
    };
    Ok(state
        .db
        .user_by_login_or_email(&email.key())
        .await?
        .map(|(u, _)| u)
        .filter(|u| u.email.to_lowercase() == email.key()))
}

pub async fn confirm_registration(state: &App, email: &str, code: &str, client: &Client) -> Result<()> {
    let user = by_email(state, email).await?.ok_or_else(codes::invalid_code)?;
    let challenge = state
        .db
        .open_challenge(user.id, Purpose::Register.as_str())
        .await?
        .ok_or_else(codes::invalid_code)?;
    codes::redeem_audited(state, &challenge, Purpose::Register, code, "user.confirm", client).await?;
    let mut tx = state.db.begin().await?;
    tx.confirm_email(user.id, state.now()).await?;
    tx.audit(
        audit::event(
            Some(&user.id),
            "user.confirm",
            Some(user.id.to_string()),
            client,
            true,
            json!({}),
        ),
        state.now(),
    );
    tx.commit().await
}

/// A new registration code. Answers the same whether or not the address is known.
pub async fn resend_registration(state: &App, email: &str, client: &Client) -> Result<()> {
    throttle::client_request(state, client.addr.as_deref()).await?;
    if let Some(user) = by_email(state, email)
        .await?
        .filter(|u| u.status == UserStatus::Pending && !u.email_verified)
    {
        codes::send(state, &user, Purpose::Register).await?;
        state
            .audit(audit::event(
                Some(&user.id),
                "code.sent",
                None,
                client,
                true,
                json!({ "purpose": "register" }),
            ))
            .await?;
    }
    Ok(())
}

/// Mails a reset code. Unknown and blocked addresses get the same answer and no mail;
/// a throttled request sends no mail either (and, to keep addresses secret, says nothing).
pub async fn request_reset(state: &App, email: &str, client: &Client) -> Result<()> {
    throttle::client_request(state, client.addr.as_deref()).await?;
    let Some(user) = by_email(state, email)
        .await?
        .filter(|u| u.status != UserStatus::Blocked && state.settings.password_login.allows(&u.login))
    else {
        return Ok(());
    };
    match codes::send(state, &user, Purpose::PasswordReset).await {
        Ok(_) => {
            state
                .audit(audit::event(
                    Some(&user.id),
                    "code.sent",
                    None,
                    client,
                    true,
                    json!({ "purpose": "password_reset" }),
                ))
                .await
        }
        Err(CoreError::RateLimited { .. }) => {
            state
                .audit(audit::event(
                    Some(&user.id),
                    "code.throttled",
                    None,
                    client,
                    false,
                    json!({ "purpose": "password_reset" }),
                ))
                .await
        }
        Err(e) => Err(e),
    }
}

/// Sets a new password with an emailed code. Also how an invited user sets its first
/// password; its address is thereby confirmed. Every session and token ends.
pub async fn confirm_reset(state: &App, email: &str, code: &str, new_password: &str, client: &Client) -> Result<()> {
    let user = by_email(state, email)
        .await?
        .filter(|u| u.status != UserStatus::Blocked && state.settings.password_login.allows(&u.login))
        .ok_or_else(codes::invalid_code)?;
    let challenge = state
        .db
        .open_challenge(user.id, Purpose::PasswordReset.as_str())
        .await?
        .ok_or_else(codes::invalid_code)?;
    // Check the password before spending the code, so a weak choice can be corrected.
    let hash = hash_new_password(state, new_password, &personal_of(&user)).await?;
    codes::redeem_audited(
        state,
        &challenge,
        Purpose::PasswordReset,
        code,
        "password.reset",
        client,
    )
    .await?;
    let now = state.now();
    let first_password = state.db.user_secrets(user.id).await?.password_hash.is_none();
    throttle::succeed(state, &throttle::account_key(user.id)).await?;
    let mut tx = state.db.begin().await?;
    tx.set_password_hash(user.id, &hash, now).await?;
    tx.confirm_email(user.id, now).await?;
    tx.revoke_all_sessions(user.id, None, true, now).await?;
    tx.audit(
        audit::event(
            Some(&user.id),
            "password.reset",
            Some(user.id.to_string()),
            client,
            true,
            json!({}),
        ),
        state.now(),
    );
    tx.commit().await?;
    if !first_password {
        totp::notify(state, &user.email, letters::Notice::PasswordChanged).await;
    }
    Ok(())
}

/// Changes the password of a signed-in user; needs the current one. Other sessions end.
pub async fn change_password(state: &App, actor: &Caller, current: &str, new_password: &str) -> Result<()> {
    totp::require_password(state, actor.user.id, current)
        .await
        .map_err(|_| CoreError::validation("current_password", "msg-current-password-wrong"))?;
    let hash = hash_new_password(state, new_password, &personal_of(&actor.user)).await?;
    let now = state.now();
    let mut tx = state.db.begin().await?;
    tx.set_password_hash(actor.user.id, &hash, now).await?;
    // Whoever learnt the old password may have made a token with it: those end too,
    // the one making this change included. Only the person's own session stays.
    let keep = (actor.session.kind == SessionKind::Session).then_some(actor.session.id);
    let ended = tx.revoke_all_sessions(actor.user.id, keep, true, now).await?;
    audit::queue(
        &mut tx,
        state,
        actor,
        "password.changed",
        Some(actor.user.id.to_string()),
        json!({ "sessions_and_tokens_ended": ended }),
    );
    tx.commit().await?;
    totp::notify(state, &actor.user.email, letters::Notice::PasswordChangedElsewhereEnded).await;
    Ok(())
}

/// Creates an active user with a password (operator paths: CLI and first-start setup),
/// in one unit of work with the audit entry `audited` makes of it.
pub async fn create_active_user(
    state: &App,
    input: ProfileInput,
    pw: &str,
    rights: Rights,
    audited: impl FnOnce(&User) -> svitok_db::AuditEvent,
) -> Result<User> {
    let profile = Profile::parse(&input, state.clock.now().date())?;
    let hash = hash_new_password(state, pw, &profile.personal()).await?;
    let mut tx = state.db.begin().await?;
    let user = tx
        .insert_user(
            new_user(profile, UserStatus::Active, true, Some(hash), rights),
            state.now(),
        )
        .await?;
    tx.audit(audited(&user), state.now());
    tx.commit().await?;
    Ok(user)
}
