//! Use cases. Each takes the application state and already-parsed input, enforces the
//! rules, writes the audit trail, and returns domain results for the handlers to render.

pub mod accounts;
pub mod audit;
pub mod authz;
pub mod codes;
pub mod documents;
pub mod groups;
pub mod letters;
pub mod login;
pub mod maintenance;
pub mod operator;
pub mod pki;
pub mod sessions;
pub mod setup;
pub mod signatures;
pub mod stats;
pub mod throttle;
pub mod totp;
pub mod users;
