//! What several forms share: a person's fields (registration, the administrator's user
//! forms), optional text fields and days.

use minijinja::context;
use serde::Deserialize;
use svitok_app::accounts::ProfileInput;
use svitok_core::CoreError;

#[derive(Deserialize, Default)]
pub struct PersonForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub login: String,
    #[serde(default)]
    pub email: String,
    /// Registration only.
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub middle_name: String,
    #[serde(default)]
    pub birth_date: String,
    #[serde(default)]
    pub position: String,
}

/// An optional field: `None` when left empty.
pub fn optional(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

/// A form's day (`YYYY-MM-DD`): `None` when empty, a refusal naming the field when
/// malformed.
pub fn day(field: &'static str, raw: &str) -> Result<Option<time::Date>, CoreError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    time::Date::parse(raw, &time::format_description::well_known::Iso8601::DATE)
        .map(Some)
        .map_err(|_| CoreError::validation(field, "msg-date-format"))
}

/// Midnight UTC of a day, in ms since the epoch.
pub fn midnight_ms(d: time::Date) -> i64 {
    d.midnight().assume_utc().unix_timestamp() * 1000
}

impl PersonForm {
    /// Read by hand, for forms that also repeat a field (`right`) a struct cannot hold.
    pub fn from_body(body: &[u8]) -> PersonForm {
        let mut f = PersonForm::default();
        for (k, v) in url::form_urlencoded::parse(body) {
            let slot = match k.as_ref() {
                "csrf" => &mut f.csrf,
                "login" => &mut f.login,
                "email" => &mut f.email,
                "password" => &mut f.password,
                "last_name" => &mut f.last_name,
                "first_name" => &mut f.first_name,
                "middle_name" => &mut f.middle_name,
                "birth_date" => &mut f.birth_date,
                "position" => &mut f.position,
                _ => continue,
            };
            *slot = v.into_owned();
        }
        f
    }

    pub fn profile(&self) -> ProfileInput {
        ProfileInput {
            login: self.login.clone(),
            email: self.email.clone(),
            last_name: self.last_name.clone(),
            first_name: self.first_name.clone(),
            middle_name: optional(&self.middle_name),
            birth_date: optional(&self.birth_date),
            position: optional(&self.position),
        }
    }

    /// What was typed, to fill the form in again (never the password).
    pub fn context(&self) -> minijinja::Value {
        context! {
            login => self.login, email => self.email, last_name => self.last_name, first_name => self.first_name,
            middle_name => self.middle_name, birth_date => self.birth_date, position => self.position,
        }
    }
}
