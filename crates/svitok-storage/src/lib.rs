//! Blob storage. Files go to an `object_store` (local disk by default, S3 by
//! configuration) encrypted at rest, streamed both ways so memory does not grow with the
//! file.
//!
//! Format of a stored blob:
//!
//! ```text
//! "SVB1" | wrapped key length (u16 BE) | wrapped key | STREAM nonce prefix (19 bytes)
//! | chunk₀ | chunk₁ | … | chunkₙ (last)
//! ```
//!
//! Each blob has its own random 256-bit key, sealed ("wrapped") under a key derived from
//! the master key and bound to the blob's name. The content is split into 64 KiB chunks,
//! each sealed with XChaCha20-Poly1305 in the STREAM construction (a counter and a
//! last-chunk flag in every nonce), so a flipped byte, a reordered or missing chunk, or a
//! truncated blob fails authentication before any of its plaintext is released.

use bytes::{Bytes, BytesMut};
use chacha20poly1305::aead::stream::{DecryptorBE32, EncryptorBE32, NewStream, StreamBE32, StreamPrimitive};
use chacha20poly1305::aead::KeyInit;
use chacha20poly1305::XChaCha20Poly1305;
use futures_util::{Stream, StreamExt};
use object_store::path::Path;
use object_store::{GetOptions, GetRange, GetResult, GetResultPayload, ObjectStore, ObjectStoreExt, WriteMultipart};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use svitok_core::secrets::SubKey;

mod read;
mod write;

use read::*;
pub use write::BlobWriter;

const MAGIC: &[u8; 4] = b"SVB1";

/// Plaintext bytes per chunk.
pub const CHUNK: usize = 64 * 1024;

const TAG: usize = 16;

const NONCE_PREFIX: usize = 19;

/// Parts of a multipart upload; S3 needs at least 5 MiB.
const PART: usize = 8 * 1024 * 1024;

/// Parts in flight at once: bounds the memory of one upload to about PART × this.
const PARTS_IN_FLIGHT: usize = 2;

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("the file is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("the stored file failed its integrity check: {0}")]
    Corrupt(String),
    #[error("blob not found")]
    NotFound,
    /// The disk (or the store's quota) is full.
    #[error("no space left for the file: {0}")]
    Full(String),
    #[error("storage error: {0}")]
    Store(String),
}

/// What a finished upload stored.
#[derive(Debug, Clone)]
pub struct StoredBlob {
    pub key: String,
    pub size: u64,
    /// Hex SHA-256 of the plaintext.
    pub sha256: String,
}

#[derive(Clone)]
pub struct BlobStore {
    store: Arc<dyn ObjectStore>,
    kek: Arc<SubKey>,
    /// The directory of a local store: each file written there is made 0600.
    local_root: Option<Arc<std::path::PathBuf>>,
}

/// Whatever the umask, a stored file is readable by the server's user alone.
fn owner_only(root: Option<&std::path::Path>, key: &str) -> Result<(), BlobError> {
    use std::os::unix::fs::PermissionsExt;
    if let Some(root) = root {
        let path = root.join(key);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| BlobError::Store(format!("{}: {e}", path.display())))?;
    }
    Ok(())
}

impl From<object_store::Error> for BlobError {
    fn from(e: object_store::Error) -> Self {
        match e {
            object_store::Error::NotFound { .. } => BlobError::NotFound,
            other if no_space(&other) => BlobError::Full(other.to_string()),
            other => BlobError::Store(other.to_string()),
        }
    }
}

/// Whether a store's error comes from a full disk (ENOSPC, EDQUOT) somewhere down its causes.
fn no_space(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::StorageFull
                || io.kind() == std::io::ErrorKind::QuotaExceeded
                || matches!(io.raw_os_error(), Some(28 | 122))
            {
                return true;
            }
        }
        cause = c.source();
    }
    false
}

impl BlobStore {
    pub fn new(store: Arc<dyn ObjectStore>, kek: SubKey) -> BlobStore {
        BlobStore {
            store,
            kek: Arc::new(kek),
            local_root: None,
        }
    }

