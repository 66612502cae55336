//! Start-up: from a checked [`Config`] to a listening server.

use crate::config::{BlobLocation, Config, LogFormat};
use anyhow::Context;
use std::net::SocketAddr;
use std::sync::Arc;
use svitok_app::{App, Settings};
use svitok_core::clock::Clock;
use svitok_db::Db;
use svitok_mail::Mailer;
use tokio::net::TcpListener;

pub fn init_tracing(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::new(&config.log);
    // Logs go to stderr; stdout is for what the operator asked for (the setup link).
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(|| OneLine(std::io::stderr()));
    let _ = match config.log_format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// A log writer that keeps each event on its own line: CR and LF inside an event (input
/// quoted in a message or an error) are written as `\r` and `\n`, so nobody can forge a
/// log line by sending them (SECURITY 37). JSON lines escape them already.
pub struct OneLine<W>(pub W);

impl<W: std::io::Write> std::io::Write for OneLine<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // The formatter hands over one whole event, ending in its newline, per call.
        let (body, newline) = match buf.split_last() {
            Some((b'\n', body)) => (body, true),
            _ => (buf, false),
        };
        if !body.iter().any(|b| matches!(b, b'\n' | b'\r')) {
            self.0.write_all(buf)?;
            return Ok(buf.len());
        }
        let mut out = Vec::with_capacity(buf.len() + 16);
        for &b in body {
            match b {
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                _ => out.push(b),
            }
        }
        if newline {
            out.push(b'\n');
        }
        self.0.write_all(&out)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// The data directory and, on SQLite, the database file: readable by us alone whatever
/// the umask (SQLite gives its WAL and shared-memory files the database file's mode).
fn private_data(config: &Config) -> anyhow::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let private = |path: &std::path::Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .with_context(|| format!("restricting {}", path.display()))
    };
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating data directory {}", config.data_dir.display()))?;
    private(&config.data_dir, 0o700)?;
    let url = &config.database_url;
    if let Some(rest) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
        let file = std::path::PathBuf::from(rest.split('?').next().unwrap_or(rest));
        if !file.as_os_str().is_empty() && !rest.starts_with(":memory:") {
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .open(&file)
                .with_context(|| format!("creating {}", file.display()))?;
            for suffix in ["", "-wal", "-shm"] {
                let f = std::path::PathBuf::from(format!("{}{suffix}", file.display()));
                if f.exists() {
                    private(&f, 0o600)?;
                }
            }
        }
    }
    Ok(())
}

pub async fn connect_db(config: &Config) -> anyhow::Result<Db> {
    private_data(config)?;
    let db = Db::connect(&config.database_url)
        .await
        .context("connecting to the database")?;
    db.migrate().await.context("applying migrations")?;
    Ok(db)
}

pub fn mailer(config: &Config) -> anyhow::Result<Mailer> {
    let mailer = match &config.smtp_url {
        Some(url) => Mailer::smtp(url, &config.mail_from, config.smtp_ca_pem.as_deref())?,
        None => Mailer::outbox(config.data_dir.join("outbox"), &config.mail_from)?,
    };
    Ok(match &config.smtp_oauth {
        Some(refresh) => {
            let tokens = svitok_oidc::mail_tokens::RefreshingTokens::new(refresh.clone())
                .map_err(|e| anyhow::anyhow!("SVITOK_SMTP_OAUTH_TOKEN_URL: {e}"))?;
            mailer.with_access_tokens(Arc::new(tokens))?
        }
        None => mailer,
    })
}

