//! User administration: listing, creating (with an invitation), editing, blocking, rights,
//! and a user's own profile and email address.

use crate::access::authorize;
use crate::accounts::{Profile, ProfileInput};
use crate::state::App;
use crate::Caller;
use crate::{
    accounts::{codes, letters, totp},
    audit,
};
use serde_json::json;
use std::collections::HashMap;
use svitok_core::ids::{GroupId, UserId};
use svitok_core::otp::{self, Purpose};
use svitok_core::policy::Operation;
use svitok_core::rights::{Right, Rights};
use svitok_core::user::{self, Email, User, UserStatus};
use svitok_core::{CoreError, Message, Result};
use svitok_db::{NewUser, ProfileUpdate, UserFilter};

pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
}

pub async fn list(
    state: &App,
    actor: &Caller,
    filter: &UserFilter,
    limit: i64,
    offset: i64,
) -> Result<(Page<User>, HashMap<UserId, Vec<GroupId>>)> {
    authorize(state, actor, Operation::ListUsers, None).await?;
    let (items, total) = state.db.list_users(filter, limit, offset).await?;
    let ids: Vec<UserId> = items.iter().map(|u| u.id).collect();
    let groups = state.db.groups_of(&ids).await?;
    Ok((Page { items, total }, groups))
}

/// The person's own choice of interface language (`ru`, `en`).
pub async fn set_language(state: &App, actor: &Caller, language: &str) -> Result<()> {
    if !matches!(language, "ru" | "en") {
        return Err(CoreError::validation("language", "msg-language-choice"));
    }
    authorize(state, actor, Operation::EditOwnProfile, None).await?;
    state.db.set_language(actor.user.id, Some(language), state.now()).await
}

/// A person as anyone may see them when addressing a document: no login, no email.
pub struct Person {
    pub id: UserId,
    pub name: String,
    pub position: Option<String>,
}

/// Active users whose names or position contain `q`: the address book. Never by login
/// or address: anyone may search it, and it must not confirm who has which address.
pub async fn directory(state: &App, actor: &Caller, q: &str, limit: i64) -> Result<Vec<Person>> {
    authorize(state, actor, Operation::FindPeople, None).await?;
    let filter = UserFilter {
        q: Some(q.to_string()),
        status: Some(UserStatus::Active),
        group: None,
    };
    // The index matches logins and addresses too; a wider page, then names only.
    let (found, _) = state.db.list_users(&filter, (limit * 4).min(400), 0).await?;
    let needle = q.trim().to_lowercase();
    Ok(found
        .into_iter()
        .filter(|u| {
            let name = u.full_name().to_lowercase();
            let position = u.position.as_deref().unwrap_or("").to_lowercase();
            name.contains(&needle) || position.contains(&needle)
        })
        .take(limit.max(0) as usize)
        .map(|u| Person {
            id: u.id,
            name: u.full_name(),
            position: u.position,
        })
        .collect())
}

async fn load(state: &App, id: UserId) -> Result<User> {
    state.db.user(id).await?.ok_or(CoreError::NotFound("user"))
}

pub async fn get(state: &App, actor: &Caller, id: UserId) -> Result<(User, Vec<GroupId>)> {
    authorize(state, actor, Operation::ViewUser { target: id }, Some(id.to_string())).await?;
    let user = load(state, id).await?;
    let groups = state.db.groups_of_user(id).await?;
    Ok((user, groups))
}

pub struct NewUserRequest {
    pub profile: ProfileInput,
    pub rights: Option<Rights>,
    pub groups: Vec<GroupId>,
}

