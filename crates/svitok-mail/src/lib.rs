//! Outgoing mail. With an SMTP URL configured, messages go to the organisation's relay
//! through lettre; without one they are written as `.eml` files to a local outbox, so the
//! embedded default needs no mail server.

use lettre::message::header::ContentType;
pub use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid mail configuration: {0}")]
    Config(String),
    #[error("invalid address: {0}")]
    Address(String),
    #[error("mail delivery failed: {0}")]
    Delivery(String),
}

/// One plain-text message.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

#[derive(Clone)]
enum Transport {
    Smtp(Smtp),
    Outbox(PathBuf),
}

#[derive(Clone)]
struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    /// What a transport with other credentials is built from (XOAUTH2 token renewal).
    host: String,
    port: u16,
    tls: Tls,
    user: Option<String>,
    xoauth2: bool,
    oauth: Option<OAuth>,
}

/// Where XOAUTH2 access tokens come from (SPEC §11, Gmail without app passwords): a
/// source that refreshes them from a refresh token, renewing them before they expire.
pub trait AccessTokens: Send + Sync {
    /// A current access token; with `renew`, a new one (the relay refused the last).
    fn access_token(&self, renew: bool) -> Pin<Box<dyn Future<Output = Result<String, String>> + Send + '_>>;
}

type SmtpTransport = AsyncSmtpTransport<Tokio1Executor>;

#[derive(Clone)]
struct OAuth {
    tokens: Arc<dyn AccessTokens>,
    /// The transport built for the token in hand.
    current: Arc<tokio::sync::Mutex<Option<(String, SmtpTransport)>>>,
}

impl Smtp {
    fn with_credentials(&self, password: String) -> AsyncSmtpTransport<Tokio1Executor> {
        // No pooled connections: each letter authenticates with the token in hand, so an
        // expired one is seen (and renewed) instead of riding on an old session.
        let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(self.host.clone())
            .port(self.port)
            .tls(self.tls.clone())
            .timeout(Some(Duration::from_secs(15)))
            .pool_config(
                lettre::transport::smtp::PoolConfig::new()
                    .max_size(1)
                    .idle_timeout(Duration::ZERO),
            )
            .credentials(Credentials::new(self.user.clone().unwrap_or_default(), password));
        if self.xoauth2 {
            b = b.authentication(vec![Mechanism::Xoauth2]);
        }
        b.build()
    }

    /// The transport for the source's current token (or a new one, with `renew`).
    async fn oauth_transport(&self, o: &OAuth, renew: bool) -> Result<AsyncSmtpTransport<Tokio1Executor>, MailError> {
        let token = o
            .tokens
            .access_token(renew)
            .await
            .map_err(|e| MailError::Delivery(format!("no access token for the relay: {e}")))?;
        let mut current = o.current.lock().await;
        if let Some((held, t)) = current.as_ref() {
            if *held == token {
                return Ok(t.clone());
            }
        }
        let t = self.with_credentials(token.clone());
        *current = Some((token, t.clone()));
        Ok(t)
    }

    async fn send(&self, message: lettre::Message) -> Result<(), MailError> {
        let Some(o) = &self.oauth else {
            self.transport
                .send(message)
                .await
                .map_err(|e| MailError::Delivery(e.to_string()))?;
            return Ok(());
        };
        let t = self.oauth_transport(o, false).await?;
        match t.send(message.clone()).await {
            Ok(_) => Ok(()),
            // An expired or revoked token: renew it once and try again.
            Err(e) if refused_credentials(&e) => {
                tracing::warn!("the relay refused the access token; renewing it");
                let t = self.oauth_transport(o, true).await?;
                t.send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| MailError::Delivery(e.to_string()))
            }
            Err(e) => Err(MailError::Delivery(e.to_string())),
        }
    }
}

/// 535 (credentials invalid) or 534 (authentication mechanism too weak / token needed).
fn refused_credentials(e: &lettre::transport::smtp::Error) -> bool {
    e.status()
        .map(|c| c.to_string())
        .is_some_and(|c| c == "535" || c == "534")
}

