//! All integration tests, in one binary (each extra test binary costs link time).
//! Every storage test runs on SQLite and on PostgreSQL through `both_backends!`.

mod helpers;

mod audit;
mod bad_input;
mod cli;
mod codes;
mod documents;
mod faults;
mod login;
mod mail;
mod mail_oauth;
mod maintenance;
mod matrix;
mod messages;
mod migrations;
mod oidc;
mod oidc_browser;
mod oidc_kit;
mod passwords;
mod platform;
mod registration;
mod rights;
mod s3;
mod sessions;
mod setup;
mod signatures;
mod stats;
mod takeover;
mod tokens;
mod totp;
mod ui;
mod ui_admin;
mod ui_browser;
mod ui_documents;
mod ui_kit;
mod ui_profile;
mod ui_session;
mod ui_valid;
mod unit_of_work;
mod users;
