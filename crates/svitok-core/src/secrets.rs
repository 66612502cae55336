//! The master key and the keys derived from it.
//!
//! The master key lives in a file outside the database; everything secret the database
//! holds (TOTP seeds, later blob and signing keys) is sealed under a key derived from it,
//! so a stolen database alone reveals none of them.

use base64::{engine::general_purpose::STANDARD, Engine};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::{CoreError, Result};

pub const KEY_LEN: usize = 32;

#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct MasterKey([u8; KEY_LEN]);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

impl MasterKey {
    pub fn generate() -> MasterKey {
        let mut k = [0u8; KEY_LEN];
        rand::rngs::OsRng.fill_bytes(&mut k);
        MasterKey(k)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<MasterKey> {
        let k: [u8; KEY_LEN] = bytes
            .try_into()
            .map_err(|_| CoreError::Internal(format!("master key must be {KEY_LEN} bytes")))?;
        Ok(MasterKey(k))
    }

    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// A key for one purpose; different purposes never share key material.
    pub fn derive(&self, purpose: &str) -> SubKey {
        let hk = Hkdf::<Sha256>::new(Some(b"svitok master key v1"), &self.0);
        let mut out = [0u8; KEY_LEN];
        hk.expand(purpose.as_bytes(), &mut out)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        SubKey(out)
    }
}

#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SubKey([u8; KEY_LEN]);

impl SubKey {
    /// HMAC-SHA256 of `parts` joined unambiguously (each length-prefixed).
    pub fn mac(&self, parts: &[&[u8]]) -> Vec<u8> {
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("any key length");
        for p in parts {
            m.update(&(p.len() as u64).to_be_bytes());
            m.update(p);
        }
        m.finalize().into_bytes().to_vec()
    }

    /// Constant-time check of a MAC made by [`SubKey::mac`].
    pub fn verify_mac(&self, parts: &[&[u8]], expected: &[u8]) -> bool {
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("any key length");
        for p in parts {
            m.update(&(p.len() as u64).to_be_bytes());
            m.update(p);
        }
        m.verify_slice(expected).is_ok()
    }

    /// Encrypts and authenticates `plain`, bound to `context` (e.g. the owner's id) so a
    /// sealed value cannot be moved to another row. Output: base64(nonce ‖ ciphertext).
    pub fn seal(&self, plain: &[u8], context: &[u8]) -> String {
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ct = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: context,
                },
            )
            .expect("encryption of in-memory data cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        STANDARD.encode(out)
    }

    pub fn open(&self, sealed: &str, context: &[u8]) -> Result<Vec<u8>> {
        let raw = STANDARD.decode(sealed).map_err(CoreError::internal)?;
        if raw.len() < 24 {
            return Err(CoreError::Internal("sealed value too short".into()));
        }
        let (nonce, ct) = raw.split_at(24);
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: context })
            .map_err(|_| CoreError::Internal("sealed value failed authentication".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_round_trip_and_context_binding() {
        let k = MasterKey::generate().derive("test");
        let s = k.seal(b"secret", b"user-1");
        assert_eq!(k.open(&s, b"user-1").unwrap(), b"secret");
        assert!(k.open(&s, b"user-2").is_err());
        let other = MasterKey::generate().derive("test");
        assert!(other.open(&s, b"user-1").is_err());
    }

    #[test]
    fn purposes_give_different_keys() {
        let m = MasterKey::generate();
        assert_ne!(m.derive("a").mac(&[b"x"]), m.derive("b").mac(&[b"x"]));
        let mac = m.derive("a").mac(&[b"x", b"y"]);
        assert!(m.derive("a").verify_mac(&[b"x", b"y"], &mac));
        assert!(!m.derive("a").verify_mac(&[b"xy"], &mac), "parts are length-prefixed");
    }
}
