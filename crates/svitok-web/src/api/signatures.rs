//! `/api/v1/documents/{id}/versions/{n}/signatures*` and `/api/v1/documents/{id}/signature-requests`.

use super::documents::PartyRef;
use super::views::{rfc3339, Binary};
use crate::api::problems;
use crate::error::ApiResult;
use crate::extract::{Actor, ApiJson, ApiPath, ApiQuery};
use crate::http::formats::content_disposition;
use crate::i18n;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use svitok_app::signatures::{self as svc, Checked};
use svitok_app::App;
use svitok_core::ids::{ChallengeId, DocumentId};
use svitok_core::{CoreError, Message};
use svitok_pki::Verdict;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignRequest {
    /// From `POST /api/v1/auth/step-up`.
    pub challenge: Uuid,
    /// The mailed code, or the authenticator's.
    pub code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Signer {
    pub id: Uuid,
    /// The name in the signing certificate (as signed), not the current profile's.
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Verification {
    /// `valid`, `valid_at_signing_time` (the certificate was revoked later) or `invalid`.
    pub status: String,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignatureView {
    pub id: String,
    /// The version signed; a newer version is not covered by this signature.
    pub version: i64,
    pub signer: Signer,
    /// The signer's certificate serial (upper-case hex).
    pub serial: String,
    pub signed_at: String,
    /// When the signer's certificate was revoked, if it was.
    pub certificate_revoked_at: Option<String>,
    /// Present with `?verify=true`.
    pub verification: Option<Verification>,
}

fn verification(v: &Verdict) -> Verification {
    match v {
        Verdict::Valid => Verification {
            status: "valid".into(),
            message: i18n::say(&Message::new("msg-signature-valid")),
        },
        Verdict::ValidAtSigningTime { revoked_at } => Verification {
            status: "valid_at_signing_time".into(),
            message: i18n::say(
                &Message::new("msg-signature-valid-then")
                    .arg("revoked_at", rfc3339(svitok_app::pki::millis(*revoked_at))),
            ),
        },
        Verdict::Invalid(why) => Verification {
            status: "invalid".into(),
            message: i18n::say(&Message::new("msg-signature-invalid").arg("why", why.as_str())),
        },
    }
}

fn views(checked: Vec<Checked>) -> Vec<SignatureView> {
    checked
        .into_iter()
        .map(|c| SignatureView {
            signer: Signer {
                id: c.row.signer.0,
                name: c.signer_name,
            },
            id: c.row.id,
            version: c.row.version,
            serial: c.row.serial,
            signed_at: rfc3339(c.row.signed_at),
            certificate_revoked_at: c.row.revoked_at.map(rfc3339),
            verification: c.verdict.as_ref().map(verification),
        })
        .collect()
}

/// Signs a version with the caller's certificate (`sign_documents`, a reader) after a
/// fresh second factor: a detached CMS (CAdES-BES) that `openssl cms -verify` accepts.
#[utoipa::path(post, path = "/api/v1/documents/{id}/versions/{n}/signatures", tag = "signatures",
    params(("id" = Uuid, Path), ("n" = i64, Path)), request_body = SignRequest,
    responses((status = 201, body = SignatureView), problems::BadRequest,
              problems::Unauthorized, problems::Forbidden,
              problems::NotFound, problems::Conflict,
              problems::TooManyRequests),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn sign_version(
    State(state): State<App>,
    actor: Actor,
    ApiPath((id, n)): ApiPath<(Uuid, i64)>,
    ApiJson(req): ApiJson<SignRequest>,
) -> ApiResult<(StatusCode, Json<SignatureView>)> {
    let row = svc::sign(&state, &actor, DocumentId(id), n, ChallengeId(req.challenge), &req.code).await?;
    let mut v = views(vec![Checked::unchecked(row)]);
    Ok((StatusCode::CREATED, Json(v.remove(0))))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Check every signature: digest against the stored version, signature, chain to the
    /// CA, revocation.
    pub verify: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignatureList {
    pub items: Vec<SignatureView>,
}

/// The signatures of a version (readers), checked with `?verify=true`.
#[utoipa::path(get, path = "/api/v1/documents/{id}/versions/{n}/signatures", tag = "signatures",
    params(("id" = Uuid, Path), ("n" = i64, Path), ListQuery),
    responses((status = 200, body = SignatureList), problems::BadRequest,
              problems::Unauthorized, problems::NotFound),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn list_signatures(
    State(state): State<App>,
    actor: Actor,
    ApiPath((id, n)): ApiPath<(Uuid, i64)>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<SignatureList>> {
    let checked = svc::list(&state, &actor, DocumentId(id), n, q.verify.unwrap_or(false)).await?;
    Ok(Json(SignatureList { items: views(checked) }))
}

/// One signature as a `.p7s` file (DER CMS), for readers of the document.
#[utoipa::path(get, path = "/api/v1/documents/{id}/versions/{n}/signatures/{sid}", tag = "signatures",
    params(("id" = Uuid, Path), ("n" = i64, Path), ("sid" = String, Path)),
    responses((status = 200, description = "the detached signature, sent as `application/pkcs7-signature`",
        content((Binary = "application/pkcs7-signature"), (Binary = "application/octet-stream"))),
              problems::BadRequest, problems::Unauthorized,
              problems::NotFound),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn download_signature(
    State(state): State<App>,
    actor: Actor,
    ApiPath((id, n, sid)): ApiPath<(Uuid, i64, String)>,
) -> ApiResult<Response> {
    let der = svc::download(&state, &actor, DocumentId(id), n, &sid).await?;
    let mut res = der.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pkcs7-signature"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&content_disposition(&format!("{id}-v{n}-{sid}.p7s"))).map_err(CoreError::internal)?,
    );
    Ok(res)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignatureRequestBody {
    /// Users and groups whose signatures the document needs (1–100).
    pub to: Vec<PartyRef>,
    /// For groups: every member must sign (default: any one member).
    #[serde(default)]
    pub every_member: bool,
    pub comment: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestView {
    pub party: PartyRef,
    pub every_member: bool,
    pub requested_by: Uuid,
    pub requested_at: String,
    /// The latest version has the signatures this request asks for.
    pub satisfied: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestList {
    pub items: Vec<RequestView>,
}

async fn request_list(state: &App, id: DocumentId) -> ApiResult<Json<RequestList>> {
    let items = svc::progress(state, id)
        .await?
        .into_iter()
        .map(|p| RequestView {
            party: p.request.party.into(),
            every_member: p.request.every_member,
            requested_by: p.request.requested_by.0,
            requested_at: rfc3339(p.request.created_at),
            satisfied: p.satisfied,
        })
        .collect();
    Ok(Json(RequestList { items }))
}

/// Asks users and groups to sign the latest version (owner or responsible party). The
/// document moves to `signing`, and to `signed` by itself when every request is met.
#[utoipa::path(post, path = "/api/v1/documents/{id}/signature-requests", tag = "signatures",
    params(("id" = Uuid, Path)), request_body = SignatureRequestBody,
    responses((status = 200, body = RequestList), problems::BadRequest,
              problems::Unauthorized, problems::Forbidden,
              problems::NotFound, problems::Conflict,
              problems::Unprocessable),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn request_signatures(
    State(state): State<App>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<SignatureRequestBody>,
) -> ApiResult<Json<RequestList>> {
    let to = req.to.into_iter().map(Into::into).collect();
    svc::request(&state, &actor, DocumentId(id), to, req.every_member, req.comment).await?;
    request_list(&state, DocumentId(id)).await
}

/// Whose signatures the document waits for, and which have been given (readers).
#[utoipa::path(get, path = "/api/v1/documents/{id}/signature-requests", tag = "signatures",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = RequestList), problems::BadRequest,
              problems::Unauthorized, problems::NotFound),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn signature_requests(
    State(state): State<App>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<RequestList>> {
    svitok_app::documents::open(&state, &actor, DocumentId(id), svitok_core::documents::DocOp::Read).await?;
    request_list(&state, DocumentId(id)).await
}
