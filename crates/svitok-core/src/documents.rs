//! Documents: the status machine (SPEC §6) and who may do what to one document.
//!
//! ```text
//! draft ──► in_review ──► signing ──(all signatures)──► signed ──► in_progress ──► done ──► archived
//!   ▲  │        │  ▲         │                            │  ▲         │  ▲        │ ▲
//!   │  │        ▼  │         ▼                            │  └─────────┘  └────────┘ │
//!   │  │     rejected ◄──────┘ (and from in_review, in_progress)                      │
//!   └──┴──── rejected → draft; draft, signed, rejected, done → archived ───────────────┘
//! ```
//!
//! The authoritative list is [`Status::next`]; the README draws it as a diagram.

use crate::rights::{Right, Rights};
use crate::{CoreError, Message, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    InReview,
    Signing,
    Signed,
    InProgress,
    Done,
    Rejected,
    Archived,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Draft,
        Status::InReview,
        Status::Signing,
        Status::Signed,
        Status::InProgress,
        Status::Done,
        Status::Rejected,
        Status::Archived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::InReview => "in_review",
            Status::Signing => "signing",
            Status::Signed => "signed",
            Status::InProgress => "in_progress",
            Status::Done => "done",
            Status::Rejected => "rejected",
            Status::Archived => "archived",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The statuses a person may move a document to from this one. `signed` is reached
    /// only automatically, when the last requested signature is made.
    pub fn next(self) -> &'static [Status] {
        use Status::*;
        match self {
            Draft => &[InReview, Signing, InProgress, Archived],
            InReview => &[Draft, Signing, InProgress, Rejected],
            Signing => &[InReview, Rejected],
            Signed => &[InProgress, Done, Archived],
            InProgress => &[InReview, Done, Rejected],
            Done => &[InProgress, Archived],
            Rejected => &[Draft, Archived],
            Archived => &[],
        }
    }
}

/// The responsible party, or a recipient: exactly one user or one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Party {
    User(crate::ids::UserId),
    Group(crate::ids::GroupId),
}

impl Party {
    /// The principal string of `document_readers`.
    pub fn principal(self) -> String {
        match self {
            Party::User(u) => format!("u:{u}"),
            Party::Group(g) => format!("g:{g}"),
        }
    }
}

/// What is true of the caller and one document; the service works it out in one query.
#[derive(Debug, Clone, Copy, Default)]
pub struct Relation {
    pub owner: bool,
    pub responsible_user: bool,
    /// A member of the group that is responsible.
    pub responsible_group_member: bool,
    /// The document was sent or forwarded to the caller or to one of its groups.
    pub recipient: bool,
}

impl Relation {
    /// SPEC §4: the owner, the responsible user, members of the responsible group and
    /// recipients read a document; nobody else — `manage_users` gives no access.
    pub fn can_read(self) -> bool {
        self.owner || self.responsible_user || self.responsible_group_member || self.recipient
    }

    pub fn responsible(self) -> bool {
        self.responsible_user || self.responsible_group_member
    }
}

/// What a caller wants to do to one document it may be able to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocOp {
    Read,
    Download,
    EditCard,
    AddVersion,
    ChangeStatus,
    ChangeResponsible,
    /// A member of the responsible group takes the document into its own responsibility.
    Take,
    Send,
    Forward,
    Delete,
    Restore,
    /// Sign a version with one's own certificate.
    Sign,
    /// Ask users or groups for their signatures (the document goes to `signing`).
    RequestSignatures,
}

impl DocOp {
    /// A stable name for the audit log.
    pub fn name(self) -> &'static str {
        match self {
            DocOp::Read => "document.read",
            DocOp::Download => "document.download",
            DocOp::EditCard => "document.edit",
            DocOp::AddVersion => "document.add_version",
            DocOp::ChangeStatus => "document.status",
            DocOp::ChangeResponsible => "document.responsible",
            DocOp::Take => "document.take",
            DocOp::Send => "document.send",
            DocOp::Forward => "document.forward",
            DocOp::Delete => "document.delete",
            DocOp::Restore => "document.restore",
            DocOp::Sign => "document.sign",
            DocOp::RequestSignatures => "document.request_signatures",
        }
    }
}

/// | operation          | allowed to (besides being able to read it)                    |
/// |--------------------|---------------------------------------------------------------|
/// | read               | owner, responsible user or group member, recipients           |
/// | download a file    | readers with `manage_own_documents`                           |
/// | edit the card      | owner, responsible party                                      |
/// | add a version      | owner, responsible party, with `manage_own_documents`         |
/// | change the status  | owner, responsible party                                      |
/// | change responsible | owner, responsible party                                      |
/// | take               | members of the responsible group                              |
/// | send               | readers with `send_documents`                                 |
/// | forward            | recipients with `send_documents`                              |
/// | delete, restore    | owner, with `manage_own_documents`; never with signatures     |
/// | sign a version     | readers with `sign_documents`, with a fresh second factor     |
/// | request signatures | owner, responsible party                                      |
///
/// A document the caller cannot read is "not found", whatever the operation.
///
/// In the trash (`trashed`) a document is its owner's alone, to look at or restore; to
/// everyone else it is not found. Restoring one that is not in the trash is a conflict.
pub fn decide_on(rights: Rights, rel: Relation, op: DocOp, trashed: bool) -> Result<()> {
    // Readability first, so nothing below tells a stranger the document exists.
    if !rel.can_read() || (trashed && !(rel.owner && matches!(op, DocOp::Read | DocOp::Restore))) {
        return Err(CoreError::NotFound("document"));
    }
    decide(rights, rel, op)?;
    if !trashed && op == DocOp::Restore {
        return Err(CoreError::clash("msg-document-not-in-trash"));
    }
    Ok(())
}

