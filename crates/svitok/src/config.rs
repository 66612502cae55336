//! Configuration: `svitok.toml` (or `--config FILE`) overridden by `SVITOK_*` variables
//! (SPEC §9). Everything is checked at start; a bad value stops the server with one line
//! that names the setting.

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use svitok_app::Registration;

mod oidc;
use oidc::oidc_providers;
pub use oidc::{OidcProvider, RawOidc};

/// Settings as written in the file or environment.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawConfig {
    pub listen: String,
    pub public_url: Option<String>,
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    pub blob_url: Option<String>,
    pub smtp_url: Option<String>,
    pub smtp_ca_file: Option<PathBuf>,
    /// XOAUTH2 with a refresh token (Gmail / Google Workspace without app passwords).
    pub smtp_oauth_token_url: Option<String>,
    pub smtp_oauth_client_id: Option<String>,
    pub smtp_oauth_client_secret: Option<String>,
    pub smtp_oauth_refresh_token: Option<String>,
    pub mail_from: String,
    pub master_key_file: Option<PathBuf>,
    pub registration: String,
    pub log: String,
    pub log_format: String,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    pub org_name: String,
    /// Largest upload: bytes, or with a unit (`512MiB`, `2GiB`).
    pub max_upload: String,
    /// Days a deleted document stays in the trash before it is purged.
    pub trash_retention_days: i64,
    /// Days a user's signing certificate is valid.
    pub cert_validity_days: i64,
    /// Comma-separated CIDRs (or addresses) of load balancers whose X-Forwarded-For counts.
    pub trusted_proxies: String,
    /// Identity providers' names, in the order of their buttons (SPEC §11).
    pub oidc_providers: String,
    /// `[oidc.NAME]` tables; `SVITOK_OIDC_<NAME>_<KEY>` variables override them.
    pub oidc: std::collections::BTreeMap<String, RawOidc>,
    /// `on`, `off` or `break_glass:login1,login2`.
    pub password_login: String,
    /// How long a stopping server lets requests in flight finish.
    pub shutdown_grace_seconds: i64,
}

impl Default for RawConfig {
    fn default() -> Self {
        RawConfig {
            listen: "127.0.0.1:8080".into(),
            public_url: None,
            data_dir: PathBuf::from("./data"),
            database_url: None,
            blob_url: None,
            smtp_url: None,
            smtp_ca_file: None,
            smtp_oauth_token_url: None,
            smtp_oauth_client_id: None,
            smtp_oauth_client_secret: None,
            smtp_oauth_refresh_token: None,
            mail_from: "svitok@localhost".into(),
            master_key_file: None,
            registration: "open".into(),
            log: "info".into(),
            log_format: "text".into(),
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            org_name: "Svitok".into(),
            max_upload: "512MiB".into(),
            trash_retention_days: 30,
            cert_validity_days: 365,
            trusted_proxies: String::new(),
            oidc_providers: String::new(),
            oidc: Default::default(),
            password_login: "on".into(),
            shutdown_grace_seconds: 30,
        }
    }
}

