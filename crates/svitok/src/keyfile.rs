//! The master key file: 32 random bytes as hex, created 0600 at first start.

use anyhow::{bail, Context};
use std::io::Write;
use std::path::Path;
use svitok_core::secrets::MasterKey;

/// The master key at `path`, or a new one there — but never a new one beside a database
/// that already holds data sealed with a key: that data would be lost to it, and the
/// start would fail later with a puzzling "sealed value failed authentication".
pub fn load_or_create(path: &Path, sealed_data_exists: bool) -> anyhow::Result<MasterKey> {
    if path.exists() {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let bytes = hex::decode(text.trim()).with_context(|| format!("{} is not hex", path.display()))?;
        if bytes.len() != 32 {
            bail!(
                "{}: the master key must be 32 bytes (64 hex characters)",
                path.display()
            );
        }
        return Ok(MasterKey::from_bytes(&bytes)?);
    }
    if sealed_data_exists {
        bail!(
            "the master key {} is missing, but the database already holds keys sealed with one \
             (the certification authority's and users' signing keys, TOTP secrets, file keys). \
             Restore the master key from its backup to that path; a new key would open none of them",
            path.display()
        );
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let key = MasterKey::generate();
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    f.write_all(hex::encode(key.as_bytes()).as_bytes())?;
    f.sync_all()?;
    tracing::info!(path = %path.display(), "created a new master key; back it up: without it encrypted data is lost");
    Ok(key)
}

#[cfg(test)]
mod tests {
    #[test]
    fn created_once_with_owner_only_permissions() {
        let dir = std::env::temp_dir().join(format!("svitok-key-{}", uuid::Uuid::new_v4()));
        let path = dir.join("master.key");
        let a = super::load_or_create(&path, false).unwrap();
        let b = super::load_or_create(&path, false).unwrap();
        assert_eq!(a.as_bytes(), b.as_bytes());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        std::fs::write(&path, "short").unwrap();
        assert!(super::load_or_create(&path, false).is_err());
        let _ = std::fs::remove_dir_all(dir);
    }
}
