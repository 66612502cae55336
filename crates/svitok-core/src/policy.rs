//! The one place that decides "may actor A do operation O on target T".
//!
//! Services gather the facts an operation needs (who the target is, how many other
//! active holders of a right remain) and ask [`decide`]; handlers never test rights.
//! Anything not allowed below is denied.
//!
//! | operation                         | allowed to                                                        |
//! |-----------------------------------|-------------------------------------------------------------------|
//! | list users, view any user         | `manage_users`                                                    |
//! | view user X                       | `manage_users`, or X itself                                       |
//! | create user                       | `manage_users`; setting its rights also needs `grant_rights`, and only rights the creator holds |
//! | edit user X (admin fields)        | `manage_users`                                                    |
//! | edit own profile                  | any active user (names, position, birth date)                     |
//! | block / unblock X                 | `manage_users`; never oneself; only X whose rights are a subset of the actor's; never the last active holder of `grant_rights` or `manage_users` |
//! | end X's sessions and tokens       | `manage_users`; only X whose rights are a subset of the actor's |
//! | change X's email                  | `manage_users`; never oneself (that is `/me/email`); only X whose rights are a subset of the actor's |
//! | view rights of X                  | `manage_users`, `grant_rights`, or X itself                       |
//! | change rights of X                | `grant_rights`; never one's own; only rights the actor holds; never leaves no active holder of `grant_rights` or `manage_users` |
//! | list groups, view a group         | any active user                                                   |
//! | find people to address (name, position of active users) | any active user                             |
//! | see a group's members             | its members, `manage_users`                                       |
//! | create, edit, delete groups       | `manage_users`                                                    |
//! | add X to / remove X from a group  | `manage_users`; never oneself (membership opens documents)        |
//! | read the audit log                | `manage_users`                                                    |
//! | view statistics                   | `view_statistics`                                                 |

use crate::ids::UserId;
use crate::rights::{Right, Rights};
use crate::{CoreError, Message, Result};

/// Who is asking, as the policy needs to know it.
#[derive(Debug, Clone, Copy)]
pub struct Subject {
    pub id: UserId,
    pub rights: Rights,
}

#[derive(Debug, Clone)]
pub enum Operation {
    ListUsers,
    ViewUser {
        target: UserId,
    },
    CreateUser {
        rights: Option<Rights>,
    },
    EditUser {
        target: UserId,
    },
    EditOwnProfile,
    /// `other_active_holders`: rights of `target` for which no other active user holds them.
    Block {
        target: UserId,
        target_rights: Rights,
        sole_holder_of: Rights,
    },
    Unblock {
        target: UserId,
        target_rights: Rights,
    },
    /// An administrator ends another user's sessions and API tokens (a lost laptop, a
    /// leaked token).
    EndSessions {
        target: UserId,
        target_rights: Rights,
    },
    /// An administrator changes another user's address: whoever controls the address
    /// controls the account (password reset), so it is bounded like rights are.
    ChangeEmail {
        target: UserId,
        target_rights: Rights,
    },
    ViewRights {
        target: UserId,
    },
    SetRights {
        target: UserId,
        before: Rights,
        after: Rights,
        sole_holder_of: Rights,
    },
    ListGroups,
    /// Names and positions of active users, to choose recipients and responsible parties.
    FindPeople,
    ViewGroupMembers {
        is_member: bool,
    },
    ManageGroups,
    /// Adding or removing `member` in a group.
    ChangeMembership {
        member: UserId,
    },
    ReadAudit,
    ViewStatistics,
    /// A new document: a card (`create_documents`) or from a file (`manage_own_documents`).
    CreateDocument {
        with_file: bool,
    },
    /// A signing certificate for oneself.
    IssueCertificate,
    /// Setting anyone's rights at all (what the interface offers a rights editor for).
    GrantRights,
    /// An API token for oneself, with these rights or (None) all of one's own; only a
    /// person in a session mints one (`by_token`: the caller came with an API token).
    CreateToken {
        rights: Option<Rights>,
        by_token: bool,
    },
    /// A group's documents (responsible or addressed): its members'.
    ViewGroupDocuments {
        is_member: bool,
    },
}

