//! Users: accounts and their credentials.

use crate::rows::{self, USER_COLUMNS};
use crate::{map_err, Db, Result};
use sqlx::Row;
use std::collections::HashMap;
use svitok_core::ids::GroupId;
use svitok_core::ids::UserId;
use svitok_core::rights::Right;
use svitok_core::rights::Rights;
use svitok_core::user::{like_pattern, User, UserStatus};
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

/// What a user list is narrowed by.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Text in the login, email, names or position (case-insensitive).
    pub q: Option<String>,
    pub status: Option<UserStatus>,
    pub group: Option<GroupId>,
}

/// The whole editable profile, written at once.
#[derive(Debug, Clone)]
pub struct ProfileUpdate {
    pub email: String,
    pub email_verified: bool,
    pub last_name: String,
    pub first_name: String,
    pub middle_name: Option<String>,
    pub birth_date: Option<String>,
    pub position: Option<String>,
}

/// Credentials that never leave the authentication service.
pub struct UserSecrets {
    pub password_hash: Option<String>,
    pub totp_secret: Option<String>,
    pub totp_pending: Option<String>,
    pub totp_last_step: Option<i64>,
}

impl Db {
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

    /// The interface language a person chose (`None`: as the browser asks).
    pub async fn set_language(&self, id: UserId, language: Option<&str>, now: i64) -> Result<()> {
        self.update_user(id, "language = $2, updated_at = $3", |q| {
            q.bind(language.map(str::to_string)).bind(now)
        })
        .await
    }

    pub async fn set_status(&self, id: UserId, status: UserStatus, now: i64) -> Result<()> {
        self.update_user(id, "status = $2, updated_at = $3", |q| {
            q.bind(status.as_str()).bind(now)
        })
        .await
    }

    pub async fn set_totp_pending(&self, id: UserId, sealed: Option<&str>, now: i64) -> Result<()> {
        self.update_user(id, "totp_pending = $2, updated_at = $3", |q| {
            q.bind(sealed.map(str::to_string)).bind(now)
        })
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

    /// A page of users ordered by name, and how many match in all.
    pub async fn list_users(&self, f: &UserFilter, limit: i64, offset: i64) -> Result<(Vec<User>, i64)> {
        // Only the filters given go into the SQL, so the planner sees plain conditions and
        // an unfiltered page walks the (last_name, first_name, id) index instead of
        // sorting the whole table.
        let mut conditions = Vec::new();
        let mut args: Vec<String> = Vec::new();
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            args.push(like_pattern(q));
            conditions.push(format!("u.search_key LIKE ${} ESCAPE '\\'", args.len()));
        }
        if let Some(status) = f.status {
            args.push(status.as_str().to_string());
            conditions.push(format!("u.status = ${}", args.len()));
        }
        if let Some(group) = f.group {
            args.push(group.to_string());
            conditions.push(format!(
                "EXISTS (SELECT 1 FROM group_members m WHERE m.user_id = u.id AND m.group_id = ${})",
                args.len()
            ));
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let count_sql = format!("SELECT COUNT(*) AS n FROM users u {filter}");
        let mut count = sqlx::query(&count_sql);
        for a in &args {
            count = count.bind(a.as_str());
        }
        let total: i64 = count
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)?
            .try_get("n")
            .map_err(CoreError::internal)?;
        let n = args.len();
        let page_sql = format!(
            "SELECT {USER_COLUMNS} FROM users u {filter} ORDER BY u.last_name, u.first_name, u.id LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let mut page = sqlx::query(&page_sql);
        for a in &args {
            page = page.bind(a.as_str());
        }
        let rows = page
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        Ok((rows.iter().map(rows::user).collect::<Result<_>>()?, total))
    }

    /// The groups of each of `users`, in one query.
    pub async fn groups_of(&self, users: &[UserId]) -> Result<HashMap<UserId, Vec<GroupId>>> {
        let mut out: HashMap<UserId, Vec<GroupId>> = users.iter().map(|u| (*u, Vec::new())).collect();
        if users.is_empty() {
            return Ok(out);
        }
        let marks: Vec<String> = (1..=users.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT user_id, group_id FROM group_members WHERE user_id IN ({}) ORDER BY added_at",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for u in users {
            q = q.bind(u.to_string());
        }
        for row in q.fetch_all(&self.pool).await.map_err(map_err)? {
            let user = UserId(rows::uuid(&row, "user_id")?);
            let group = GroupId(rows::uuid(&row, "group_id")?);
            out.entry(user).or_default().push(group);
        }
        Ok(out)
    }

    /// The groups of one user.
    pub async fn groups_of_user(&self, user: UserId) -> Result<Vec<GroupId>> {
        Ok(self.groups_of(&[user]).await?.remove(&user).unwrap_or_default())
    }

    /// Active users other than `except` who hold `right`.
    pub async fn other_active_holders(&self, right: Right, except: UserId) -> Result<i64> {
        let mask = Rights::NONE.with(right).mask();
        sqlx::query("SELECT COUNT(*) AS n FROM users WHERE status = 'active' AND (rights & $1) <> 0 AND id <> $2")
            .bind(mask)
            .bind(except.to_string())
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)?
            .try_get("n")
            .map_err(CoreError::internal)
    }

