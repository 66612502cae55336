//! Signing in through an identity provider (SPEC §11): the start of the flow, the landing
//! with what the provider vouched for, and the linked identities a person keeps.
//!
//! Linking: an identity (issuer, subject) is linked once; at its first login it links to
//! the active or pending account with the same address only when the provider says the
//! address is verified, and a pending account becomes active; with no such account it is
//! refused unless the provider's `AUTO_PROVISION` creates one. A blocked account never
//! signs in this way. Every landing is audited as `login.oidc` with its outcome.

use super::{codes, login, sessions, Profile, ProfileInput};
use crate::audit;
use crate::identity::{GroupMap, IdentityProvider, Policy, SecondFactor, Vouched};
use crate::state::App;
use crate::{Caller, Client};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;
use subtle::ConstantTimeEq;
use svitok_core::otp::Purpose;
use svitok_core::user::{User, UserStatus};
use svitok_core::{CoreError, Message, Result};
use svitok_db::IdentityRow;

/// How long a browser may take at the provider before coming back.
pub const FLOW_TTL_MS: i64 = 10 * 60 * 1000;

/// A flow in progress, kept by the browser (sealed in a short-lived cookie) until the
/// provider sends it back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flow {
    pub provider: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub return_to: String,
    pub started_at: i64,
}

/// Where a landing ends.
pub enum Landed {
    /// Signed in: the session, and where the person was going.
    Session(sessions::Issued, String),
    /// Svitok's own second factor is due; the challenge `POST /auth/login/verify` completes.
    SecondFactor(login::Started),
}

/// The configured providers, in the order of their buttons.
pub fn providers(state: &App) -> Vec<&Policy> {
    state.providers.iter().map(|p| p.policy()).collect()
}

fn provider<'a>(state: &'a App, name: &str) -> Result<&'a Arc<dyn IdentityProvider>> {
    state
        .providers
        .iter()
        .find(|p| p.policy().name == name)
        .ok_or(CoreError::NotFound("provider"))
}

/// Where the provider sends the browser back.
pub fn redirect_uri(state: &App, name: &str) -> String {
    state.settings.link(&format!("/api/v1/auth/oidc/{name}/callback"))
}

/// A path inside Svitok to land on; anything else (another site, `//host`) lands in the inbox.
pub fn safe_return(to: Option<&str>) -> String {
    // Browsers drop tabs and newlines from a Location before they read it (`/\t/evil`
    // becomes `//evil`): no control character, no whitespace at all.
    match to {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && p.len() <= 1024
                && !p.chars().any(|c| c == '\\' || c.is_control() || c.is_whitespace()) =>
        {
            p.to_string()
        }
        _ => "/inbox".into(),
    }
}

/// Starts a login at provider `name`: the provider's address to send the browser to, and
/// the flow the browser must bring back.
pub async fn start(state: &App, name: &str, return_to: Option<&str>) -> Result<(String, Flow)> {
    let p = provider(state, name)?;
    let a = p.authorize(&redirect_uri(state, name)).await.map_err(|r| {
        tracing::warn!(provider = name, reason = %r.reason, "identity provider unavailable");
        CoreError::Unavailable("msg-oidc-down".into())
    })?;
    let flow = Flow {
        provider: name.to_string(),
        state: a.state,
        nonce: a.nonce,
        pkce_verifier: a.pkce_verifier,
        return_to: safe_return(return_to),
        started_at: state.now(),
    };
    Ok((a.url, flow))
}

/// What the provider's redirect brought back.
pub struct Callback<'a> {
    pub code: Option<&'a str>,
    pub state: Option<&'a str>,
    /// The provider's own refusal (`error=access_denied`, …).
    pub error: Option<&'a str>,
}

