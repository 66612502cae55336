//! The organisation's certification authority: its self-signed certificate, the users'
//! certificates it issues, and the revocation list it signs.

use crate::key::{ecdsa_with_sha256, P256Key, SignerKey};
use crate::{PkiError, Result};
use const_oid::db::{rfc3280, rfc4519, rfc5280};
use const_oid::{AssociatedOid, ObjectIdentifier};
use der::asn1::{BitString, Ia5String, OctetString, SetOfVec, Uint};
use der::{Any, Decode, DecodePem, Encode, EncodePem, Tag};
use std::time::{Duration, SystemTime};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::certificate::Version;
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, CrlNumber, ExtendedKeyUsage, SubjectAltName, SubjectKeyIdentifier};
use x509_cert::ext::Extension;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::Certificate;

/// The CA certificate lives this long; user certificates never outlive it.
pub const CA_VALIDITY: Duration = Duration::from_secs(20 * 365 * 86_400);
/// Certificates start this long before they are issued, so a verifier whose clock is a
/// little behind the server's does not find them "not yet valid".
pub const CLOCK_SKEW: Duration = Duration::from_secs(10 * 60);
/// A CRL says when the next one is due; clients refetch by then.
pub const CRL_VALIDITY: Duration = Duration::from_secs(7 * 86_400);

/// Who a user certificate is for.
#[derive(Debug, Clone)]
pub struct Holder<'a> {
    pub full_name: &'a str,
    pub email: &'a str,
    pub organisation: &'a str,
}

pub struct Authority {
    cert: Certificate,
    key: P256Key,
    /// The time-stamping authority under this CA, once it is set up.
    stamper: Option<crate::timestamp::TimeStamper>,
}

impl std::fmt::Debug for Authority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authority")
            .field("subject", &self.cert.tbs_certificate.subject.to_string())
            .finish()
    }
}

/// A random positive serial of 16 bytes, as RFC 5280 recommends (at least 64 random bits).
pub fn random_serial() -> SerialNumber {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    // Positive and with no leading zero byte, so the DER integer is exactly these bytes.
    b[0] = (b[0] & 0x7f) | 0x40;
    SerialNumber::new(&b).expect("16 bytes is a valid serial")
}

/// The serial as the API and the database show it: upper-case hex.
pub fn serial_hex(s: &SerialNumber) -> String {
    hex::encode_upper(s.as_bytes())
}

pub fn parse_serial(hex_text: &str) -> Result<SerialNumber> {
    let bytes = hex::decode(hex_text).map_err(|_| PkiError::Invalid(format!("serial {hex_text} is not hex")))?;
    SerialNumber::new(&bytes).map_err(PkiError::der)
}

/// X.509 time, to the second (the formats have no fractions).
pub fn x509_time(t: SystemTime) -> Result<Time> {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_err(|_| PkiError::Invalid("time before 1970".into()))?;
    Time::try_from(SystemTime::UNIX_EPOCH + Duration::from_secs(secs.as_secs())).map_err(PkiError::der)
}

fn utf8(oid: ObjectIdentifier, value: &str) -> Result<RelativeDistinguishedName> {
    let value = Any::new(Tag::Utf8String, value.as_bytes()).map_err(PkiError::der)?;
    rdn(AttributeTypeAndValue { oid, value })
}

fn rdn(atv: AttributeTypeAndValue) -> Result<RelativeDistinguishedName> {
    let mut set = SetOfVec::new();
    set.insert(atv).map_err(PkiError::der)?;
    Ok(RelativeDistinguishedName(set))
}

fn organisation_name(org: &str) -> Result<Name> {
    Ok(RdnSequence(vec![
        utf8(rfc4519::O, org)?,
        utf8(rfc4519::CN, &format!("{org} — удостоверяющий центр"))?,
    ]))
}

