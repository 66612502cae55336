//! Who acts, and from where: what every use case is handed instead of a request.

use svitok_core::ids::{SessionId, UserId};
use svitok_core::rights::Rights;
use svitok_core::user::{User, UserStatus};
use svitok_db::{SessionKind, SessionRecord};

/// Who is calling from where, for throttling and the audit log.
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub addr: Option<String>,
    pub user_agent: Option<String>,
}

/// An authenticated caller. Its `rights` are the user's rights, narrowed to the token's
/// subset for API tokens, as they stand in the database at this very request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    /// The credential it came with: a browser session or an API token (its `kind`).
    pub session: SessionRecord,
    pub rights: Rights,
    pub client: Client,
    /// The groups the user belongs to, as of this request.
    pub groups: Vec<svitok_core::ids::GroupId>,
}

impl Caller {
    /// The operator at the server's shell (the CLI): shell access to the server is full
    /// trust, so it holds every right; the policy's invariants (an active holder of
    /// `grant_rights` and `manage_users` remains) still hold. It has no account and no
    /// session; the audit log records its actions as no user's, `via: cli`.
    pub fn operator() -> Caller {
        let id = UserId::OPERATOR;
        Caller {
            user: User {
                id,
                login: "operator".into(),
                email: String::new(),
                email_verified: false,
                last_name: "Оператор".into(),
                first_name: String::new(),
                middle_name: None,
                birth_date: None,
                position: None,
                status: UserStatus::Active,
                rights: Rights::all(),
                totp_enabled: false,
                created_at: 0,
                updated_at: 0,
                last_login_at: None,
                language: None,
            },
            session: SessionRecord {
                id: SessionId(uuid::Uuid::nil()),
                user_id: id,
                kind: SessionKind::Session,
                name: None,
                rights: None,
                created_at: 0,
                last_seen_at: 0,
                expires_at: i64::MAX,
                client_addr: None,
                user_agent: None,
            },
            rights: Rights::all(),
            client: Client {
                addr: None,
                user_agent: Some("svitok CLI".into()),
            },
            groups: Vec::new(),
        }
    }

    pub fn is_operator(&self) -> bool {
        self.user.id.is_operator()
    }

    /// Who the caller reads documents as: itself and each of its groups.
    pub fn principals(&self) -> Vec<String> {
        use svitok_core::documents::Party;
        let mut out = Vec::with_capacity(1 + self.groups.len());
        out.push(Party::User(self.user.id).principal());
        out.extend(self.groups.iter().map(|g| Party::Group(*g).principal()));
        out
    }
}