    /// A store on the local disk under `dir` (created if absent, readable by us alone).
    pub fn local(dir: &std::path::Path, kek: SubKey) -> Result<BlobStore, BlobError> {
        use std::os::unix::fs::PermissionsExt;
        let failed = |e: std::io::Error| BlobError::Store(format!("{}: {e}", dir.display()));
        std::fs::create_dir_all(dir).map_err(failed)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(failed)?;
        let fs = object_store::local::LocalFileSystem::new_with_prefix(dir)?;
        let mut store = BlobStore::new(Arc::new(fs), kek);
        store.local_root = Some(Arc::new(dir.to_path_buf()));
        Ok(store)
    }

    /// A store in an S3 bucket (any S3-compatible server), under `prefix`. Credentials,
    /// region and endpoint come from the standard `AWS_*` variables (`AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT_URL`, `AWS_ALLOW_HTTP`).
    /// With the `s3` feature only, which the binary turns on.
    #[cfg(feature = "s3")]
    pub fn s3(bucket: &str, prefix: &str, kek: SubKey) -> Result<BlobStore, BlobError> {
        let mut builder = object_store::aws::AmazonS3Builder::from_env().with_bucket_name(bucket);
        // from_env reads AWS_ENDPOINT; the newer standard name is AWS_ENDPOINT_URL.
        if let Ok(endpoint) = std::env::var("AWS_ENDPOINT_URL") {
            builder = builder.with_endpoint(endpoint);
        }
        let s3 = builder.build()?;
        let store: Arc<dyn ObjectStore> = if prefix.trim_matches('/').is_empty() {
            Arc::new(s3)
        } else {
            Arc::new(object_store::prefix::PrefixStore::new(s3, prefix.trim_matches('/')))
        };
        Ok(BlobStore::new(store, kek))
    }

