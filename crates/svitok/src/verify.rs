//! `svitok verify FILE SIG`: checks a detached signature the way the server does — the
//! file's digest, the signature, the chain to the CA and, given a CRL, revocation —
//! without the server running.

use anyhow::{bail, Context};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;
use std::time::SystemTime;
use svitok_pki::authority::Crl;
use svitok_pki::{Certificate, SerialNumber, Verdict};

/// SHA-256 of a file, read 1 MiB at a time.
pub fn file_digest(path: &Path) -> anyhow::Result<[u8; 32]> {
    let mut f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f
            .read(&mut buf)
            .with_context(|| format!("reading {}", path.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().into())
}

pub fn read_ca(path: &Path) -> anyhow::Result<Certificate> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    svitok_pki::certificate_from_file_bytes(&bytes).with_context(|| format!("{} is not a certificate", path.display()))
}

/// A CRL file, DER or PEM (the server serves both), checked to be the CA's.
pub fn read_crl(path: &Path, ca: &Certificate) -> anyhow::Result<Crl> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    svitok_pki::authority::crl_from_file_bytes(&bytes, ca)
        .with_context(|| format!("checking the CRL {}", path.display()))
}

fn rfc3339(t: SystemTime) -> String {
    time::OffsetDateTime::from(t)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// How a check that found nothing wrong ended: fully, or with revocation unchecked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Valid,
    /// No CRL was given: the signature holds, but nothing says the key was not revoked.
    RevocationUnchecked,
}

impl Outcome {
    /// The exit status (README, CLI): 0 fully valid, 3 valid with revocation unchecked.
    pub fn exit_code(self) -> i32 {
        match self {
            Outcome::Valid => 0,
            Outcome::RevocationUnchecked => 3,
        }
    }
}

/// Where revocations come from.
pub enum Revocations<'a> {
    /// No CRL was given: revocation is not checked, and the check says so.
    Unchecked,
    /// The server's own, current list.
    Server(&'a [(SerialNumber, SystemTime)]),
    /// A CRL file, which must be fresh enough to speak for the signature.
    Crl(&'a Crl),
}

/// Where the revocations and the time of signing come from.
pub struct Evidence<'a> {
    pub revocations: Revocations<'a>,
    /// The time of signing from a source the signer does not control (the server's record).
    pub trusted_time: Option<SystemTime>,
}

/// Verifies and prints the result; an invalid signature is an error (exit status 1).
pub fn run(file: &Path, sig: &Path, ca: &Certificate, evidence: Evidence<'_>) -> anyhow::Result<Outcome> {
    let cms = std::fs::read(sig).with_context(|| format!("reading {}", sig.display()))?;
    let digest = file_digest(file)?;
    let revoked: &[(SerialNumber, SystemTime)] = match &evidence.revocations {
        Revocations::Unchecked => &[],
        Revocations::Server(list) => list,
        Revocations::Crl(crl) => &crl.revoked,
    };
    let report = svitok_pki::verify_detached(&cms, &digest, ca, revoked, evidence.trusted_time)
        .with_context(|| format!("{} is not a detached CMS signature (DER)", sig.display()))?;
    if let Some(cert) = &report.signer {
        let name = svitok_pki::names::common_name(cert).unwrap_or_default();
        let email = svitok_pki::names::email(cert).unwrap_or_default();
        println!("signer: {name} <{email}>");
    }
    if let Some(serial) = &report.serial {
        println!("certificate serial: {serial}");
    }
    match (evidence.trusted_time, report.time_stamped_at) {
        (Some(t), _) => println!("signed at: {} (the server's record)", rfc3339(t)),
        (None, Some(t)) => println!("signed at: {} (its RFC 3161 time-stamp)", rfc3339(t)),
        (None, None) => {
            if let Some(t) = report.signing_time {
                println!("signing time claimed by the signer: {} (not trusted)", rfc3339(t));
            }
            println!("checked at: {} (no trusted time of signing)", rfc3339(report.judged_at));
        }
    }
    if let Revocations::Crl(crl) = &evidence.revocations {
        if let Err(why) = crl.fresh_for(evidence.trusted_time.or(report.time_stamped_at), SystemTime::now()) {
            bail!("signature NOT verified: {why}");
        }
    }
    match report.verdict {
        Verdict::Invalid(why) => bail!("signature INVALID: {why}"),
        _ if matches!(evidence.revocations, Revocations::Unchecked) => {
            println!("signature: valid, but revocation NOT checked (no --crl given)");
            Ok(Outcome::RevocationUnchecked)
        }
        Verdict::Valid => {
            println!("signature: valid");
            Ok(Outcome::Valid)
        }
        Verdict::ValidAtSigningTime { revoked_at } => {
            println!(
                "signature: valid at signing time (the certificate was revoked {} — after signing)",
                rfc3339(revoked_at)
            );
            Ok(Outcome::Valid)
        }
    }
}

/// The server's own record of this very signature (same CMS bytes): its time of signing.
pub async fn recorded_time(db: &svitok_db::Db, sig: &Path) -> anyhow::Result<Option<SystemTime>> {
    use base64::Engine;
    let cms = std::fs::read(sig).with_context(|| format!("reading {}", sig.display()))?;
    let Ok(cert) = svitok_pki::cms_signature::signer_certificate(&cms) else {
        return Ok(None);
    };
    let serial = svitok_pki::authority::serial_hex(&cert.tbs_certificate.serial_number);
    let b64 = base64::engine::general_purpose::STANDARD.encode(&cms);
    Ok(db
        .signatures_by_serial(&serial)
        .await?
        .into_iter()
        .find(|row| row.cms_der == b64)
        .map(|row| svitok_app::pki::system_time(row.signed_at)))
}

/// What `svitok verify` without `--ca` checks against: this server's CA certificate (no
/// key needed), its revocations and its record of the signature. It opens an existing
/// database and creates nothing: no master key, no CA, no database file, no migration.
pub struct ServerRecord {
    pub ca: Certificate,
    pub revoked: Vec<(SerialNumber, SystemTime)>,
    pub trusted_time: Option<SystemTime>,
}

pub async fn server_record(config: &crate::config::Config, sig: &Path) -> anyhow::Result<ServerRecord> {
    if let Some(rest) = config.database_url.strip_prefix("sqlite://") {
        let file = Path::new(rest.split('?').next().unwrap_or(rest));
        if !file.exists() {
            bail!(
                "no database at {}: nothing to check against; give the CA certificate with --ca",
                file.display()
            );
        }
    }
    let db = svitok_db::Db::connect(&config.database_url)
        .await
        .context("connecting to the database")?;
    let result = async {
        let row = db
            .authority()
            .await?
            .context("this server has no certification authority yet; give the CA certificate with --ca")?;
        let ca = svitok_pki::certificate_from_pem(&row.cert_pem).context("the stored CA certificate")?;
        let revoked = svitok_app::pki::revocations_in(&db).await?;
        let trusted_time = recorded_time(&db, sig).await?;
        anyhow::Ok(ServerRecord {
            ca,
            revoked,
            trusted_time,
        })
    }
    .await;
    db.close().await;
    result
}
