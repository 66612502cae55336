//! Detached CMS SignedData with CAdES-BES signed attributes (content type, message digest,
//! signing time, ESS signing-certificate-v2), made from a content digest so the content
//! itself can be streamed, and checked the way `openssl cms -verify` does — plus
//! revocation, which OpenSSL leaves to the caller.

use crate::authority::{check_issued_by, serial_hex};
use crate::key::{ecdsa_with_sha256, sha256_algorithm, SignerKey};
use crate::{PkiError, Result};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedAttributes, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use const_oid::db::{rfc5911, rfc5912};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode, Sequence};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use std::time::SystemTime;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Time;
use x509_cert::Certificate;

/// ESSCertIDv2 (RFC 5035); the hash algorithm is SHA-256, the DEFAULT, so it is omitted.
#[derive(Clone, Debug, Sequence)]
pub(crate) struct EssCertIdV2 {
    #[asn1(optional = "true")]
    hash_algorithm: Option<AlgorithmIdentifierOwned>,
    cert_hash: OctetString,
    #[asn1(optional = "true")]
    issuer_serial: Option<IssuerSerial>,
}

#[derive(Clone, Debug, Sequence)]
pub(crate) struct IssuerSerial {
    issuer: Vec<GeneralName>,
    serial_number: SerialNumber,
}

#[derive(Clone, Debug, Sequence)]
pub(crate) struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

/// The ESS signing-certificate-v2 value naming `cert` (its SHA-256, issuer and serial).
pub(crate) fn signing_certificate_v2(cert: &Certificate) -> Result<SigningCertificateV2> {
    let cert_der = cert.to_der().map_err(PkiError::der)?;
    Ok(SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            hash_algorithm: None,
            cert_hash: OctetString::new(Sha256::digest(&cert_der).to_vec()).map_err(PkiError::der)?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(cert.tbs_certificate.issuer.clone())],
                serial_number: cert.tbs_certificate.serial_number.clone(),
            }),
        }],
    })
}

/// Whether an ESS signing-certificate-v2 value names `cert`.
pub(crate) fn names_certificate(ess: &Any, cert: &Certificate) -> Result<()> {
    let ess: SigningCertificateV2 = ess
        .decode_as()
        .map_err(|_| PkiError::Invalid("malformed signing-certificate-v2 attribute".into()))?;
    let hash = Sha256::digest(cert.to_der().map_err(PkiError::der)?);
    let first = ess
        .certs
        .first()
        .ok_or_else(|| PkiError::Invalid("empty signing-certificate-v2".into()))?;
    if first
        .hash_algorithm
        .as_ref()
        .is_some_and(|a| a.oid != rfc5912::ID_SHA_256)
        || first.cert_hash.as_bytes() != hash.as_slice()
    {
        return Err(PkiError::Invalid(
            "the signing-certificate-v2 attribute names another certificate".into(),
        ));
    }
    Ok(())
}

pub(crate) fn attribute(oid: der::oid::ObjectIdentifier, value: &impl Encode) -> Result<Attribute> {
    let any = Any::from_der(&value.to_der().map_err(PkiError::der)?).map_err(PkiError::der)?;
    let mut values = SetOfVec::new();
    values.insert(any).map_err(PkiError::der)?;
    Ok(Attribute { oid, values })
}

/// A detached signature (DER `ContentInfo`) by `key`, holder of `signer`, over content whose
/// SHA-256 is `digest`. The signer's and the CA's certificates travel with it.
pub fn sign_detached(
    key: &dyn SignerKey,
    signer: &Certificate,
    ca: &Certificate,
    digest: &[u8; 32],
    signing_time: SystemTime,
) -> Result<Vec<u8>> {
    let ess = signing_certificate_v2(signer)?;
    let attrs: SignedAttributes = SetOfVec::try_from(vec![
        attribute(rfc5911::ID_CONTENT_TYPE, &rfc5911::ID_DATA)?,
        attribute(
            rfc5911::ID_MESSAGE_DIGEST,
            &OctetString::new(digest.to_vec()).map_err(PkiError::der)?,
        )?,
        attribute(rfc5911::ID_SIGNING_TIME, &crate::authority::x509_time(signing_time)?)?,
        attribute(rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2, &ess)?,
    ])
    .map_err(PkiError::der)?;
    // The signature covers the DER of the attributes as a SET (RFC 5652 §5.4).
    let signature = key.sign(&attrs.to_der().map_err(PkiError::der)?)?;
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: signer.tbs_certificate.issuer.clone(),
            serial_number: signer.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: sha256_algorithm(),
        signed_attrs: Some(attrs),
        signature_algorithm: key.signature_algorithm(),
        signature: OctetString::new(signature).map_err(PkiError::der)?,
        unsigned_attrs: None,
    };
    let signed = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![sha256_algorithm()]).map_err(PkiError::der)?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: rfc5911::ID_DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet({
            let mut chain = vec![CertificateChoices::Certificate(signer.clone())];
            if ca != signer {
                chain.push(CertificateChoices::Certificate(ca.clone()));
            }
            SetOfVec::try_from(chain).map_err(PkiError::der)?
        })),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer_info]).map_err(PkiError::der)?),
    };
    ContentInfo {
        content_type: rfc5911::ID_SIGNED_DATA,
        content: Any::encode_from(&signed).map_err(PkiError::der)?,
    }
    .to_der()
    .map_err(PkiError::der)
}