/// Creates a `pending` user and mails the invitation: a code that sets the first password
/// through `POST /auth/password/reset/confirm`.
pub async fn create(state: &App, actor: &Caller, req: NewUserRequest) -> Result<User> {
    authorize(state, actor, Operation::CreateUser { rights: req.rights }, None).await?;
    let p = Profile::parse(&req.profile, state.clock.now().date())?;
    for g in &req.groups {
        if state.db.group(*g).await?.is_none() {
            return Err(CoreError::validation(
                "groups",
                Message::new("msg-group-not-found").arg("id", g.to_string()),
            ));
        }
    }
    let rights = req.rights.unwrap_or(state.settings.default_rights);
    let now = state.now();
    let mut tx = state.db.begin().await?;
    let user = tx
        .insert_user(
            NewUser {
                id: UserId::new(),
                login: p.login.as_str().to_string(),
                email_key: p.email.key(),
                email: p.email.as_str().to_string(),
                email_verified: false,
                password_hash: None,
                last_name: p.last_name,
                first_name: p.first_name,
                middle_name: p.middle_name,
                birth_date: p.birth_date,
                position: p.position,
                status: UserStatus::Pending,
                rights,
            },
            now,
        )
        .await?;
    for g in &req.groups {
        tx.add_member(*g, user.id, now).await?;
    }
    audit::queue(
        &mut tx,
        state,
        actor,
        "user.created",
        Some(user.id.to_string()),
        json!({ "login": user.login, "rights": names(rights), "groups": req.groups }),
    );
    tx.commit().await?;
    let link = state.settings.link("/password/reset");
    let (to, login, org) = (user.email.clone(), user.login.clone(), state.settings.org_name.clone());
    codes::send_with(
        state,
        &user,
        Purpose::PasswordReset,
        otp::INVITATION_TTL_MS,
        None,
        |code| letters::invitation(&to, &login, &org, &link, code),
    )
    .await?;
    Ok(user)
}

fn names(r: Rights) -> Vec<&'static str> {
    r.iter().map(Right::name).collect()
}

/// Changes to a profile; `Some("")` clears an optional field.
#[derive(Debug, Default, Clone)]
pub struct ProfilePatch {
    pub email: Option<String>,
    pub last_name: Option<String>,
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub birth_date: Option<String>,
    pub position: Option<String>,
}

/// Edits a profile. Names, position and birth date are identity: they go into signing
/// certificates, so only `manage_users` changes them, one's own included (SPEC §4). A
/// user's own edit without them changes nothing here. Addresses change only through a
/// code sent to the new one.
pub async fn update(state: &App, actor: &Caller, id: UserId, patch: ProfilePatch) -> Result<User> {
    let own = id == actor.user.id;
    let identity = patch.last_name.is_some()
        || patch.first_name.is_some()
        || patch.middle_name.is_some()
        || patch.birth_date.is_some()
        || patch.position.is_some();
    let op = if own && !identity {
        Operation::EditOwnProfile
    } else {
        Operation::EditUser { target: id }
    };
    authorize(state, actor, op, Some(id.to_string())).await?;
    let before = load(state, id).await?;
    let today = state.clock.now().date();
    let text = |field: &str, new: Option<String>, old: &str| match new {
        Some(v) => user::person_text(field, &v, 100),
        None => Ok(old.to_string()),
    };
    let optional = |field: &str, new: Option<String>, old: &Option<String>, max: usize| match new {
        Some(v) => user::optional_person_text(field, Some(&v), max),
        None => Ok(old.clone()),
    };
    // An address is changed only with a second factor and a code to the new address
    // (`begin_admin_email_change`); the same address sent back is no change.
    if let Some(e) = &patch.email {
        if Email::parse(e)?.key() != before.email.to_lowercase() {
            return Err(if own {
                CoreError::forbidden("msg-own-email-by-code")
            } else {
                CoreError::validation("email", "msg-email-changed-apart")
            });
        }
    }
    let update = ProfileUpdate {
        email: before.email.clone(),
        email_verified: before.email_verified,
        last_name: text("last_name", patch.last_name, &before.last_name)?,
        first_name: text("first_name", patch.first_name, &before.first_name)?,
        middle_name: optional("middle_name", patch.middle_name, &before.middle_name, 100)?,
        birth_date: match patch.birth_date {
            Some(d) => user::parse_birth_date(Some(&d), today)?.map(|d| d.to_string()),
            None => before.birth_date.clone(),
        },
        position: optional("position", patch.position, &before.position, 200)?,
    };
    let mut tx = state.db.begin().await?;
    tx.update_profile(id, &update, &before.login, state.now()).await?;
    let after = User {
        email: update.email.clone(),
        last_name: update.last_name.clone(),
        first_name: update.first_name.clone(),
        middle_name: update.middle_name.clone(),
        birth_date: update.birth_date.clone(),
        position: update.position.clone(),
        ..before.clone()
    };
    audit::queue(
        &mut tx,
        state,
        actor,
        "user.updated",
        Some(id.to_string()),
        json!({ "before": profile_json(&before), "after": profile_json(&after) }),
    );
    tx.commit().await?;
    let after = load(state, id).await?;
    // The name is in the signing certificate too (a change of its own, audited as one).
    if after.full_name() != before.full_name() || after.position != before.position {
        crate::pki::reissue_if_certified(state, actor, &after).await?;
    }
    Ok(after)
}