    /// Sets a user's rights, refusing to leave no active holder of a `protect`ed right
    /// (its own unit of work; see [`Tx::set_rights_guarded`]).
    pub async fn set_rights_guarded(&self, id: UserId, rights: Rights, protect: Rights, now: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.set_rights_guarded(id, rights, protect, now).await?;
        tx.commit().await
    }

    /// Fills the search key of rows written before it existed.
    pub(crate) async fn backfill_search_keys(&self) -> Result<()> {
        let rows = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users u WHERE u.search_key = ''"))
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        for row in rows {
            let u = rows::user(&row)?;
            sqlx::query("UPDATE users SET search_key = $2 WHERE id = $1")
                .bind(u.id.to_string())
                .bind(u.search_key())
                .execute(&self.pool)
                .await
                .map_err(map_err)?;
        }
        Ok(())
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

/// Administrative changes to users, inside the caller's unit of work.
impl crate::Tx {
    /// Sets a user's rights; refuses (Conflict) to leave no active holder of a `protect`ed
    /// right. Administrative changes are serialised (an advisory lock on PostgreSQL; the
    /// unit's write lock on SQLite), so two administrators cannot remove each other.
    pub async fn set_rights_guarded(&mut self, id: UserId, rights: Rights, protect: Rights, now: i64) -> Result<()> {
        guarded_change(&mut self.tx, self.backend, id, protect, Some(rights.mask()), None, now)
            .await
            .map(|_| ())
    }

    /// Sets a user's status under the same guard (blocking the last administrator).
    /// Blocking revokes the user's certificates in the same transaction; returns how many.
    pub async fn set_status_guarded(
        &mut self,
        id: UserId,
        status: UserStatus,
        protect: Rights,
        now: i64,
    ) -> Result<u64> {
        guarded_change(
            &mut self.tx,
            self.backend,
            id,
            protect,
            None,
            Some(status.as_str()),
            now,
        )
        .await
    }
}

async fn guarded_change(
    tx: &mut sqlx::AnyConnection,
    backend: crate::Backend,
    id: UserId,
    protect: Rights,
    mask: Option<i64>,
    status: Option<&str>,
    now: i64,
) -> Result<u64> {
    // Serialise administrative changes: an advisory lock on PostgreSQL; on SQLite the
    // first statement being a write takes the database's single write lock.
    if let Some((sql, key)) = backend.lock(crate::dialect::Lock::UserAdministration) {
        sqlx::query(sql).bind(key).execute(&mut *tx).await.map_err(map_err)?;
    }
    let done = sqlx::query(
        "UPDATE users SET rights = COALESCE($2, rights), status = COALESCE($3, status), updated_at = $4 \
         WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(mask)
    .bind(status)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    if done.rows_affected() == 0 {
        return Err(CoreError::NotFound("user"));
    }
    let mut revoked = 0;
    if status == Some(UserStatus::Blocked.as_str()) {
        revoked = sqlx::query("UPDATE certificates SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
            .bind(id.to_string())
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?
            .rows_affected();
    }
    for right in protect.iter() {
        let left: i64 = sqlx::query("SELECT COUNT(*) AS n FROM users WHERE status = 'active' AND (rights & $1) <> 0")
            .bind(Rights::NONE.with(right).mask())
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?
            .try_get("n")
            .map_err(CoreError::internal)?;
        if left == 0 {
            return Err(CoreError::clash(
                svitok_core::Message::new("msg-last-holder").arg("right", right.name()),
            ));
        }
    }
    Ok(revoked)
}
