//! Pages of document lists: sort names and cursors (keyset for the newest change first,
//! offsets for the other orders).

use crate::extract::Actor;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use svitok_app::documents as svc;
use svitok_app::App;
use svitok_core::CoreError;
use svitok_db::{DocumentFilter, DocumentRow, DocumentSort};
use uuid::Uuid;

pub(crate) fn parse_sort(s: Option<&str>) -> Result<DocumentSort, CoreError> {
    match s.filter(|s| !s.is_empty()) {
        None => Ok(DocumentSort::default()),
        Some(s) => DocumentSort::parse(s).ok_or_else(|| {
            let names: Vec<&str> = DocumentSort::ALL.iter().map(|x| x.as_str()).collect();
            CoreError::validation(
                "sort",
                svitok_core::Message::new("msg-sort-choice").arg("names", names.join(", ")),
            )
        }),
    }
}

/// One page of a list in any order: keyset cursors for the newest change first, offset
/// cursors (`+N`) for the others. Returns the rows and the next page's cursor.
pub(crate) async fn fetch_page(
    state: &App,
    actor: &Actor,
    filter: DocumentFilter,
    sort: DocumentSort,
    cursor: Option<&str>,
    limit: i64,
) -> Result<(Vec<DocumentRow>, Option<String>), CoreError> {
    if sort == DocumentSort::default() {
        let docs = svc::list(state, actor, filter, decode_cursor(cursor)?, limit).await?;
        let next = next_cursor(&docs, limit);
        return Ok((docs, next));
    }
    let offset = match cursor {
        None => 0,
        Some(c) => URL_SAFE_NO_PAD
            .decode(c)
            .ok()
            .and_then(|raw| String::from_utf8(raw).ok())
            .and_then(|t| t.strip_prefix('+').and_then(|n| n.parse::<i64>().ok()))
            .filter(|n| *n >= 0)
            .ok_or_else(|| CoreError::validation("cursor", "msg-cursor-invalid"))?,
    };
    let docs = svc::list_sorted(state, actor, filter, sort, offset, limit).await?;
    let next = (docs.len() as i64 == limit).then(|| URL_SAFE_NO_PAD.encode(format!("+{}", offset + limit)));
    Ok((docs, next))
}

pub(crate) fn decode_cursor(c: Option<&str>) -> Result<Option<(i64, String)>, CoreError> {
    let bad = || CoreError::validation("cursor", "msg-cursor-invalid");
    c.map(|c| {
        let raw = URL_SAFE_NO_PAD.decode(c).map_err(|_| bad())?;
        let text = String::from_utf8(raw).map_err(|_| bad())?;
        let (at, id) = text.split_once('/').ok_or_else(bad)?;
        Uuid::parse_str(id).map_err(|_| bad())?;
        Ok((at.parse().map_err(|_| bad())?, id.to_string()))
    })
    .transpose()
}

/// The cursor of the page after `docs`, when the page was full.
pub(crate) fn next_cursor(docs: &[DocumentRow], limit: i64) -> Option<String> {
    (docs.len() as i64 == limit)
        .then(|| {
            docs.last()
                .map(|d| URL_SAFE_NO_PAD.encode(format!("{}/{}", d.updated_at, d.id)))
        })
        .flatten()
}