impl Operation {
    /// A stable name for the audit log.
    pub fn name(&self) -> &'static str {
        match self {
            Operation::ListUsers => "users.list",
            Operation::ViewUser { .. } => "users.view",
            Operation::CreateUser { .. } => "users.create",
            Operation::EditUser { .. } => "users.edit",
            Operation::EditOwnProfile => "me.edit",
            Operation::Block { .. } => "users.block",
            Operation::Unblock { .. } => "users.unblock",
            Operation::ChangeEmail { .. } => "users.email",
            Operation::EndSessions { .. } => "users.sessions",
            Operation::ViewRights { .. } => "rights.view",
            Operation::SetRights { .. } => "rights.set",
            Operation::ListGroups => "groups.list",
            Operation::FindPeople => "users.directory",
            Operation::ViewGroupMembers { .. } => "groups.members",
            Operation::ManageGroups => "groups.manage",
            Operation::ChangeMembership { .. } => "groups.membership",
            Operation::ReadAudit => "audit.read",
            Operation::ViewStatistics => "stats.view",
            Operation::CreateDocument { .. } => "documents.create",
            Operation::IssueCertificate => "certificates.issue",
            Operation::GrantRights => "rights.grant",
            Operation::CreateToken { .. } => "tokens.create",
            Operation::ViewGroupDocuments { .. } => "groups.documents",
        }
    }
}

fn lacks(right: Right) -> CoreError {
    CoreError::forbidden(Message::new("msg-no-right").arg("right", right.name()))
}

fn need(s: &Subject, right: Right) -> Result<()> {
    if s.rights.has(right) {
        Ok(())
    } else {
        Err(lacks(right))
    }
}

fn names(rights: Rights) -> String {
    rights.iter().map(Right::name).collect::<Vec<_>>().join(", ")
}

/// The rights that are on in `a` and off in `b`.
fn removed(a: Rights, b: Rights) -> Rights {
    Rights::from_mask(a.mask() & !b.mask())
}

/// No control of a stronger account (SPEC §4): an action that can end in control of
/// `target` needs every right `target` holds.
fn not_stronger(s: &Subject, target_rights: Rights) -> Result<()> {
    let beyond = removed(target_rights, s.rights);
    if beyond == Rights::NONE {
        Ok(())
    } else {
        Err(CoreError::forbidden(
            Message::new("msg-target-stronger").arg("rights", names(beyond)),
        ))
    }
}

fn last_holder_guard(losing: Rights) -> Result<()> {
    for r in [Right::GrantRights, Right::ManageUsers] {
        if losing.has(r) {
            return Err(CoreError::clash(Message::new("msg-last-holder").arg("right", r.name())));
        }
    }
    Ok(())
}