impl Mailer {
    /// `smtp_url`: `smtp://host[:port]` (no TLS), `smtp://…?tls=starttls` (STARTTLS required),
    /// `smtps://user:pass@host[:465]` (implicit TLS); `?auth=xoauth2` sends the password as an
    /// OAuth2 access token (Gmail / Google Workspace).
    ///
    /// `extra_root_pem` adds a CA certificate to trust for the relay's TLS certificate (an
    /// organisation's internal CA); verification is never turned off.
    pub fn smtp(smtp_url: &str, from: &str, extra_root_pem: Option<&[u8]>) -> Result<Mailer, MailError> {
        let from: Mailbox = from
            .parse()
            .map_err(|_| MailError::Config(format!("SVITOK_MAIL_FROM: {from}")))?;
        let url = url::Url::parse(smtp_url).map_err(|e| MailError::Config(format!("SVITOK_SMTP_URL: {e}")))?;
        let host = url
            .host_str()
            .ok_or_else(|| MailError::Config("SVITOK_SMTP_URL has no host".into()))?
            .to_string();
        let param = |k: &str| url.query_pairs().find(|(n, _)| n == k).map(|(_, v)| v.into_owned());
        let tls_params = || {
            let mut b = TlsParameters::builder(host.clone());
            if let Some(pem) = extra_root_pem {
                let cert = Certificate::from_pem(pem)
                    .map_err(|e| MailError::Config(format!("SVITOK_SMTP_CA_FILE: not a PEM certificate: {e}")))?;
                b = b.add_root_certificate(cert);
            }
            b.build()
                .map_err(|e| MailError::Config(format!("SVITOK_SMTP_URL TLS: {e}")))
        };
        let (tls, default_port) = match (url.scheme(), param("tls").as_deref()) {
            ("smtps", _) => (Tls::Wrapper(tls_params()?), 465),
            ("smtp", Some("starttls")) => (Tls::Required(tls_params()?), 587),
            ("smtp", None | Some("none")) => (Tls::None, 25),
            (scheme, tls) => {
                return Err(MailError::Config(format!(
                    "SVITOK_SMTP_URL: unsupported scheme {scheme} or tls={}",
                    tls.unwrap_or_default()
                )))
            }
        };
        let port = url.port().unwrap_or(default_port);
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.clone())
            .port(port)
            .tls(tls.clone())
            .timeout(Some(Duration::from_secs(15)));
        let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
        let xoauth2 = param("auth").as_deref() == Some("xoauth2");
        let user = (!url.username().is_empty()).then(|| decode(url.username()));
        if let Some(user) = &user {
            let creds = Credentials::new(user.clone(), decode(url.password().unwrap_or("")));
            builder = builder.credentials(creds);
            if xoauth2 {
                builder = builder.authentication(vec![Mechanism::Xoauth2]);
            }
        }
        Ok(Mailer {
            from,
            transport: Transport::Smtp(Smtp {
                transport: builder.build(),
                host,
                port,
                tls,
                user,
                xoauth2,
                oauth: None,
            }),
        })
    }

    /// The same relay, authenticating with XOAUTH2 access tokens from `tokens` (renewed
    /// when the relay refuses one). Needs `auth=xoauth2` and the account in the URL.
    pub fn with_access_tokens(self, tokens: Arc<dyn AccessTokens>) -> Result<Mailer, MailError> {
        match self.transport {
            Transport::Smtp(mut s) if s.xoauth2 && s.user.is_some() => {
                s.oauth = Some(OAuth {
                    tokens,
                    current: Arc::new(tokio::sync::Mutex::new(None)),
                });
                Ok(Mailer {
                    from: self.from,
                    transport: Transport::Smtp(s),
                })
            }
            _ => Err(MailError::Config(
                "SVITOK_SMTP_OAUTH_*: needs SVITOK_SMTP_URL with the account and ?auth=xoauth2".into(),
            )),
        }
    }

    /// Checks an SMTP URL without building a transport (configuration validation).
    pub fn smtp_url_check(smtp_url: &str) -> Result<(), MailError> {
        let url = url::Url::parse(smtp_url).map_err(|e| MailError::Config(e.to_string()))?;
        let tls = url.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.into_owned());
        match (url.scheme(), tls.as_deref()) {
            ("smtps", _) | ("smtp", None | Some("none" | "starttls")) if url.host_str().is_some() => Ok(()),
            _ => Err(MailError::Config(
                "expected smtp://host:port, smtp://host:port?tls=starttls or smtps://user:pass@host:465".into(),
            )),
        }
    }

    pub fn outbox(dir: PathBuf, from: &str) -> Result<Mailer, MailError> {
        let from: Mailbox = from
            .parse()
            .map_err(|_| MailError::Config(format!("SVITOK_MAIL_FROM: {from}")))?;
        Ok(Mailer {
            from,
            transport: Transport::Outbox(dir),
        })
    }

    /// Where mail goes, for the start-up log line (no credentials).
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Smtp(_) => "SMTP relay".to_string(),
            Transport::Outbox(dir) => format!("outbox {}", dir.display()),
        }
    }

    pub async fn send(&self, mail: Mail) -> Result<(), MailError> {
        let to: Mailbox = mail.to.parse().map_err(|_| MailError::Address(mail.to.clone()))?;
        let message = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body)
            .map_err(|e| MailError::Delivery(e.to_string()))?;
        match &self.transport {
            Transport::Smtp(s) => {
                s.send(message).await?;
                tracing::info!("mail sent through the SMTP relay");
            }
            Transport::Outbox(dir) => {
                let path = outbox_path(dir, &mail.to);
                // Messages carry one-time codes in plain text: ours alone, whatever the umask.
                use std::os::unix::fs::PermissionsExt;
                use tokio::io::AsyncWriteExt;
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| MailError::Delivery(format!("{}: {e}", dir.display())))?;
                tokio::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                    .await
                    .map_err(|e| MailError::Delivery(format!("{}: {e}", dir.display())))?;
                let failed = |e: std::io::Error| MailError::Delivery(format!("{}: {e}", path.display()));
                let mut file = tokio::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(&path)
                    .await
                    .map_err(failed)?;
                file.write_all(&message.formatted()).await.map_err(failed)?;
                file.flush().await.map_err(failed)?;
                tracing::info!(path = %path.display(), "mail written to the outbox");
            }
        }
        Ok(())
    }
}

