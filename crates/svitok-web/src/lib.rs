//! Svitok's HTTP interface: the REST API under `/api/v1`, health and metrics, and the
//! services (use cases) the handlers call. Handlers only translate HTTP to service calls;
//! rules live in the services and in `svitok-core`.

pub mod api;
pub mod error;
pub mod extract;
pub mod service;
pub mod settings;
pub mod state;
pub mod ui;

pub use api::router;
pub use settings::{Registration, Settings};
pub use state::AppState;
