//! External identities: (issuer, subject) pairs an identity provider vouches for, each
//! linked to one account (SPEC §11).

use crate::{map_err, Db, Result, Tx};
use sqlx::Row;
use svitok_core::ids::UserId;
use svitok_core::CoreError;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityRow {
    pub id: Uuid,
    pub user_id: UserId,
    pub provider: String,
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub linked_at: i64,
    pub last_used_at: i64,
}

const COLUMNS: &str = "id, user_id, provider, issuer, subject, email, linked_at, last_used_at";

fn decode(row: &sqlx::any::AnyRow) -> Result<IdentityRow> {
    let get = |c: &str| row.try_get::<String, _>(c).map_err(CoreError::internal);
    Ok(IdentityRow {
        id: get("id")?.parse().map_err(CoreError::internal)?,
        user_id: UserId(get("user_id")?.parse().map_err(CoreError::internal)?),
        provider: get("provider")?,
        issuer: get("issuer")?,
        subject: get("subject")?,
        email: row.try_get("email").map_err(CoreError::internal)?,
        linked_at: row.try_get("linked_at").map_err(CoreError::internal)?,
        last_used_at: row.try_get("last_used_at").map_err(CoreError::internal)?,
    })
}

impl Db {
    /// The identity a provider's (issuer, subject) names, if it was ever linked.
    pub async fn identity(&self, issuer: &str, subject: &str) -> Result<Option<IdentityRow>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM external_identities WHERE issuer = $1 AND subject = $2"
        ))
        .bind(issuer)
        .bind(subject)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        row.as_ref().map(decode).transpose()
    }

    /// A user's linked identities, oldest link first.
    pub async fn identities_of(&self, user: UserId) -> Result<Vec<IdentityRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM external_identities WHERE user_id = $1 ORDER BY linked_at, id"
        ))
        .bind(user.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter().map(decode).collect()
    }
}

impl Tx {
    pub async fn link_identity(&mut self, i: &IdentityRow) -> Result<()> {
        sqlx::query(&format!(
            "INSERT INTO external_identities ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        ))
        .bind(i.id.to_string())
        .bind(i.user_id.to_string())
        .bind(&i.provider)
        .bind(&i.issuer)
        .bind(&i.subject)
        .bind(i.email.as_deref())
        .bind(i.linked_at)
        .bind(i.last_used_at)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    pub async fn identity_used(&mut self, id: Uuid, email: Option<&str>, now: i64) -> Result<()> {
        sqlx::query("UPDATE external_identities SET last_used_at = $2, email = COALESCE($3, email) WHERE id = $1")
            .bind(id.to_string())
            .bind(now)
            .bind(email)
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    /// Removes one of `user`'s identities; false when it has no such identity.
    pub async fn unlink_identity(&mut self, user: UserId, id: Uuid) -> Result<bool> {
        let done = sqlx::query("DELETE FROM external_identities WHERE id = $1 AND user_id = $2")
            .bind(id.to_string())
            .bind(user.to_string())
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected() == 1)
    }
}
