//! Users: accounts and their credentials.

use crate::rows::{self, USER_COLUMNS};
use crate::{map_err, Db, Result};
use sqlx::Row;
use svitok_core::ids::UserId;
use svitok_core::rights::Rights;
use svitok_core::user::{User, UserStatus};
use svitok_core::CoreError;

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

pub struct NewUser {
    pub id: UserId,
    pub login: String,
    pub email: String,
    pub email_key: String,
    pub email_verified: bool,
    pub password_hash: Option<String>,
    pub last_name: String,
    pub first_name: String,
    pub middle_name: Option<String>,
    pub birth_date: Option<String>,
    pub position: Option<String>,
    pub status: UserStatus,
    pub rights: Rights,
}

/// Credentials that never leave the authentication service.
pub struct UserSecrets {
    pub password_hash: Option<String>,
    pub totp_secret: Option<String>,
    pub totp_pending: Option<String>,
    pub totp_last_step: Option<i64>,
}

impl Db {
    pub async fn insert_user(&self, u: NewUser, now: i64) -> Result<User> {
        sqlx::query(
            "INSERT INTO users (id, login, email, email_key, email_verified_at, password_hash, \
             last_name, first_name, middle_name, birth_date, position, status, rights, \
             created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
        )
        .bind(u.id.to_string())
        .bind(&u.login)
        .bind(&u.email)
        .bind(&u.email_key)
        .bind(u.email_verified.then_some(now))
        .bind(u.password_hash.as_deref())
        .bind(&u.last_name)
        .bind(&u.first_name)
        .bind(u.middle_name.as_deref())
        .bind(u.birth_date.as_deref())
        .bind(u.position.as_deref())
        .bind(u.status.as_str())
        .bind(u.rights.mask())
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        self.user(u.id).await?.ok_or(CoreError::NotFound("user"))
    }

    pub async fn user(&self, id: UserId) -> Result<Option<User>> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.as_ref().map(rows::user).transpose()
    }

    /// Finds a user by login or by email (case-insensitively), with its secrets.
    pub async fn user_by_login_or_email(&self, ident: &str) -> Result<Option<(User, UserSecrets)>> {
        let key = ident.trim().to_lowercase();
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, u.password_hash, u.totp_pending, u.totp_last_step \
             FROM users u WHERE u.login = $1 OR u.email_key = $1"
        ))
        .bind(&key)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        let Some(row) = row else { return Ok(None) };
        let secrets = UserSecrets {
            password_hash: row.try_get("password_hash").map_err(CoreError::internal)?,
            totp_secret: row.try_get("totp_secret").map_err(CoreError::internal)?,
            totp_pending: row.try_get("totp_pending").map_err(CoreError::internal)?,
            totp_last_step: row.try_get("totp_last_step").map_err(CoreError::internal)?,
        };
        Ok(Some((rows::user(&row)?, secrets)))
    }

    pub async fn user_secrets(&self, id: UserId) -> Result<UserSecrets> {
        let row =
            sqlx::query("SELECT password_hash, totp_secret, totp_pending, totp_last_step FROM users WHERE id = $1")
                .bind(id.to_string())
                .fetch_one(&self.pool)
                .await
                .map_err(map_err)?;
        Ok(UserSecrets {
            password_hash: row.try_get("password_hash").map_err(CoreError::internal)?,
            totp_secret: row.try_get("totp_secret").map_err(CoreError::internal)?,
            totp_pending: row.try_get("totp_pending").map_err(CoreError::internal)?,
            totp_last_step: row.try_get("totp_last_step").map_err(CoreError::internal)?,
        })
    }

    pub async fn count_users(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)?;
        row.try_get::<i64, _>("n").map_err(CoreError::internal)
    }

    pub async fn set_password_hash(&self, id: UserId, hash: &str, now: i64) -> Result<()> {
        self.update_user(id, "password_hash = $2, updated_at = $3", |q| {
            q.bind(hash.to_string()).bind(now)
        })
        .await
    }

    /// Marks the email verified and a pending account active (registration, invitation).
    pub async fn confirm_email(&self, id: UserId, now: i64) -> Result<()> {
        self.update_user(
            id,
            "email_verified_at = COALESCE(email_verified_at, $2), updated_at = $2, \
             status = CASE WHEN status = 'pending' THEN 'active' ELSE status END",
            |q| q.bind(now),
        )
        .await
    }

    pub async fn set_status(&self, id: UserId, status: UserStatus, now: i64) -> Result<()> {
        self.update_user(id, "status = $2, updated_at = $3", |q| {
            q.bind(status.as_str()).bind(now)
        })
        .await
    }

    pub async fn set_last_login(&self, id: UserId, now: i64) -> Result<()> {
        self.update_user(id, "last_login_at = $2", |q| q.bind(now)).await
    }

    pub async fn set_totp_pending(&self, id: UserId, sealed: Option<&str>, now: i64) -> Result<()> {
        self.update_user(id, "totp_pending = $2, updated_at = $3", |q| {
            q.bind(sealed.map(str::to_string)).bind(now)
        })
        .await
    }

    /// Moves the pending secret into place; `last_step` is the step of the confirming code.
    pub async fn enable_totp(&self, id: UserId, last_step: i64, now: i64) -> Result<()> {
        self.update_user(
            id,
            "totp_secret = totp_pending, totp_pending = NULL, totp_last_step = $2, updated_at = $3",
            |q| q.bind(last_step).bind(now),
        )
        .await
    }

    pub async fn disable_totp(&self, id: UserId, now: i64) -> Result<()> {
        self.update_user(
            id,
            "totp_secret = NULL, totp_pending = NULL, totp_last_step = NULL, updated_at = $2",
            |q| q.bind(now),
        )
        .await
    }

    /// Records a used TOTP step; false when that step (or a later one) was already used, so
    /// concurrent replays of one code cannot both pass.
    pub async fn claim_totp_step(&self, id: UserId, step: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE users SET totp_last_step = $2 \
             WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
        )
        .bind(id.to_string())
        .bind(step)
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn update_user(
        &self,
        id: UserId,
        set: &str,
        bind: impl for<'q> FnOnce(AnyQuery<'q>) -> AnyQuery<'q>,
    ) -> Result<()> {
        let sql = format!("UPDATE users SET {set} WHERE id = $1");
        let q = sqlx::query(&sql).bind(id.to_string());
        let done = bind(q).execute(&self.pool).await.map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(CoreError::NotFound("user"));
        }
        Ok(())
    }
}
