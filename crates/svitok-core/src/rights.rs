//! The seven rights of SPEC §4. Their names are part of the API contract.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Right {
    ManageOwnDocuments,
    SendDocuments,
    CreateDocuments,
    SignDocuments,
    ViewStatistics,
    ManageUsers,
    GrantRights,
}

impl Right {
    pub const ALL: [Right; 7] = [
        Right::ManageOwnDocuments,
        Right::SendDocuments,
        Right::CreateDocuments,
        Right::SignDocuments,
        Right::ViewStatistics,
        Right::ManageUsers,
        Right::GrantRights,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Right::ManageOwnDocuments => "manage_own_documents",
            Right::SendDocuments => "send_documents",
            Right::CreateDocuments => "create_documents",
            Right::SignDocuments => "sign_documents",
            Right::ViewStatistics => "view_statistics",
            Right::ManageUsers => "manage_users",
            Right::GrantRights => "grant_rights",
        }
    }

    pub fn parse(name: &str) -> Option<Right> {
        Right::ALL.into_iter().find(|r| r.name() == name)
    }

    /// Bit in the stored mask. The order is fixed forever: it is persisted.
    fn bit(self) -> i64 {
        1 << (self as i64)
    }
}

impl fmt::Display for Right {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of rights, persisted as a bit mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rights(i64);

impl Rights {
    pub const NONE: Rights = Rights(0);

    pub fn all() -> Rights {
        Right::ALL.into_iter().collect()
    }

    /// What a self-registered user gets unless configured otherwise (SPEC §4).
    pub fn self_registered_default() -> Rights {
        [Right::ManageOwnDocuments, Right::SendDocuments, Right::CreateDocuments]
            .into_iter()
            .collect()
    }

    pub fn from_mask(mask: i64) -> Rights {
        Rights(mask & Rights::all().0)
    }

    pub fn mask(self) -> i64 {
        self.0
    }

    pub fn has(self, right: Right) -> bool {
        self.0 & right.bit() != 0
    }

    pub fn with(self, right: Right) -> Rights {
        Rights(self.0 | right.bit())
    }

    pub fn intersect(self, other: Rights) -> Rights {
        Rights(self.0 & other.0)
    }

    pub fn iter(self) -> impl Iterator<Item = Right> {
        Right::ALL.into_iter().filter(move |r| self.has(*r))
    }
}

impl FromIterator<Right> for Rights {
    fn from_iter<T: IntoIterator<Item = Right>>(iter: T) -> Self {
        iter.into_iter().fold(Rights::NONE, Rights::with)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_the_spec_names() {
        let names: Vec<_> = Right::ALL.iter().map(|r| r.name()).collect();
        assert_eq!(
            names,
            [
                "manage_own_documents",
                "send_documents",
                "create_documents",
                "sign_documents",
                "view_statistics",
                "manage_users",
                "grant_rights"
            ]
        );
        for r in Right::ALL {
            assert_eq!(Right::parse(r.name()), Some(r));
        }
        assert_eq!(Right::parse("root"), None);
    }

    #[test]
    fn mask_is_stable_and_ignores_unknown_bits() {
        assert_eq!(Rights::all().mask(), 0b111_1111);
        assert_eq!(Rights::from_mask(-1), Rights::all());
        let r = Rights::self_registered_default();
        assert!(r.has(Right::SendDocuments) && !r.has(Right::ManageUsers));
        assert_eq!(r.intersect(Rights::NONE), Rights::NONE);
    }
}
