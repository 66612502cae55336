//! A document's versions: listing, adding, downloading (whole or a range).

use super::*;
use crate::api::problems;

/// A document's versions.
#[utoipa::path(get, path = "/api/v1/documents/{id}/versions", tag = "documents", params(("id" = Uuid, Path)),
    responses((status = 200, body = [VersionView]), problems::BadRequest,
              problems::Unauthorized, problems::NotFound),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn list_versions(
    State(state): State<App>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<VersionView>>> {
    Ok(Json(
        svc::versions(&state, &actor, DocumentId(id))
            .await?
            .iter()
            .map(version_view)
            .collect(),
    ))
}

/// Adds a version: `multipart/form-data` with a `file` part (owner or responsible party,
/// `manage_own_documents`).
#[utoipa::path(post, path = "/api/v1/documents/{id}/versions", tag = "documents", params(("id" = Uuid, Path)),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = VersionView), problems::BadRequest,
              problems::Unauthorized, problems::Forbidden,
              problems::NotFound, problems::TooLarge,
              problems::UnsupportedMediaType, problems::Unprocessable,
              problems::Unavailable, problems::InsufficientStorage),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn add_version(
    State(state): State<App>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    req: Request,
) -> ApiResult<Response> {
    // Refuse before reading the file when the caller may not add versions (and answer a
    // stranger 404 whatever it sent).
    svc::open(
        &state,
        &actor,
        DocumentId(id),
        svitok_core::documents::DocOp::AddVersion,
    )
    .await?;
    if !is_multipart(&req) {
        return Ok(problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "msg-multipart-expected",
            None,
        ));
    }
    let form = Multipart::from_request(req, &state).await.map_err(bad_form)?;
    let (upload, _card) = read_form(&state, form, None).await?;
    let upload = upload.ok_or_else(|| ApiError(CoreError::validation("file", "msg-file-part-missing")))?;
    let n = svc::add_version(&state, &actor, DocumentId(id), upload).await?;
    let versions = svc::versions(&state, &actor, DocumentId(id)).await?;
    let v = versions
        .iter()
        .find(|v| v.number == n)
        .ok_or(CoreError::NotFound("version"))?;
    Ok((StatusCode::CREATED, Json(version_view(v))).into_response())
}

pub(super) fn file_response(
    v: &VersionRow,
    status: StatusCode,
    length: u64,
    stream: svc::ByteStream,
) -> ApiResult<Response> {
    let key = v.blob_key.clone();
    let body = Body::from_stream(stream.inspect_err(move |e| {
        tracing::error!(error = %e, blob = %key, "a stored file failed its check while being sent");
    }));
    let mut res = Response::new(body);
    *res.status_mut() = status;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(svc::served_media_type(&v.media_type))
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    // Whatever the file is, it never runs with our origin's rights.
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox"));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&content_disposition(&svc::clean_file_name(&v.file_name)))
            .map_err(CoreError::internal)?,
    );
    h.insert(
        "x-content-sha256",
        HeaderValue::from_str(&v.sha256).map_err(CoreError::internal)?,
    );
    Ok(res)
}

/// Downloads a version's file (readers with `manage_own_documents`), whole or a
/// `Range: bytes=…` of it (206). The whole file is checked as it streams; a failed check
/// cuts the response short rather than send wrong bytes.
#[utoipa::path(get, path = "/api/v1/documents/{id}/versions/{n}/content", tag = "documents",
    params(("id" = Uuid, Path), ("n" = i64, Path)),
    responses((status = 200, description = "the file, sent with its stored media type", body = Binary, content_type = "application/octet-stream"),
              (status = 206, description = "the requested range", body = Binary, content_type = "application/octet-stream"),
              problems::BadRequest, problems::Unauthorized,
              problems::Forbidden, problems::NotFound,
              problems::RangeNotSatisfiable),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn download_version(
    State(state): State<App>,
    actor: Actor,
    ApiPath((id, n)): ApiPath<(Uuid, i64)>,
    headers: axum::http::HeaderMap,
) -> ApiResult<Response> {
    let range = parse_range(headers.get(header::RANGE));
    match svc::download(&state, &actor, DocumentId(id), n, range).await? {
        svc::Download::Full(v, stream) => file_response(&v, StatusCode::OK, v.size as u64, stream),
        svc::Download::Partial(v, a, b, stream) => {
            let mut res = file_response(&v, StatusCode::PARTIAL_CONTENT, b - a + 1, stream)?;
            let cr = format!("bytes {a}-{b}/{}", v.size);
            res.headers_mut().insert(
                header::CONTENT_RANGE,
                HeaderValue::from_str(&cr).map_err(CoreError::internal)?,
            );
            Ok(res)
        }
        svc::Download::Unsatisfiable(v) => {
            let mut res = problem(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "range_not_satisfiable",
                svitok_core::Message::new("msg-range-outside").arg("size", v.size),
                None,
            );
            let cr = format!("bytes */{}", v.size);
            res.headers_mut().insert(
                header::CONTENT_RANGE,
                HeaderValue::from_str(&cr).map_err(CoreError::internal)?,
            );
            Ok(res)
        }
    }
}
