//! TOTP (RFC 6238): SHA-1, 6 digits, 30-second steps, one step of drift either way.

use rand::RngCore;
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, TOTP};

pub const STEP_SECONDS: u64 = 30;
pub const DIGITS: usize = 6;
/// 160 bits, as RFC 4226 recommends.
pub const SECRET_BYTES: usize = 20;

pub fn generate_secret() -> Vec<u8> {
    let mut s = vec![0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut s);
    s
}

fn totp(secret: &[u8]) -> TOTP {
    // `new_unchecked` because the account name and issuer go into the URL we build ourselves.
    TOTP::new_unchecked(Algorithm::SHA1, DIGITS, 1, STEP_SECONDS, secret.to_vec())
}

pub fn base32(secret: &[u8]) -> String {
    totp_rs::Secret::Raw(secret.to_vec()).to_encoded().to_string()
}

/// The provisioning URL authenticator apps read from the QR code.
pub fn otpauth_url(secret: &[u8], issuer: &str, account: &str) -> String {
    let enc = |s: &str| url_escape(s);
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        enc(issuer),
        enc(account),
        base32(secret),
        enc(issuer)
    )
}

fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The code for the step that contains `unix_seconds` (the tests compute codes with it too).
pub fn code_at(secret: &[u8], unix_seconds: u64) -> String {
    totp(secret).generate(unix_seconds)
}

/// Checks `code` at `now`, accepting the steps now−1, now, now+1, but only steps later than
/// `last_used_step` so a code is never accepted twice. Returns the step that matched.
pub fn verify(secret: &[u8], code: &str, unix_seconds: u64, last_used_step: Option<i64>) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS {
        return None;
    }
    let now_step = (unix_seconds / STEP_SECONDS) as i64;
    let t = totp(secret);
    let mut found = None;
    // Check every candidate so the time taken does not depend on which one matches.
    for step in [now_step - 1, now_step, now_step + 1] {
        let expected = t.generate((step.max(0) as u64) * STEP_SECONDS);
        let ok: bool = expected.as_bytes().ct_eq(code.as_bytes()).into();
        if ok && last_used_step.is_none_or(|last| step > last) {
            found = Some(step);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_vector() {
        // RFC 6238 appendix B, SHA-1, T = 59 → 94287082 (8 digits); 6-digit form is 287082.
        let secret = b"12345678901234567890";
        assert_eq!(code_at(secret, 59), "287082");
    }

    #[test]
    fn window_and_replay() {
        let s = generate_secret();
        assert_eq!(s.len(), 20);
        let now = 1_800_000_000u64;
        let step = (now / 30) as i64;
        assert_eq!(verify(&s, &code_at(&s, now), now, None), Some(step));
        assert_eq!(verify(&s, &code_at(&s, now - 30), now, None), Some(step - 1));
        assert_eq!(verify(&s, &code_at(&s, now + 30), now, None), Some(step + 1));
        assert_eq!(verify(&s, &code_at(&s, now - 60), now, None), None, "t-2 refused");
        assert_eq!(verify(&s, &code_at(&s, now), now, Some(step)), None, "replay refused");
        assert_eq!(verify(&s, "12345", now, None), None);
    }

    #[test]
    fn otpauth_url_has_secret_and_issuer() {
        let u = otpauth_url(b"12345678901234567890", "Svitok", "ivanov@example.ru");
        assert!(u.starts_with("otpauth://totp/Svitok:ivanov@example.ru?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"));
    }
}
