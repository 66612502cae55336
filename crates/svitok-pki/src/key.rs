//! Private keys that sign. The algorithm and where the key lives are behind [`SignerKey`]:
//! today a software ECDSA P-256 key sealed under the master key; a GOST R 34.10-2012 key or
//! a PKCS #11 token can implement the same trait.

use crate::{PkiError, Result};
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{DerSignature, SigningKey, VerifyingKey};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use zeroize::Zeroizing;

/// A signing key: what certificates and CMS signatures need from it.
pub trait SignerKey: Send + Sync {
    /// The signature algorithm (with its hash), as written into certificates and CMS.
    fn signature_algorithm(&self) -> AlgorithmIdentifierOwned;
    /// The public half, as it goes into a certificate.
    fn public_key_info(&self) -> Result<SubjectPublicKeyInfoOwned>;
    /// Signs `message` (the key hashes it with its algorithm's hash); DER-encoded signature.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>>;
}

/// ECDSA over NIST P-256 with SHA-256: what stock OpenSSL verifies in CMS.
pub struct P256Key(SigningKey);

impl P256Key {
    pub fn generate() -> P256Key {
        P256Key(SigningKey::random(&mut rand::rngs::OsRng))
    }

    /// PKCS #8 DER, to be sealed before it is stored.
    pub fn to_pkcs8(&self) -> Result<Zeroizing<Vec<u8>>> {
        let doc = self.0.to_pkcs8_der().map_err(|e| PkiError::Key(e.to_string()))?;
        Ok(Zeroizing::new(doc.as_bytes().to_vec()))
    }

    pub fn from_pkcs8(der: &[u8]) -> Result<P256Key> {
        SigningKey::from_pkcs8_der(der)
            .map(P256Key)
            .map_err(|e| PkiError::Key(e.to_string()))
    }

    /// The key in the shape the x509-cert builder wants (for issuing certificates).
    pub(crate) fn inner(&self) -> &SigningKey {
        &self.0
    }
}

impl SignerKey for P256Key {
    fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        ecdsa_with_sha256()
    }

    fn public_key_info(&self) -> Result<SubjectPublicKeyInfoOwned> {
        let der = self
            .0
            .verifying_key()
            .to_public_key_der()
            .map_err(|e| PkiError::Key(e.to_string()))?;
        SubjectPublicKeyInfoOwned::try_from(der.as_bytes()).map_err(|e| PkiError::Key(e.to_string()))
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let sig: DerSignature = self.0.try_sign(message).map_err(|e| PkiError::Key(e.to_string()))?;
        Ok(sig.as_bytes().to_vec())
    }
}

pub fn ecdsa_with_sha256() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: const_oid::db::rfc5912::ECDSA_WITH_SHA_256,
        parameters: None,
    }
}

pub fn sha256_algorithm() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: const_oid::db::rfc5912::ID_SHA_256,
        parameters: None,
    }
}

/// Checks a DER ECDSA P-256/SHA-256 signature over `message` by the key in `spki`.
/// Other algorithms are reported, not guessed at.
pub fn verify_signature(
    spki: &SubjectPublicKeyInfoOwned,
    algorithm: &AlgorithmIdentifierOwned,
    message: &[u8],
    signature: &[u8],
) -> Result<()> {
    if algorithm.oid != const_oid::db::rfc5912::ECDSA_WITH_SHA_256 {
        return Err(PkiError::Unsupported(format!("signature algorithm {}", algorithm.oid)));
    }
    let key = VerifyingKey::from_sec1_bytes(spki.subject_public_key.raw_bytes())
        .map_err(|_| PkiError::Invalid("the public key is not a P-256 point".into()))?;
    let sig = DerSignature::from_bytes(signature).map_err(|_| PkiError::Invalid("malformed ECDSA signature".into()))?;
    key.verify(message, &sig)
        .map_err(|_| PkiError::Invalid("the signature does not match".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_and_pkcs8_round_trip() {
        let k = P256Key::generate();
        let sig = k.sign(b"hello").unwrap();
        let spki = k.public_key_info().unwrap();
        verify_signature(&spki, &k.signature_algorithm(), b"hello", &sig).unwrap();
        assert!(verify_signature(&spki, &k.signature_algorithm(), b"hellO", &sig).is_err());
        let again = P256Key::from_pkcs8(&k.to_pkcs8().unwrap()).unwrap();
        verify_signature(&spki, &k.signature_algorithm(), b"x", &again.sign(b"x").unwrap()).unwrap();
    }
}
