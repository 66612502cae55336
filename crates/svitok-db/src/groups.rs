//! Groups (departments) and their members.

use crate::rows::{self, USER_COLUMNS};
use crate::{map_err, Db, Result};
use sqlx::Row;
use svitok_core::ids::{GroupId, UserId};
use svitok_core::user::{like_pattern, User};
use svitok_core::CoreError;

#[derive(Debug, Clone)]
pub struct Group {
    pub id: GroupId,
    pub name: String,
    pub description: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone)]
pub struct GroupWithCount {
    pub group: Group,
    pub members: i64,
}

fn decode(row: &sqlx::any::AnyRow) -> Result<Group> {
    Ok(Group {
        id: GroupId(rows::uuid(row, "id")?),
        name: row.try_get("name").map_err(CoreError::internal)?,
        description: row.try_get("description").map_err(CoreError::internal)?,
        created_at: row.try_get("created_at").map_err(CoreError::internal)?,
        updated_at: row.try_get("updated_at").map_err(CoreError::internal)?,
    })
}

impl Db {
    pub async fn group(&self, id: GroupId) -> Result<Option<Group>> {
        let row = sqlx::query("SELECT id, name, description, created_at, updated_at FROM groups WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.as_ref().map(decode).transpose()
    }

    pub async fn group_by_name(&self, name: &str) -> Result<Option<Group>> {
        let row = sqlx::query("SELECT id, name, description, created_at, updated_at FROM groups WHERE name_key = $1")
            .bind(name.trim().to_lowercase())
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.as_ref().map(decode).transpose()
    }

    /// A page of groups ordered by name, each with its member count, and the total.
    pub async fn list_groups(&self, q: Option<&str>, limit: i64, offset: i64) -> Result<(Vec<GroupWithCount>, i64)> {
        let q = q.map(str::trim).filter(|q| !q.is_empty()).map(like_pattern);
        let total: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM groups g WHERE ($1 IS NULL OR g.name_key LIKE $1 ESCAPE '\\')")
                .bind(q.clone())
                .fetch_one(&self.pool)
                .await
                .map_err(map_err)?
                .try_get("n")
                .map_err(CoreError::internal)?;
        let rows = sqlx::query(
            "SELECT g.id, g.name, g.description, g.created_at, g.updated_at, \
               (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id) AS members \
             FROM groups g WHERE ($1 IS NULL OR g.name_key LIKE $1 ESCAPE '\\') \
             ORDER BY g.name_key, g.id LIMIT $2 OFFSET $3",
        )
        .bind(q)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let items = rows
            .iter()
            .map(|r| {
                Ok(GroupWithCount {
                    group: decode(r)?,
                    members: r.try_get("members").map_err(CoreError::internal)?,
                })
            })
            .collect::<Result<_>>()?;
        Ok((items, total))
    }

    /// [`crate::Tx::add_member`] in a unit of its own.
    pub async fn add_member(&self, group: GroupId, user: UserId, now: i64) -> Result<bool> {
        let mut tx = self.begin().await?;
        let added = tx.add_member(group, user, now).await?;
        tx.commit().await?;
        Ok(added)
    }

    pub async fn is_member(&self, group: GroupId, user: UserId) -> Result<bool> {
        let row = sqlx::query("SELECT 1 AS one FROM group_members WHERE group_id = $1 AND user_id = $2")
            .bind(group.to_string())
            .bind(user.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(row.is_some())
    }

    pub async fn member_count(&self, group: GroupId) -> Result<i64> {
        sqlx::query("SELECT COUNT(*) AS n FROM group_members WHERE group_id = $1")
            .bind(group.to_string())
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)?
            .try_get("n")
            .map_err(CoreError::internal)
    }

    /// Members of a group, ordered by name.
    pub async fn members(&self, group: GroupId) -> Result<Vec<User>> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM group_members m JOIN users u ON u.id = m.user_id \
             WHERE m.group_id = $1 ORDER BY u.last_name, u.first_name, u.id"
        ))
        .bind(group.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter().map(rows::user).collect()
    }
}

/// Changes to groups and their members, inside the caller's unit of work.
impl crate::Tx {
    pub async fn insert_group(&mut self, id: GroupId, name: &str, description: &str, now: i64) -> Result<Group> {
        sqlx::query(
            "INSERT INTO groups (id, name, name_key, description, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(id.to_string())
        .bind(name)
        .bind(name.to_lowercase())
        .bind(description)
        .bind(now)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        let row = sqlx::query("SELECT id, name, description, created_at, updated_at FROM groups WHERE id = $1")
            .bind(id.to_string())
            .fetch_one(&mut *self.tx)
            .await
            .map_err(map_err)?;
        decode(&row)
    }

    pub async fn update_group(&mut self, id: GroupId, name: &str, description: &str, now: i64) -> Result<()> {
        let done =
            sqlx::query("UPDATE groups SET name = $2, name_key = $3, description = $4, updated_at = $5 WHERE id = $1")
                .bind(id.to_string())
                .bind(name)
                .bind(name.to_lowercase())
                .bind(description)
                .bind(now)
                .execute(&mut *self.tx)
                .await
                .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(CoreError::NotFound("group"));
        }
        Ok(())
    }

    pub async fn delete_group(&mut self, id: GroupId) -> Result<()> {
        let done = sqlx::query("DELETE FROM groups WHERE id = $1")
            .bind(id.to_string())
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(CoreError::NotFound("group"));
        }
        Ok(())
    }

    /// Adds a member, whose inbox then holds what was sent to the group; adding one twice
    /// is not an error.
    pub async fn add_member(&mut self, group: GroupId, user: UserId, now: i64) -> Result<bool> {
        let tx: &mut sqlx::AnyConnection = &mut self.tx;
        let done = sqlx::query(
            "INSERT INTO group_members (group_id, user_id, added_at) VALUES ($1, $2, $3) \
             ON CONFLICT (group_id, user_id) DO NOTHING",
        )
        .bind(group.to_string())
        .bind(user.to_string())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        sqlx::query(
            "INSERT INTO inbox_items (user_id, transfer_id, document_id, via_group_id, deleted, created_at) \
             SELECT $2, t.id, t.document_id, t.to_group_id, CASE WHEN d.deleted_at IS NULL THEN 0 ELSE 1 END, t.created_at \
             FROM transfers t JOIN documents d ON d.id = t.document_id WHERE t.to_group_id = $1 \
             ON CONFLICT (user_id, transfer_id) DO NOTHING",
        )
        .bind(group.to_string())
        .bind(user.to_string())
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        Ok(done.rows_affected() == 1)
    }

    /// Removes a member and what reached its inbox through the group.
    pub async fn remove_member(&mut self, group: GroupId, user: UserId) -> Result<bool> {
        let tx: &mut sqlx::AnyConnection = &mut self.tx;
        let done = sqlx::query("DELETE FROM group_members WHERE group_id = $1 AND user_id = $2")
            .bind(group.to_string())
            .bind(user.to_string())
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        sqlx::query("DELETE FROM inbox_items WHERE via_group_id = $1 AND user_id = $2")
            .bind(group.to_string())
            .bind(user.to_string())
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected() == 1)
    }
}
