//! Changes to an account (its profile, password, second factor, sessions and tokens),
//! made inside the caller's unit of work so that each commits with its audit entry.

use crate::rows::{self, USER_COLUMNS};
use crate::sessions::{NewSession, SessionKind};
use crate::users::{NewUser, ProfileUpdate};
use crate::{map_err, Result, Tx};
use svitok_core::ids::{SessionId, UserId};
use svitok_core::rights::Rights;
use svitok_core::user::{search_key, User};
use svitok_core::CoreError;

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

impl Tx {
    pub async fn insert_user(&mut self, u: NewUser, now: i64) -> Result<User> {
        sqlx::query(
            "INSERT INTO users (id, login, email, email_key, email_verified_at, password_hash, \
             last_name, first_name, middle_name, birth_date, position, status, rights, \
             created_at, updated_at, search_key) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15)",
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
        .bind(search_key(&[
            &u.login,
            &u.email,
            &u.last_name,
            &u.first_name,
            u.middle_name.as_deref().unwrap_or(""),
            u.position.as_deref().unwrap_or(""),
        ]))
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        user_on(&mut self.tx, u.id).await?.ok_or(CoreError::NotFound("user"))
    }
    pub async fn set_password_hash(&mut self, id: UserId, hash: &str, now: i64) -> Result<()> {
        self.update_user(id, "password_hash = $2, updated_at = $3", |q| {
            q.bind(hash.to_string()).bind(now)
        })
        .await
    }
    /// Marks the email verified and a pending account active (registration, invitation).
    /// Removes the account's password (it signs in through a provider, or sets a new one).
    pub async fn clear_password(&mut self, id: UserId, now: i64) -> Result<()> {
        self.update_user(id, "password_hash = NULL, updated_at = $2", |q| q.bind(now))
            .await
    }

    pub async fn confirm_email(&mut self, id: UserId, now: i64) -> Result<()> {
        self.update_user(
            id,
            "email_verified_at = COALESCE(email_verified_at, $2), updated_at = $2, \
             status = CASE WHEN status = 'pending' THEN 'active' ELSE status END",
            |q| q.bind(now),
        )
        .await
    }
    pub async fn set_last_login(&mut self, id: UserId, now: i64) -> Result<()> {
        self.update_user(id, "last_login_at = $2", |q| q.bind(now)).await
    }
    /// Moves the pending secret into place; `last_step` is the step of the confirming code.
    pub async fn enable_totp(&mut self, id: UserId, last_step: i64, now: i64) -> Result<()> {
        self.update_user(
            id,
            "totp_secret = totp_pending, totp_pending = NULL, totp_last_step = $2, updated_at = $3",
            |q| q.bind(last_step).bind(now),
        )
        .await
    }
    pub async fn disable_totp(&mut self, id: UserId, now: i64) -> Result<()> {
        self.update_user(
            id,
            "totp_secret = NULL, totp_pending = NULL, totp_last_step = NULL, updated_at = $2",
            |q| q.bind(now),
        )
        .await
    }
    pub async fn update_profile(&mut self, id: UserId, p: &ProfileUpdate, login: &str, now: i64) -> Result<()> {
        let key = search_key(&[
            login,
            &p.email,
            &p.last_name,
            &p.first_name,
            p.middle_name.as_deref().unwrap_or(""),
            p.position.as_deref().unwrap_or(""),
        ]);
        let email_key = p.email.to_lowercase();
        let email = p.email.clone();
        let verified = p.email_verified;
        let (last, first, middle, birth, position) = (
            p.last_name.clone(),
            p.first_name.clone(),
            p.middle_name.clone(),
            p.birth_date.clone(),
            p.position.clone(),
        );
        self.update_user(
            id,
            "email = $2, email_key = $3, \
             email_verified_at = CASE WHEN $4 = 1 THEN COALESCE(email_verified_at, $11) ELSE NULL END, \
             last_name = $5, first_name = $6, middle_name = $7, birth_date = $8, position = $9, \
             search_key = $10, updated_at = $11",
            move |q| {
                q.bind(email)
                    .bind(email_key)
                    .bind(i64::from(verified))
                    .bind(last)
                    .bind(first)
                    .bind(middle)
                    .bind(birth)
                    .bind(position)
                    .bind(key)
                    .bind(now)
            },
        )
        .await
    }
    pub async fn insert_session(&mut self, s: NewSession, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id, user_id, kind, token_hash, name, rights, created_at, \
             last_seen_at, expires_at, client_addr, user_agent, provider, id_token) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10, $11, $12)",
        )
        .bind(s.id.to_string())
        .bind(s.user_id.to_string())
        .bind(s.kind.as_str())
        .bind(s.token_hash)
        .bind(s.name)
        .bind(s.rights.map(Rights::mask))
        .bind(now)
        .bind(s.expires_at)
        .bind(s.client_addr)
        .bind(s.user_agent)
        .bind(s.provider.as_ref().map(|(p, _)| p.clone()))
        .bind(s.provider.map(|(_, t)| t))
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    /// Revokes one session or token of `user`; false when there was none to revoke.
    pub async fn revoke_session(&mut self, user: UserId, id: SessionId, kind: SessionKind, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE sessions SET revoked_at = $4 \
             WHERE id = $1 AND user_id = $2 AND kind = $3 AND revoked_at IS NULL",
        )
        .bind(id.to_string())
        .bind(user.to_string())
        .bind(kind.as_str())
        .bind(now)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn update_user(
        &mut self,
        id: UserId,
        set: &str,
        bind: impl for<'q> FnOnce(AnyQuery<'q>) -> AnyQuery<'q>,
    ) -> Result<()> {
        let sql = format!("UPDATE users SET {set} WHERE id = $1");
        let q = sqlx::query(&sql).bind(id.to_string());
        let done = bind(q).execute(&mut *self.tx).await.map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(CoreError::NotFound("user"));
        }
        Ok(())
    }
}

/// A user as the unit of work sees it (its own writes included).
async fn user_on(conn: &mut sqlx::AnyConnection, id: UserId) -> Result<Option<User>> {
    let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await
        .map_err(map_err)?;
    row.as_ref().map(rows::user).transpose()
}
