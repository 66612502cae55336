//! Signatures that stock tools would make or accept, bent one way each: the verifier
//! must refuse every one (issue 12, findings 18 and 19).
use super::*;
use crate::{Authority, P256Key};

struct Kit {
    ca: Authority,
    key: P256Key,
    cert: Certificate,
    digest: [u8; 32],
}

fn kit() -> Kit {
    let now = SystemTime::now();
    let ca = Authority::create("Svitok", now).unwrap();
    let (key, cert) = crate::test_kit::signer(&ca, now);
    Kit {
        ca,
        key,
        cert,
        digest: Sha256::digest(b"content").into(),
    }
}

/// A good signature by `kit`, changed by `bend` and signed again by the same key.
fn bent(kit: &Kit, bend: impl FnOnce(&mut SignedData, &mut Vec<Attribute>)) -> Vec<u8> {
    let good = sign_detached(
        &kit.key,
        &kit.cert,
        kit.ca.certificate(),
        &kit.digest,
        SystemTime::now(),
    )
    .unwrap();
    resigned(&good, &kit.key, bend).unwrap()
}

fn verdict(kit: &Kit, der: &[u8]) -> Verdict {
    verify_detached(der, &kit.digest, kit.ca.certificate(), &[], None)
        .unwrap()
        .verdict
}

#[test]
fn the_unbent_signature_is_valid() {
    let k = kit();
    assert_eq!(verdict(&k, &bent(&k, |_, _| {})), Verdict::Valid);
}

#[test]
fn a_second_message_digest_is_refused() {
    let k = kit();
    let other: [u8; 32] = Sha256::digest(b"other").into();
    let der = bent(&k, |_, attrs| {
        attrs.push(attribute(rfc5911::ID_MESSAGE_DIGEST, &OctetString::new(other.to_vec()).unwrap()).unwrap());
    });
    assert!(matches!(verdict(&k, &der), Verdict::Invalid(why) if why.contains("twice")));
}

#[test]
fn missing_signing_certificate_or_signing_time_is_refused() {
    for oid in [rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2, rfc5911::ID_SIGNING_TIME] {
        let k = kit();
        let der = bent(&k, |_, attrs| attrs.retain(|a| a.oid != oid));
        assert!(
            matches!(verdict(&k, &der), Verdict::Invalid(_)),
            "{oid} missing was accepted"
        );
    }
}

#[test]
fn content_type_must_match_the_encapsulated_type() {
    let k = kit();
    let der = bent(&k, |sd, _| {
        sd.encap_content_info.econtent_type = rfc5911::ID_CT_AUTH_DATA;
    });
    assert!(matches!(verdict(&k, &der), Verdict::Invalid(why) if why.contains("content-type")));
}

#[test]
fn the_ca_itself_is_no_document_signer() {
    let k = kit();
    let ca = k.ca.certificate();
    let der = sign_detached(k.ca.key(), ca, ca, &k.digest, SystemTime::now()).unwrap();
    // The CA's certificate chains to itself, so only the usage checks stop it.
    assert!(
        matches!(verdict(&k, &der), Verdict::Invalid(why) if why.contains("CA")),
        "{:?}",
        verdict(&k, &der)
    );
}

#[test]
fn the_ca_has_a_path_length_of_zero() {
    use const_oid::AssociatedOid;
    use x509_cert::ext::pkix::BasicConstraints;
    let k = kit();
    let bc =
        k.ca.certificate()
            .tbs_certificate
            .extensions
            .as_ref()
            .unwrap()
            .iter()
            .find(|e| e.extn_id == BasicConstraints::OID)
            .map(|e| BasicConstraints::from_der(e.extn_value.as_bytes()).unwrap())
            .unwrap();
    assert!(bc.ca);
    assert_eq!(bc.path_len_constraint, Some(0));
    assert_eq!(
        k.ca.certificate().tbs_certificate.issuer,
        k.ca.certificate().tbs_certificate.subject
    );
}
