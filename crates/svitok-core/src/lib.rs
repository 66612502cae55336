//! Svitok's domain: the types, rules and errors that every other crate speaks in.
//!
//! Nothing here knows about HTTP or SQL, so the rules can be unit-tested on their own.

pub mod clock;
pub mod documents;
pub mod error;
pub mod ids;
pub mod message;
pub mod otp;
pub mod password;
pub mod policy;
pub mod rights;
pub mod secrets;
pub mod token;
pub mod totp;
pub mod user;

pub use error::{CoreError, Result};
pub use message::{Arg, Message};
