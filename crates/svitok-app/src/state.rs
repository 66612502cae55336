//! What every request can reach: storage, mail, time, keys and settings.

use crate::settings::Settings;
use std::sync::Arc;
use svitok_core::clock::Clock;
use svitok_core::secrets::{MasterKey, SubKey};
use svitok_core::{CoreError, Result};
use svitok_db::{AuditEvent, Db};
use svitok_mail::Mailer;
use tokio::sync::Semaphore;

#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub mailer: Mailer,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
    pub keys: Arc<Keys>,
    pub blobs: svitok_storage::BlobStore,
    /// The organisation's certification authority (created at first start).
    pub authority: Arc<svitok_pki::Authority>,
    /// The identity providers people may sign in with, in the order of their buttons.
    pub providers: Arc<Vec<Arc<dyn crate::identity::IdentityProvider>>>,
    hashing: Arc<Semaphore>,
    /// Set when the process is shutting down: readiness fails so that balancers move on.
    draining: Arc<std::sync::atomic::AtomicBool>,
}

/// Keys derived from the master key, one per purpose.
pub struct Keys {
    pub otp: SubKey,
    pub totp: SubKey,
    /// Seals CA and user signing keys.
    pub signing: SubKey,
    /// Seals a browser's identity-provider flow into its cookie.
    pub oidc: SubKey,
}

impl App {
    pub fn new(
        db: Db,
        mailer: Mailer,
        blobs: svitok_storage::BlobStore,
        clock: Arc<dyn Clock>,
        settings: Settings,
        master: &MasterKey,
        authority: svitok_pki::Authority,
    ) -> App {
        // One Argon2 at a time per core: more would only queue in the CPU and use memory.
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        App {
            db,
            mailer,
            clock,
            settings: Arc::new(settings),
            keys: Arc::new(Keys {
                otp: master.derive("svitok one-time codes v1"),
                totp: master.derive("svitok totp secrets v1"),
                signing: crate::pki::sealing_key(master),
                oidc: master.derive("svitok oidc flows v1"),
            }),
            blobs,
            authority: Arc::new(authority),
            providers: Arc::new(Vec::new()),
            draining: Arc::new(std::sync::atomic::AtomicBool::new(false)),
            hashing: Arc::new(Semaphore::new(cores)),
        }
    }

    /// The same application with these identity providers.
    pub fn with_providers(mut self, providers: Vec<Arc<dyn crate::identity::IdentityProvider>>) -> App {
        self.providers = Arc::new(providers);
        self
    }

    /// The process is shutting down (SPEC §13): it serves what is in flight, no more.
    pub fn start_draining(&self) {
        self.draining.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn is_draining(&self) -> bool {
        self.draining.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Runs CPU-heavy work (password hashing) on the blocking pool with bounded concurrency,
    /// so it never stalls the async runtime.
    pub async fn cpu<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
        let _permit = self.hashing.acquire().await.map_err(CoreError::internal)?;
        tokio::task::spawn_blocking(f).await.map_err(CoreError::internal)
    }

    pub async fn audit(&self, event: AuditEvent) -> Result<()> {
        self.db.append_audit(&event, self.now()).await.map(|_| ())
    }
}
