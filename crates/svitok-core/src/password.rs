//! Password rules (SPEC §5, SECURITY 1–6) and Argon2id hashing.
//!
//! Hashing is CPU-heavy on purpose: callers run these functions on a blocking thread.

use crate::{CoreError, Message, Result};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

pub const MIN_CHARS: usize = 10;
pub const MAX_CHARS: usize = 256;

/// OWASP's minimum for Argon2id: 19 MiB, 2 passes, 1 lane.
pub const MEMORY_KIB: u32 = 19_456;
pub const ITERATIONS: u32 = 2;
pub const PARALLELISM: u32 = 1;

fn argon2() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).expect("valid argon2 params");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The form a password is hashed and checked in: NFKC, so the same characters typed on
/// different keyboards give the same password.
fn normalise(password: &str) -> String {
    password.nfkc().collect()
}

/// Checks a new password against the policy. `personal` holds the login, email and names
/// the password must not contain.
pub fn check_policy(password: &str, personal: &[&str]) -> Result<()> {
    let pw = normalise(password);
    let len = pw.chars().count();
    if len < MIN_CHARS {
        return Err(CoreError::validation(
            "password",
            Message::new("msg-password-too-short").arg("min", MIN_CHARS),
        ));
    }
    if len > MAX_CHARS {
        return Err(CoreError::validation(
            "password",
            Message::new("msg-password-too-long").arg("max", MAX_CHARS),
        ));
    }
    let lower = pw.to_lowercase();
    let mut forbidden: Vec<String> = vec!["svitok".into(), "свиток".into()];
    for p in personal {
        let p = p.trim().to_lowercase();
        if let Some((local, _)) = p.split_once('@') {
            forbidden.push(local.to_string());
        }
        forbidden.push(p);
    }
    if forbidden
        .iter()
        .any(|f| f.chars().count() >= 3 && lower.contains(f.as_str()))
    {
        return Err(CoreError::validation("password", "msg-password-personal"));
    }
    let inputs: Vec<&str> = personal.iter().copied().chain(["svitok", "свиток"]).collect();
    let estimate = zxcvbn::zxcvbn(&pw, &inputs);
    if (estimate.score() as u8) < 3 {
        return Err(CoreError::validation("password", "msg-password-weak"));
    }
    Ok(())
}

/// Hashes a password into a PHC string `$argon2id$v=19$m=19456,t=2,p=1$…`.
pub fn hash(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(normalise(password).as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(CoreError::internal)
}

#[derive(Debug, PartialEq, Eq)]
pub enum Verified {
    No,
    Yes,
    /// Correct, but hashed with older parameters: store a fresh hash.
    YesRehash,
}

pub fn verify(password: &str, phc: &str) -> Verified {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return Verified::No;
    };
    // Verify with the parameters the hash was made with, then judge whether they are current.
    if Argon2::default()
        .verify_password(normalise(password).as_bytes(), &parsed)
        .is_err()
    {
        return Verified::No;
    }
    let current = Params::try_from(&parsed)
        .map(|p| p.m_cost() >= MEMORY_KIB && p.t_cost() >= ITERATIONS && p.p_cost() == PARALLELISM)
        .unwrap_or(false);
    if current && parsed.algorithm == argon2::ARGON2ID_IDENT {
        Verified::Yes
    } else {
        Verified::YesRehash
    }
}

/// Spends the same time as a real verification, for accounts that do not exist, so that
/// timing does not tell them apart.
pub fn verify_dummy(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let phc = DUMMY.get_or_init(|| hash("dummy password that matches nothing").unwrap_or_default());
    let _ = verify(password, phc);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_argon2id_with_owasp_parameters_and_random_salt() {
        let a = hash("correct horse battery staple").unwrap();
        let b = hash("correct horse battery staple").unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "same password must give different hashes");
        assert_eq!(verify("correct horse battery staple", &a), Verified::Yes);
    }

    #[test]
    fn long_passwords_are_not_truncated_or_case_folded() {
        let p = "Длинная-фраза про зелёный трамвай и 7 котов ".repeat(3);
        let h = hash(&p).unwrap();
        assert_eq!(verify(&p, &h), Verified::Yes);
        let first72: String = p.chars().take(72).collect();
        assert_eq!(verify(&first72, &h), Verified::No);
        assert_eq!(verify(&format!("{p}x"), &h), Verified::No);
        assert_eq!(verify(&p.to_uppercase(), &h), Verified::No);
    }

    #[test]
    fn unicode_is_normalised_consistently() {
        // "й" composed vs decomposed
        let composed = "мой пароль йогурт 123 вишня";
        let decomposed: String = composed.nfd().collect();
        let h = hash(composed).unwrap();
        assert_eq!(verify(&decomposed, &h), Verified::Yes);
    }

    #[test]
    fn outdated_parameters_ask_for_rehash() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8192, 1, 1, None).unwrap(),
        );
        let salt = SaltString::generate(&mut OsRng);
        let phc = weak.hash_password(b"plain old password!", &salt).unwrap().to_string();
        assert_eq!(verify("plain old password!", &phc), Verified::YesRehash);
    }

    #[test]
    fn policy() {
        let me = ["ivanov", "ivan.ivanov@example.ru"];
        assert!(check_policy("short", &me).is_err());
        assert!(check_policy(&"x".repeat(257), &me).is_err());
        assert!(check_policy("password123", &me).is_err());
        assert!(check_policy("qwertyuiop", &me).is_err());
        assert!(check_policy("ivanov-горит-ярко-42", &me).is_err(), "contains login");
        assert!(
            check_policy("my svitok pass 2024 river", &me).is_err(),
            "contains product"
        );
        assert!(check_policy("зелёный трамвай едет в 7 утра", &me).is_ok());
        assert!(check_policy("correct horse battery staple", &me).is_ok());
        assert!(check_policy("🐱🐶🦊 tiger lily moon 🌙", &me).is_ok(), "emoji allowed");
    }
}