pub fn decide(s: &Subject, op: &Operation) -> Result<()> {
    match op {
        Operation::ListUsers | Operation::EditUser { .. } | Operation::ManageGroups | Operation::ReadAudit => {
            need(s, Right::ManageUsers)
        }
        Operation::ViewUser { target } => {
            if *target == s.id {
                Ok(())
            } else {
                need(s, Right::ManageUsers)
            }
        }
        Operation::CreateUser { rights } => {
            need(s, Right::ManageUsers)?;
            if let Some(r) = rights {
                need(s, Right::GrantRights)?;
                let beyond = removed(*r, s.rights);
                if beyond != Rights::NONE {
                    return Err(CoreError::forbidden(
                        Message::new("msg-grant-beyond-own").arg("rights", names(beyond)),
                    ));
                }
            }
            Ok(())
        }
        Operation::EditOwnProfile => Ok(()),
        Operation::Block {
            target,
            target_rights,
            sole_holder_of,
        } => {
            need(s, Right::ManageUsers)?;
            if *target == s.id {
                return Err(CoreError::forbidden("msg-block-self"));
            }
            not_stronger(s, *target_rights)?;
            last_holder_guard(*sole_holder_of)
        }
        Operation::Unblock { target, target_rights } => {
            need(s, Right::ManageUsers)?;
            if *target == s.id {
                return Err(CoreError::forbidden("msg-unblock-self"));
            }
            not_stronger(s, *target_rights)
        }
        Operation::EndSessions { target_rights, .. } => {
            need(s, Right::ManageUsers)?;
            not_stronger(s, *target_rights)
        }
        Operation::ChangeEmail { target, target_rights } => {
            need(s, Right::ManageUsers)?;
            if *target == s.id {
                return Err(CoreError::forbidden("msg-own-email-by-code"));
            }
            not_stronger(s, *target_rights)
        }
        Operation::ChangeMembership { member } => {
            need(s, Right::ManageUsers)?;
            if *member == s.id {
                return Err(CoreError::forbidden("msg-own-membership"));
            }
            Ok(())
        }
        Operation::ViewRights { target } => {
            if *target == s.id || s.rights.has(Right::ManageUsers) || s.rights.has(Right::GrantRights) {
                Ok(())
            } else {
                Err(lacks(Right::GrantRights))
            }
        }
        Operation::SetRights {
            target,
            before,
            after,
            sole_holder_of,
        } => {
            need(s, Right::GrantRights)?;
            if *target == s.id {
                return Err(CoreError::forbidden("msg-own-rights"));
            }
            let changed = Rights::from_mask(before.mask() ^ after.mask());
            let foreign = removed(changed, s.rights);
            if foreign != Rights::NONE {
                return Err(CoreError::forbidden(
                    Message::new("msg-set-rights-beyond-own").arg("rights", names(foreign)),
                ));
            }
            last_holder_guard(removed(*before, *after).intersect(*sole_holder_of))
        }
        Operation::ListGroups | Operation::FindPeople => Ok(()),
        Operation::ViewGroupMembers { is_member } => {
            if *is_member {
                Ok(())
            } else {
                need(s, Right::ManageUsers)
            }
        }
        Operation::ViewStatistics => need(s, Right::ViewStatistics),
        Operation::CreateDocument { with_file } => need(
            s,
            if *with_file {
                Right::ManageOwnDocuments
            } else {
                Right::CreateDocuments
            },
        ),
        Operation::IssueCertificate => need(s, Right::SignDocuments),
        Operation::GrantRights => need(s, Right::GrantRights),
        Operation::CreateToken { rights, by_token } => match rights {
            _ if *by_token => Err(CoreError::forbidden("msg-token-by-token")),
            Some(r) if removed(*r, s.rights) != Rights::NONE => Err(CoreError::forbidden("msg-token-beyond-owner")),
            _ => Ok(()),
        },
        Operation::ViewGroupDocuments { is_member } => {
            if *is_member {
                Ok(())
            } else {
                Err(CoreError::forbidden("msg-group-documents-members-only"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(rights: &[Right]) -> Subject {
        Subject {
            id: UserId::new(),
            rights: rights.iter().copied().collect(),
        }
    }

    fn set(rights: &[Right]) -> Rights {
        rights.iter().copied().collect()
    }

    #[test]
    fn documents_certificates_and_the_rights_editor_need_their_own_right() {
        let card = Operation::CreateDocument { with_file: false };
        let file = Operation::CreateDocument { with_file: true };
        assert!(decide(&subject(&[Right::CreateDocuments]), &card).is_ok());
        assert!(decide(&subject(&[Right::CreateDocuments]), &file).is_err());
        assert!(decide(&subject(&[Right::ManageOwnDocuments]), &file).is_ok());
        assert!(decide(&subject(&[Right::ManageOwnDocuments]), &card).is_err());
        assert!(decide(&subject(&[Right::SignDocuments]), &Operation::IssueCertificate).is_ok());
        assert!(decide(&subject(&[Right::ManageUsers]), &Operation::IssueCertificate).is_err());
        assert!(decide(&subject(&[Right::GrantRights]), &Operation::GrantRights).is_ok());
        assert!(decide(&subject(&[Right::ManageUsers]), &Operation::GrantRights).is_err());
        let token = |r: &[Right]| Operation::CreateToken {
            rights: Some(set(r)),
            by_token: false,
        };
        assert!(decide(&subject(&[Right::SendDocuments]), &token(&[Right::SendDocuments])).is_ok());
        assert!(decide(&subject(&[Right::SendDocuments]), &token(&[Right::ManageUsers])).is_err());
        let plain = Operation::CreateToken {
            rights: None,
            by_token: false,
        };
        assert!(decide(&subject(&[]), &plain).is_ok());
        let by_token = Operation::CreateToken {
            rights: None,
            by_token: true,
        };
        assert!(decide(&subject(&Right::ALL), &by_token).is_err());
        assert!(decide(&subject(&[]), &Operation::ViewGroupDocuments { is_member: true }).is_ok());
        assert!(decide(
            &subject(&Right::ALL),
            &Operation::ViewGroupDocuments { is_member: false }
        )
        .is_err());
    }

    #[test]
    fn nothing_without_the_right() {
        let nobody = subject(&[]);
        let other = UserId::new();
        for op in [
            Operation::CreateDocument { with_file: false },
            Operation::CreateDocument { with_file: true },
            Operation::IssueCertificate,
            Operation::GrantRights,
            Operation::ListUsers,
            Operation::ViewUser { target: other },
            Operation::CreateUser { rights: None },
            Operation::EditUser { target: other },
            Operation::Block {
                target: other,
                target_rights: Rights::NONE,
                sole_holder_of: Rights::NONE,
            },
            Operation::Unblock {
                target: other,
                target_rights: Rights::NONE,
            },
            Operation::ChangeEmail {
                target: other,
                target_rights: Rights::NONE,
            },
            Operation::ChangeMembership { member: other },
            Operation::ViewRights { target: other },
            Operation::SetRights {
                target: other,
                before: Rights::NONE,
                after: Rights::NONE,
                sole_holder_of: Rights::NONE,
            },
            Operation::ViewGroupMembers { is_member: false },
            Operation::ManageGroups,
            Operation::ReadAudit,
            Operation::ViewStatistics,
        ] {
            assert!(decide(&nobody, &op).is_err(), "{op:?} allowed without rights");
        }
        for op in [
            Operation::ViewUser { target: nobody.id },
            Operation::ViewRights { target: nobody.id },
            Operation::EditOwnProfile,
            Operation::ListGroups,
            Operation::FindPeople,
            Operation::ViewGroupMembers { is_member: true },
        ] {
            assert!(decide(&nobody, &op).is_ok(), "{op:?} refused to an ordinary user");
        }
    }

    #[test]
    fn granting_is_bounded_by_ones_own_rights_and_never_to_oneself() {
        let granter = subject(&[Right::GrantRights, Right::SendDocuments]);
        let other = UserId::new();
        let ok = Operation::SetRights {
            target: other,
            before: Rights::NONE,
            after: set(&[Right::SendDocuments]),
            sole_holder_of: Rights::NONE,
        };
        assert!(decide(&granter, &ok).is_ok());
        let beyond = Operation::SetRights {
            target: other,
            before: Rights::NONE,
            after: set(&[Right::ManageUsers]),
            sole_holder_of: Rights::NONE,
        };
        assert!(decide(&granter, &beyond).is_err());
        // Revoking a right one lacks is changing it too.
        let revoke_foreign = Operation::SetRights {
            target: other,
            before: set(&[Right::ViewStatistics]),
            after: Rights::NONE,
            sole_holder_of: Rights::NONE,
        };
        assert!(decide(&granter, &revoke_foreign).is_err());
        // Unchanged rights the granter lacks do not block other changes.
        let keep_foreign = Operation::SetRights {
            target: other,
            before: set(&[Right::ViewStatistics]),
            after: set(&[Right::ViewStatistics, Right::SendDocuments]),
            sole_holder_of: Rights::NONE,
        };
        assert!(decide(&granter, &keep_foreign).is_ok());
        let own = Operation::SetRights {
            target: granter.id,
            before: granter.rights,
            after: granter.rights,
            sole_holder_of: Rights::NONE,
        };
        assert!(decide(&granter, &own).is_err());
    }

    #[test]
    fn last_holders_cannot_be_removed() {
        let admin = subject(&Right::ALL);
        let other = UserId::new();
        let strip = Operation::SetRights {
            target: other,
            before: set(&[Right::GrantRights]),
            after: Rights::NONE,
            sole_holder_of: set(&[Right::GrantRights]),
        };
        assert!(matches!(decide(&admin, &strip), Err(CoreError::Conflict { .. })));
        let block = Operation::Block {
            target: other,
            target_rights: set(&[Right::ManageUsers]),
            sole_holder_of: set(&[Right::ManageUsers]),
        };
        assert!(matches!(decide(&admin, &block), Err(CoreError::Conflict { .. })));
        let block_self = Operation::Block {
            target: admin.id,
            target_rights: admin.rights,
            sole_holder_of: Rights::NONE,
        };
        assert!(decide(&admin, &block_self).is_err());
    }

    #[test]
    fn creating_users_with_rights_needs_grant_rights_within_ones_own() {
        let hr = subject(&[Right::ManageUsers]);
        assert!(decide(&hr, &Operation::CreateUser { rights: None }).is_ok());
        assert!(decide(
            &hr,
            &Operation::CreateUser {
                rights: Some(Rights::NONE)
            }
        )
        .is_err());
        let admin = subject(&[Right::ManageUsers, Right::GrantRights, Right::SendDocuments]);
        assert!(decide(
            &admin,
            &Operation::CreateUser {
                rights: Some(set(&[Right::SendDocuments]))
            }
        )
        .is_ok());
        assert!(decide(
            &admin,
            &Operation::CreateUser {
                rights: Some(set(&[Right::SignDocuments]))
            }
        )
        .is_err());
    }

    #[test]
    fn no_control_of_a_stronger_account() {
        let hr = subject(&[Right::ManageUsers, Right::SendDocuments]);
        let weaker = set(&[Right::SendDocuments]);
        let stronger = set(&[Right::GrantRights]);
        let other = UserId::new();
        for (target_rights, allowed) in [(weaker, true), (Rights::NONE, true), (stronger, false)] {
            for op in [
                Operation::ChangeEmail {
                    target: other,
                    target_rights,
                },
                Operation::Block {
                    target: other,
                    target_rights,
                    sole_holder_of: Rights::NONE,
                },
                Operation::Unblock {
                    target: other,
                    target_rights,
                },
            ] {
                assert_eq!(decide(&hr, &op).is_ok(), allowed, "{op:?}");
            }
        }
        let own = Operation::ChangeEmail {
            target: hr.id,
            target_rights: Rights::NONE,
        };
        assert!(
            decide(&hr, &own).is_err(),
            "one's own address changes by code, not as an administrator"
        );
    }

    #[test]
    fn nobody_changes_their_own_memberships() {
        let hr = subject(&[Right::ManageUsers]);
        assert!(decide(&hr, &Operation::ChangeMembership { member: UserId::new() }).is_ok());
        assert!(decide(&hr, &Operation::ChangeMembership { member: hr.id }).is_err());
    }
}