/// What a check of one signature found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Valid,
    /// Everything holds, and the certificate was revoked after the signature was made.
    ValidAtSigningTime {
        revoked_at: SystemTime,
    },
    Invalid(String),
}

#[derive(Debug, Clone)]
pub struct Report {
    pub verdict: Verdict,
    /// The signer's certificate, when the signature names one it carries.
    pub signer: Option<Certificate>,
    pub serial: Option<String>,
    /// The `signing-time` attribute: the signer's own claim, never trusted for validity
    /// or revocation.
    pub signing_time: Option<SystemTime>,
    /// The time the check judged validity and revocation at: the trusted time of signing
    /// (the caller's, or the signature's own RFC 3161 time-stamp), else the time of the
    /// check.
    pub judged_at: SystemTime,
    /// The time the signature's time-stamp token vouches for, when it carries a good one.
    pub time_stamped_at: Option<SystemTime>,
}

/// The pieces of a detached signature, parsed.
struct Parsed {
    info: SignerInfo,
    signer: Certificate,
    /// The encapsulated content's type, which the content-type attribute must repeat.
    econtent_type: der::oid::ObjectIdentifier,
}

fn parse(cms_der: &[u8]) -> Result<Parsed> {
    let ci = ContentInfo::from_der(cms_der).map_err(|_| PkiError::Invalid("not a CMS message".into()))?;
    if ci.content_type != rfc5911::ID_SIGNED_DATA {
        return Err(PkiError::Invalid("not a CMS SignedData".into()));
    }
    let sd: SignedData = ci
        .content
        .decode_as()
        .map_err(|_| PkiError::Invalid("malformed SignedData".into()))?;
    if sd.encap_content_info.econtent.is_some() {
        return Err(PkiError::Invalid("the signature is not detached".into()));
    }
    let econtent_type = sd.encap_content_info.econtent_type;
    let mut infos = sd.signer_infos.0.into_vec();
    if infos.len() != 1 {
        return Err(PkiError::Invalid(format!(
            "{} signers in one file; expected one",
            infos.len()
        )));
    }
    let info = infos.remove(0);
    let SignerIdentifier::IssuerAndSerialNumber(sid) = &info.sid else {
        return Err(PkiError::Unsupported("signer identified by key identifier".into()));
    };
    let signer = sd
        .certificates
        .map(|c| c.0.into_vec())
        .unwrap_or_default()
        .into_iter()
        .find_map(|c| match c {
            CertificateChoices::Certificate(c)
                if c.tbs_certificate.issuer == sid.issuer && c.tbs_certificate.serial_number == sid.serial_number =>
            {
                Some(c)
            }
            _ => None,
        })
        .ok_or_else(|| PkiError::Invalid("the signer's certificate is not in the file".into()))?;
    Ok(Parsed {
        info,
        signer,
        econtent_type,
    })
}

pub(crate) fn attr(attrs: &SignedAttributes, oid: der::oid::ObjectIdentifier) -> Option<&Any> {
    attrs
        .iter()
        .find(|a| a.oid == oid)
        .and_then(|a| (a.values.len() == 1).then(|| a.values.iter().next()).flatten())
}

