//! The organisation's CA and the users' signing certificates (SPEC §7). Private keys are
//! sealed under a key derived from the master key and bound to their row (the CA's to
//! "ca", a user's to its certificate serial); they never leave the server.

use crate::audit;
use crate::state::App;
use crate::Caller;
use serde_json::json;
use std::time::{Duration, SystemTime};
use svitok_core::secrets::{MasterKey, SubKey};
use svitok_core::user::User;
use svitok_core::{CoreError, Result};
use svitok_db::{AuthorityRow, CertificateRow, Db};
use svitok_pki::authority::{parse_serial, serial_hex};
use svitok_pki::{Authority, Certificate, Holder, P256Key, PkiError, SerialNumber, TimeStamper};

/// The key that seals CA and user private keys.
pub fn sealing_key(master: &MasterKey) -> SubKey {
    master.derive("svitok signing keys v1")
}

pub fn pki_error(e: PkiError) -> CoreError {
    CoreError::Internal(format!("pki: {e}"))
}

pub fn system_time(ms: i64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(ms.max(0) as u64)
}

pub fn millis(t: SystemTime) -> i64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Loads the CA, creating it on first start. When two servers start at once the first
/// stored wins and the other loads it.
pub async fn load_or_create_authority(db: &Db, master: &MasterKey, organisation: &str, now: i64) -> Result<Authority> {
    let seal = sealing_key(master);
    if db.authority().await?.is_none() {
        let ca = Authority::create(organisation, system_time(now)).map_err(pki_error)?;
        let row = AuthorityRow {
            cert_pem: ca.certificate_pem().map_err(pki_error)?,
            key_sealed: seal.seal(&ca.key().to_pkcs8().map_err(pki_error)?, b"ca"),
        };
        if db.insert_authority(&row, now).await? {
            tracing::info!(organisation, "created the certification authority");
        }
    }
    let row = db
        .authority()
        .await?
        .ok_or_else(|| CoreError::Internal("the certification authority vanished".into()))?;
    let key = zeroize::Zeroizing::new(seal.open(&row.key_sealed, b"ca")?);
    let ca = Authority::from_parts(&row.cert_pem, &key).map_err(pki_error)?;
    let stamper = load_or_create_time_stamper(db, &seal, &ca, organisation, now).await?;
    Ok(ca.with_time_stamper(stamper))
}

/// The time-stamping authority under `ca`, created with it (or on the first start after
/// an upgrade); the same race rule as for the CA.
async fn load_or_create_time_stamper(
    db: &Db,
    seal: &SubKey,
    ca: &Authority,
    organisation: &str,
    now: i64,
) -> Result<TimeStamper> {
    if db.time_stamper().await?.is_none() {
        let tsa = TimeStamper::create(ca, organisation, system_time(now)).map_err(pki_error)?;
        let row = AuthorityRow {
            cert_pem: tsa.certificate_pem().map_err(pki_error)?,
            key_sealed: seal.seal(&tsa.key().to_pkcs8().map_err(pki_error)?, b"tsa"),
        };
        if db.insert_time_stamper(&row, now).await? {
            tracing::info!(organisation, "created the time-stamping authority");
        }
    }
    let row = db
        .time_stamper()
        .await?
        .ok_or_else(|| CoreError::Internal("the time-stamping authority vanished".into()))?;
    let key = zeroize::Zeroizing::new(seal.open(&row.key_sealed, b"tsa")?);
    TimeStamper::from_parts(&row.cert_pem, &key, ca.certificate()).map_err(pki_error)
}

/// The CA certificate, PEM.
pub fn ca_pem(state: &App) -> Result<String> {
    state.authority.certificate_pem().map_err(pki_error)
}

/// Revoked certificates as the CRL and verification want them.
pub async fn revocations(state: &App) -> Result<Vec<(SerialNumber, SystemTime)>> {
    revocations_in(&state.db).await
}

/// The revoked certificates as a database lists them (for tools that start no server).
pub async fn revocations_in(db: &Db) -> Result<Vec<(SerialNumber, SystemTime)>> {
    db.revoked_certificates()
        .await?
        .into_iter()
        .map(|(serial, at)| Ok((parse_serial(&serial).map_err(pki_error)?, system_time(at))))
        .collect()
}

