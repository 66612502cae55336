//! Sessions and personal API tokens: issuing, listing, revoking.

use crate::audit;
use crate::state::App;
use crate::Caller;
use serde_json::json;
use svitok_core::ids::SessionId;
use svitok_core::rights::Rights;
use svitok_core::user::User;
use svitok_core::{token, CoreError, Result};
use svitok_db::{NewSession, SessionKind, SessionRecord};

pub const MAX_TOKEN_DAYS: i64 = 366;

pub struct Issued {
    pub id: SessionId,
    /// The secret, shown to its owner once and never stored.
    pub token: String,
    pub expires_at: i64,
    /// The person's chosen interface language, for the page that opened the session.
    pub language: Option<String>,
}

/// Opens a browser session for `user` inside the caller's unit of work (the login that
/// opens it commits with its audit entry).
/// `provider`: the identity provider that vouched for the person, and its sealed ID token.
pub async fn open(
    tx: &mut svitok_db::Tx,
    state: &App,
    user: &User,
    client: &crate::Client,
    provider: Option<(String, String)>,
) -> Result<Issued> {
    let now = state.now();
    let secret = token::generate("svs_");
    let id = SessionId::new();
    let expires_at = now + state.settings.session_absolute_ms;
    tx.insert_session(
        NewSession {
            id,
            user_id: user.id,
            kind: SessionKind::Session,
            token_hash: token::digest(&secret),
            name: None,
            rights: None,
            expires_at,
            client_addr: client.addr.clone(),
            user_agent: client.user_agent.clone(),
            provider,
        },
        now,
    )
    .await?;
    Ok(Issued {
        id,
        token: secret,
        expires_at,
        language: user.language.clone(),
    })
}

/// Ends the caller's session; returns where the browser goes to end the identity
/// provider's session too, when one opened it and offers an end-session endpoint.
pub async fn logout(state: &App, actor: &Caller) -> Result<Option<String>> {
    let ended_at_provider = match state.db.session_provider(actor.session.id).await? {
        Some((name, sealed)) => crate::accounts::oidc::end_session_url(state, &name, &sealed).await,
        None => None,
    };
    end(state, actor).await?;
    Ok(ended_at_provider)
}

async fn end(state: &App, actor: &Caller) -> Result<()> {
    let mut tx = state.db.begin().await?;
    tx.revoke_session(actor.user.id, actor.session.id, actor.session.kind, state.now())
        .await?;
    audit::queue(
        &mut tx,
        state,
        actor,
        "logout",
        Some(format!("session:{}", actor.session.id)),
        json!({}),
    );
    tx.commit().await
}

pub async fn list(state: &App, actor: &Caller, kind: SessionKind) -> Result<Vec<SessionRecord>> {
    let now = state.now();
    let idle = state.settings.session_idle_ms;
    let all = state.db.list_sessions(actor.user.id, kind, now).await?;
    Ok(all
        .into_iter()
        .filter(|s| s.kind == SessionKind::ApiToken || now - s.last_seen_at <= idle)
        .collect())
}

pub async fn revoke(state: &App, actor: &Caller, id: SessionId, kind: SessionKind) -> Result<()> {
    let mut tx = state.db.begin().await?;
    if !tx.revoke_session(actor.user.id, id, kind, state.now()).await? {
        return Err(CoreError::NotFound(if kind == SessionKind::Session {
            "session"
        } else {
            "token"
        }));
    }
    let action = if kind == SessionKind::Session {
        "session.revoked"
    } else {
        "token.revoked"
    };
    tx.audit(
        audit::event(
            Some(&actor.user.id),
            action,
            Some(id.to_string()),
            &actor.client,
            true,
            json!({}),
        ),
        state.now(),
    );
    tx.commit().await
}

/// Signs out everywhere: every session of the caller, the current one included.
pub async fn revoke_all(state: &App, actor: &Caller) -> Result<u64> {
    let mut tx = state.db.begin().await?;
    let n = tx.revoke_all_sessions(actor.user.id, None, false, state.now()).await?;
    audit::queue(
        &mut tx,
        state,
        actor,
        "session.revoked_all",
        None,
        json!({ "count": n }),
    );
    tx.commit().await?;
    Ok(n)
}

pub struct NewToken {
    pub name: String,
    pub days: i64,
    pub rights: Option<Rights>,
}

/// A personal API token. Only a person in a session mints tokens (a token cannot mint,
/// widen or extend one, whichever way it is presented), and a token never holds a right
/// the caller does not effectively hold.
pub async fn create_token(state: &App, actor: &Caller, req: NewToken) -> Result<(Issued, Option<Rights>)> {
    let name = svitok_core::user::person_text("name", &req.name, 100)?;
    if !(1..=MAX_TOKEN_DAYS).contains(&req.days) {
        return Err(CoreError::validation(
            "expires_in_days",
            svitok_core::Message::new("msg-token-days").arg("max", MAX_TOKEN_DAYS),
        ));
    }
    crate::access::authorize(
        state,
        actor,
        svitok_core::policy::Operation::CreateToken {
            rights: req.rights,
            by_token: actor.session.kind != SessionKind::Session,
        },
        None,
    )
    .await?;
    let now = state.now();
    let secret = token::generate("svt_");
    let id = SessionId::new();
    let expires_at = now + req.days * 86_400_000;
    let mut tx = state.db.begin().await?;
    tx.insert_session(
        NewSession {
            id,
            user_id: actor.user.id,
            kind: SessionKind::ApiToken,
            token_hash: token::digest(&secret),
            name: Some(name.clone()),
            rights: req.rights,
            expires_at,
            client_addr: actor.client.addr.clone(),
            user_agent: actor.client.user_agent.clone(),
            provider: None,
        },
        now,
    )
    .await?;
    audit::queue(
        &mut tx,
        state,
        actor,
        "token.created",
        Some(id.to_string()),
        json!({ "name": name, "expires_at": expires_at }),
    );
    tx.commit().await?;
    Ok((
        Issued {
            id,
            token: secret,
            expires_at,
            language: None,
        },
        req.rights,
    ))
}