/// `<dir>/<UTC time>-<recipient>.eml`, the recipient reduced to safe file-name characters.
fn outbox_path(dir: &std::path::Path, to: &str) -> PathBuf {
    let now = time::OffsetDateTime::now_utc();
    let stamp = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}.{:09}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.nanosecond()
    );
    let safe: String = to
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '@' | '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    dir.join(format!("{stamp}-{safe}.eml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn smtp_urls() {
        assert!(Mailer::smtp("smtp://127.0.0.1:2525", "svitok@localhost", None).is_ok());
        assert!(Mailer::smtp("smtp://mail.corp:587?tls=starttls", "svitok@localhost", None).is_ok());
        assert!(Mailer::smtp("smtps://u:p%40ss@mail.corp", "svitok@localhost", None).is_ok());
        assert!(Mailer::smtp("http://mail.corp", "svitok@localhost", None).is_err());
        assert!(Mailer::smtp("smtp://mail.corp?tls=maybe", "svitok@localhost", None).is_err());
        assert!(Mailer::smtp("smtp://mail.corp", "not an address", None).is_err());
        assert!(Mailer::smtp("smtps://mail.corp", "svitok@localhost", Some(b"not pem")).is_err());
    }

    #[test]
    fn outbox_names_are_safe() {
        let p = outbox_path(std::path::Path::new("/tmp/o"), "../../etc/passwd@x.ru");
        assert!(p.starts_with("/tmp/o"));
        assert!(!p.file_name().unwrap().to_str().unwrap().contains('/'));
    }

    #[tokio::test]
    async fn outbox_writes_an_eml_file() {
        let dir = std::env::temp_dir().join(format!("svitok-outbox-{}", std::process::id()));
        let m = Mailer::outbox(dir.clone(), "svitok@localhost").unwrap();
        m.send(Mail {
            to: "a@b.ru".into(),
            subject: "Код 123456".into(),
            body: "Тело".into(),
        })
        .await
        .unwrap();
        let entries: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(entries.len(), 1);
        let _ = std::fs::remove_dir_all(dir);
    }
}
