//! Opaque bearer secrets: session tokens, API tokens and one-time setup links.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A fresh secret of 256 bits from the OS CSPRNG, prefixed so leaked tokens are recognisable.
pub fn generate(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// What the database keeps instead of the secret. The secret has 256 bits of entropy, so a
/// plain SHA-256 cannot be reversed and needs no salt or stretching.
pub fn digest(token: &str) -> String {
    let d = Sha256::digest(token.as_bytes());
    URL_SAFE_NO_PAD.encode(d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_long_unique_and_stored_hashed() {
        let a = super::generate("svs_");
        let b = super::generate("svs_");
        assert_ne!(a, b);
        assert!(a.len() >= 4 + 43);
        assert_ne!(super::digest(&a), a);
        assert_eq!(super::digest(&a), super::digest(&a));
    }
}
