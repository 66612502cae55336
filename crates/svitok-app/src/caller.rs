//! Who acts, and from where: what every use case is handed instead of a request.

use svitok_core::rights::Rights;
use svitok_core::user::User;
use svitok_db::SessionRecord;

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
    /// Who the caller reads documents as: itself and each of its groups.
    pub fn principals(&self) -> Vec<String> {
        use svitok_core::documents::Party;
        let mut out = Vec::with_capacity(1 + self.groups.len());
        out.push(Party::User(self.user.id).principal());
        out.extend(self.groups.iter().map(|g| Party::Group(*g).principal()));
        out
    }
}
