//! One-time setup links that create the first administrator.

use crate::{map_err, Db, Result};

impl Db {
    pub async fn insert_setup_token(&self, token_hash: &str, now: i64) -> Result<()> {
        sqlx::query("INSERT INTO setup_tokens (token_hash, created_at) VALUES ($1, $2)")
            .bind(token_hash)
            .bind(now)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    /// Uses a setup token up: true exactly once per token, even under concurrent requests.
    pub async fn consume_setup_token(&self, token_hash: &str, now: i64) -> Result<bool> {
        let done = sqlx::query("UPDATE setup_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL")
            .bind(token_hash)
            .bind(now)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected() == 1)
    }

    /// Puts a consumed token back, when creating the administrator failed after all.
    pub async fn release_setup_token(&self, token_hash: &str) -> Result<()> {
        sqlx::query("UPDATE setup_tokens SET used_at = NULL WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }
}