/// The browser is back from provider `name` with `back`; `flow` is what its cookie held.
pub async fn land(state: &App, name: &str, back: Callback<'_>, flow: Option<Flow>, client: &Client) -> Result<Landed> {
    let p = provider(state, name)?;
    let refuse = |reason: &str, user: Option<&User>, message: &'static str| {
        let event = audit::event(
            user.map(|u| &u.id),
            "login.oidc",
            user.map(|u| u.id.to_string()),
            client,
            false,
            json!({ "provider": name, "reason": reason }),
        );
        (event, message)
    };
    let fail = |(event, message): (svitok_db::AuditEvent, &'static str)| async move {
        state.audit(event).await?;
        Err::<Landed, _>(CoreError::unauthenticated(message))
    };

    let Some(flow) = flow.filter(|f| f.provider == name && state.now() - f.started_at <= FLOW_TTL_MS) else {
        return fail(refuse("no_flow", None, "msg-oidc-flow-lost")).await;
    };
    let returned = back.state.unwrap_or_default();
    if !bool::from(returned.as_bytes().ct_eq(flow.state.as_bytes())) {
        return fail(refuse("state", None, "msg-oidc-flow-lost")).await;
    }
    if let Some(err) = back.error {
        let reason = format!("provider_error: {}", err.chars().take(64).collect::<String>());
        return fail(refuse(&reason, None, "msg-oidc-refused")).await;
    }
    let Some(code) = back.code else {
        return fail(refuse("no_code", None, "msg-oidc-refused")).await;
    };
    let vouched = match p
        .redeem(
            &redirect_uri(state, name),
            code,
            &flow.nonce,
            &flow.pkce_verifier,
            state.now(),
        )
        .await
    {
        Ok(v) => v,
        Err(r) if r.down => {
            tracing::warn!(provider = name, reason = %r.reason, "identity provider unavailable");
            state
                .audit(refuse(&format!("provider_down: {}", r.reason), None, "").0)
                .await?;
            return Err(CoreError::Unavailable("msg-oidc-down".into()));
        }
        Err(r) => return fail(refuse(&format!("token: {}", r.reason), None, "msg-oidc-refused")).await,
    };

    match settle(state, p, name, &vouched, &flow, client).await {
        Ok(Ok(landed)) => Ok(landed),
        Ok(Err((reason, user, message))) => fail(refuse(reason, user.as_ref(), message)).await,
        Err(e @ CoreError::Unavailable(_)) => Err(e),
        // Anything else after the provider vouched (a name the profile rules refuse, the
        // code limits, a race on the first link) is still a refusal, audited, on the page.
        Err(e) => {
            tracing::warn!(provider = name, error = %e, "a provider's login could not be completed");
            fail(refuse(&format!("error: {e}"), None, "msg-oidc-refused")).await
        }
    }
}

type Settled = std::result::Result<Landed, (&'static str, Option<User>, &'static str)>;

/// What a vouched-for person's landing comes to: a session, the second factor, or why not.
async fn settle(
    state: &App,
    p: &Arc<dyn IdentityProvider>,
    name: &str,
    vouched: &Vouched,
    flow: &Flow,
    client: &Client,
) -> Result<Settled> {
    let (user, identity) = match account_for(state, p.policy(), vouched, client).await? {
        Ok(found) => found,
        Err((reason, message)) => return Ok(Err((reason, None, message))),
    };
    if user.status == UserStatus::Blocked {
        return Ok(Err(("blocked", Some(user), "msg-oidc-blocked")));
    }
    sync_groups(state, p.policy(), &user, vouched, client).await?;

    let via = Some((name.to_string(), seal_id_token(state, &vouched.id_token)));
    let due = match p.policy().second_factor {
        SecondFactor::Always => true,
        SecondFactor::Never => false,
        SecondFactor::UnlessMfa => !had_second_factor(&vouched.amr),
    };
    let mut tx = state.db.begin().await?;
    tx.identity_used(identity.id, vouched.email.as_deref(), state.now())
        .await?;
    if due {
        tx.audit(
            audit::event(
                Some(&user.id),
                "login.oidc",
                Some(user.id.to_string()),
                client,
                true,
                json!({ "provider": name, "second_factor": if user.totp_enabled { "totp" } else { "email" } }),
            ),
            state.now(),
        );
        tx.commit().await?;
        // The session the code opens remembers the provider, for the sign-out; the
        // payload is on the challenge before anyone can know the code.
        let payload = serde_json::to_string(&via).map_err(CoreError::internal)?;
        let (challenge, method) = codes::second_factor(state, &user, Purpose::Login, Some(payload)).await?;
        return Ok(Ok(Landed::SecondFactor(login::Started { challenge, method })));
    }
    let issued = sessions::open(&mut tx, state, &user, client, via).await?;
    tx.set_last_login(user.id, state.now()).await?;
    tx.audit(
        audit::event(
            Some(&user.id),
            "login.oidc",
            Some(format!("session:{}", issued.id)),
            client,
            true,
            json!({ "provider": name, "second_factor": "none" }),
        ),
        state.now(),
    );
    tx.commit().await?;
    Ok(Ok(Landed::Session(issued, flow.return_to.clone())))
}

const ID_TOKEN_CONTEXT: &[u8] = b"svitok session id token v1";

fn seal_id_token(state: &App, id_token: &str) -> String {
    state.keys.oidc.seal(id_token.as_bytes(), ID_TOKEN_CONTEXT)
}

/// The provider that a login challenge's payload names (a login through a provider).
pub fn via_of(payload: Option<&str>) -> Option<(String, String)> {
    serde_json::from_str::<Option<(String, String)>>(payload?)
        .ok()
        .flatten()
}

