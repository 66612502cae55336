//! Reading names back out of certificates, for people.

use const_oid::db::{rfc3280, rfc4519};
use der::asn1::{Ia5StringRef, Utf8StringRef};
use der::oid::ObjectIdentifier;
use x509_cert::Certificate;

fn attribute(cert: &Certificate, oid: ObjectIdentifier) -> Option<String> {
    cert.tbs_certificate
        .subject
        .0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .find(|a| a.oid == oid)
        .and_then(|a| {
            a.value
                .decode_as::<Utf8StringRef>()
                .map(|s| s.as_str().to_string())
                .or_else(|_| a.value.decode_as::<Ia5StringRef>().map(|s| s.as_str().to_string()))
                .ok()
        })
}

pub fn common_name(cert: &Certificate) -> Option<String> {
    attribute(cert, rfc4519::CN)
}

pub fn email(cert: &Certificate) -> Option<String> {
    attribute(cert, rfc3280::EMAIL_ADDRESS)
}

pub fn organisation(cert: &Certificate) -> Option<String> {
    attribute(cert, rfc4519::O)
}