/// O, CN and emailAddress. An address that is not ASCII (a Cyrillic mailbox or domain)
/// cannot be an IA5String; such a certificate names its holder without it.
fn holder_name(h: &Holder) -> Result<Name> {
    let mut rdns = vec![utf8(rfc4519::O, h.organisation)?, utf8(rfc4519::CN, h.full_name)?];
    if !h.email.is_empty() && h.email.is_ascii() {
        rdns.push(rdn(AttributeTypeAndValue {
            oid: rfc3280::EMAIL_ADDRESS,
            value: Any::new(Tag::Ia5String, h.email.as_bytes()).map_err(PkiError::der)?,
        })?);
    }
    Ok(RdnSequence(rdns))
}

fn extension<T: Encode + AssociatedOid>(value: &T, critical: bool) -> Result<Extension> {
    Ok(Extension {
        extn_id: T::OID,
        critical,
        extn_value: OctetString::new(value.to_der().map_err(PkiError::der)?).map_err(PkiError::der)?,
    })
}

/// The subject key identifier a certificate carries, if any.
fn key_identifier(cert: &Certificate) -> Option<OctetString> {
    cert.tbs_certificate
        .extensions
        .as_ref()?
        .iter()
        .find(|e| e.extn_id == SubjectKeyIdentifier::OID)
        .and_then(|e| SubjectKeyIdentifier::from_der(e.extn_value.as_bytes()).ok())
        .map(|s| s.0)
}

impl Authority {
    /// A new CA for `organisation`, valid from `now` for [`CA_VALIDITY`].
    pub fn create(organisation: &str, now: SystemTime) -> Result<Authority> {
        let key = P256Key::generate();
        let validity = Validity {
            not_before: x509_time(now - CLOCK_SKEW)?,
            not_after: x509_time(now + CA_VALIDITY)?,
        };
        let name = organisation_name(organisation)?;
        // A root that issues end-entity certificates only: pathLenConstraint 0. (x509-cert's
        // Root profile has no path length; SubCA issued by itself is the same root with it.)
        let builder = CertificateBuilder::new(
            Profile::SubCA {
                issuer: name.clone(),
                path_len_constraint: Some(0),
            },
            random_serial(),
            validity,
            name,
            key.public_key_info()?,
            key.inner(),
        )
        .map_err(PkiError::build)?;
        let cert = builder.build::<p256::ecdsa::DerSignature>().map_err(PkiError::build)?;
        Ok(Authority {
            cert,
            key,
            stamper: None,
        })
    }

    /// The CA as stored: its certificate (PEM) and its private key (PKCS #8 DER).
    pub fn from_parts(cert_pem: &str, key_pkcs8: &[u8]) -> Result<Authority> {
        let cert = Certificate::from_pem(cert_pem).map_err(PkiError::der)?;
        let key = P256Key::from_pkcs8(key_pkcs8)?;
        if cert.tbs_certificate.subject_public_key_info != key.public_key_info()? {
            return Err(PkiError::Key("the CA key does not match its certificate".into()));
        }
        Ok(Authority {
            cert,
            key,
            stamper: None,
        })
    }

    pub fn key(&self) -> &P256Key {
        &self.key
    }

    pub fn with_time_stamper(mut self, stamper: crate::timestamp::TimeStamper) -> Authority {
        self.stamper = Some(stamper);
        self
    }