fn profile_json(u: &User) -> serde_json::Value {
    json!({ "email": u.email, "last_name": u.last_name, "first_name": u.first_name,
            "middle_name": u.middle_name, "birth_date": u.birth_date, "position": u.position })
}

/// The rights among `{grant_rights, manage_users}` of `target` that no other active user
/// holds: taking them away would leave nobody able to administer.
async fn sole_holder_of(state: &App, target: &User) -> Result<Rights> {
    let mut sole = Rights::NONE;
    if target.status != UserStatus::Active {
        return Ok(sole);
    }
    for r in [Right::GrantRights, Right::ManageUsers] {
        if target.rights.has(r) && state.db.other_active_holders(r, target.id).await? == 0 {
            sole = sole.with(r);
        }
    }
    Ok(sole)
}

const PROTECTED: [Right; 2] = [Right::GrantRights, Right::ManageUsers];

/// Blocks a user: its sessions and tokens end at once and its certificates are revoked.
pub async fn block(state: &App, actor: &Caller, id: UserId) -> Result<()> {
    let target = load(state, id).await?;
    let sole = sole_holder_of(state, &target).await?;
    authorize(
        state,
        actor,
        Operation::Block {
            target: id,
            target_rights: target.rights,
            sole_holder_of: sole,
        },
        Some(id.to_string()),
    )
    .await?;
    let now = state.now();
    let protect: Rights = PROTECTED.into_iter().filter(|r| target.rights.has(*r)).collect();
    // Blocked, signed out, certificates revoked and all of it audited: together or not.
    let mut tx = state.db.begin().await?;
    let revoked = tx.set_status_guarded(id, UserStatus::Blocked, protect, now).await?;
    let ended = tx.revoke_all_sessions(id, None, true, now).await?;
    let target = || Some(id.to_string());
    if revoked > 0 {
        let details = json!({ "certificates": revoked, "reason": "user blocked" });
        audit::queue(&mut tx, state, actor, "certificate.revoked", target(), details);
    }
    let details = json!({ "sessions_ended": ended, "certificates_revoked": revoked });
    audit::queue(&mut tx, state, actor, "user.blocked", target(), details);
    tx.commit().await
}

/// Ends every session and API token of a user, at once (SECURITY 24): what an
/// administrator does for a lost laptop or a leaked token.
pub async fn end_sessions(state: &App, actor: &Caller, id: UserId) -> Result<u64> {
    let target = load(state, id).await?;
    authorize(
        state,
        actor,
        Operation::EndSessions {
            target: id,
            target_rights: target.rights,
        },
        Some(id.to_string()),
    )
    .await?;
    let mut tx = state.db.begin().await?;
    let ended = tx.revoke_all_sessions(id, None, true, state.now()).await?;
    audit::queue(
        &mut tx,
        state,
        actor,
        "user.sessions_ended",
        Some(id.to_string()),
        json!({ "count": ended }),
    );
    tx.commit().await?;
    Ok(ended)
}

