//! `svitok verify FILE SIG`: checks a detached signature the way the server does — the
//! file's digest, the signature, the chain to the CA and, given a CRL, revocation —
//! without the server running.

use anyhow::{bail, Context};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;
use std::time::SystemTime;
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

pub fn read_crl(path: &Path, ca: &Certificate) -> anyhow::Result<Vec<(SerialNumber, SystemTime)>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    svitok_pki::authority::read_crl(&bytes, ca).with_context(|| format!("checking the CRL {}", path.display()))
}

fn rfc3339(t: SystemTime) -> String {
    time::OffsetDateTime::from(t)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Verifies and prints the result; an invalid signature is an error (exit status 1).
pub fn run(file: &Path, sig: &Path, ca: &Certificate, revoked: &[(SerialNumber, SystemTime)]) -> anyhow::Result<()> {
    let cms = std::fs::read(sig).with_context(|| format!("reading {}", sig.display()))?;
    let digest = file_digest(file)?;
    let report = svitok_pki::verify_detached(&cms, &digest, ca, revoked)
        .with_context(|| format!("{} is not a detached CMS signature (DER)", sig.display()))?;
    if let Some(cert) = &report.signer {
        let name = svitok_pki::names::common_name(cert).unwrap_or_default();
        let email = svitok_pki::names::email(cert).unwrap_or_default();
        println!("signer: {name} <{email}>");
    }
    if let Some(serial) = &report.serial {
        println!("certificate serial: {serial}");
    }
    if let Some(t) = report.signing_time {
        println!("signed at: {}", rfc3339(t));
    }
    match report.verdict {
        Verdict::Valid => {
            println!("signature: valid");
            Ok(())
        }
        Verdict::ValidAtSigningTime { revoked_at } => {
            println!(
                "signature: valid at signing time (the certificate was revoked {} — after signing)",
                rfc3339(revoked_at)
            );
            Ok(())
        }
        Verdict::Invalid(why) => bail!("signature INVALID: {why}"),
    }
}
