//! Response bodies. They live here, at the edge; the core speaks domain types.

use serde::{Deserialize, Serialize};
use svitok_core::rights::{Right, Rights};
use svitok_core::user::{User, UserStatus};
use utoipa::ToSchema;
use uuid::Uuid;

pub use svitok_core::clock::rfc3339;

/// The seven rights as boolean keys (SPEC §4).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RightsView {
    #[serde(default)]
    pub manage_own_documents: bool,
    #[serde(default)]
    pub send_documents: bool,
    #[serde(default)]
    pub create_documents: bool,
    #[serde(default)]
    pub sign_documents: bool,
    #[serde(default)]
    pub view_statistics: bool,
    #[serde(default)]
    pub manage_users: bool,
    #[serde(default)]
    pub grant_rights: bool,
}

impl From<Rights> for RightsView {
    fn from(r: Rights) -> Self {
        RightsView {
            manage_own_documents: r.has(Right::ManageOwnDocuments),
            send_documents: r.has(Right::SendDocuments),
            create_documents: r.has(Right::CreateDocuments),
            sign_documents: r.has(Right::SignDocuments),
            view_statistics: r.has(Right::ViewStatistics),
            manage_users: r.has(Right::ManageUsers),
            grant_rights: r.has(Right::GrantRights),
        }
    }
}

impl From<RightsView> for Rights {
    fn from(v: RightsView) -> Self {
        [
            (v.manage_own_documents, Right::ManageOwnDocuments),
            (v.send_documents, Right::SendDocuments),
            (v.create_documents, Right::CreateDocuments),
            (v.sign_documents, Right::SignDocuments),
            (v.view_statistics, Right::ViewStatistics),
            (v.manage_users, Right::ManageUsers),
            (v.grant_rights, Right::GrantRights),
        ]
        .into_iter()
        .filter_map(|(on, r)| on.then_some(r))
        .collect()
    }
}

/// All seven rights, each required (`PUT /users/{id}/rights` replaces the whole set).
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RightsInput {
    pub manage_own_documents: bool,
    pub send_documents: bool,
    pub create_documents: bool,
    pub sign_documents: bool,
    pub view_statistics: bool,
    pub manage_users: bool,
    pub grant_rights: bool,
}

impl From<RightsInput> for Rights {
    fn from(v: RightsInput) -> Self {
        RightsView {
            manage_own_documents: v.manage_own_documents,
            send_documents: v.send_documents,
            create_documents: v.create_documents,
            sign_documents: v.sign_documents,
            view_statistics: v.view_statistics,
            manage_users: v.manage_users,
            grant_rights: v.grant_rights,
        }
        .into()
    }
}

/// An optional RFC 3339 query parameter as database milliseconds.
pub fn time_param(field: &str, v: Option<&str>) -> Result<Option<i64>, svitok_core::CoreError> {
    v.map(|s| {
        time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .map(svitok_core::clock::to_ms)
            .map_err(|_| {
                svitok_core::CoreError::validation(
                    field,
                    svitok_core::Message::new("msg-time-format").arg("field", field),
                )
            })
    })
    .transpose()
}

/// One page of a list, with the total number of matches.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// Pagination parameters: `limit` 1–200 (default 50), `offset` ≥ 0.
pub fn page_bounds(limit: Option<i64>, offset: Option<i64>) -> Result<(i64, i64), svitok_core::CoreError> {
    let limit = limit.unwrap_or(50);
    let offset = offset.unwrap_or(0);
    if !(1..=200).contains(&limit) {
        return Err(svitok_core::CoreError::validation(
            "limit",
            svitok_core::Message::new("msg-number-range")
                .arg("field", "limit")
                .arg("min", 1)
                .arg("max", 200),
        ));
    }
    if offset < 0 {
        return Err(svitok_core::CoreError::validation("offset", "msg-offset-negative"));
    }
    Ok((limit, offset))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub login: String,
    pub email: String,
    pub email_verified: bool,
    pub last_name: String,
    pub first_name: String,
    pub middle_name: Option<String>,
    /// «Фамилия Имя Отчество».
    pub full_name: String,
    /// `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    pub position: Option<String>,
    pub status: UserStatus,
    pub rights: RightsView,
    /// Ids of the user's groups.
    pub groups: Vec<Uuid>,
    pub totp_enabled: bool,
    pub created_at: String,
    pub updated_at: String,
    pub last_login_at: Option<String>,
}

impl UserView {
    pub fn with_groups(u: &User, groups: &[svitok_core::ids::GroupId]) -> UserView {
        let mut v = UserView::from(u);
        v.groups = groups.iter().map(|g| g.0).collect();
        v
    }
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        UserView {
            id: u.id.0,
            login: u.login.clone(),
            email: u.email.clone(),
            email_verified: u.email_verified,
            last_name: u.last_name.clone(),
            first_name: u.first_name.clone(),
            middle_name: u.middle_name.clone(),
            full_name: u.full_name(),
            birth_date: u.birth_date.clone(),
            position: u.position.clone(),
            status: u.status,
            rights: u.rights.into(),
            groups: Vec::new(),
            totp_enabled: u.totp_enabled,
            created_at: rfc3339(u.created_at),
            updated_at: rfc3339(u.updated_at),
            last_login_at: u.last_login_at.map(rfc3339),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    pub message: String,
}

/// Raw bytes in a response: a file, a certificate, a CRL or a signature. Described as a
/// binary string so that client generators hand their users the bytes.
pub struct Binary;

impl utoipa::PartialSchema for Binary {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .into()
    }
}

impl ToSchema for Binary {
    fn name() -> std::borrow::Cow<'static, str> {
        "Binary".into()
    }
}