/// The variables Svitok reads; other `SVITOK_*` variables are not ours to reject.
const ENV_KEYS: &[&str] = &[
    "listen",
    "public_url",
    "data_dir",
    "database_url",
    "blob_url",
    "smtp_url",
    "smtp_ca_file",
    "smtp_oauth_token_url",
    "smtp_oauth_client_id",
    "smtp_oauth_client_secret",
    "smtp_oauth_refresh_token",
    "mail_from",
    "master_key_file",
    "registration",
    "log",
    "log_format",
    "session_idle_minutes",
    "session_absolute_hours",
    "org_name",
    "max_upload",
    "trash_retention_days",
    "cert_validity_days",
    "trusted_proxies",
    "oidc_providers",
    "password_login",
    "shutdown_grace_seconds",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Checked configuration with every default resolved.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub public_url: url::Url,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub smtp_url: Option<String>,
    /// PEM contents of an extra CA to trust for the relay's certificate.
    pub smtp_ca_pem: Option<Vec<u8>>,
    /// Where the relay's XOAUTH2 access tokens come from, when they are refreshed.
    pub smtp_oauth: Option<svitok_oidc::mail_tokens::RefreshConfig>,
    pub mail_from: String,
    pub master_key_file: PathBuf,
    pub registration: Registration,
    pub log: String,
    pub log_format: LogFormat,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    pub org_name: String,
    /// Where blobs live.
    pub blobs: BlobLocation,
    pub max_upload: u64,
    pub trash_retention_days: i64,
    pub cert_validity_days: i64,
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The identity providers, in the order of their buttons.
    pub oidc: Vec<OidcProvider>,
    pub password_login: svitok_app::settings::PasswordLogin,
    pub shutdown_grace_seconds: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobLocation {
    /// A directory on this machine.
    Local(PathBuf),
    /// An S3 bucket (credentials and endpoint from the `AWS_*` variables).
    S3 { bucket: String, prefix: String },
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(pub String);

fn bad(key: &str, why: impl std::fmt::Display) -> ConfigError {
    ConfigError(format!("SVITOK_{} ({key}): {why}", key.to_uppercase()))
}

impl Config {
    /// Reads `file` (or `./svitok.toml` when present), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut fig = Figment::from(Serialized::defaults(RawConfig::default()));
        match file {
            Some(f) if !f.exists() => return Err(ConfigError(format!("--config: {} does not exist", f.display()))),
            Some(f) => fig = fig.merge(Toml::file(f)),
            None if Path::new("svitok.toml").exists() => fig = fig.merge(Toml::file("svitok.toml")),
            None => {}
        }
        fig = fig.merge(Env::prefixed("SVITOK_").only(ENV_KEYS));
        let mut raw: RawConfig = fig.extract().map_err(|e| {
            let key = e.path.join(".");
            ConfigError(if key.is_empty() {
                one_line(&e.to_string())
            } else {
                format!(
                    "SVITOK_{} ({key}): {}",
                    key.to_uppercase(),
                    one_line(&e.kind.to_string())
                )
            })
        })?;
        raw.oidc_from_env(std::env::vars())?;
        raw.validate()
    }
}

/// `1048576`, `512MiB`, `2GiB`, `100KiB` (also `MB`/`GB`/`KB`, read as powers of 1024).
fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: u64 = n.parse().ok()?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(mult).filter(|v| *v > 0)
}

/// Folds a parser's multi-line message into one line, leaving out the quoted source lines
/// (`1 | smtp_url = "smtps://user:secret@…"`): they may hold a password.
fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.contains('|'))
        .collect::<Vec<_>>()
        .join("; ")
}