/// Where to end the session at provider `name` that opened a Svitok session with the
/// (sealed) ID token; `None` when it offers no end-session endpoint.
pub async fn end_session_url(state: &App, name: &str, sealed: &str) -> Option<String> {
    let p = provider(state, name).ok()?;
    let id_token = state.keys.oidc.open(sealed, ID_TOKEN_CONTEXT).ok()?;
    let id_token = String::from_utf8(id_token).ok()?;
    p.end_session_url(&id_token, &state.settings.link("/login")).await
}

/// `amr` values that name a second factor (RFC 8176).
fn had_second_factor(amr: &[String]) -> bool {
    amr.iter()
        .any(|m| matches!(m.as_str(), "mfa" | "otp" | "hwk" | "swk" | "sms" | "tel" | "sc"))
}

type Refused = (&'static str, &'static str);

/// The account `vouched` signs in to, linking or creating it as §11 allows, or why not.
async fn account_for(
    state: &App,
    policy: &Policy,
    v: &Vouched,
    client: &Client,
) -> Result<std::result::Result<(User, IdentityRow), Refused>> {
    if let Some(identity) = state.db.identity(&v.issuer, &v.subject).await? {
        let user = state
            .db
            .user(identity.user_id)
            .await?
            .ok_or(CoreError::NotFound("user"))?;
        return Ok(Ok((user, identity)));
    }
    let Some(email) = v.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) else {
        return Ok(Err(("no_email", "msg-oidc-no-account")));
    };
    if !v.email_verified {
        return Ok(Err(("email_unverified", "msg-oidc-email-unverified")));
    }
    let key = email.to_lowercase();
    let existing = state
        .db
        .user_by_login_or_email(&key)
        .await?
        .map(|(u, _)| u)
        .filter(|u| u.email.to_lowercase() == key);
    let now = state.now();
    let identity = IdentityRow {
        id: uuid::Uuid::now_v7(),
        user_id: svitok_core::ids::UserId::new(),
        provider: policy.name.clone(),
        issuer: v.issuer.clone(),
        subject: v.subject.clone(),
        email: Some(email.to_string()),
        linked_at: now,
        last_used_at: now,
    };
    // An account that already has an identity at this issuer is that identity's: another
    // subject with the same address (a recreated or reassigned account at the provider)
    // does not inherit it.
    if let Some(u) = &existing {
        if state.db.identities_of(u.id).await?.iter().any(|i| i.issuer == v.issuer) {
            return Ok(Err(("already_linked", "msg-oidc-no-account")));
        }
    }
    let mut tx = state.db.begin().await?;
    let user = match existing {
        Some(u) if u.status == UserStatus::Blocked => return Ok(Err(("blocked", "msg-oidc-blocked"))),
        Some(u) => {
            if u.status == UserStatus::Pending {
                // Whoever registered the address and chose the password did not prove it:
                // the provider did. The password goes; the person sets one if they want.
                tx.confirm_email(u.id, now).await?;
                tx.clear_password(u.id, now).await?;
            }
            u
        }
        None if policy.auto_provision => {
            let user = tx.insert_user(provisioned(state, v, email).await?, now).await?;
            tx.audit(
                audit::event(
                    Some(&user.id),
                    "user.provisioned",
                    Some(user.id.to_string()),
                    client,
                    true,
                    json!({ "provider": policy.name, "login": user.login }),
                ),
                now,
            );
            user
        }
        None => return Ok(Err(("no_account", "msg-oidc-no-account"))),
    };
    let identity = IdentityRow {
        user_id: user.id,
        ..identity
    };
    tx.link_identity(&identity).await?;
    tx.audit(
        audit::event(
            Some(&user.id),
            "identity.linked",
            Some(user.id.to_string()),
            client,
            true,
            json!({ "provider": policy.name, "identity": identity.id }),
        ),
        now,
    );
    tx.commit().await?;
    let user = state.db.user(user.id).await?.ok_or(CoreError::NotFound("user"))?;
    Ok(Ok((user, identity)))
}

/// A new active account for a verified address no account has: the login from the
/// address (made unique), names from the token, the default rights.
async fn provisioned(state: &App, v: &Vouched, email: &str) -> Result<svitok_db::NewUser> {
    let local: String = email
        .split('@')
        .next()
        .unwrap_or_default()
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .take(48)
        .collect();
    let base = if local.chars().count() < 3 {
        format!("user-{local}")
    } else {
        local
    };
    let mut login = base.clone();
    for n in 2.. {
        if state.db.user_by_login_or_email(&login).await?.is_none() {
            break;
        }
        login = format!("{base}-{n}");
    }
    let name = |n: &Option<String>, fallback: &str| {
        n.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or(fallback)
            .to_string()
    };
    let input = ProfileInput {
        login,
        email: email.to_string(),
        last_name: name(&v.family_name, email),
        first_name: name(&v.given_name, "—"),
        ..Default::default()
    };
    let profile = Profile::parse(&input, state.clock.now().date())?;
    Ok(super::new_user(
        profile,
        UserStatus::Active,
        true,
        None,
        state.settings.default_rights,
    ))
}

