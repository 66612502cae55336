//! `/api/v1/pki/*` (public: the CA certificate and its CRL) and `/api/v1/me/certificate`.

use super::views::{rfc3339, Binary};
use crate::api::problems;
use crate::error::ApiResult;
use crate::extract::{Actor, ApiQuery};
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use svitok_app::pki;
use svitok_app::App;
use svitok_db::CertificateRow;
use utoipa::{IntoParams, ToSchema};

fn bytes(content_type: &'static str, file_name: &'static str, body: Vec<u8>) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static(file_name));
    // Public and the same for everyone; short so a revocation shows up soon.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60"));
    res
}

/// The organisation's CA certificate (PEM), for anyone verifying a signature.
#[utoipa::path(get, path = "/api/v1/pki/ca.pem", tag = "pki",
    responses((status = 200, description = "the CA certificate, sent as `application/x-pem-file`",
        content((Binary = "application/x-pem-file"), (Binary = "application/octet-stream")))))]
pub async fn ca_certificate(State(state): State<App>) -> ApiResult<Response> {
    Ok(bytes(
        "application/x-pem-file",
        "attachment; filename=\"ca.pem\"",
        pki::ca_pem(&state)?.into_bytes(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CrlQuery {
    /// `der` (default) or `pem`.
    #[param(inline)]
    pub format: Option<CrlFormat>,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CrlFormat {
    Der,
    Pem,
}

/// The CA's certificate revocation list, signed now: DER, or PEM with `?format=pem`.
#[utoipa::path(get, path = "/api/v1/pki/crl", tag = "pki", params(CrlQuery),
    responses((status = 200, description = "the CRL, sent as `application/pkix-crl` (DER) or `application/x-pem-file` (PEM)",
        content((Binary = "application/pkix-crl"), (Binary = "application/x-pem-file"), (Binary = "application/octet-stream"))),
              problems::BadRequest))]
pub async fn crl(State(state): State<App>, ApiQuery(q): ApiQuery<CrlQuery>) -> ApiResult<Response> {
    let der = pki::crl(&state).await?;
    Ok(match q.format.unwrap_or(CrlFormat::Der) {
        CrlFormat::Der => bytes("application/pkix-crl", "attachment; filename=\"ca.crl\"", der),
        CrlFormat::Pem => bytes(
            "application/x-pem-file",
            "attachment; filename=\"ca-crl.pem\"",
            svitok_pki::crl_to_pem(&der).map_err(pki::pki_error)?.into_bytes(),
        ),
    })
}

/// A signing certificate, without its private key (which never leaves the server).
#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateView {
    /// Upper-case hex.
    pub serial: String,
    pub subject: String,
    pub issuer: String,
    pub not_before: String,
    pub not_after: String,
    pub revoked_at: Option<String>,
    /// The certificate itself, PEM.
    pub pem: String,
}

pub fn certificate_view(row: &CertificateRow) -> ApiResult<CertificateView> {
    let cert = pki::parse_certificate(&row.cert_pem)?;
    Ok(CertificateView {
        serial: row.serial.clone(),
        subject: cert.tbs_certificate.subject.to_string(),
        issuer: cert.tbs_certificate.issuer.to_string(),
        not_before: rfc3339(row.not_before),
        not_after: rfc3339(row.not_after),
        revoked_at: row.revoked_at.map(rfc3339),
        pem: row.cert_pem.clone(),
    })
}

/// The caller's current signing certificate.
#[utoipa::path(get, path = "/api/v1/me/certificate", tag = "pki",
    responses((status = 200, body = CertificateView), problems::Unauthorized,
              problems::NotFound),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn my_certificate(State(state): State<App>, actor: Actor) -> ApiResult<Json<CertificateView>> {
    let row = pki::current(&state, &actor)
        .await?
        .ok_or(svitok_core::CoreError::NotFound("certificate"))?;
    Ok(Json(certificate_view(&row)?))
}

/// Issues the caller a signing certificate (`sign_documents`); 200 with the current one
/// when it already has one. Signing issues one on first use anyway.
#[utoipa::path(post, path = "/api/v1/me/certificate", tag = "pki",
    responses((status = 200, body = CertificateView), (status = 201, body = CertificateView),
              problems::Unauthorized, problems::Forbidden),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn issue_certificate(
    State(state): State<App>,
    actor: Actor,
) -> ApiResult<(StatusCode, Json<CertificateView>)> {
    let (row, new) = pki::ensure(&state, &actor).await?;
    let status = if new { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(certificate_view(&row)?)))
}