impl RawConfig {
    pub fn validate(self) -> Result<Config, ConfigError> {
        let listen: SocketAddr = self.listen.parse().map_err(|_| {
            bad(
                "listen",
                format!("«{}» is not an address like 127.0.0.1:8080", self.listen),
            )
        })?;
        let public_url = match &self.public_url {
            Some(u) => {
                let url = url::Url::parse(u).map_err(|e| bad("public_url", format!("«{u}»: {e}")))?;
                if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
                    return Err(bad("public_url", format!("«{u}» must be an http:// or https:// URL")));
                }
                url
            }
            None => url::Url::parse(&format!("http://{listen}")).map_err(|e| bad("listen", e))?,
        };
        let data_dir = self.data_dir.clone();
        let database_url = match &self.database_url {
            Some(u) if u.starts_with("sqlite:") || u.starts_with("postgres://") || u.starts_with("postgresql://") => {
                u.clone()
            }
            Some(u) => {
                let shown = u.split('@').next_back().unwrap_or("");
                return Err(bad(
                    "database_url",
                    format!("must start with sqlite:// or postgres:// (got …{shown})"),
                ));
            }
            None => format!("sqlite://{}", data_dir.join("svitok.db").display()),
        };
        let blobs = match self.blob_url.as_deref() {
            None => BlobLocation::Local(data_dir.join("blobs")),
            Some(b) if b.starts_with("file://") => BlobLocation::Local(PathBuf::from(&b["file://".len()..])),
            Some(b) if b.starts_with("s3://") => {
                let rest = &b["s3://".len()..];
                let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
                if bucket.is_empty() {
                    return Err(bad("blob_url", "s3://bucket[/prefix]: the bucket is missing"));
                }
                BlobLocation::S3 {
                    bucket: bucket.to_string(),
                    prefix: prefix.to_string(),
                }
            }
            Some(_) => return Err(bad("blob_url", "must start with file:// or s3://")),
        };
        let max_upload = parse_size(&self.max_upload).ok_or_else(|| {
            bad(
                "max_upload",
                format!("«{}»: expected bytes or a size like 512MiB, 2GiB", self.max_upload),
            )
        })?;
        if let Some(s) = &self.smtp_url {
            svitok_mail::Mailer::smtp_url_check(s).map_err(|e| bad("smtp_url", e))?;
        }
        let smtp_oauth = match self.smtp_oauth_refresh_token.as_deref().filter(|t| !t.is_empty()) {
            None => None,
            Some(refresh_token) => {
                let xoauth2 = self
                    .smtp_url
                    .as_deref()
                    .and_then(|u| url::Url::parse(u).ok())
                    .is_some_and(|u| {
                        !u.username().is_empty() && u.query_pairs().any(|(k, v)| k == "auth" && v == "xoauth2")
                    });
                if !xoauth2 {
                    return Err(bad(
                        "smtp_oauth_refresh_token",
                        "needs SVITOK_SMTP_URL with the account and ?auth=xoauth2, e.g. smtp://me%40corp.ru@smtp.gmail.com:587?tls=starttls&auth=xoauth2",
                    ));
                }
                let need = |key: &str, v: &Option<String>| {
                    v.clone()
                        .filter(|s| !s.is_empty())
                        .ok_or_else(|| bad(key, "needed with SVITOK_SMTP_OAUTH_REFRESH_TOKEN"))
                };
                let token_url = self
                    .smtp_oauth_token_url
                    .clone()
                    .unwrap_or_else(|| "https://oauth2.googleapis.com/token".into());
                if url::Url::parse(&token_url).is_err() {
                    return Err(bad("smtp_oauth_token_url", "must be a URL"));
                }
                Some(svitok_oidc::mail_tokens::RefreshConfig {
                    token_url,
                    client_id: need("smtp_oauth_client_id", &self.smtp_oauth_client_id)?,
                    client_secret: need("smtp_oauth_client_secret", &self.smtp_oauth_client_secret)?,
                    refresh_token: refresh_token.to_string(),
                })
            }
        };
        let smtp_ca_pem = match &self.smtp_ca_file {
            Some(path) => {
                Some(std::fs::read(path).map_err(|e| bad("smtp_ca_file", format!("{}: {e}", path.display())))?)
            }
            None => None,
        };
        if self.mail_from.parse::<lettre_address::Mailbox>().is_err() {
            return Err(bad("mail_from", format!("«{}» is not a mail address", self.mail_from)));
        }
        let registration = Registration::parse(&self.registration)
            .ok_or_else(|| bad("registration", "must be open, closed or domains:a.ru,b.ru"))?;
        let log_format = match self.log_format.as_str() {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            other => return Err(bad("log_format", format!("«{other}»: must be text or json"))),
        };
        tracing_subscriber::EnvFilter::try_new(&self.log).map_err(|e| bad("log", e))?;
        if !(1..=24 * 60).contains(&self.session_idle_minutes) {
            return Err(bad("session_idle_minutes", "must be 1–1440"));
        }
        if !(1..=24 * 30).contains(&self.session_absolute_hours) {
            return Err(bad("session_absolute_hours", "must be 1–720"));
        }
        if !(1..=3650).contains(&self.trash_retention_days) {
            return Err(bad("trash_retention_days", "must be 1–3650"));
        }
        if !(1..=3650).contains(&self.cert_validity_days) {
            return Err(bad("cert_validity_days", "must be 1–3650"));
        }
        if self.org_name.trim().is_empty() || self.org_name.chars().count() > 200 {
            return Err(bad("org_name", "must be 1–200 characters"));
        }
        let trusted_proxies = parse_networks(&self.trusted_proxies).map_err(|item| {
            bad(
                "trusted_proxies",
                format!("«{item}» is not an address or CIDR like 10.0.0.0/24"),
            )
        })?;
        let oidc = oidc_providers(&self)?;
        let password_login = svitok_app::settings::PasswordLogin::parse(&self.password_login)
            .ok_or_else(|| bad("password_login", "must be on, off or break_glass:login1,login2"))?;
        if !(1..=3600).contains(&self.shutdown_grace_seconds) {
            return Err(bad("shutdown_grace_seconds", "must be 1–3600"));
        }
        Ok(Config {
            shutdown_grace_seconds: self.shutdown_grace_seconds,
            oidc,
            password_login,
            listen,
            public_url,
            master_key_file: self
                .master_key_file
                .clone()
                .unwrap_or_else(|| data_dir.join("master.key")),
            data_dir,
            database_url,
            smtp_url: self.smtp_url,
            smtp_ca_pem,
            smtp_oauth,
            mail_from: self.mail_from,
            registration,
            log: self.log,
            log_format,
            session_idle_minutes: self.session_idle_minutes,
            session_absolute_hours: self.session_absolute_hours,
            org_name: self.org_name.trim().to_string(),
            blobs,
            max_upload,
            trash_retention_days: self.trash_retention_days,
            cert_validity_days: self.cert_validity_days,
            trusted_proxies,
        })
    }
}