/// Memberships of the mapped groups follow the provider's claim (added and removed);
/// groups outside the map are left alone. A token without the claim changes nothing.
async fn sync_groups(state: &App, policy: &Policy, user: &User, v: &Vouched, client: &Client) -> Result<()> {
    let (Some((_, map)), Some(values)) = (&policy.groups, &v.groups) else {
        return Ok(());
    };
    // Names resolve to groups once (the database compares names case-insensitively);
    // from there on, groups are compared by id.
    let resolve = |names: Vec<String>| async move {
        let mut ids = Vec::new();
        for n in names {
            if let Some(g) = state.db.group_by_name(&n).await? {
                ids.push((g.id, g.name));
            }
        }
        Ok::<_, CoreError>(ids)
    };
    let wanted = resolve(match map {
        GroupMap::SameName => values.clone(),
        GroupMap::Named(m) => values.iter().filter_map(|v| m.get(v).cloned()).collect(),
    })
    .await?;
    let managed: Option<Vec<svitok_core::ids::GroupId>> = match map {
        // With `*` every Svitok group is mapped: a membership the claim does not name goes.
        GroupMap::SameName => None,
        GroupMap::Named(m) => Some(
            resolve(m.values().cloned().collect())
                .await?
                .into_iter()
                .map(|(id, _)| id)
                .collect(),
        ),
    };
    let mine = state.db.groups_of_user(user.id).await?;
    let now = state.now();
    let mut tx = state.db.begin().await?;
    let mut added = Vec::new();
    let mut removed = Vec::new();
    for (id, name) in &wanted {
        if !mine.contains(id) && tx.add_member(*id, user.id, now).await? {
            added.push(name.clone());
        }
    }
    for g in mine {
        let is_managed = managed.as_ref().is_none_or(|m| m.contains(&g));
        if is_managed && !wanted.iter().any(|(id, _)| *id == g) && tx.remove_member(g, user.id).await? {
            let name = state.db.group(g).await?.map(|g| g.name).unwrap_or_default();
            removed.push(name);
        }
    }
    if !added.is_empty() || !removed.is_empty() {
        tx.audit(
            audit::event(
                Some(&user.id),
                "groups.synced",
                Some(user.id.to_string()),
                client,
                true,
                json!({ "provider": policy.name, "added": added, "removed": removed }),
            ),
            now,
        );
    }
    tx.commit().await
}

/// A person's linked identities.
pub async fn identities(state: &App, actor: &Caller) -> Result<Vec<IdentityRow>> {
    state.db.identities_of(actor.user.id).await
}

/// Another user's linked identities, for those who may see the user's profile.
pub async fn identities_of(state: &App, actor: &Caller, user: svitok_core::ids::UserId) -> Result<Vec<IdentityRow>> {
    crate::access::authorize(
        state,
        actor,
        svitok_core::policy::Operation::ViewUser { target: user },
        Some(user.to_string()),
    )
    .await?;
    state.db.identities_of(user).await
}

/// Unlinks one of the caller's identities, unless it is their last way in (no password
/// and no other identity).
pub async fn unlink(state: &App, actor: &Caller, id: uuid::Uuid) -> Result<()> {
    let mine = state.db.identities_of(actor.user.id).await?;
    if !mine.iter().any(|i| i.id == id) {
        return Err(CoreError::NotFound("identity"));
    }
    let has_password = state.db.user_secrets(actor.user.id).await?.password_hash.is_some();
    if mine.len() == 1 && !has_password {
        return Err(CoreError::clash(Message::new("msg-identity-last-way-in")));
    }
    let mut tx = state.db.begin().await?;
    tx.unlink_identity(actor.user.id, id).await?;
    audit::queue(
        &mut tx,
        state,
        actor,
        "identity.unlinked",
        Some(actor.user.id.to_string()),
        json!({ "identity": id }),
    );
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::safe_return;

    #[test]
    fn only_paths_of_this_site_are_landed_on() {
        for good in ["/documents", "/documents/0192?x=1&y=%2F%2F", "/inbox"] {
            assert_eq!(safe_return(Some(good)), good);
        }
        for bad in [
            "//evil.test",
            "/\t/evil.test",
            "/\\evil.test",
            "https://evil.test",
            "/\r\nSet-Cookie: x=1",
            "/a\u{1}b",
            "/ space",
            "",
            "evil",
        ] {
            assert_eq!(safe_return(Some(bad)), "/inbox", "{bad:?}");
        }
        assert_eq!(safe_return(None), "/inbox");
    }
}
