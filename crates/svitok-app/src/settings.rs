//! Run-time settings, already validated by the binary's config loader.

use svitok_core::rights::Rights;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registration {
    Open,
    Closed,
    /// Only addresses in these domains (lower-case) may register.
    Domains(Vec<String>),
}

impl Registration {
    pub fn parse(s: &str) -> Option<Registration> {
        match s.trim() {
            "open" => Some(Registration::Open),
            "closed" => Some(Registration::Closed),
            other => {
                let list = other.strip_prefix("domains:")?;
                let domains: Vec<String> = list
                    .split(',')
                    .map(|d| d.trim().to_lowercase())
                    .filter(|d| !d.is_empty())
                    .collect();
                (!domains.is_empty()).then_some(Registration::Domains(domains))
            }
        }
    }
}

/// Who may still sign in with a password (`SVITOK_PASSWORD_LOGIN`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordLogin {
    On,
    /// Only identity providers sign in.
    Off,
    /// Only these logins may use a password: the way in when a provider is broken.
    BreakGlass(Vec<String>),
}

impl PasswordLogin {
    pub fn parse(s: &str) -> Option<PasswordLogin> {
        match s.trim() {
            "on" => Some(PasswordLogin::On),
            "off" => Some(PasswordLogin::Off),
            other => {
                let logins: Vec<String> = other
                    .strip_prefix("break_glass:")?
                    .split(',')
                    .map(|l| l.trim().to_lowercase())
                    .filter(|l| !l.is_empty())
                    .collect();
                (!logins.is_empty()).then_some(PasswordLogin::BreakGlass(logins))
            }
        }
    }

    /// Whether the account with `login` may sign in (or reset its password) with a password.
    pub fn allows(&self, login: &str) -> bool {
        match self {
            PasswordLogin::On => true,
            PasswordLogin::Off => false,
            PasswordLogin::BreakGlass(logins) => logins.iter().any(|l| l == &login.to_lowercase()),
        }
    }

    /// Whether the password form is shown to everyone.
    pub fn is_on(&self) -> bool {
        *self == PasswordLogin::On
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// External base URL without a trailing slash, e.g. `https://edo.corp.ru`.
    pub public_url: url::Url,
    pub registration: Registration,
    pub default_rights: Rights,
    pub session_idle_ms: i64,
    pub session_absolute_ms: i64,
    pub org_name: String,
    /// Largest file accepted, in bytes.
    pub max_upload: u64,
    /// How long a document stays in the trash before it is purged.
    pub trash_retention_ms: i64,
    /// How long a user's signing certificate is valid.
    pub cert_validity_days: i64,
    /// Load balancers whose `X-Forwarded-For` names the client (`SVITOK_TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub password_login: PasswordLogin,
}

impl Settings {
    pub fn for_url(public_url: url::Url) -> Settings {
        Settings {
            public_url,
            registration: Registration::Open,
            default_rights: Rights::self_registered_default(),
            session_idle_ms: 30 * 60 * 1000,
            session_absolute_ms: 12 * 60 * 60 * 1000,
            org_name: "Svitok".into(),
            max_upload: 512 * 1024 * 1024,
            trash_retention_ms: 30 * 24 * 60 * 60 * 1000,
            cert_validity_days: 365,
            trusted_proxies: Vec::new(),
            password_login: PasswordLogin::On,
        }
    }

    /// Behind HTTPS the session cookie is `Secure` and `__Host-` prefixed.
    pub fn https(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    pub fn cookie_name(&self) -> &'static str {
        if self.https() {
            "__Host-svitok_session"
        } else {
            "svitok_session"
        }
    }

    /// The origin browsers send in `Origin` for our own pages.
    pub fn origin(&self) -> String {
        self.public_url.origin().ascii_serialization()
    }

    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.public_url.as_str().trim_end_matches('/'), path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_modes() {
        assert_eq!(Registration::parse("open"), Some(Registration::Open));
        assert_eq!(Registration::parse("closed"), Some(Registration::Closed));
        assert_eq!(
            Registration::parse("domains:A.ru, b.ru"),
            Some(Registration::Domains(vec!["a.ru".into(), "b.ru".into()]))
        );
        assert_eq!(Registration::parse("domains:"), None);
        assert_eq!(Registration::parse("sometimes"), None);
    }
}
