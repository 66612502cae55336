//! Challenges: a pending second step (an emailed code or a TOTP prompt).

use crate::{map_err, rows, Db, Result};
use sqlx::Row;
use svitok_core::ids::{ChallengeId, UserId};
use svitok_core::CoreError;

#[derive(Debug, Clone)]
pub struct Challenge {
    pub id: ChallengeId,
    pub user_id: UserId,
    pub purpose: String,
    pub method: String,
    pub code_hash: Option<Vec<u8>>,
    pub attempts: i64,
    pub created_at: i64,
    pub expires_at: i64,
    pub consumed_at: Option<i64>,
    /// Purpose-specific data, e.g. the new address of an email change.
    pub payload: Option<String>,
}

const COLUMNS: &str = "id, user_id, purpose, method, code_hash, attempts, created_at, expires_at, consumed_at, payload";

fn decode(row: &sqlx::any::AnyRow) -> Result<Challenge> {
    let hash: Option<String> = row.try_get("code_hash").map_err(CoreError::internal)?;
    Ok(Challenge {
        id: ChallengeId(rows::uuid(row, "id")?),
        user_id: UserId(rows::uuid(row, "user_id")?),
        purpose: row.try_get("purpose").map_err(CoreError::internal)?,
        method: row.try_get("method").map_err(CoreError::internal)?,
        code_hash: hash.map(|h| hex::decode(h).map_err(CoreError::internal)).transpose()?,
        attempts: row.try_get("attempts").map_err(CoreError::internal)?,
        created_at: row.try_get("created_at").map_err(CoreError::internal)?,
        expires_at: row.try_get("expires_at").map_err(CoreError::internal)?,
        consumed_at: row.try_get("consumed_at").map_err(CoreError::internal)?,
        payload: row.try_get("payload").map_err(CoreError::internal)?,
    })
}

impl Db {
    /// Stores a new challenge and voids every earlier open one of the same purpose for the
    /// same user: only the newest code works.
    pub async fn insert_challenge(&self, c: &Challenge) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        sqlx::query(
            "UPDATE challenges SET consumed_at = $3 \
             WHERE user_id = $1 AND purpose = $2 AND consumed_at IS NULL",
        )
        .bind(c.user_id.to_string())
        .bind(&c.purpose)
        .bind(c.created_at)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        sqlx::query(&format!(
            "INSERT INTO challenges ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ))
        .bind(c.id.to_string())
        .bind(c.user_id.to_string())
        .bind(&c.purpose)
        .bind(&c.method)
        .bind(c.code_hash.as_ref().map(hex::encode))
        .bind(c.attempts)
        .bind(c.created_at)
        .bind(c.expires_at)
        .bind(c.consumed_at)
        .bind(c.payload.as_deref())
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }

    pub async fn challenge(&self, id: ChallengeId) -> Result<Option<Challenge>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM challenges WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.as_ref().map(decode).transpose()
    }

    /// The newest open challenge of a purpose for a user (flows keyed by email, not by id).
    pub async fn open_challenge(&self, user: UserId, purpose: &str) -> Result<Option<Challenge>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM challenges WHERE user_id = $1 AND purpose = $2 \
             AND consumed_at IS NULL ORDER BY created_at DESC LIMIT 1"
        ))
        .bind(user.to_string())
        .bind(purpose)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        row.as_ref().map(decode).transpose()
    }

    /// Counts a wrong code; voids the challenge when `max` is reached. Returns the new count.
    pub async fn fail_challenge(&self, id: ChallengeId, max: i64, now: i64) -> Result<i64> {
        let row = sqlx::query(
            "UPDATE challenges SET attempts = attempts + 1, \
             consumed_at = CASE WHEN attempts + 1 >= $2 THEN $3 ELSE consumed_at END \
             WHERE id = $1 RETURNING attempts",
        )
        .bind(id.to_string())
        .bind(max)
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        row.try_get::<i64, _>("attempts").map_err(CoreError::internal)
    }

    /// Uses a challenge up. False when it was already used: a code works once, even when
    /// two requests race with it.
    pub async fn consume_challenge(&self, id: ChallengeId, now: i64) -> Result<bool> {
        let done = sqlx::query("UPDATE challenges SET consumed_at = $2 WHERE id = $1 AND consumed_at IS NULL")
            .bind(id.to_string())
            .bind(now)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected() == 1)
    }

    /// How many emailed codes the user was sent since `since`, and when the last one for
    /// `purpose` went.
    pub async fn codes_sent_since(&self, user: UserId, since: i64, purpose: &str) -> Result<(i64, Option<i64>)> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, MAX(CASE WHEN purpose = $3 THEN created_at END) AS last FROM challenges \
             WHERE user_id = $1 AND method = 'email' AND created_at >= $2",
        )
        .bind(user.to_string())
        .bind(since)
        .bind(purpose)
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        Ok((
            row.try_get("n").map_err(CoreError::internal)?,
            row.try_get("last").map_err(CoreError::internal)?,
        ))
    }
}
