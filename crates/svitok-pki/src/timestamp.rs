//! Svitok's own time-stamping authority (RFC 3161) and CAdES-T: a token over each
//! signature's value, signed by a key of its own whose certificate the CA issued for
//! `timeStamping` alone, embedded as the signature's unsigned attribute
//! id-aa-signatureTimeStampToken. It is what lets a verifier without Svitok know when a
//! signature was made by a clock the signer does not control (`openssl ts -verify`).

use crate::authority::{check_issued_by, x509_time, Authority, Holder};
use crate::cms_signature::{attr, attribute, names_certificate, signing_certificate_v2};
use crate::key::{sha256_algorithm, P256Key, SignerKey};
use crate::{PkiError, Result};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedAttributes, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use const_oid::db::{rfc5280, rfc5911, rfc5912};
use const_oid::{AssociatedOid, ObjectIdentifier};
use der::asn1::{GeneralizedTime, OctetString, SetOfVec, Uint};
use der::{Any, Decode, DecodePem, Encode, EncodePem, Sequence, Tag};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use std::time::{Duration, SystemTime};
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::ExtendedKeyUsage;
use x509_cert::Certificate;

/// id-ct-TSTInfo (RFC 3161 §2.4.2).
pub const ID_CT_TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
/// id-aa-signatureTimeStampToken (RFC 3161 Appendix A): the unsigned attribute of CAdES-T.
pub const ID_AA_SIGNATURE_TIME_STAMP_TOKEN: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");
/// The TSA's policy. An arc under Svitok's own identifier space would be better; this is
/// the example arc RFC 3161's own examples use, and verifiers only compare it when asked.
const POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.3.4.1");

#[derive(Clone, Debug, Sequence)]
struct MessageImprint {
    hash_algorithm: AlgorithmIdentifierOwned,
    hashed_message: OctetString,
}

#[derive(Clone, Debug, Sequence)]
struct Accuracy {
    #[asn1(optional = "true")]
    seconds: Option<u64>,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    millis: Option<u16>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    micros: Option<u16>,
}

#[derive(Clone, Debug, Sequence)]
struct TstInfo {
    version: u8,
    policy: ObjectIdentifier,
    message_imprint: MessageImprint,
    serial_number: Uint,
    gen_time: GeneralizedTime,
    #[asn1(optional = "true")]
    accuracy: Option<Accuracy>,
    #[asn1(default = "Default::default")]
    ordering: bool,
    #[asn1(optional = "true")]
    nonce: Option<Uint>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    tsa: Option<GeneralName>,
}

/// The time-stamping authority: its key and the certificate the CA issued for it.
pub struct TimeStamper {
    cert: Certificate,
    key: P256Key,
}

impl std::fmt::Debug for TimeStamper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimeStamper")
            .field("subject", &self.cert.tbs_certificate.subject.to_string())
            .finish()
    }
}

impl TimeStamper {
    /// A new TSA key with a certificate from `ca` for time-stamping only (the extended
    /// key usage is critical, as RFC 3161 §2.3 requires), as long-lived as the CA.
    pub fn create(ca: &Authority, organisation: &str, now: SystemTime) -> Result<TimeStamper> {
        let key = P256Key::generate();
        let name = format!("{organisation} — служба штампов времени");
        let holder = Holder {
            full_name: &name,
            email: "",
            organisation,
        };
        let life = crate::authority::CA_VALIDITY;
        let cert = ca.issue_for(&holder, &key, now, life, rfc5280::ID_KP_TIME_STAMPING, None)?;
        Ok(TimeStamper { cert, key })
    }

    /// The TSA as stored: certificate (PEM) and key (PKCS #8), checked against `ca`.
    pub fn from_parts(cert_pem: &str, key_pkcs8: &[u8], ca: &Certificate) -> Result<TimeStamper> {
        let cert = Certificate::from_pem(cert_pem).map_err(PkiError::der)?;
        let key = P256Key::from_pkcs8(key_pkcs8)?;
        if cert.tbs_certificate.subject_public_key_info != key.public_key_info()? {
            return Err(PkiError::Key(
                "the time-stamping key does not match its certificate".into(),
            ));
        }
        check_issued_by(&cert, ca)?;
        Ok(TimeStamper { cert, key })
    }

