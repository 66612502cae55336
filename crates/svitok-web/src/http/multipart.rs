//! Multipart forms that carry a file: streamed into the blob store within the size
//! limit, their text fields bounded.

use crate::error::{ApiError, ApiResult};
use axum::extract::{Multipart, Request};
use axum::http::header;
use svitok_app::documents::{self as svc, CardInput, Upload};
use svitok_app::App;
use svitok_core::CoreError;

/// Largest text field of a multipart form.
pub(crate) const FORM_TEXT_LIMIT: usize = 16 * 1024;

pub(crate) fn bad_form(e: impl std::fmt::Display) -> ApiError {
    ApiError(CoreError::Validation {
        message: svitok_core::Message::new("msg-multipart-malformed").arg("why", e.to_string()),
        field: None,
    })
}

/// A check of the web forms' token, which must come first, before any file is stored.
pub(crate) type FormGuard<'a> = &'a (dyn Fn(&str) -> bool + Sync);

/// Reads a multipart form, streaming the `file` part into the blob store; other parts are
/// short text fields. With a `guard`, the first part must be a `csrf` field it accepts.
pub(crate) async fn read_form(
    state: &App,
    mut form: Multipart,
    guard: Option<FormGuard<'_>>,
) -> ApiResult<(Option<Upload>, CardInput)> {
    let mut card = CardInput::default();
    let mut upload: Option<Upload> = None;
    let mut trusted = guard.is_none();
    let result: ApiResult<()> = async {
        let mut refused: Option<CoreError> = None;
        while let Some(mut field) = form.next_field().await.map_err(bad_form)? {
            if refused.is_some() {
                drain_field(&mut field).await;
                continue;
            }
            let name = field.name().unwrap_or("").to_string();
            if !trusted {
                let given = if name == "csrf" {
                    read_text(&mut field, &name).await?
                } else {
                    String::new()
                };
                if !guard.is_some_and(|ok| ok(&given)) {
                    return Err(CoreError::forbidden("msg-form-foreign").into());
                }
                trusted = true;
                continue;
            }
            if name == "file" {
                if upload.is_some() {
                    return Err(bad_form("more than one file part"));
                }
                let file_name = svc::clean_file_name(field.file_name().unwrap_or("file"));
                let media_type = svc::clean_media_type(field.content_type());
                let mut writer = svc::begin_upload(state).await?;
                // Read the part into the store; on failure decide what to answer.
                let outcome: Result<(), ApiError> = loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            if let Err(e) = writer.write(&chunk).await {
                                break Err(svc::blob_error(e).into());
                            }
                        }
                        Ok(None) => break Ok(()),
                        Err(e) => break Err(bad_form(e)),
                    }
                };
                if let Err(e) = outcome {
                    writer.abort().await;
                    if matches!(e.0, CoreError::TooLarge(_)) {
                        drain_field(&mut field).await;
                        refused = Some(e.0);
                        continue;
                    }
                    return Err(e);
                }
                let blob = writer.finish().await.map_err(svc::blob_error)?;
                upload = Some(Upload {
                    file_name,
                    media_type,
                    blob,
                });
                continue;
            }
            let text = read_text(&mut field, &name).await?;
            match name.as_str() {
                "title" => card.title = Some(text),
                "description" => card.description = Some(text),
                "kind" => card.kind = Some(text),
                "reg_number" => card.reg_number = Some(text),
                "due_date" => card.due_date = Some(text),
                other => return Err(bad_form(format!("unknown field «{other}»"))),
            }
        }
        match refused {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }
    .await;
    if let Err(e) = result {
        if let Some(u) = upload {
            let _ = state.blobs.delete(&u.blob.key).await;
        }
        return Err(e);
    }
    Ok((upload, card))
}

pub(crate) async fn read_text(field: &mut axum::extract::multipart::Field<'_>, name: &str) -> ApiResult<String> {
    let mut text = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(bad_form)? {
        if text.len() + chunk.len() > FORM_TEXT_LIMIT {
            return Err(bad_form(format!("field «{name}» is too long")));
        }
        text.extend_from_slice(&chunk);
    }
    String::from_utf8(text).map_err(|_| bad_form(format!("field «{name}» is not UTF-8")))
}

/// After refusing an upload, reads and discards what the client is still sending (up to
/// 16 MiB a part, for at most 5 s), so that it receives the answer instead of a reset.
pub(crate) async fn drain_field(field: &mut axum::extract::multipart::Field<'_>) {
    const LIMIT: usize = 16 * 1024 * 1024;
    let drain = async {
        let mut seen = 0usize;
        while let Ok(Some(c)) = field.chunk().await {
            seen += c.len();
            if seen > LIMIT {
                return;
            }
        }
    };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), drain).await;
}

pub(crate) fn is_multipart(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"))
}