/// Unblocks a user: active again, or pending when it never set a password.
pub async fn unblock(state: &App, actor: &Caller, id: UserId) -> Result<()> {
    let target = load(state, id).await?;
    authorize(
        state,
        actor,
        Operation::Unblock {
            target: id,
            target_rights: target.rights,
        },
        Some(id.to_string()),
    )
    .await?;
    let has_password = state.db.user_secrets(id).await?.password_hash.is_some();
    let status = if has_password {
        UserStatus::Active
    } else {
        UserStatus::Pending
    };
    let mut tx = state.db.begin().await?;
    tx.set_status_guarded(id, status, Rights::NONE, state.now()).await?;
    audit::queue(&mut tx, state, actor, "user.unblocked", Some(id.to_string()), json!({}));
    tx.commit().await
}

pub async fn rights(state: &App, actor: &Caller, id: UserId) -> Result<Rights> {
    authorize(state, actor, Operation::ViewRights { target: id }, Some(id.to_string())).await?;
    Ok(load(state, id).await?.rights)
}

/// One right of a user as the rights page shows it: on or off, and whether the viewer
/// may flip it (or why not) — the policy's own answer for that one change.
pub struct RightSwitch {
    pub right: Right,
    pub on: bool,
    pub refusal: Option<CoreError>,
}

pub async fn right_switches(state: &App, actor: &Caller, id: UserId) -> Result<Vec<RightSwitch>> {
    authorize(state, actor, Operation::ViewRights { target: id }, Some(id.to_string())).await?;
    let target = load(state, id).await?;
    let sole = sole_holder_of(state, &target).await?;
    Ok(Right::ALL
        .into_iter()
        .map(|right| {
            let on = target.rights.has(right);
            let after = Rights::from_mask(target.rights.mask() ^ Rights::NONE.with(right).mask());
            let op = Operation::SetRights {
                target: id,
                before: target.rights,
                after,
                sole_holder_of: sole,
            };
            let refusal = crate::access::refusal(actor, &op);
            RightSwitch { right, on, refusal }
        })
        .collect())
}

pub async fn set_rights(state: &App, actor: &Caller, id: UserId, after: Rights) -> Result<Rights> {
    let target = load(state, id).await?;
    let sole = sole_holder_of(state, &target).await?;
    let before = target.rights;
    authorize(
        state,
        actor,
        Operation::SetRights {
            target: id,
            before,
            after,
            sole_holder_of: sole,
        },
        Some(id.to_string()),
    )
    .await?;
    let losing = Rights::from_mask(before.mask() & !after.mask());
    let protect: Rights = PROTECTED.into_iter().filter(|r| losing.has(*r)).collect();
    let mut tx = state.db.begin().await?;
    tx.set_rights_guarded(id, after, protect, state.now()).await?;
    audit::queue(
        &mut tx,
        state,
        actor,
        "rights.changed",
        Some(id.to_string()),
        json!({ "before": names(before), "after": names(after) }),
    );
    tx.commit().await?;
    Ok(after)
}

/// Starts an email change: a code goes to the new address; the password confirms it is
/// the owner asking.
pub async fn begin_email_change(state: &App, actor: &Caller, new_email: &str, password: &str) -> Result<()> {
    authorize(state, actor, Operation::EditOwnProfile, None).await?;
    totp::require_password(state, actor.user.id, password).await?;
    mail_change_code(state, &actor.user, &Email::parse(new_email)?).await
}

/// Mails the code that moves `user` to `email`, once nobody else has that address.
async fn mail_change_code(state: &App, user: &User, email: &Email) -> Result<()> {
    if let Some((other, _)) = state.db.user_by_login_or_email(&email.key()).await? {
        if other.email.to_lowercase() == email.key() {
            return Err(CoreError::conflict("email", "msg-email-taken"));
        }
    }
    let to = email.as_str().to_string();
    codes::send_with(
        state,
        user,
        Purpose::EmailChange,
        otp::TTL_MS,
        Some(to.clone()),
        |code| letters::code(&to, Purpose::EmailChange, code),
    )
    .await?;
    Ok(())
}

