//! Sessions (browser and API logins) and personal API tokens: both are opaque bearer
//! secrets stored only as a digest.

use crate::rows::{self, USER_COLUMNS};
use crate::{map_err, Db, Result};
use sqlx::Row;
use svitok_core::ids::{GroupId, SessionId, UserId};
use svitok_core::rights::Rights;
use svitok_core::user::User;
use svitok_core::CoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Session,
    ApiToken,
}

impl SessionKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SessionKind::Session => "session",
            SessionKind::ApiToken => "api_token",
        }
    }
}

pub struct NewSession {
    pub id: SessionId,
    pub user_id: UserId,
    pub kind: SessionKind,
    pub token_hash: String,
    pub name: Option<String>,
    pub rights: Option<Rights>,
    pub expires_at: i64,
    pub client_addr: Option<String>,
    pub user_agent: Option<String>,
    /// The identity provider that opened it, and its ID token (sealed).
    pub provider: Option<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub id: SessionId,
    pub user_id: UserId,
    pub kind: SessionKind,
    pub name: Option<String>,
    pub rights: Option<Rights>,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub client_addr: Option<String>,
    pub user_agent: Option<String>,
}

const COLUMNS: &str = "s.id AS s_id, s.user_id AS s_user_id, s.kind AS s_kind, s.name AS s_name, \
     s.rights AS s_rights, s.created_at AS s_created_at, s.last_seen_at AS s_last_seen_at, \
     s.expires_at AS s_expires_at, s.client_addr AS s_client_addr, s.user_agent AS s_user_agent";

fn decode(row: &sqlx::any::AnyRow) -> Result<SessionRecord> {
    let get = |c: &str| row.try_get::<i64, _>(c).map_err(CoreError::internal);
    let kind: String = row.try_get("s_kind").map_err(CoreError::internal)?;
    let rights: Option<i64> = row.try_get("s_rights").map_err(CoreError::internal)?;
    Ok(SessionRecord {
        id: SessionId(rows::uuid(row, "s_id")?),
        user_id: UserId(rows::uuid(row, "s_user_id")?),
        kind: if kind == "api_token" {
            SessionKind::ApiToken
        } else {
            SessionKind::Session
        },
        name: row.try_get("s_name").map_err(CoreError::internal)?,
        rights: rights.map(Rights::from_mask),
        created_at: get("s_created_at")?,
        last_seen_at: get("s_last_seen_at")?,
        expires_at: get("s_expires_at")?,
        client_addr: row.try_get("s_client_addr").map_err(CoreError::internal)?,
        user_agent: row.try_get("s_user_agent").map_err(CoreError::internal)?,
    })
}

impl Db {
    /// The hot path of every authenticated request: one indexed look-up that returns the
    /// session, its user and the user's groups together (document access needs the groups,
    /// and a separate query per request would cost a round trip). Revoked sessions are
    /// never returned.
    pub async fn session_by_token_hash(&self, hash: &str) -> Result<Option<(SessionRecord, User, Vec<GroupId>)>> {
        let groups = self.backend.comma_list("m.group_id");
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS}, {USER_COLUMNS}, \
             (SELECT {groups} FROM group_members m WHERE m.user_id = u.id) AS group_ids \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.revoked_at IS NULL"
        ))
        .bind(hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        match row {
            None => Ok(None),
            Some(row) => {
                let ids: Option<String> = row.try_get("group_ids").map_err(CoreError::internal)?;
                let groups = ids
                    .as_deref()
                    .unwrap_or("")
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(|s| s.parse().map(GroupId).map_err(CoreError::internal))
                    .collect::<Result<Vec<_>>>()?;
                Ok(Some((decode(&row)?, rows::user(&row)?, groups)))
            }
        }
    }

    pub async fn touch_session(&self, id: SessionId, now: i64) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id = $1")
            .bind(id.to_string())
            .bind(now)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    /// Revokes every session (and, when `with_tokens`, every API token) of a user, except
    /// `keep`. Returns how many were revoked.
    pub async fn revoke_all_sessions(
        &self,
        user: UserId,
        keep: Option<SessionId>,
        with_tokens: bool,
        now: i64,
    ) -> Result<u64> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        revoke_all(&mut conn, user, keep, with_tokens, now).await
    }

    /// The identity provider that opened session `id`, with its sealed ID token.
    pub async fn session_provider(&self, id: SessionId) -> Result<Option<(String, String)>> {
        let row = sqlx::query("SELECT provider, id_token FROM sessions WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        let Some(row) = row else { return Ok(None) };
        let provider: Option<String> = row.try_get("provider").map_err(CoreError::internal)?;
        let token: Option<String> = row.try_get("id_token").map_err(CoreError::internal)?;
        Ok(provider.zip(token))
    }

    /// A user's live sessions or tokens, newest first.
    pub async fn list_sessions(&self, user: UserId, kind: SessionKind, now: i64) -> Result<Vec<SessionRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM sessions s WHERE s.user_id = $1 AND s.kind = $2 \
             AND s.revoked_at IS NULL AND s.expires_at > $3 ORDER BY s.created_at DESC"
        ))
        .bind(user.to_string())
        .bind(kind.as_str())
        .bind(now)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter().map(decode).collect()
    }
}

impl crate::Tx {
    /// [`Db::revoke_all_sessions`] inside the caller's unit of work.
    pub async fn revoke_all_sessions(
        &mut self,
        user: UserId,
        keep: Option<SessionId>,
        with_tokens: bool,
        now: i64,
    ) -> Result<u64> {
        revoke_all(&mut self.tx, user, keep, with_tokens, now).await
    }
}

async fn revoke_all(
    conn: &mut sqlx::AnyConnection,
    user: UserId,
    keep: Option<SessionId>,
    with_tokens: bool,
    now: i64,
) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE sessions SET revoked_at = $3 WHERE user_id = $1 AND revoked_at IS NULL \
         AND id <> $2 AND (kind = 'session' OR $4 = 1)",
    )
    .bind(user.to_string())
    .bind(keep.map(|k| k.to_string()).unwrap_or_default())
    .bind(now)
    .bind(i64::from(with_tokens))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(done.rows_affected())
}
