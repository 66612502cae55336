//! `/api/v1/documents/*`, `/api/v1/inbox`, `/api/v1/groups/{id}/documents`.

use super::views::{rfc3339, time_param, Binary};
use crate::error::{problem, ApiError, ApiResult};
use crate::extract::{Actor, ApiJson, ApiPath, ApiQuery};
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use svitok_app::documents::{self as svc, CardInput};
use svitok_app::App;
use svitok_core::documents::{Party, Status};
use svitok_core::ids::{DocumentId, GroupId, UserId};
use svitok_core::CoreError;
use svitok_db::{DocumentFilter, DocumentRow, VersionRow};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::formats::{content_disposition, parse_range};
use crate::http::multipart::{bad_form, is_multipart, read_form};
use crate::http::pages::{decode_cursor, fetch_page, next_cursor, parse_sort};

mod cards;
mod files;
mod inbox;
mod lists;
mod transfers;

pub use cards::*;
pub use files::*;
pub use inbox::*;
pub use lists::*;
pub use transfers::*;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    User,
    Group,
}

/// A user or a group: `{"kind": "user" | "group", "id": "<uuid>"}`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyRef {
    pub kind: PartyKind,
    pub id: Uuid,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VersionView {
    pub number: i64,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    /// Hex SHA-256 of the file.
    pub sha256: String,
    pub author: Uuid,
    pub created_at: String,
    /// Signatures of this version; those of older versions do not cover it.
    pub signatures: i64,
}

fn version_view(v: &VersionRow) -> VersionView {
    VersionView {
        number: v.number,
        file_name: v.file_name.clone(),
        media_type: v.media_type.clone(),
        size: v.size,
        sha256: v.sha256.clone(),
        author: v.author.0,
        created_at: rfc3339(v.created_at),
        signatures: v.signatures,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentView {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub kind: String,
    pub reg_number: Option<String>,
    pub status: Status,
    /// The status in words, in the request's language, for display.
    pub status_label: String,
    /// Statuses the document may move to next.
    pub next_statuses: &'static [Status],
    pub owner: Uuid,
    pub responsible: PartyRef,
    /// `YYYY-MM-DD`.
    pub due_date: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Set while the document is in the trash.
    pub deleted_at: Option<String>,
    /// Absent in lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub versions: Option<Vec<VersionView>>,
}

/// Takes the row by value: a page of documents moves its text into the views.
fn document_view(d: DocumentRow, versions: Option<&[VersionRow]>) -> DocumentView {
    DocumentView {
        id: d.id.0,
        title: d.title,
        description: d.description,
        kind: d.kind,
        reg_number: d.reg_number,
        status: d.status,
        status_label: crate::i18n::text(&format!("status-{}", d.status.as_str())),
        next_statuses: d.status.next(),
        owner: d.owner.0,
        responsible: d.responsible.into(),
        due_date: d.due_date,
        created_at: rfc3339(d.created_at),
        updated_at: rfc3339(d.updated_at),
        deleted_at: d.deleted_at.map(rfc3339),
        versions: versions.map(|vs| vs.iter().map(version_view).collect()),
    }
}

impl From<PartyRef> for Party {
    fn from(p: PartyRef) -> Party {
        match p.kind {
            PartyKind::User => Party::User(UserId(p.id)),
            PartyKind::Group => Party::Group(GroupId(p.id)),
        }
    }
}

impl From<Party> for PartyRef {
    fn from(p: Party) -> PartyRef {
        match p {
            Party::User(u) => PartyRef {
                kind: PartyKind::User,
                id: u.0,
            },
            Party::Group(g) => PartyRef {
                kind: PartyKind::Group,
                id: g.0,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn active_types_are_served_as_octet_stream_and_bidi_controls_are_dropped() {
        use svitok_app::documents::{clean_file_name, served_media_type};
        for active in [
            "text/html",
            "text/javascript",
            "image/svg+xml",
            "application/xhtml+xml",
            "text/xml",
        ] {
            assert_eq!(served_media_type(active), "application/octet-stream", "{active}");
        }
        assert_eq!(served_media_type("application/pdf"), "application/pdf");
        assert_eq!(clean_file_name("счёт\u{202E}fdp.exe"), "счётfdp.exe");
        assert_eq!(clean_file_name("a\u{2066}b\u{2069}.txt"), "ab.txt");
    }

    #[test]
    fn content_disposition_is_safe_and_keeps_cyrillic() {
        let h = super::content_disposition("Приказ №5 \"о\\ премии\".pdf");
        assert!(h.starts_with("attachment; filename=\""));
        assert!(h.contains("filename*=UTF-8''%D0%9F%D1%80%D0%B8%D0%BA%D0%B0%D0%B7"));
        let ascii = h.split("filename=\"").nth(1).unwrap().split('"').next().unwrap();
        assert!(!ascii.contains('\\'));
    }
}