/// The caller is signed in: a wrong code is bad input, not a failed login.
fn wrong_code() -> CoreError {
    CoreError::validation("code", "msg-code-wrong")
}

fn code_as_bad_input(e: CoreError) -> CoreError {
    match e {
        CoreError::Unauthenticated(_) => wrong_code(),
        other => other,
    }
}

/// The gate of both steps of an administrator's address change; the target as it is now.
async fn authorize_email_change(state: &App, actor: &Caller, id: UserId) -> Result<User> {
    let target = load(state, id).await?;
    authorize(
        state,
        actor,
        Operation::ChangeEmail {
            target: id,
            target_rights: target.rights,
        },
        Some(id.to_string()),
    )
    .await?;
    Ok(target)
}

pub async fn confirm_email_change(state: &App, actor: &Caller, code: &str) -> Result<User> {
    let me = actor.user.clone();
    apply_email_change(state, actor, &me, code).await
}

/// An administrator starts changing another user's address (SPEC §4): its own fresh
/// second factor (`POST /auth/step-up`), only on a user no stronger than itself, and a code
/// mailed to the new address; nothing changes until that code comes back.
pub async fn begin_admin_email_change(
    state: &App,
    actor: &Caller,
    id: UserId,
    new_email: &str,
    step_up: (svitok_core::ids::ChallengeId, &str),
) -> Result<()> {
    let target = authorize_email_change(state, actor, id).await?;
    let email = Email::parse(new_email)?;
    if email.key() == target.email.to_lowercase() {
        return Err(CoreError::validation("email", "msg-email-unchanged"));
    }
    codes::redeem_step_up(state, actor, step_up.0, step_up.1)
        .await
        .map_err(code_as_bad_input)?;
    mail_change_code(state, &target, &email).await?;
    state
        .audit(audit::event(
            Some(&actor.user.id),
            "user.email_change_started",
            Some(id.to_string()),
            &actor.client,
            true,
            json!({}),
        ))
        .await
}

/// Finishes an administrator's change of another user's address with the code that went
/// to the new address; the old address is told.
pub async fn confirm_admin_email_change(state: &App, actor: &Caller, id: UserId, code: &str) -> Result<User> {
    let target = authorize_email_change(state, actor, id).await?;
    apply_email_change(state, actor, &target, code).await
}

/// Redeems the open email-change code of `target` and puts the new address in place.
async fn apply_email_change(state: &App, actor: &Caller, target: &User, code: &str) -> Result<User> {
    let challenge = state
        .db
        .open_challenge(target.id, Purpose::EmailChange.as_str())
        .await?
        .ok_or_else(wrong_code)?;
    codes::redeem(state, &challenge, Purpose::EmailChange, code)
        .await
        .map_err(code_as_bad_input)?;
    let new_email = challenge.payload.clone().ok_or_else(wrong_code)?;
    let before = target.clone();
    let update = ProfileUpdate {
        email: new_email,
        email_verified: true,
        last_name: before.last_name.clone(),
        first_name: before.first_name.clone(),
        middle_name: before.middle_name.clone(),
        birth_date: before.birth_date.clone(),
        position: before.position.clone(),
    };
    let mut tx = state.db.begin().await?;
    tx.update_profile(before.id, &update, &before.login, state.now())
        .await?;
    audit::queue(
        &mut tx,
        state,
        actor,
        "user.email_changed",
        Some(before.id.to_string()),
        json!({ "before": before.email, "after": update.email }),
    );
    tx.commit().await?;
    totp::notify(
        state,
        &before.email,
        crate::accounts::letters::Notice::EmailChanged {
            to: update.email.to_string(),
        },
    )
    .await;
    // The address is in the signing certificate too.
    let after = load(state, before.id).await?;
    crate::pki::reissue_if_certified(state, actor, &after).await?;
    Ok(after)
}