pub async fn state(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<App> {
    let db = connect_db(config).await?;
    // The CA's row is the first sealed data a server writes.
    let sealed = db.authority().await?.is_some();
    let master = crate::keyfile::load_or_create(&config.master_key_file, sealed)?;
    let db = db.with_audit_key(master.derive(svitok_app::audit::CHAIN_KEY_PURPOSE));
    let mut settings = Settings::for_url(config.public_url.clone());
    settings.registration = config.registration.clone();
    settings.session_idle_ms = config.session_idle_minutes * 60_000;
    settings.session_absolute_ms = config.session_absolute_hours * 3_600_000;
    settings.org_name = config.org_name.clone();
    settings.max_upload = config.max_upload;
    settings.trash_retention_ms = config.trash_retention_days * 86_400_000;
    settings.cert_validity_days = config.cert_validity_days;
    settings.trusted_proxies = config.trusted_proxies.clone();
    settings.password_login = config.password_login.clone();
    let kek = master.derive("svitok blob keys v1");
    let blobs = match &config.blobs {
        BlobLocation::Local(dir) => svitok_storage::BlobStore::local(dir, kek)
            .map_err(|e| anyhow::anyhow!("blob storage {}: {e}", dir.display()))?,
        BlobLocation::S3 { bucket, prefix } => svitok_storage::BlobStore::s3(bucket, prefix, kek)
            .map_err(|e| anyhow::anyhow!("blob storage s3://{bucket}: {e}"))?,
    };
    let authority = svitok_app::pki::load_or_create_authority(&db, &master, &config.org_name, clock.now_ms()).await?;
    let providers = config
        .oidc
        .iter()
        .map(|o| {
            svitok_oidc::Provider::new(o.policy.clone(), o.client.clone())
                .map(Arc::new)
                .map_err(|e| anyhow::anyhow!("identity provider «{}»: {e}", o.policy.name))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    // Discovery at start, in the background: a provider that is down must not keep the
    // server (or password sign-in) from starting; it is asked again on first use.
    for p in &providers {
        let p = p.clone();
        tokio::spawn(async move {
            let name = svitok_app::identity::IdentityProvider::policy(&*p).name.clone();
            match p.discover().await {
                Ok(()) => tracing::info!(provider = %name, "identity provider discovered"),
                Err(r) => tracing::warn!(provider = %name, reason = %r.reason, "identity provider not reachable yet"),
            }
        });
    }
    let providers = providers
        .into_iter()
        .map(|p| p as Arc<dyn svitok_app::identity::IdentityProvider>)
        .collect();
    Ok(App::new(db, mailer(config)?, blobs, clock, settings, &master, authority).with_providers(providers))
}

/// A running server: its address, and its state for tests to reach into.
pub struct Application {
    pub addr: SocketAddr,
    pub state: App,
    pub setup_link: Option<String>,
    listener: TcpListener,
    grace: std::time::Duration,
}

impl Application {
    /// Connects, migrates and binds (port 0 picks a free port) without serving yet.
    pub async fn build(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<Application> {
        let state = state(config, clock).await?;
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("binding {}", config.listen))?;
        let addr = listener.local_addr()?;
        let setup_link = svitok_app::setup::link_if_needed(&state).await?;
        tracing::info!(%addr, mail = %state.mailer.describe(), "svitok listening");
        Ok(Application {
            addr,
            state,
            setup_link,
            listener,
            grace: std::time::Duration::from_secs(config.shutdown_grace_seconds.unsigned_abs()),
        })
    }

    /// Serves until `shutdown`, then drains (SPEC §13): readiness fails at once, no new
    /// connection is accepted, requests in flight (uploads included) finish within the
    /// grace, background work stops between rounds and gives its lease up; then it returns.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        use std::future::IntoFuture;
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let upkeep = tokio::spawn(svitok_app::maintenance::run(
            self.state.clone(),
            std::time::Duration::from_secs(10 * 60),
            stop_rx,
        ));
        let (begun_tx, begun_rx) = tokio::sync::oneshot::channel::<()>();
        let state = self.state.clone();
        let grace = self.grace;
        let signal = async move {
            shutdown.await;
            state.start_draining();
            let _ = stop_tx.send(true);
            let _ = begun_tx.send(());
            tracing::info!(
                grace_s = grace.as_secs(),
                "draining: no new connections; finishing requests in flight"
            );
        };
        let app = svitok_web::router(self.state.clone());
        let server = axum::serve(self.listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(signal)
            .into_future();
        let deadline = async move {
            match begun_rx.await {
                Ok(()) => tokio::time::sleep(grace).await,
                Err(_) => std::future::pending().await,
            }
        };
        tokio::select! {
            served = server => served?,
            _ = deadline => tracing::warn!("the shutdown grace ran out: requests still in flight were cut"),
        }
        if tokio::time::timeout(std::time::Duration::from_secs(5), upkeep)
            .await
            .is_err()
        {
            tracing::warn!("background work did not stop in time");
        }
        self.state.db.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::OneLine;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// SECURITY 37: input with CR/LF quoted in a log event cannot start a line of its own.
    #[test]
    fn crlf_in_input_cannot_forge_a_log_line() {
        let buffer = Buffer::default();
        let out = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .without_time()
            .with_writer(move || OneLine(out.clone()))
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            let login = "ivanov\r\nERROR svitok: admin logged in from 10.0.0.1";
            tracing::warn!(login = %login, "login refused");
            tracing::info!("next");
        });
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text:?}");
        assert!(lines[0].contains("ivanov\\r\\nERROR"), "{text:?}");
        assert!(!lines.iter().any(|l| l.starts_with("ERROR")), "{text:?}");
    }
}
