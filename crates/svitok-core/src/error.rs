//! The one domain error. Adapters at the edge turn it into problem+json or an error page,
//! saying its [`Message`] in the reader's language.

use crate::Message;
use std::fmt;

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The thing does not exist, or the caller may not know that it exists.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// No valid credentials were presented.
    #[error("{0}")]
    Unauthenticated(Message),
    /// The caller is known but lacks the right.
    #[error("{0}")]
    Forbidden(Message),
    /// The request clashes with the current state (duplicate login, used link...).
    #[error("{message}")]
    Conflict {
        message: Message,
        field: Option<&'static str>,
    },
    /// The input is malformed or breaks a rule.
    #[error("{message}")]
    Validation { message: Message, field: Option<String> },
    /// A status change the state machine does not allow; `allowed` lists the ones it does.
    #[error("no transition from {from} to {to}")]
    InvalidTransition {
        from: &'static str,
        to: &'static str,
        allowed: Vec<&'static str>,
    },
    /// The request is larger than allowed (an upload over the size limit).
    #[error("{0}")]
    TooLarge(Message),
    /// Too many attempts; try again after `retry_after` seconds.
    #[error("{message}")]
    RateLimited { retry_after: u64, message: Message },
    /// A dependency (mail relay, object store) failed; the action did not happen.
    #[error("{0}")]
    Unavailable(Message),
    /// No space left to store what was sent; nothing of it was kept.
    #[error("{0}")]
    StorageFull(Message),
    /// A bug or an infrastructure failure. Its text is logged, never shown to clients.
    #[error("internal error: {0}")]
    Internal(String),
}

impl CoreError {
    pub fn validation(field: impl Into<String>, message: impl Into<Message>) -> Self {
        Self::Validation {
            message: message.into(),
            field: Some(field.into()),
        }
    }

    pub fn conflict(field: &'static str, message: impl Into<Message>) -> Self {
        Self::Conflict {
            message: message.into(),
            field: Some(field),
        }
    }

    /// A clash with the state of things that no one field of the request caused.
    pub fn clash(message: impl Into<Message>) -> Self {
        Self::Conflict {
            message: message.into(),
            field: None,
        }
    }

    pub fn forbidden(message: impl Into<Message>) -> Self {
        Self::Forbidden(message.into())
    }

    pub fn unauthenticated(message: impl Into<Message>) -> Self {
        Self::Unauthenticated(message.into())
    }

    /// What the person is told, when the error has words of its own (not for
    /// `NotFound`, `InvalidTransition` and `Internal`, which the edge words itself).
    pub fn message(&self) -> Option<&Message> {
        match self {
            Self::Unauthenticated(m)
            | Self::Forbidden(m)
            | Self::TooLarge(m)
            | Self::Unavailable(m)
            | Self::StorageFull(m) => Some(m),
            Self::Conflict { message, .. } | Self::Validation { message, .. } | Self::RateLimited { message, .. } => {
                Some(message)
            }
            Self::NotFound(_) | Self::InvalidTransition { .. } | Self::Internal(_) => None,
        }
    }

    pub fn internal(err: impl fmt::Display) -> Self {
        Self::Internal(err.to_string())
    }

    /// A stable machine-readable code, part of the API contract.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "not_found",
            Self::Unauthenticated(_) => "unauthenticated",
            Self::Forbidden(_) => "forbidden",
            Self::Conflict { .. } => "conflict",
            Self::Validation { .. } => "validation",
            Self::InvalidTransition { .. } => "invalid_transition",
            Self::TooLarge(_) => "payload_too_large",
            Self::RateLimited { .. } => "rate_limited",
            Self::Unavailable(_) => "unavailable",
            Self::StorageFull(_) => "insufficient_storage",
            Self::Internal(_) => "internal",
        }
    }
}
