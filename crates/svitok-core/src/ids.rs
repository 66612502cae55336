//! Typed identifiers, so a user id cannot be passed where a session id is meant.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($name:ident) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new time-ordered (v7) id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(UserId);

impl UserId {
    /// Who acts from the server's shell (`svitok user …`): no account, every right. The
    /// audit log records it as no user, `via: cli`.
    pub const OPERATOR: UserId = UserId(Uuid::nil());

    pub fn is_operator(&self) -> bool {
        *self == UserId::OPERATOR
    }
}
id_type!(SessionId);
id_type!(ChallengeId);
id_type!(GroupId);
id_type!(DocumentId);
id_type!(TransferId);
