//! Svitok's public-key infrastructure (SPEC §7): an internal certification authority,
//! per-user signing certificates, revocation lists, and detached CMS signatures that stock
//! OpenSSL verifies. Pure Rust (RustCrypto); no network, no files — callers store the DER.

pub mod authority;
pub mod cms_signature;
pub mod key;
pub mod names;
pub mod timestamp;

#[cfg(test)]
pub(crate) mod test_kit;

pub use authority::{Authority, Holder};
pub use cms_signature::{sign_detached, verify_detached, Report, Verdict};
pub use key::{P256Key, SignerKey};
pub use timestamp::{add_time_stamp, TimeStamper};
pub use x509_cert::serial_number::SerialNumber;
pub use x509_cert::Certificate;

#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    #[error("key: {0}")]
    Key(String),
    #[error("encoding: {0}")]
    Der(String),
    #[error("certificate: {0}")]
    Build(String),
    #[error("{0}")]
    Invalid(String),
    #[error("not supported: {0}")]
    Unsupported(String),
}

impl PkiError {
    pub(crate) fn der(e: impl std::fmt::Display) -> PkiError {
        PkiError::Der(e.to_string())
    }

    pub(crate) fn build(e: impl std::fmt::Display) -> PkiError {
        PkiError::Build(e.to_string())
    }
}

pub type Result<T> = std::result::Result<T, PkiError>;

pub fn certificate_to_pem(cert: &Certificate) -> Result<String> {
    use der::EncodePem;
    cert.to_pem(der::pem::LineEnding::LF).map_err(PkiError::der)
}

pub fn certificate_from_pem(pem: &str) -> Result<Certificate> {
    use der::DecodePem;
    Certificate::from_pem(pem).map_err(PkiError::der)
}

/// A DER CRL as PEM (`-----BEGIN X509 CRL-----`).
pub fn crl_to_pem(der_bytes: &[u8]) -> Result<String> {
    der::pem::encode_string("X509 CRL", der::pem::LineEnding::LF, der_bytes).map_err(PkiError::der)
}

/// A certificate file as people have them: PEM or DER.
pub fn certificate_from_file_bytes(bytes: &[u8]) -> Result<Certificate> {
    use der::Decode;
    match std::str::from_utf8(bytes) {
        Ok(text) if text.contains("-----BEGIN") => certificate_from_pem(text),
        _ => Certificate::from_der(bytes).map_err(PkiError::der),
    }
}

pub fn certificate_to_der(cert: &Certificate) -> Result<Vec<u8>> {
    use der::Encode;
    cert.to_der().map_err(PkiError::der)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};
    use std::time::{Duration, SystemTime};

    fn holder() -> Holder<'static> {
        Holder {
            full_name: "Иванова Мария Петровна",
            email: "maria@example.org",
            organisation: "ООО «Ромашка», отдел",
        }
    }

    #[test]
    fn sign_and_verify_round_trip_with_revocation() {
        let now = SystemTime::now();
        let ca = Authority::create("ООО «Ромашка»", now).unwrap();
        let key = P256Key::generate();
        let cert = ca
            .issue(&holder(), &key, now, Duration::from_secs(86_400 * 365))
            .unwrap();
        authority::check_issued_by(&cert, ca.certificate()).unwrap();
        let digest: [u8; 32] = Sha256::digest(b"content").into();
        let sig = sign_detached(&key, &cert, ca.certificate(), &digest, now).unwrap();

        let r = verify_detached(&sig, &digest, ca.certificate(), &[], None).unwrap();
        assert_eq!(r.verdict, Verdict::Valid);
        assert_eq!(
            names::common_name(&r.signer.unwrap()).as_deref(),
            Some("Иванова Мария Петровна")
        );

        let other: [u8; 32] = Sha256::digest(b"contenT").into();
        assert!(matches!(
            verify_detached(&sig, &other, ca.certificate(), &[], None)
                .unwrap()
                .verdict,
            Verdict::Invalid(_)
        ));

        let another_ca = Authority::create("Other", now).unwrap();
        assert!(matches!(
            verify_detached(&sig, &digest, another_ca.certificate(), &[], None)
                .unwrap()
                .verdict,
            Verdict::Invalid(_)
        ));

        let serial = cert.tbs_certificate.serial_number.clone();
        let later = now + Duration::from_secs(60);
        let crl = ca.crl(&[(serial.clone(), later)], later).unwrap();
        let revoked = authority::read_crl(&crl, ca.certificate()).unwrap();
        assert_eq!(revoked.len(), 1);
        assert!(matches!(
            verify_detached(&sig, &digest, ca.certificate(), &revoked, Some(now))
                .unwrap()
                .verdict,
            Verdict::ValidAtSigningTime { .. }
        ));
        // The signer's own signing-time never vouches for it: with no trusted time, a
        // revoked certificate makes the signature invalid.
        assert!(matches!(
            verify_detached(&sig, &digest, ca.certificate(), &revoked, None)
                .unwrap()
                .verdict,
            Verdict::Invalid(_)
        ));
        let early = [(serial, now - Duration::from_secs(60))];
        assert!(matches!(
            verify_detached(&sig, &digest, ca.certificate(), &early, Some(now))
                .unwrap()
                .verdict,
            Verdict::Invalid(_)
        ));
        assert!(authority::read_crl(&crl, another_ca.certificate()).is_err());
    }

    #[test]
    fn a_cyrillic_address_still_gets_a_certificate() {
        let now = SystemTime::now();
        let ca = Authority::create("Svitok", now).unwrap();
        let key = P256Key::generate();
        let h = Holder {
            full_name: "Петров Пётр",
            email: "пётр@почта.рф",
            organisation: "Svitok",
        };
        let cert = ca.issue(&h, &key, now, Duration::from_secs(86_400)).unwrap();
        assert_eq!(names::common_name(&cert).as_deref(), Some("Петров Пётр"));
        assert_eq!(names::email(&cert), None);
    }

    #[test]
    fn authority_survives_storage() {
        let ca = Authority::create("Svitok", SystemTime::now()).unwrap();
        let pem = ca.certificate_pem().unwrap();
        let again = Authority::from_parts(&pem, &ca.key().to_pkcs8().unwrap()).unwrap();
        assert_eq!(again.certificate(), ca.certificate());
        let stranger = P256Key::generate();
        assert!(Authority::from_parts(&pem, &stranger.to_pkcs8().unwrap()).is_err());
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let ca = Authority::create("Svitok", SystemTime::now()).unwrap();
        assert!(verify_detached(b"not der", &[0; 32], ca.certificate(), &[], None).is_err());
        assert!(authority::read_crl(b"\x30\x03\x02\x01\x00", ca.certificate()).is_err());
    }
}
