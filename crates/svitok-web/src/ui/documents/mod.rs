//! Document pages: inbox, lists (all, mine, trash), new documents from a file or as a
//! card, the card with its actions, new versions, responsibility, sending, deletion.

use super::csrf::{CsrfBody, CsrfForm, FormToken};
use super::forms::{day, midnight_ms};
use super::i18n;
use super::page::{action_failed, done, error_text, or_error, outcome, show, Page};
use super::render::{date_text, error_page, size_text};
use crate::extract::Actor;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use serde::{Deserialize, Serialize};
use svitok_app::App;
use svitok_app::{access, documents as docs, groups, users};
use svitok_core::documents::{DocOp, Party, Status};
use svitok_core::ids::{DocumentId, GroupId, UserId};
use svitok_core::policy::Operation;
use svitok_core::CoreError;

mod cards;
mod lists;
mod picker;

pub use cards::*;
pub use lists::*;
pub use picker::*;

fn rfc3339(ms: i64) -> String {
    crate::api::views::rfc3339(ms)
}

fn doc_id(raw: &str) -> Result<DocumentId, CoreError> {
    raw.parse().map(DocumentId).map_err(|_| CoreError::NotFound("document"))
}

/// A party as people read it.
async fn party_text(
    state: &App,
    p: Party,
    names: &std::collections::HashMap<UserId, String>,
) -> Result<String, CoreError> {
    Ok(match p {
        Party::User(u) => names.get(&u).cloned().unwrap_or_default(),
        Party::Group(g) => state
            .db
            .group(g)
            .await?
            .map(|g| i18n::text_args("responsible-group", [("name", g.name.into())]))
            .unwrap_or_default(),
    })
}

#[derive(Deserialize)]
pub struct TokenForm {}
