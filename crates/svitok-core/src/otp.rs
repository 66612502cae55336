//! Emailed one-time codes (SPEC §5): six digits from a CSPRNG, kept only as a keyed hash.

use crate::ids::ChallengeId;
use crate::secrets::SubKey;
use rand::Rng;

/// A code is valid this long after it was sent.
pub const TTL_MS: i64 = 10 * 60 * 1000;
/// Wrong tries after which a challenge is void.
pub const MAX_ATTEMPTS: i64 = 5;
/// Minimum time between two codes for one account.
pub const RESEND_AFTER_MS: i64 = 60 * 1000;
/// An invitation's code (sent when an administrator creates a user) is valid this long:
/// people do not read mail within ten minutes of an administrator's action. It is still
/// single use, voided by a newer code, and limited to five tries.
pub const INVITATION_TTL_MS: i64 = 72 * 60 * 60 * 1000;
/// At most this many codes per account per hour.
pub const MAX_PER_HOUR: i64 = 10;

/// What a challenge is for; a code made for one purpose never serves another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Register,
    Login,
    PasswordReset,
    StepUp,
    /// Confirms a new address; the code goes to that address.
    EmailChange,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Register => "register",
            Purpose::Login => "login",
            Purpose::PasswordReset => "password_reset",
            Purpose::StepUp => "step_up",
            Purpose::EmailChange => "email_change",
        }
    }
}

pub fn generate_code() -> String {
    format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32))
}

/// The stored form: an HMAC over the challenge id and the code, so a code is bound to its
/// challenge and a leaked table cannot be brute-forced offline without the key.
pub fn code_hash(key: &SubKey, challenge: ChallengeId, code: &str) -> Vec<u8> {
    key.mac(&[challenge.0.as_bytes(), code.as_bytes()])
}

pub fn code_matches(key: &SubKey, challenge: ChallengeId, code: &str, stored: &[u8]) -> bool {
    key.verify_mac(&[challenge.0.as_bytes(), code.trim().as_bytes()], stored)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MasterKey;

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..200 {
            let c = generate_code();
            assert_eq!(c.len(), 6);
            assert!(c.chars().all(|ch| ch.is_ascii_digit()));
        }
    }

    #[test]
    fn code_is_bound_to_its_challenge() {
        let k = MasterKey::generate().derive("otp");
        let a = ChallengeId::new();
        let b = ChallengeId::new();
        let h = code_hash(&k, a, "123456");
        assert!(code_matches(&k, a, "123456", &h));
        assert!(!code_matches(&k, b, "123456", &h));
        assert!(!code_matches(&k, a, "123457", &h));
    }
}
