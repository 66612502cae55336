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
    hashing: Arc<Semaphore>,
}

/// Keys derived from the master key, one per purpose.
pub struct Keys {
    pub otp: SubKey,
    pub totp: SubKey,
    /// Seals CA and user signing keys.
    pub signing: SubKey,
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
            }),
            blobs,
            authority: Arc::new(authority),
            hashing: Arc::new(Semaphore::new(cores)),
        }
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
