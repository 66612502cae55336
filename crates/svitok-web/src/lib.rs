//! Svitok's HTTP interface: the REST API under `/api/v1`, the web pages, health and
//! metrics. Handlers only translate HTTP to calls of the use cases in `svitok-app`; rules
//! live there and in `svitok-core`.

pub mod api;
pub mod error;
pub mod extract;
pub mod http;
pub mod i18n;
pub mod router;
pub mod ui;

pub use router::router;
pub use svitok_app::{App, Registration, Settings};