/// Checks a detached signature against the content's SHA-256, the CA and the revocations.
/// Malformed input is an error; a well-formed signature that does not hold is a report
/// with [`Verdict::Invalid`].
///
/// `trusted_time` is when the signature was made by a clock the signer does not control
/// (the server's own record of the signature). The `signing-time` attribute is the
/// signer's claim: anyone holding a key after its revocation can backdate it, so it never
/// decides. Without a trusted time the certificate must be valid and unrevoked now.
pub fn verify_detached(
    cms_der: &[u8],
    content_digest: &[u8; 32],
    ca: &Certificate,
    revoked: &[(SerialNumber, SystemTime)],
    trusted_time: Option<SystemTime>,
) -> Result<Report> {
    let Parsed {
        info,
        signer,
        econtent_type,
    } = parse(cms_der)?;
    let signing_time = info
        .signed_attrs
        .as_ref()
        .and_then(|a| attr(a, rfc5911::ID_SIGNING_TIME))
        .and_then(|v| Time::from_der(&v.to_der().ok()?).ok())
        .map(|t| t.to_system_time());
    let stamp = crate::timestamp::time_of(&info, ca);
    let time_stamped_at = stamp.as_ref().ok().copied().flatten();
    let trusted_time = trusted_time.or(time_stamped_at);
    let judged_at = trusted_time.unwrap_or_else(SystemTime::now);
    let mut report = Report {
        verdict: Verdict::Valid,
        serial: Some(serial_hex(&signer.tbs_certificate.serial_number)),
        signer: Some(signer.clone()),
        signing_time,
        judged_at,
        time_stamped_at,
    };
    if let Err(why) = stamp {
        report.verdict = Verdict::Invalid(why.to_string());
        return Ok(report);
    }
    if let Err(why) = check(&info, &signer, econtent_type, content_digest, ca, judged_at) {
        report.verdict = Verdict::Invalid(why.to_string());
        return Ok(report);
    }
    if let Some((_, at)) = revoked.iter().find(|(s, _)| *s == signer.tbs_certificate.serial_number) {
        report.verdict = match trusted_time {
            Some(t) if t < *at => Verdict::ValidAtSigningTime { revoked_at: *at },
            Some(_) => Verdict::Invalid("the signer's certificate was revoked before this signature was made".into()),
            None => Verdict::Invalid(
                "the signer's certificate is revoked, and nothing but the signer's own claim says when the signature was made"
                    .into(),
            ),
        };
    }
    Ok(report)
}

fn check(
    info: &SignerInfo,
    signer: &Certificate,
    econtent_type: der::oid::ObjectIdentifier,
    content_digest: &[u8; 32],
    ca: &Certificate,
    at: SystemTime,
) -> Result<()> {
    if info.digest_alg.oid != rfc5912::ID_SHA_256 {
        return Err(PkiError::Unsupported(format!(
            "digest algorithm {}",
            info.digest_alg.oid
        )));
    }
    let attrs = info
        .signed_attrs
        .as_ref()
        .ok_or_else(|| PkiError::Invalid("no signed attributes".into()))?;
    // RFC 5652 §5.3: each attribute once, with one value; CAdES-BES needs these four.
    for (i, a) in attrs.iter().enumerate() {
        if attrs.iter().skip(i + 1).any(|b| b.oid == a.oid) {
            return Err(PkiError::Invalid(format!(
                "the signed attribute {} appears twice",
                a.oid
            )));
        }
        if a.values.len() != 1 {
            return Err(PkiError::Invalid(format!(
                "the signed attribute {} has {} values",
                a.oid,
                a.values.len()
            )));
        }
    }
    for (oid, name) in [
        (rfc5911::ID_SIGNING_TIME, "signing-time"),
        (rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2, "signing-certificate-v2"),
    ] {
        if attr(attrs, oid).is_none() {
            return Err(PkiError::Invalid(format!("no {name} attribute")));
        }
    }
    let content_type =
        attr(attrs, rfc5911::ID_CONTENT_TYPE).and_then(|v| v.decode_as::<der::oid::ObjectIdentifier>().ok());
    if content_type != Some(rfc5911::ID_DATA) || econtent_type != rfc5911::ID_DATA {
        return Err(PkiError::Invalid(
            "the content-type attribute is missing, wrong, or differs from the content's type".into(),
        ));
    }
    check_signer_usage(signer)?;
    let digest = attr(attrs, rfc5911::ID_MESSAGE_DIGEST)
        .and_then(|v| v.decode_as::<OctetString>().ok())
        .ok_or_else(|| PkiError::Invalid("no message-digest attribute".into()))?;
    if digest.as_bytes() != content_digest {
        return Err(PkiError::Invalid(
            "the content does not match the signature (digest differs)".into(),
        ));
    }
    // Present: checked above with the other required attributes.
    let ess = attr(attrs, rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2)
        .ok_or_else(|| PkiError::Invalid("no signing-certificate-v2 attribute".into()))?;
    names_certificate(ess, signer)?;
    // OpenSSL writes either ecdsa-with-SHA256 or the bare EC key OID here.
    let algorithm = if info.signature_algorithm.oid == rfc5912::ID_EC_PUBLIC_KEY {
        ecdsa_with_sha256()
    } else {
        info.signature_algorithm.clone()
    };
    crate::key::verify_signature(
        &signer.tbs_certificate.subject_public_key_info,
        &algorithm,
        &attrs.to_der().map_err(PkiError::der)?,
        info.signature.as_bytes(),
    )?;
    check_issued_by(signer, ca)?;
    let validity = &signer.tbs_certificate.validity;
    if at < validity.not_before.to_system_time() || at > validity.not_after.to_system_time() {
        return Err(PkiError::Invalid(
            "the certificate was not valid when the signature was made".into(),
        ));
    }
    Ok(())
}

