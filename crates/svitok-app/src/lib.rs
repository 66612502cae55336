//! Svitok's use cases. Each takes the application state, the caller and already-parsed
//! input, enforces the rules, writes the audit trail in the change's unit of work, and
//! returns domain results for an interface (the web crate, the CLI) to render. Nothing
//! here knows HTTP: `cargo tree -p svitok-app -e normal` shows no axum, hyper or tower.

pub mod access;
pub mod accounts;
pub mod audit;
pub mod caller;
pub mod documents;
pub mod groups;
pub mod identity;
pub mod maintenance;
pub mod messages;
pub mod operator;
pub mod pki;
pub mod settings;
pub mod setup;
pub mod signatures;
pub mod state;
pub mod stats;
pub mod users;

pub use caller::{Caller, Client};
pub use settings::{Registration, Settings};
pub use state::App;