/// `10.0.0.0/24, 192.0.2.7, fd00::/8` → networks (a bare address is a network of one).
fn parse_networks(list: &str) -> Result<Vec<ipnet::IpNet>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|item| {
            item.parse::<ipnet::IpNet>()
                .or_else(|_| item.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| item.to_string())
        })
        .collect()
}

mod lettre_address {
    pub use svitok_mail::Mailbox;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawConfig {
        RawConfig::default()
    }

    #[test]
    fn defaults_are_the_embedded_setup() {
        let c = raw().validate().unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.public_url.as_str(), "http://127.0.0.1:8080/");
        assert!(c.database_url.starts_with("sqlite://") && c.database_url.ends_with("svitok.db"));
        assert!(c.master_key_file.ends_with("master.key"));
        assert_eq!(c.registration, Registration::Open);
    }

    #[test]
    fn errors_name_the_variable() {
        let cases: Vec<(RawConfig, &str)> = vec![
            (
                RawConfig {
                    listen: "nope".into(),
                    ..raw()
                },
                "SVITOK_LISTEN",
            ),
            (
                RawConfig {
                    public_url: Some("ftp://x".into()),
                    ..raw()
                },
                "SVITOK_PUBLIC_URL",
            ),
            (
                RawConfig {
                    database_url: Some("mysql://x".into()),
                    ..raw()
                },
                "SVITOK_DATABASE_URL",
            ),
            (
                RawConfig {
                    blob_url: Some("gs://x".into()),
                    ..raw()
                },
                "SVITOK_BLOB_URL",
            ),
            (
                RawConfig {
                    smtp_url: Some("http://x".into()),
                    ..raw()
                },
                "SVITOK_SMTP_URL",
            ),
            (
                RawConfig {
                    mail_from: "nobody".into(),
                    ..raw()
                },
                "SVITOK_MAIL_FROM",
            ),
            (
                RawConfig {
                    smtp_ca_file: Some("/nonexistent/ca.pem".into()),
                    ..raw()
                },
                "SVITOK_SMTP_CA_FILE",
            ),
            (
                RawConfig {
                    registration: "sometimes".into(),
                    ..raw()
                },
                "SVITOK_REGISTRATION",
            ),
            (
                RawConfig {
                    log_format: "xml".into(),
                    ..raw()
                },
                "SVITOK_LOG_FORMAT",
            ),
            (
                RawConfig {
                    session_idle_minutes: 0,
                    ..raw()
                },
                "SVITOK_SESSION_IDLE_MINUTES",
            ),
        ];
        for (cfg, key) in cases {
            let err = cfg.validate().unwrap_err().to_string();
            assert!(err.contains(key), "{err} should name {key}");
        }
    }

    #[test]
    fn database_password_is_not_echoed() {
        let err = RawConfig {
            database_url: Some("mysql://u:secretpw@host/db".into()),
            ..raw()
        }
        .validate()
        .unwrap_err()
        .to_string();
        assert!(!err.contains("secretpw"), "{err}");
    }
}