/// The current CRL, DER, signed now.
pub async fn crl(state: &App) -> Result<Vec<u8>> {
    let revoked = revocations(state).await?;
    state
        .authority
        .crl(&revoked, system_time(state.now()))
        .map_err(pki_error)
}

/// A user's certificate with its key unsealed, ready to sign.
pub struct SignerIdentity {
    pub row: CertificateRow,
    pub certificate: Certificate,
    pub key: P256Key,
}

pub fn parse_certificate(pem: &str) -> Result<Certificate> {
    svitok_pki::certificate_from_pem(pem).map_err(pki_error)
}

/// The caller's current certificate, if any.
pub async fn current(state: &App, actor: &Caller) -> Result<Option<CertificateRow>> {
    state.db.current_certificate(actor.user.id, state.now()).await
}

/// The caller's current certificate, issuing one first if there is none (201) —
/// `sign_documents` only.
pub async fn ensure(state: &App, actor: &Caller) -> Result<(CertificateRow, bool)> {
    crate::access::authorize(state, actor, svitok_core::policy::Operation::IssueCertificate, None).await?;
    if let Some(c) = current(state, actor).await? {
        return Ok((c, false));
    }
    Ok((issue(state, actor).await?, true))
}

async fn issue(state: &App, actor: &Caller) -> Result<CertificateRow> {
    issue_to(state, actor, &actor.user, "first use").await
}

/// A new certificate for someone whose name or position changed: what they sign from now
/// on names them as they are now. The old certificate is not revoked, so what they
/// signed before stays valid.
pub async fn reissue_if_certified(state: &App, actor: &Caller, user: &User) -> Result<()> {
    if state.db.current_certificate(user.id, state.now()).await?.is_some() {
        issue_to(state, actor, user, "identity changed").await?;
    }
    Ok(())
}

/// Issues a certificate to `user`; `actor` is who caused it, for the audit log.
async fn issue_to(state: &App, actor: &Caller, user: &User, reason: &str) -> Result<CertificateRow> {
    let now = state.now();
    let key = P256Key::generate();
    let validity = Duration::from_secs(state.settings.cert_validity_days.max(1) as u64 * 86_400);
    let holder = Holder {
        full_name: &user.full_name(),
        email: &user.email,
        organisation: &state.settings.org_name,
    };
    // Verifiers find the revocation list where the certificate says it is.
    let crl_url = state.settings.link("/api/v1/pki/crl");
    let cert = state
        .authority
        .issue_with_crl(&holder, &key, system_time(now), validity, Some(&crl_url))
        .map_err(pki_error)?;
    let serial = serial_hex(&cert.tbs_certificate.serial_number);
    let row = CertificateRow {
        key_sealed: state
            .keys
            .signing
            .seal(&key.to_pkcs8().map_err(pki_error)?, serial.as_bytes()),
        cert_pem: svitok_pki::certificate_to_pem(&cert).map_err(pki_error)?,
        serial: serial.clone(),
        user_id: user.id,
        not_before: millis(cert.tbs_certificate.validity.not_before.to_system_time()),
        not_after: millis(cert.tbs_certificate.validity.not_after.to_system_time()),
        created_at: now,
        revoked_at: None,
    };
    let mut tx = state.db.begin().await?;
    tx.insert_certificate(&row).await?;
    audit::queue(
        &mut tx,
        state,
        actor,
        "certificate.issued",
        Some(user.id.to_string()),
        json!({ "serial": serial, "not_after": row.not_after, "reason": reason }),
    );
    tx.commit().await?;
    Ok(row)
}

/// The caller's signing identity (issuing a certificate on first use).
pub async fn signer(state: &App, actor: &Caller) -> Result<SignerIdentity> {
    let (row, _) = ensure(state, actor).await?;
    let certificate = parse_certificate(&row.cert_pem)?;
    let der = zeroize::Zeroizing::new(state.keys.signing.open(&row.key_sealed, row.serial.as_bytes())?);
    let key = P256Key::from_pkcs8(&der).map_err(pki_error)?;
    Ok(SignerIdentity { row, certificate, key })
}
