//! A document's files: receiving an upload, adding a version, serving a version's bytes
//! (whole or a range) with a media type a browser will not run.

use super::*;

/// A file received, stored and not yet attached to a document.
pub struct Upload {
    pub file_name: String,
    pub media_type: String,
    pub blob: svitok_storage::StoredBlob,
}

/// Starts receiving a file into the blob store, within the size limit.
pub async fn begin_upload(state: &App) -> Result<BlobWriter> {
    state.blobs.writer(state.settings.max_upload).await.map_err(blob_error)
}

pub fn blob_error(e: BlobError) -> CoreError {
    match e {
        BlobError::TooLarge { limit } => {
            CoreError::TooLarge(svitok_core::Message::new("msg-file-too-large").arg("mib", limit / (1024 * 1024)))
        }
        BlobError::Corrupt(why) => CoreError::Internal(format!("stored file failed its integrity check: {why}")),
        BlobError::Full(why) => {
            tracing::error!(error = %why, "the blob store is full");
            CoreError::StorageFull("msg-storage-full".into())
        }
        BlobError::Store(why) => {
            tracing::error!(error = %why, "the blob store failed");
            CoreError::Unavailable("msg-storage-unavailable".into())
        }
        other => CoreError::internal(other),
    }
}

/// Characters that reorder text when shown (U+202A–U+202E, U+2066–U+2069, the marks):
/// «счёт\u{202E}fdp.exe» reads as «счётexe.pdf».
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The name a file is stored under: no directories, no control or bidirectional control
/// characters, at most 255.
pub fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let name: String = base
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .take(255)
        .collect();
    let name = name.trim().to_string();
    if name.is_empty() || name == "." || name == ".." {
        "file".into()
    } else {
        name
    }
}

/// Types a browser only shows or saves, never runs: served as stored. Anything else (HTML,
/// scripts, SVG, XML…) is served as `application/octet-stream`, so a file from one reader
/// cannot run as our own origin in another's browser.
const PASSIVE_TYPES: &[&str] = &[
    "application/pdf",
    "application/zip",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/plain",
    "text/csv",
];

/// The Content-Type a stored file is served with.
pub fn served_media_type(stored: &str) -> &str {
    if PASSIVE_TYPES.contains(&stored) {
        stored
    } else {
        "application/octet-stream"
    }
}

/// `type/subtype` made of token characters, or `application/octet-stream`.
pub fn clean_media_type(raw: Option<&str>) -> String {
    let token = |s: &str| {
        !s.is_empty() && s.len() <= 100 && s.chars().all(|c| c.is_ascii_alphanumeric() || "!#$&^_.+-".contains(c))
    };
    match raw.map(|m| m.split(';').next().unwrap_or("").trim().to_ascii_lowercase()) {
        Some(m) if m.split_once('/').is_some_and(|(a, b)| token(a) && token(b)) => m,
        _ => "application/octet-stream".into(),
    }
}

pub async fn add_version(state: &App, actor: &Caller, id: DocumentId, upload: Upload) -> Result<i64> {
    let result = async {
        open(state, actor, id, DocOp::AddVersion).await?;
        let v = NewVersion {
            file_name: upload.file_name.clone(),
            media_type: upload.media_type.clone(),
            size: upload.blob.size as i64,
            sha256: upload.blob.sha256.clone(),
            blob_key: upload.blob.key.clone(),
            author: actor.user.id,
        };
        let details = json!({ "file": v.file_name, "size": v.size });
        let mut tx = state.db.begin().await?;
        let n = tx
            .add_version(id, &v, &event(actor, "version_added", details.clone()), state.now())
            .await?;
        audited(
            &mut tx,
            state,
            actor,
            "document.version_added",
            id,
            json!({ "number": n, "size": v.size }),
        );
        tx.seal().await?;
        Ok((n, tx))
    }
    .await;
    match result {
        Ok((n, tx)) => {
            // As in `create`: after a failed COMMIT the file stays for the sweeper.
            tx.commit().await?;
            Ok(n)
        }
        Err(e) => {
            let _ = state.blobs.delete(&upload.blob.key).await;
            Err(e)
        }
    }
}

pub async fn versions(state: &App, actor: &Caller, id: DocumentId) -> Result<Vec<VersionRow>> {
    open(state, actor, id, DocOp::Read).await?;
    state.db.versions(id).await
}

pub type ByteStream = std::pin::Pin<Box<dyn Stream<Item = std::result::Result<Bytes, BlobError>> + Send>>;

/// A `Range: bytes=…` request, before it is checked against the file's size.
#[derive(Debug, Clone, Copy)]
pub enum ByteRange {
    /// `a-` or `a-b`.
    From(u64, Option<u64>),
    /// `-n`: the last n bytes.
    Suffix(u64),
}

pub enum Download {
    Full(VersionRow, ByteStream),
    /// Bytes `start..=end` of the file.
    Partial(VersionRow, u64, u64, ByteStream),
    /// The range lies outside the file (416).
    Unsatisfiable(VersionRow),
}

/// A version's file as a stream, checked as it goes (see `svitok_storage`): all of it, or
/// the requested range.
pub async fn download(
    state: &App,
    actor: &Caller,
    id: DocumentId,
    number: i64,
    range: Option<ByteRange>,
) -> Result<Download> {
    open(state, actor, id, DocOp::Download).await?;
    let v = state
        .db
        .versions(id)
        .await?
        .into_iter()
        .find(|v| v.number == number)
        .ok_or(CoreError::NotFound("version"))?;
    let size = v.size as u64;
    let bounds = range.map(|r| match r {
        ByteRange::From(a, b) => (a, b.unwrap_or(u64::MAX).min(size.saturating_sub(1))),
        ByteRange::Suffix(n) => (size.saturating_sub(n), size.saturating_sub(1)),
    });
    if let Some((a, b)) = bounds {
        if size == 0 || a > b || a >= size {
            return Ok(Download::Unsatisfiable(v));
        }
    }
    let details = json!({ "version": number, "range": bounds.map(|(a, b)| format!("{a}-{b}")) });
    let mut tx = state.db.begin().await?;
    tx.add_document_event(id, &event(actor, "downloaded", details.clone()), state.now())
        .await?;
    audited(&mut tx, state, actor, "document.downloaded", id, details);
    tx.commit().await?;
    Ok(match bounds {
        None => {
            let s = state.blobs.read(&v.blob_key, &v.sha256).await.map_err(blob_error)?;
            Download::Full(v, Box::pin(s))
        }
        Some((a, b)) => {
            let s = state
                .blobs
                .read_range(&v.blob_key, size, a, b)
                .await
                .map_err(blob_error)?;
            Download::Partial(v, a, b, Box::pin(s))
        }
    })
}