    pub fn key(&self) -> &P256Key {
        &self.key
    }

    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }

    pub fn certificate_pem(&self) -> Result<String> {
        self.cert.to_pem(der::pem::LineEnding::LF).map_err(PkiError::der)
    }

    /// A TimeStampToken (DER `ContentInfo`) saying that data whose SHA-256 is `digest`
    /// existed at `at`.
    pub fn token(&self, ca: &Certificate, digest: &[u8; 32], at: SystemTime) -> Result<Vec<u8>> {
        let e = PkiError::der;
        let secs = at
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_err(|_| PkiError::Invalid("time before 1970".into()))?
            .as_secs();
        let serial = crate::authority::random_serial();
        let tst = TstInfo {
            version: 1,
            policy: POLICY,
            message_imprint: MessageImprint {
                hash_algorithm: sha256_algorithm(),
                hashed_message: OctetString::new(digest.to_vec()).map_err(e)?,
            },
            serial_number: Uint::new(serial.as_bytes()).map_err(e)?,
            gen_time: GeneralizedTime::from_unix_duration(Duration::from_secs(secs)).map_err(e)?,
            accuracy: Some(Accuracy {
                seconds: Some(1),
                millis: None,
                micros: None,
            }),
            ordering: false,
            nonce: None,
            tsa: Some(GeneralName::DirectoryName(self.cert.tbs_certificate.subject.clone())),
        };
        let tst_der = tst.to_der().map_err(e)?;
        let attrs: SignedAttributes = SetOfVec::try_from(vec![
            attribute(rfc5911::ID_CONTENT_TYPE, &ID_CT_TST_INFO)?,
            attribute(
                rfc5911::ID_MESSAGE_DIGEST,
                &OctetString::new(Sha256::digest(&tst_der).to_vec()).map_err(e)?,
            )?,
            attribute(rfc5911::ID_SIGNING_TIME, &x509_time(at)?)?,
            attribute(
                rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2,
                &signing_certificate_v2(&self.cert)?,
            )?,
        ])
        .map_err(e)?;
        let signature = self.key.sign(&attrs.to_der().map_err(e)?)?;
        let info = SignerInfo {
            version: CmsVersion::V1,
            sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                issuer: self.cert.tbs_certificate.issuer.clone(),
                serial_number: self.cert.tbs_certificate.serial_number.clone(),
            }),
            digest_alg: sha256_algorithm(),
            signed_attrs: Some(attrs),
            signature_algorithm: self.key.signature_algorithm(),
            signature: OctetString::new(signature).map_err(e)?,
            unsigned_attrs: None,
        };
        // The content is not id-data, so SignedData is version 3 (RFC 5652 §5.1), and
        // the TSTInfo travels inside as an OCTET STRING (what OpenSSL insists on).
        let signed = SignedData {
            version: CmsVersion::V3,
            digest_algorithms: SetOfVec::try_from(vec![sha256_algorithm()]).map_err(e)?,
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: ID_CT_TST_INFO,
                econtent: Some(Any::new(Tag::OctetString, tst_der).map_err(e)?),
            },
            certificates: Some(CertificateSet(
                SetOfVec::try_from(vec![
                    CertificateChoices::Certificate(self.cert.clone()),
                    CertificateChoices::Certificate(ca.clone()),
                ])
                .map_err(e)?,
            )),
            crls: None,
            signer_infos: SignerInfos(SetOfVec::try_from(vec![info]).map_err(e)?),
        };
        ContentInfo {
            content_type: rfc5911::ID_SIGNED_DATA,
            content: Any::encode_from(&signed).map_err(e)?,
        }
        .to_der()
        .map_err(e)
    }
}

/// A detached CMS signature made CAdES-T: a token from `stamper` over its signature value,
/// added as an unsigned attribute (which the signature does not cover, so it still
/// verifies as before).
pub fn add_time_stamp(cms_der: &[u8], stamper: &TimeStamper, ca: &Certificate, at: SystemTime) -> Result<Vec<u8>> {
    let e = PkiError::der;
    let ci = ContentInfo::from_der(cms_der).map_err(e)?;
    let mut sd: SignedData = ci.content.decode_as().map_err(e)?;
    let mut infos = sd.signer_infos.0.into_vec();
    if infos.len() != 1 {
        return Err(PkiError::Invalid("one signer expected".into()));
    }
    let mut info = infos.remove(0);
    let digest: [u8; 32] = Sha256::digest(info.signature.as_bytes()).into();
    let token = stamper.token(ca, &digest, at)?;
    let stamp = Attribute {
        oid: ID_AA_SIGNATURE_TIME_STAMP_TOKEN,
        values: SetOfVec::try_from(vec![Any::from_der(&token).map_err(e)?]).map_err(e)?,
    };
    info.unsigned_attrs = Some(SetOfVec::try_from(vec![stamp]).map_err(e)?);
    sd.signer_infos = SignerInfos(SetOfVec::try_from(vec![info]).map_err(e)?);
    ContentInfo {
        content_type: rfc5911::ID_SIGNED_DATA,
        content: Any::encode_from(&sd).map_err(e)?,
    }
    .to_der()
    .map_err(e)
}

