//! User fields that validate on construction: once built, they are known good.

use crate::{CoreError, Message, Result};
use serde::{Deserialize, Serialize};
use std::fmt;
use time::Date;
use unicode_normalization::UnicodeNormalization;

/// Unique login: 3–64 of `a-z 0-9 . _ -` (stored lower-case).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Login(String);

impl Login {
    pub fn parse(raw: &str) -> Result<Login> {
        let s = raw.trim().to_lowercase();
        if !(3..=64).contains(&s.chars().count()) {
            return Err(CoreError::validation("login", "msg-login-length"));
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        {
            return Err(CoreError::validation("login", "msg-login-characters"));
        }
        Ok(Login(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An email address as given; compared case-insensitively through [`Email::key`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email> {
        let s = raw.trim();
        let bad = || CoreError::validation("email", "msg-email-invalid");
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = s.rsplit_once('@').ok_or_else(bad)?;
        if local.is_empty()
            || local.len() > 64
            || local.contains('@')
            || domain.is_empty()
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
            || !domain.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '-')
        {
            return Err(bad());
        }
        // The mailer's own rules: an address it would refuse must never be stored (it
        // would end in a 503 and a half-made account holding the login).
        if s.parse::<lettre::message::Mailbox>().is_err() || s.parse::<lettre::Address>().is_err() {
            return Err(bad());
        }
        Ok(Email(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-insensitive form used for uniqueness and look-ups.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One part of a person's name (фамилия, имя, отчество) or a position: 1–100 characters,
/// no control characters, NFC-normalised.
pub fn person_text(field: &str, raw: &str, max: usize) -> Result<String> {
    let s: String = raw.trim().nfc().collect();
    if s.is_empty() {
        return Err(CoreError::validation(
            field,
            Message::new("msg-field-empty").arg("field", field),
        ));
    }
    if s.chars().count() > max {
        return Err(CoreError::validation(
            field,
            Message::new("msg-field-too-long").arg("field", field).arg("max", max),
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(CoreError::validation(
            field,
            Message::new("msg-field-characters").arg("field", field),
        ));
    }
    Ok(s)
}

/// An optional text field: absent or blank means none.
pub fn optional_person_text(field: &str, raw: Option<&str>, max: usize) -> Result<Option<String>> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => person_text(field, s, max).map(Some),
    }
}

pub fn parse_birth_date(raw: Option<&str>, today: Date) -> Result<Option<Date>> {
    let Some(s) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let d = Date::parse(s, &fmt).map_err(|_| CoreError::validation("birth_date", "msg-birth-date-format"))?;
    if d > today || d.year() < 1900 {
        return Err(CoreError::validation("birth_date", "msg-birth-date-invalid"));
    }
    Ok(Some(d))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    Pending,
    Active,
    Blocked,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Pending => "pending",
            UserStatus::Active => "active",
            UserStatus::Blocked => "blocked",
        }
    }

    pub fn parse(s: &str) -> Option<UserStatus> {
        match s {
            "pending" => Some(UserStatus::Pending),
            "active" => Some(UserStatus::Active),
            "blocked" => Some(UserStatus::Blocked),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_rules() {
        assert_eq!(Login::parse(" Ivanov.I ").unwrap().as_str(), "ivanov.i");
        assert!(Login::parse("ab").is_err());
        assert!(Login::parse(&"a".repeat(65)).is_err());
        assert!(Login::parse("иванов").is_err());
        assert!(Login::parse("a b c").is_err());
        assert!(Login::parse("a\r\nb").is_err());
    }

    #[test]
    fn email_rules() {
        let e = Email::parse("Ivan.Petrov@Example.RU").unwrap();
        assert_eq!(e.key(), "ivan.petrov@example.ru");
        assert_eq!(e.domain(), "Example.RU");
        for bad in [
            "",
            "no-at",
            "@x.ru",
            "a@",
            "a b@x.ru",
            "a@x..ru",
            "a@.x.ru",
            "a\n@x.ru",
            "a@x\r\n.ru",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn what_the_mailer_refuses_is_refused() {
        // Each passed the old checks and then failed in the mailer (issue 12, finding 11).
        for bad in [
            "a\"b@x.ru",
            ".a@x.ru",
            "a..b@x.ru",
            "a(b)@x.ru",
            "a,b@x.ru",
            "<a>@x.ru",
            "a;b@x.ru",
            "a[b]@x.ru",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
        for good in ["пётр@почта.рф", "a_b+c@x-y.ru"] {
            assert!(Email::parse(good).is_ok(), "{good:?} refused");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(person_text("last_name", "  Иванов ", 100).unwrap(), "Иванов");
        assert!(person_text("last_name", " ", 100).is_err());
        assert!(person_text("last_name", &"я".repeat(101), 100).is_err());
        assert!(person_text("last_name", "a\u{0}b", 100).is_err());
        assert_eq!(optional_person_text("middle_name", Some(""), 100).unwrap(), None);
    }

    #[test]
    fn birth_dates() {
        let today = time::macros::date!(2026 - 01 - 01);
        assert!(parse_birth_date(Some("1990-02-30"), today).is_err());
        assert!(parse_birth_date(Some("2030-01-01"), today).is_err());
        assert!(parse_birth_date(Some("01.02.1990"), today).is_err());
        assert_eq!(parse_birth_date(None, today).unwrap(), None);
        assert!(parse_birth_date(Some("1990-02-28"), today).unwrap().is_some());
    }
}

/// The lower-cased text a user is found by (login, email, names, position). Computed here,
/// not in SQL, because SQLite's `lower()` folds only ASCII.
pub fn search_key(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| p.to_lowercase())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub fn like_pattern(needle: &str) -> String {
    let mut out = String::from("%");
    for c in needle.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// A user as the rest of the system sees it: no secrets.
#[derive(Debug, Clone)]
pub struct User {
    pub id: crate::ids::UserId,
    pub login: String,
    pub email: String,
    pub email_verified: bool,
    pub last_name: String,
    pub first_name: String,
    pub middle_name: Option<String>,
    pub birth_date: Option<String>,
    pub position: Option<String>,
    pub status: UserStatus,
    pub rights: crate::rights::Rights,
    pub totp_enabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_login_at: Option<i64>,
    /// The web interface's language the person chose (`ru`, `en`); `None`: the browser's.
    pub language: Option<String>,
}

impl User {
    pub fn search_key(&self) -> String {
        search_key(&[
            &self.login,
            &self.email,
            &self.last_name,
            &self.first_name,
            self.middle_name.as_deref().unwrap_or(""),
            self.position.as_deref().unwrap_or(""),
        ])
    }

    /// «Фамилия Имя Отчество», the Russian order.
    pub fn full_name(&self) -> String {
        let mut s = format!("{} {}", self.last_name, self.first_name);
        if let Some(m) = &self.middle_name {
            s.push(' ');
            s.push_str(m);
        }
        s
    }
}