/// [`decide_on`] for a document outside the trash.
pub fn decide(rights: Rights, rel: Relation, op: DocOp) -> Result<()> {
    if !rel.can_read() {
        return Err(CoreError::NotFound("document"));
    }
    let need = |r: Right| {
        if rights.has(r) {
            Ok(())
        } else {
            Err(CoreError::forbidden(
                Message::new("msg-no-right").arg("right", r.name()),
            ))
        }
    };
    // `who`: the one catalog key that names who may.
    let only = |ok: bool, who: &'static str| {
        if ok {
            Ok(())
        } else {
            Err(CoreError::forbidden(who))
        }
    };
    let party = rel.owner || rel.responsible();
    match op {
        DocOp::Read => Ok(()),
        DocOp::Download => need(Right::ManageOwnDocuments),
        DocOp::EditCard | DocOp::ChangeStatus | DocOp::ChangeResponsible | DocOp::RequestSignatures => {
            only(party, "msg-only-owner-or-responsible")
        }
        DocOp::AddVersion => {
            need(Right::ManageOwnDocuments)?;
            only(party, "msg-only-owner-or-responsible")
        }
        DocOp::Take => only(rel.responsible_group_member, "msg-only-responsible-group-member"),
        DocOp::Send => need(Right::SendDocuments),
        DocOp::Forward => {
            need(Right::SendDocuments)?;
            only(rel.recipient, "msg-only-recipient")
        }
        DocOp::Delete | DocOp::Restore => {
            need(Right::ManageOwnDocuments)?;
            only(rel.owner, "msg-only-owner")
        }
        DocOp::Sign => need(Right::SignDocuments),
    }
}

/// The move from `from` to `to`, or 409 naming the allowed ones.
pub fn transition(from: Status, to: Status) -> Result<()> {
    if from.next().contains(&to) {
        return Ok(());
    }
    let allowed: Vec<&str> = from.next().iter().map(|s| s.as_str()).collect();
    Err(CoreError::InvalidTransition {
        from: from.as_str(),
        to: to.as_str(),
        allowed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn signed_is_reached_only_automatically_and_archive_is_final() {
        for s in Status::ALL {
            assert!(!s.next().contains(&Status::Signed), "{s:?} → signed by hand");
            assert!(!s.next().contains(&s), "{s:?} → itself");
        }
        assert!(Status::Archived.next().is_empty());
        assert!(transition(Status::Draft, Status::InReview).is_ok());
        match transition(Status::Archived, Status::Draft) {
            Err(CoreError::InvalidTransition { allowed, .. }) => assert!(allowed.is_empty()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn strangers_get_not_found_whatever_their_rights() {
        for op in [
            DocOp::Read,
            DocOp::Download,
            DocOp::Send,
            DocOp::Delete,
            DocOp::EditCard,
        ] {
            assert!(matches!(
                decide(Rights::all(), Relation::default(), op),
                Err(CoreError::NotFound(_))
            ));
        }
    }

    #[test]
    fn the_table() {
        let owner = Relation {
            owner: true,
            ..Default::default()
        };
        let recipient = Relation {
            recipient: true,
            ..Default::default()
        };
        let member = Relation {
            responsible_group_member: true,
            ..Default::default()
        };
        let all = Rights::all();
        assert!(decide(all, recipient, DocOp::Read).is_ok());
        assert!(decide(all, recipient, DocOp::EditCard).is_err());
        assert!(decide(all, recipient, DocOp::Forward).is_ok());
        assert!(decide(all, owner, DocOp::Forward).is_err());
        assert!(decide(Rights::NONE, recipient, DocOp::Download).is_err());
        assert!(decide(all, member, DocOp::Take).is_ok());
        assert!(decide(all, owner, DocOp::Take).is_err());
        assert!(decide(all, member, DocOp::Delete).is_err());
        assert!(decide(all, owner, DocOp::Delete).is_ok());
        assert!(decide(Rights::NONE, owner, DocOp::Delete).is_err());
        assert!(decide(Rights::NONE, owner, DocOp::ChangeStatus).is_ok());
        assert!(decide(all, recipient, DocOp::Sign).is_ok());
        assert!(decide(Rights::NONE.with(Right::SendDocuments), owner, DocOp::Sign).is_err());
        assert!(decide(all, owner, DocOp::RequestSignatures).is_ok());
        assert!(decide(all, recipient, DocOp::RequestSignatures).is_err());
    }
}