    pub fn time_stamper(&self) -> Option<&crate::timestamp::TimeStamper> {
        self.stamper.as_ref()
    }

    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }

    pub fn certificate_pem(&self) -> Result<String> {
        self.cert.to_pem(der::pem::LineEnding::LF).map_err(PkiError::der)
    }

    /// A signing certificate for `holder`'s public key: digitalSignature + nonRepudiation,
    /// emailProtection, the address as a subject alternative name. Never valid past the CA.
    pub fn issue(
        &self,
        holder: &Holder,
        key: &dyn SignerKey,
        now: SystemTime,
        validity: Duration,
    ) -> Result<Certificate> {
        self.issue_with_crl(holder, key, now, validity, None)
    }

    /// [`Authority::issue`] naming where the CRL is published (a CRL distribution point).
    pub fn issue_with_crl(
        &self,
        holder: &Holder,
        key: &dyn SignerKey,
        now: SystemTime,
        validity: Duration,
        crl_url: Option<&str>,
    ) -> Result<Certificate> {
        self.issue_for(holder, key, now, validity, rfc5280::ID_KP_EMAIL_PROTECTION, crl_url)
    }

    /// An end-entity certificate for one extended key usage: e-mail protection for
    /// signers, time-stamping for the TSA (x509-cert marks the extension critical).
    pub fn issue_for(
        &self,
        holder: &Holder,
        key: &dyn SignerKey,
        now: SystemTime,
        validity: Duration,
        usage: ObjectIdentifier,
        crl_url: Option<&str>,
    ) -> Result<Certificate> {
        let ca_end = self.cert.tbs_certificate.validity.not_after.to_system_time();
        let end = (now + validity).min(ca_end);
        let mut builder = CertificateBuilder::new(
            Profile::Leaf {
                issuer: self.cert.tbs_certificate.subject.clone(),
                enable_key_agreement: false,
                enable_key_encipherment: false,
            },
            random_serial(),
            Validity {
                not_before: x509_time(now - CLOCK_SKEW)?,
                not_after: x509_time(end)?,
            },
            holder_name(holder)?,
            key.public_key_info()?,
            self.key.inner(),
        )
        .map_err(PkiError::build)?;
        builder
            .add_extension(&ExtendedKeyUsage(vec![usage]))
            .map_err(PkiError::build)?;
        if let Some(email) = Ia5String::new(holder.email).ok().filter(|_| !holder.email.is_empty()) {
            builder
                .add_extension(&SubjectAltName(vec![GeneralName::Rfc822Name(email)]))
                .map_err(PkiError::build)?;
        }
        if let Some(url) = crl_url {
            use x509_cert::ext::pkix::crl::dp::DistributionPoint;
            use x509_cert::ext::pkix::name::DistributionPointName;
            use x509_cert::ext::pkix::CrlDistributionPoints;
            let uri = Ia5String::new(url).map_err(PkiError::der)?;
            builder
                .add_extension(&CrlDistributionPoints(vec![DistributionPoint {
                    distribution_point: Some(DistributionPointName::FullName(vec![
                        GeneralName::UniformResourceIdentifier(uri),
                    ])),
                    reasons: None,
                    crl_issuer: None,
                }]))
                .map_err(PkiError::build)?;
        }
        builder.build::<p256::ecdsa::DerSignature>().map_err(PkiError::build)
    }

    /// A DER CRL listing `revoked` (serial, time of revocation), numbered by `now`.
    pub fn crl(&self, revoked: &[(SerialNumber, SystemTime)], now: SystemTime) -> Result<Vec<u8>> {
        let entries = revoked
            .iter()
            .map(|(serial, at)| {
                Ok(RevokedCert {
                    serial_number: serial.clone(),
                    revocation_date: x509_time(*at)?,
                    crl_entry_extensions: None,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        // CRL numbers must grow: the second it was made does.
        let number = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis() as u64;
        let mut extensions = vec![extension(
            &CrlNumber(Uint::new(&number.to_be_bytes()).map_err(PkiError::der)?),
            false,
        )?];
        if let Some(kid) = key_identifier(&self.cert) {
            extensions.push(extension(
                &AuthorityKeyIdentifier {
                    key_identifier: Some(kid),
                    authority_cert_issuer: None,
                    authority_cert_serial_number: None,
                },
                false,
            )?);
        }
        let tbs = TbsCertList {
            version: Version::V2,
            signature: ecdsa_with_sha256(),
            issuer: self.cert.tbs_certificate.subject.clone(),
            this_update: x509_time(now)?,
            next_update: Some(x509_time(now + CRL_VALIDITY)?),
            revoked_certificates: (!entries.is_empty()).then_some(entries),
            crl_extensions: Some(extensions),
        };
        let signature = self.key.sign(&tbs.to_der().map_err(PkiError::der)?)?;
        CertificateList {
            tbs_cert_list: tbs,
            signature_algorithm: ecdsa_with_sha256(),
            signature: BitString::from_bytes(&signature).map_err(PkiError::der)?,
        }
        .to_der()
        .map_err(PkiError::der)
    }
}

/// Checks that `cert` was issued by `ca` (name and signature).
pub fn check_issued_by(cert: &Certificate, ca: &Certificate) -> Result<()> {
    if cert.tbs_certificate.issuer != ca.tbs_certificate.subject {
        return Err(PkiError::Invalid(
            "the certificate was issued by another authority".into(),
        ));
    }
    let tbs = cert.tbs_certificate.to_der().map_err(PkiError::der)?;
    crate::key::verify_signature(
        &ca.tbs_certificate.subject_public_key_info,
        &cert.signature_algorithm,
        &tbs,
        cert.signature.raw_bytes(),
    )
    .map_err(|_| PkiError::Invalid("the certificate's signature is not the authority's".into()))
}

/// A CRL as read and checked: what it lists and the period it speaks for.
#[derive(Debug, Clone)]
pub struct Crl {
    pub revoked: Vec<(SerialNumber, SystemTime)>,
    pub this_update: SystemTime,
    pub next_update: Option<SystemTime>,
}

impl Crl {
    /// Whether this CRL can speak for a signature made at `signed_at`, checked at `now`:
    /// issued after the signature (an older list cannot know of a later revocation) and
    /// not past its next update.
    /// Without a trusted time of signing only the second rule applies.
    pub fn fresh_for(&self, signed_at: Option<SystemTime>, now: SystemTime) -> std::result::Result<(), String> {
        if signed_at.is_some_and(|t| self.this_update < t) {
            return Err("the CRL was issued before the signature was made; fetch a newer one".into());
        }
        if self.this_update > now + CLOCK_SKEW {
            return Err("the CRL claims to be issued in the future".into());
        }
        match self.next_update {
            Some(next) if next < now => Err("the CRL has expired (its next update is past); fetch a newer one".into()),
            None => Err("the CRL says no next update".into()),
            Some(_) => Ok(()),
        }
    }
}

/// Reads a DER CRL, checks the CA signed it, and lists (serial, revoked at).
pub fn read_crl(der_bytes: &[u8], ca: &Certificate) -> Result<Vec<(SerialNumber, SystemTime)>> {
    read_crl_dated(der_bytes, ca).map(|c| c.revoked)
}

/// A CRL file as operators have it: DER or PEM (`-----BEGIN X509 CRL-----`).
pub fn crl_from_file_bytes(bytes: &[u8], ca: &Certificate) -> Result<Crl> {
    match std::str::from_utf8(bytes) {
        Ok(text) if text.contains("-----BEGIN") => {
            let (label, der_bytes) = der::pem::decode_vec(text.as_bytes()).map_err(PkiError::der)?;
            if label != "X509 CRL" {
                return Err(PkiError::Invalid(format!("a PEM {label}, not an X509 CRL")));
            }
            read_crl_dated(&der_bytes, ca)
        }
        _ => read_crl_dated(bytes, ca),
    }
}

/// [`read_crl`] with the CRL's period.
pub fn read_crl_dated(der_bytes: &[u8], ca: &Certificate) -> Result<Crl> {
    let crl = CertificateList::from_der(der_bytes).map_err(PkiError::der)?;
    if crl.tbs_cert_list.issuer != ca.tbs_certificate.subject {
        return Err(PkiError::Invalid("the CRL is from another authority".into()));
    }
    let tbs = crl.tbs_cert_list.to_der().map_err(PkiError::der)?;
    crate::key::verify_signature(
        &ca.tbs_certificate.subject_public_key_info,
        &crl.signature_algorithm,
        &tbs,
        crl.signature.raw_bytes(),
    )
    .map_err(|_| PkiError::Invalid("the CRL's signature is not the authority's".into()))?;
    let list = crl.tbs_cert_list;
    Ok(Crl {
        this_update: list.this_update.to_system_time(),
        next_update: list.next_update.map(|t| t.to_system_time()),
        revoked: list
            .revoked_certificates
            .unwrap_or_default()
            .into_iter()
            .map(|r| (r.serial_number, r.revocation_date.to_system_time()))
            .collect(),
    })
}