/// A document signer's certificate: an end entity (not a CA) whose key usage allows
/// signatures and whose extended key usage is e-mail protection (what Svitok issues).
fn check_signer_usage(cert: &Certificate) -> Result<()> {
    use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages};
    let ext = |oid| {
        cert.tbs_certificate
            .extensions
            .as_ref()
            .and_then(|all| all.iter().find(|e| e.extn_id == oid))
            .map(|e| e.extn_value.as_bytes())
    };
    use const_oid::AssociatedOid;
    if let Some(bytes) = ext(BasicConstraints::OID) {
        let bc =
            BasicConstraints::from_der(bytes).map_err(|_| PkiError::Invalid("malformed basic constraints".into()))?;
        if bc.ca {
            return Err(PkiError::Invalid(
                "the signer's certificate is a CA's, not a signer's".into(),
            ));
        }
    }
    let usage = ext(KeyUsage::OID)
        .and_then(|b| KeyUsage::from_der(b).ok())
        .ok_or_else(|| PkiError::Invalid("the signer's certificate has no key usage".into()))?;
    if !(usage.0.contains(KeyUsages::DigitalSignature) || usage.0.contains(KeyUsages::NonRepudiation)) {
        return Err(PkiError::Invalid(
            "the signer's certificate is not for signatures (key usage)".into(),
        ));
    }
    let eku = ext(ExtendedKeyUsage::OID)
        .and_then(|b| ExtendedKeyUsage::from_der(b).ok())
        .ok_or_else(|| PkiError::Invalid("the signer's certificate has no extended key usage".into()))?;
    if !eku.0.contains(&const_oid::db::rfc5280::ID_KP_EMAIL_PROTECTION) {
        return Err(PkiError::Invalid(
            "the signer's certificate is not for e-mail protection (extended key usage)".into(),
        ));
    }
    Ok(())
}

/// `good`, changed by `bend` (its SignedData and signed attributes), and signed again by
/// `key`: how tests craft signatures that stock tools could make but the verifier must
/// refuse.
#[cfg(any(test, feature = "test-kit"))]
pub(crate) fn resigned(
    good: &[u8],
    key: &dyn SignerKey,
    bend: impl FnOnce(&mut SignedData, &mut Vec<Attribute>),
) -> Result<Vec<u8>> {
    let e = PkiError::der;
    let ci = ContentInfo::from_der(good).map_err(e)?;
    let mut sd: SignedData = ci.content.decode_as().map_err(e)?;
    let mut info = sd.signer_infos.0.as_slice()[0].clone();
    let mut attrs: Vec<Attribute> = info.signed_attrs.take().map(|a| a.into_vec()).unwrap_or_default();
    bend(&mut sd, &mut attrs);
    // A SET OF sorts its members; duplicates are allowed in the encoding we build.
    let set = SetOfVec::from_iter(attrs).map_err(e)?;
    info.signature = OctetString::new(key.sign(&set.to_der().map_err(e)?)?).map_err(e)?;
    info.signed_attrs = Some(set);
    sd.signer_infos = SignerInfos(SetOfVec::try_from(vec![info]).map_err(e)?);
    ContentInfo {
        content_type: rfc5911::ID_SIGNED_DATA,
        content: Any::encode_from(&sd).map_err(e)?,
    }
    .to_der()
    .map_err(e)
}

/// What the test kit can do to a good signature (feature `test-kit`).
#[cfg(feature = "test-kit")]
#[derive(Debug, Clone, Copy)]
pub enum Bend {
    /// A second message-digest attribute, of other content.
    SecondMessageDigest,
    NoSigningCertificate,
    NoSigningTime,
    /// The encapsulated content type differs from the content-type attribute.
    ContentTypeMismatch,
}

/// `good` (by `key`) bent one way and signed again (feature `test-kit`).
#[cfg(feature = "test-kit")]
pub fn bent_signature(good: &[u8], key: &dyn SignerKey, bend: Bend) -> Result<Vec<u8>> {
    resigned(good, key, |sd, attrs| match bend {
        Bend::SecondMessageDigest => {
            if let Ok(a) = OctetString::new(vec![0u8; 32])
                .map_err(PkiError::der)
                .and_then(|d| attribute(rfc5911::ID_MESSAGE_DIGEST, &d))
            {
                attrs.push(a);
            }
        }
        Bend::NoSigningCertificate => attrs.retain(|a| a.oid != rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2),
        Bend::NoSigningTime => attrs.retain(|a| a.oid != rfc5911::ID_SIGNING_TIME),
        Bend::ContentTypeMismatch => sd.encap_content_info.econtent_type = rfc5911::ID_CT_AUTH_DATA,
    })
}

/// The signer's certificate a detached signature carries.
pub fn signer_certificate(cms_der: &[u8]) -> Result<Certificate> {
    parse(cms_der).map(|p| p.signer)
}

#[cfg(test)]
mod tests;