    /// Starts writing a new blob of at most `limit` plaintext bytes.
    pub async fn writer(&self, limit: u64) -> Result<BlobWriter, BlobError> {
        let key = format!("blobs/{}", uuid::Uuid::now_v7());
        let mut data_key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut data_key);
        let wrapped = self.kek.seal(&data_key, key.as_bytes());
        let mut prefix = [0u8; NONCE_PREFIX];
        rand::rngs::OsRng.fill_bytes(&mut prefix);
        let cipher = XChaCha20Poly1305::new((&data_key).into());
        let encryptor = EncryptorBE32::from_aead(cipher, (&prefix).into());
        let upload = self.store.put_multipart(&Path::from(key.as_str())).await?;
        let mut upload = WriteMultipart::new_with_chunk_size(upload, PART);
        let mut header = Vec::with_capacity(4 + 2 + wrapped.len() + NONCE_PREFIX);
        header.extend_from_slice(MAGIC);
        header.extend_from_slice(&(wrapped.len() as u16).to_be_bytes());
        header.extend_from_slice(wrapped.as_bytes());
        header.extend_from_slice(&prefix);
        upload.write(&header);
        Ok(BlobWriter {
            key,
            local_root: self.local_root.clone(),
            upload: Some(upload),
            encryptor: Some(encryptor),
            pending: BytesMut::with_capacity(CHUNK),
            hasher: Sha256::new(),
            size: 0,
            limit,
        })
    }

    /// Streams a blob's plaintext, checking every chunk as it goes and the whole file's
    /// SHA-256 (`expected_sha256`, hex) at the end. A check that fails ends the stream
    /// with an error: a reader gets an authentic prefix and an error, never wrong bytes.
    pub async fn read(
        &self,
        key: &str,
        expected_sha256: &str,
    ) -> Result<impl Stream<Item = Result<Bytes, BlobError>> + Send + 'static, BlobError> {
        let stream = body(self.store.get(&Path::from(key)).await?);
        let state = ReadState {
            inner: stream.boxed(),
            buf: BytesMut::new(),
            decryptor: None,
            kek: self.kek.clone(),
            key: key.to_string(),
            hasher: Sha256::new(),
            expected: expected_sha256.to_lowercase(),
            exhausted: false,
            done: false,
        };
        Ok(futures_util::stream::try_unfold(state, ReadState::next))
    }

    /// The SHA-256 of a blob's plaintext, established by streaming all of it through
    /// [`BlobStore::read`]'s checks (chunk authentication and the whole-file digest): one
    /// pass, never the whole file in memory. What signing covers.
    pub async fn verified_sha256(&self, key: &str, expected_sha256: &str) -> Result<[u8; 32], BlobError> {
        use futures_util::TryStreamExt;
        let mut stream = std::pin::pin!(self.read(key, expected_sha256).await?);
        while stream.try_next().await?.is_some() {}
        let mut out = [0u8; 32];
        hex::decode_to_slice(expected_sha256, &mut out)
            .map_err(|_| BlobError::Corrupt(format!("stored digest of {key} is not hex")))?;
        Ok(out)
    }

    /// Streams plaintext bytes `start..=end` of a blob whose plaintext is `plain_size`
    /// bytes, reading and decrypting only the chunks that hold them. Each chunk is
    /// authenticated at its position (so chunks cannot be moved), but the whole-file
    /// SHA-256 cannot be checked on a part.
    pub async fn read_range(
        &self,
        key: &str,
        plain_size: u64,
        start: u64,
        end: u64,
    ) -> Result<impl Stream<Item = Result<Bytes, BlobError>> + Send + 'static, BlobError> {
        if start > end || end >= plain_size {
            return Err(BlobError::Store(format!("bad range {start}-{end} of {plain_size}")));
        }
        let path = Path::from(key);
        let stored = self.store.head(&path).await?.size;
        let peek = self.store.get_range(&path, 0..stored.min(512)).await?;
        let (header_len, data_key, prefix) = open_header(&self.kek, key, &peek)?;
        let cipher = XChaCha20Poly1305::new((&data_key).into());
        let primitive = StreamBE32::from_aead(cipher, (&prefix).into());
        let sealed = (CHUNK + TAG) as u64;
        let first = start / CHUNK as u64;
        let last_needed = end / CHUNK as u64;
        let from = header_len as u64 + first * sealed;
        let to = (header_len as u64 + (last_needed + 1) * sealed).min(stored);
        let opts = GetOptions {
            range: Some(GetRange::Bounded(from..to)),
            ..Default::default()
        };
        let inner = body(self.store.get_opts(&path, opts).await?);
        let state = RangeState {
            inner: inner.boxed(),
            buf: BytesMut::new(),
            primitive,
            position: first,
            last_index: plain_size / CHUNK as u64,
            skip: (start - first * CHUNK as u64) as usize,
            remaining: end - start + 1,
            exhausted: false,
        };
        Ok(futures_util::stream::try_unfold(state, RangeState::next))
    }

    pub async fn delete(&self, key: &str) -> Result<(), BlobError> {
        match self.store.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Keys of stored blobs last modified before `before` (for the orphan sweeper).
    pub async fn list_older_than(&self, before: std::time::SystemTime) -> Result<Vec<String>, BlobError> {
        let cutoff = before
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        let mut out = Vec::new();
        let mut listing = self.store.list(Some(&Path::from("blobs")));
        while let Some(meta) = listing.next().await {
            let meta = meta?;
            if meta.last_modified.timestamp_millis() < cutoff {
                out.push(meta.location.to_string());
            }
        }
        Ok(out)
    }

    /// Keys stored under `prefix` (not the documents' `blobs/`), in no particular order.
    pub async fn list_prefix(&self, prefix: &str) -> Result<Vec<String>, BlobError> {
        let mut out = Vec::new();
        let mut listing = self.store.list(Some(&Path::from(prefix)));
        while let Some(meta) = listing.next().await {
            out.push(meta?.location.to_string());
        }
        Ok(out)
    }

    /// The raw stored bytes (tests look for plaintext in them and tamper with them).
    pub async fn raw(&self, key: &str) -> Result<Bytes, BlobError> {
        Ok(self.store.get(&Path::from(key)).await?.bytes().await?)
    }

    pub async fn put_raw(&self, key: &str, data: Bytes) -> Result<(), BlobError> {
        self.store.put(&Path::from(key), data.into()).await?;
        owner_only(self.local_root.as_deref().map(|p| p.as_path()), key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use svitok_core::secrets::MasterKey;

    fn store() -> (BlobStore, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("svitok-blobs-{}", uuid::Uuid::new_v4()));
        (
            BlobStore::local(&dir, MasterKey::generate().derive("blobs")).unwrap(),
            dir,
        )
    }

    async fn put(s: &BlobStore, data: &[u8], piece: usize) -> StoredBlob {
        let mut w = s.writer(u64::MAX).await.unwrap();
        for c in data.chunks(piece.max(1)) {
            w.write(c).await.unwrap();
        }
        w.finish().await.unwrap()
    }

    async fn get(s: &BlobStore, b: &StoredBlob) -> Result<Vec<u8>, BlobError> {
        let mut out = Vec::new();
        let mut stream = Box::pin(s.read(&b.key, &b.sha256).await?);
        while let Some(chunk) = stream.next().await {
            out.extend_from_slice(&chunk?);
        }
        Ok(out)
    }

    #[tokio::test]
    async fn round_trips_at_every_chunk_boundary() {
        let (s, dir) = store();
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 17] {
            let data: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            for piece in [1000, CHUNK, 100_000] {
                let b = put(&s, &data, piece).await;
                assert_eq!(b.size, len as u64);
                assert_eq!(b.sha256, hex::encode(Sha256::digest(&data)));
                assert_eq!(get(&s, &b).await.unwrap(), data, "len {len} piece {piece}");
            }
        }
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn the_verified_digest_is_the_content_digest_or_an_error() {
        let (s, dir) = store();
        let data: Vec<u8> = (0..2 * CHUNK + 9).map(|i| (i % 253) as u8).collect();
        let b = put(&s, &data, 5000).await;
        let digest = s.verified_sha256(&b.key, &b.sha256).await.unwrap();
        assert_eq!(digest.as_slice(), Sha256::digest(&data).as_slice());
        let wrong = hex::encode(Sha256::digest(b"something else"));
        assert!(
            s.verified_sha256(&b.key, &wrong).await.is_err(),
            "a digest that does not match the content"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn stored_bytes_are_not_the_plaintext() {
        let (s, dir) = store();
        let data = b"CONFIDENTIAL-MARKER ".repeat(5000);
        let b = put(&s, &data, 4096).await;
        let raw = s.raw(&b.key).await.unwrap();
        assert!(!raw.windows(20).any(|w| w == b"CONFIDENTIAL-MARKER "));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn a_flipped_byte_a_truncation_or_a_swapped_chunk_is_detected() {
        let (s, dir) = store();
        let data: Vec<u8> = (0..3 * CHUNK + 100).map(|i| (i % 256) as u8).collect();
        let b = put(&s, &data, CHUNK).await;
        let raw = s.raw(&b.key).await.unwrap().to_vec();
        let header = raw.len() - (3 * (CHUNK + TAG) + 100 + TAG);
        let mut flipped = raw.clone();
        flipped[header + CHUNK + 5] ^= 1;
        let mut truncated = raw.clone();
        truncated.truncate(header + 2 * (CHUNK + TAG));
        let mut swapped = raw[..header].to_vec();
        swapped.extend_from_slice(&raw[header + CHUNK + TAG..header + 2 * (CHUNK + TAG)]);
        swapped.extend_from_slice(&raw[header..header + CHUNK + TAG]);
        swapped.extend_from_slice(&raw[header + 2 * (CHUNK + TAG)..]);
        for (name, bad) in [("flipped", flipped), ("truncated", truncated), ("swapped", swapped)] {
            s.put_raw(&b.key, Bytes::from(bad)).await.unwrap();
            let r = get(&s, &b).await;
            assert!(matches!(r, Err(BlobError::Corrupt(_))), "{name} not detected");
        }
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn ranges_read_only_what_they_cover_at_any_alignment() {
        let (s, dir) = store();
        for len in [1usize, CHUNK, 2 * CHUNK, 3 * CHUNK + 17] {
            let data: Vec<u8> = (0..len).map(|i| (i * 13 % 251) as u8).collect();
            let b = put(&s, &data, 10_000).await;
            let n = len as u64;
            for (a, z) in [
                (0, n - 1),
                (0, 0),
                (n - 1, n - 1),
                (n / 2, n - 1),
                (n / 3, (2 * n / 3).max(n / 3)),
            ] {
                let mut got = Vec::new();
                let mut stream = Box::pin(s.read_range(&b.key, n, a, z).await.unwrap());
                while let Some(c) = stream.next().await {
                    got.extend_from_slice(&c.unwrap());
                }
                assert_eq!(got, &data[a as usize..=z as usize], "len {len} range {a}-{z}");
            }
            assert!(s.read_range(&b.key, n, n, n).await.is_err());
        }
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn the_size_limit_is_enforced_while_streaming() {
        let (s, dir) = store();
        let mut w = s.writer(10).await.unwrap();
        w.write(b"12345").await.unwrap();
        assert!(matches!(
            w.write(b"678901").await,
            Err(BlobError::TooLarge { limit: 10 })
        ));
        w.abort().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}
