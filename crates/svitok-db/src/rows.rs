//! Row decoding shared by the repositories.

use sqlx::any::AnyRow;
use sqlx::Row;
use svitok_core::ids::UserId;
use svitok_core::rights::Rights;
use svitok_core::user::{User, UserStatus};
use svitok_core::CoreError;

/// The user columns every query that returns a [`User`] selects, in this order.
pub const USER_COLUMNS: &str = "u.id, u.login, u.email, u.email_verified_at, u.last_name, u.first_name, \
     u.middle_name, u.birth_date, u.position, u.status, u.rights, u.totp_secret, u.created_at, \
     u.updated_at, u.last_login_at, u.language";

pub fn uuid(row: &AnyRow, col: &str) -> Result<uuid::Uuid, CoreError> {
    let s: String = row.try_get(col).map_err(CoreError::internal)?;
    uuid::Uuid::parse_str(&s).map_err(CoreError::internal)
}

pub fn user(row: &AnyRow) -> Result<User, CoreError> {
    let get_s = |c: &str| row.try_get::<String, _>(c).map_err(CoreError::internal);
    let get_os = |c: &str| row.try_get::<Option<String>, _>(c).map_err(CoreError::internal);
    let get_oi = |c: &str| row.try_get::<Option<i64>, _>(c).map_err(CoreError::internal);
    let get_i = |c: &str| row.try_get::<i64, _>(c).map_err(CoreError::internal);
    let status = get_s("status")?;
    Ok(User {
        id: UserId(uuid(row, "id")?),
        login: get_s("login")?,
        email: get_s("email")?,
        email_verified: get_oi("email_verified_at")?.is_some(),
        last_name: get_s("last_name")?,
        first_name: get_s("first_name")?,
        middle_name: get_os("middle_name")?,
        birth_date: get_os("birth_date")?,
        position: get_os("position")?,
        status: UserStatus::parse(&status)
            .ok_or_else(|| CoreError::Internal(format!("unknown user status {status}")))?,
        rights: Rights::from_mask(get_i("rights")?),
        totp_enabled: get_os("totp_secret")?.is_some(),
        created_at: get_i("created_at")?,
        updated_at: get_i("updated_at")?,
        last_login_at: get_oi("last_login_at")?,
        language: get_os("language")?,
    })
}