/// A detached signature's signature value and its time-stamp token (DER), if it has one:
/// what `openssl ts -verify -data … -in … -token_in` takes.
pub fn value_and_token(cms_der: &[u8]) -> Result<(Vec<u8>, Option<Vec<u8>>)> {
    let ci = ContentInfo::from_der(cms_der).map_err(PkiError::der)?;
    let sd: SignedData = ci.content.decode_as().map_err(PkiError::der)?;
    let info = sd
        .signer_infos
        .0
        .as_slice()
        .first()
        .ok_or_else(|| PkiError::Invalid("no signer".into()))?;
    Ok((info.signature.as_bytes().to_vec(), token_of(info)))
}

/// The time-stamp token a signer info carries (DER), if any.
pub fn token_of(info: &SignerInfo) -> Option<Vec<u8>> {
    let attrs = info.unsigned_attrs.as_ref()?;
    let a = attrs.iter().find(|a| a.oid == ID_AA_SIGNATURE_TIME_STAMP_TOKEN)?;
    a.values.iter().next()?.to_der().ok()
}

fn invalid(why: &str) -> PkiError {
    PkiError::Invalid(format!("the time-stamp does not hold: {why}"))
}

/// When the time-stamp on `info` says its signature existed: `None` without one, an error
/// when there is one and it does not hold (another TSA, another signature, bad signature).
pub fn time_of(info: &SignerInfo, ca: &Certificate) -> Result<Option<SystemTime>> {
    let Some(token) = token_of(info) else {
        return Ok(None);
    };
    let ci = ContentInfo::from_der(&token).map_err(|_| invalid("not a CMS message"))?;
    if ci.content_type != rfc5911::ID_SIGNED_DATA {
        return Err(invalid("not SignedData"));
    }
    let sd: SignedData = ci.content.decode_as().map_err(|_| invalid("malformed SignedData"))?;
    if sd.encap_content_info.econtent_type != ID_CT_TST_INFO {
        return Err(invalid("the content is not a TSTInfo"));
    }
    let tst_der = sd
        .encap_content_info
        .econtent
        .as_ref()
        .and_then(|c| c.decode_as::<OctetString>().ok())
        .ok_or_else(|| invalid("no TSTInfo inside"))?;
    let tst = TstInfo::from_der(tst_der.as_bytes()).map_err(|_| invalid("malformed TSTInfo"))?;
    let imprint = &tst.message_imprint;
    if imprint.hash_algorithm.oid != rfc5912::ID_SHA_256
        || imprint.hashed_message.as_bytes() != Sha256::digest(info.signature.as_bytes()).as_slice()
    {
        return Err(invalid("it is over another signature"));
    }
    let infos = sd.signer_infos.0.as_slice();
    let [tsa_info] = infos else {
        return Err(invalid("one signer expected"));
    };
    let SignerIdentifier::IssuerAndSerialNumber(sid) = &tsa_info.sid else {
        return Err(invalid("the TSA is identified by key identifier"));
    };
    let tsa = sd
        .certificates
        .as_ref()
        .map(|c| c.0.as_slice())
        .unwrap_or_default()
        .iter()
        .find_map(|c| match c {
            CertificateChoices::Certificate(c)
                if c.tbs_certificate.issuer == sid.issuer && c.tbs_certificate.serial_number == sid.serial_number =>
            {
                Some(c.clone())
            }
            _ => None,
        })
        .ok_or_else(|| invalid("the TSA's certificate is not in the token"))?;
    check_issued_by(&tsa, ca).map_err(|_| invalid("the TSA's certificate is not the CA's"))?;
    let eku = tsa
        .tbs_certificate
        .extensions
        .as_ref()
        .and_then(|all| all.iter().find(|e| e.extn_id == ExtendedKeyUsage::OID))
        .filter(|e| e.critical)
        .and_then(|e| ExtendedKeyUsage::from_der(e.extn_value.as_bytes()).ok());
    if eku.is_none_or(|k| k.0 != vec![rfc5280::ID_KP_TIME_STAMPING]) {
        return Err(invalid("the certificate is not a time-stamping authority's"));
    }
    let attrs = tsa_info
        .signed_attrs
        .as_ref()
        .ok_or_else(|| invalid("no signed attributes"))?;
    let content_type = attr(attrs, rfc5911::ID_CONTENT_TYPE).and_then(|v| v.decode_as::<ObjectIdentifier>().ok());
    let digest = attr(attrs, rfc5911::ID_MESSAGE_DIGEST).and_then(|v| v.decode_as::<OctetString>().ok());
    if content_type != Some(ID_CT_TST_INFO)
        || digest.is_none_or(|d| d.as_bytes() != Sha256::digest(tst_der.as_bytes()).as_slice())
    {
        return Err(invalid("its attributes do not match its content"));
    }
    let ess = attr(attrs, rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2).ok_or_else(|| invalid("no signing certificate"))?;
    names_certificate(ess, &tsa)?;
    crate::key::verify_signature(
        &tsa.tbs_certificate.subject_public_key_info,
        &tsa_info.signature_algorithm,
        &attrs.to_der().map_err(PkiError::der)?,
        tsa_info.signature.as_bytes(),
    )
    .map_err(|_| invalid("the TSA's signature is wrong"))?;
    let at = tst.gen_time.to_system_time();
    let validity = &tsa.tbs_certificate.validity;
    if at < validity.not_before.to_system_time() || at > validity.not_after.to_system_time() {
        return Err(invalid("the TSA's certificate was not valid then"));
    }
    Ok(Some(at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cms_signature::{sign_detached, verify_detached, Verdict};
    use crate::test_kit::signer;

    #[test]
    fn a_time_stamp_is_a_trusted_time_of_signing() {
        let now = SystemTime::now();
        let ca = Authority::create("Svitok", now).unwrap();
        let tsa = TimeStamper::create(&ca, "Svitok", now).unwrap();
        let (key, cert) = signer(&ca, now);
        let digest: [u8; 32] = Sha256::digest(b"content").into();
        let plain = sign_detached(&key, &cert, ca.certificate(), &digest, now).unwrap();
        let stamped = add_time_stamp(&plain, &tsa, ca.certificate(), now).unwrap();
        let r = verify_detached(&stamped, &digest, ca.certificate(), &[], None).unwrap();
        assert_eq!(r.verdict, Verdict::Valid);
        let at = r.time_stamped_at.expect("stamped");
        assert!(at <= now && now.duration_since(at).unwrap() < Duration::from_secs(2));
        // Revoked an hour later: the stamp says it was made before, so it stays valid
        // as of then; the same signature without a stamp does not.
        let revoked = [(
            cert.tbs_certificate.serial_number.clone(),
            now + Duration::from_secs(3_600),
        )];
        let r = verify_detached(&stamped, &digest, ca.certificate(), &revoked, None).unwrap();
        assert!(
            matches!(r.verdict, Verdict::ValidAtSigningTime { .. }),
            "{:?}",
            r.verdict
        );
        let r = verify_detached(&plain, &digest, ca.certificate(), &revoked, None).unwrap();
        assert!(matches!(r.verdict, Verdict::Invalid(_)));
    }

    #[test]
    fn a_stamp_from_elsewhere_or_over_another_signature_is_refused() {
        let now = SystemTime::now();
        let ca = Authority::create("Svitok", now).unwrap();
        let (key, cert) = signer(&ca, now);
        let digest: [u8; 32] = Sha256::digest(b"content").into();
        let plain = sign_detached(&key, &cert, ca.certificate(), &digest, now).unwrap();
        // A TSA of another CA: whoever holds a leaked key can run one of those.
        let rogue_ca = Authority::create("Rogue", now).unwrap();
        let rogue = TimeStamper::create(&rogue_ca, "Rogue", now).unwrap();
        let forged = add_time_stamp(&plain, &rogue, rogue_ca.certificate(), now).unwrap();
        let r = verify_detached(&forged, &digest, ca.certificate(), &[], None).unwrap();
        assert!(
            matches!(&r.verdict, Verdict::Invalid(why) if why.contains("time-stamp")),
            "{:?}",
            r.verdict
        );
        // A good stamp, moved from another signature.
        let tsa = TimeStamper::create(&ca, "Svitok", now).unwrap();
        // (ECDSA here is deterministic: another signing time makes another signature.)
        let other = sign_detached(&key, &cert, ca.certificate(), &digest, now + Duration::from_secs(1)).unwrap();
        let (_, token) = value_and_token(&add_time_stamp(&other, &tsa, ca.certificate(), now).unwrap()).unwrap();
        let ci = ContentInfo::from_der(&plain).unwrap();
        let mut sd: SignedData = ci.content.decode_as().unwrap();
        let mut info = sd.signer_infos.0.as_slice()[0].clone();
        info.unsigned_attrs = Some(
            SetOfVec::try_from(vec![Attribute {
                oid: ID_AA_SIGNATURE_TIME_STAMP_TOKEN,
                values: SetOfVec::try_from(vec![Any::from_der(&token.unwrap()).unwrap()]).unwrap(),
            }])
            .unwrap(),
        );
        sd.signer_infos = SignerInfos(SetOfVec::try_from(vec![info]).unwrap());
        let moved = ContentInfo {
            content_type: rfc5911::ID_SIGNED_DATA,
            content: Any::encode_from(&sd).unwrap(),
        }
        .to_der()
        .unwrap();
        let r = verify_detached(&moved, &digest, ca.certificate(), &[], None).unwrap();
        assert!(
            matches!(&r.verdict, Verdict::Invalid(why) if why.contains("another signature")),
            "{:?}",
            r.verdict
        );
    }
}
