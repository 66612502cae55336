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
    #[error("storage error: {0}")]
    Store(String),
}

impl From<object_store::Error> for BlobError {
    fn from(e: object_store::Error) -> Self {
        match e {
            object_store::Error::NotFound { .. } => BlobError::NotFound,
            other => BlobError::Store(other.to_string()),
        }
    }
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

/// An upload in progress. Dropping it without [`BlobWriter::finish`] leaves at most an
/// unfinished upload that no document refers to; the sweeper removes it.
pub struct BlobWriter {
    key: String,
    local_root: Option<Arc<std::path::PathBuf>>,
    upload: Option<WriteMultipart>,
    encryptor: Option<EncryptorBE32<XChaCha20Poly1305>>,
    pending: BytesMut,
    hasher: Sha256,
    size: u64,
    limit: u64,
}

impl BlobWriter {
    pub fn key(&self) -> &str {
        &self.key
    }

    pub async fn write(&mut self, mut data: &[u8]) -> Result<(), BlobError> {
        self.size += data.len() as u64;
        if self.size > self.limit {
            return Err(BlobError::TooLarge { limit: self.limit });
        }
        self.hasher.update(data);
        while !data.is_empty() {
            let room = CHUNK - self.pending.len();
            let take = room.min(data.len());
            self.pending.extend_from_slice(&data[..take]);
            data = &data[take..];
            // A full chunk is sealed only once more data follows: the last chunk is sealed
            // differently, and we do not know which one is last until `finish`.
            if self.pending.len() == CHUNK && !data.is_empty() {
                self.seal_pending().await?;
            }
        }
        Ok(())
    }

    async fn seal_pending(&mut self) -> Result<(), BlobError> {
        let enc = self
            .encryptor
            .as_mut()
            .ok_or_else(|| BlobError::Store("writer finished".into()))?;
        let sealed = enc
            .encrypt_next(self.pending.as_ref())
            .map_err(|_| BlobError::Store("encryption failed".into()))?;
        self.pending.clear();
        let upload = self
            .upload
            .as_mut()
            .ok_or_else(|| BlobError::Store("writer finished".into()))?;
        upload.wait_for_capacity(PARTS_IN_FLIGHT).await?;
        upload.write(&sealed);
        Ok(())
    }

    pub async fn finish(mut self) -> Result<StoredBlob, BlobError> {
        if self.pending.len() == CHUNK {
            // Exactly full: seal it as a middle chunk and end with an empty last chunk.
            self.seal_pending().await?;
        }
        let enc = self
            .encryptor
            .take()
            .ok_or_else(|| BlobError::Store("writer finished".into()))?;
        let last = enc
            .encrypt_last(self.pending.as_ref())
            .map_err(|_| BlobError::Store("encryption failed".into()))?;
        let mut upload = self
            .upload
            .take()
            .ok_or_else(|| BlobError::Store("writer finished".into()))?;
        upload.write(&last);
        upload.finish().await?;
        owner_only(self.local_root.as_deref().map(|p| p.as_path()), &self.key)?;
        Ok(StoredBlob {
            key: self.key.clone(),
            size: self.size,
            sha256: hex::encode(self.hasher.clone().finalize()),
        })
    }

    /// Gives up: the partial upload is discarded.
    pub async fn abort(mut self) {
        if let Some(upload) = self.upload.take() {
            if let Err(e) = upload.abort().await {
                tracing::warn!(error = %e, key = %self.key, "could not abort an upload; the sweeper will remove it");
            }
        }
    }
}

/// Bytes read from a local file at a time: sixteen sealed chunks.
const FILE_READ: usize = 16 * (CHUNK + TAG);

/// The object's bytes as a stream. `object_store` reads local files 8 KiB at a time, each
/// read a hop to the blocking pool; reading 1 MiB at a time makes downloads several times
/// cheaper. Remote stores stream as they come.
fn body(res: GetResult) -> futures_util::stream::BoxStream<'static, object_store::Result<Bytes>> {
    match res.payload {
        GetResultPayload::File(file, path) => {
            let range = res.range.clone();
            let state = (file, path, range.start, range.end, false);
            futures_util::stream::try_unfold(state, |(mut file, path, pos, end, sought)| async move {
                if pos >= end {
                    return Ok(None);
                }
                let want = ((end - pos) as usize).min(FILE_READ);
                let (file, path, data) = tokio::task::spawn_blocking(move || {
                    use std::io::{Read, Seek, SeekFrom};
                    if !sought {
                        file.seek(SeekFrom::Start(pos))?;
                    }
                    let mut buf = vec![0u8; want];
                    file.read_exact(&mut buf)?;
                    Ok::<_, std::io::Error>((file, path, buf))
                })
                .await
                .map_err(|e| object_store::Error::Generic {
                    store: "LocalFileSystem",
                    source: Box::new(e),
                })?
                .map_err(|e| object_store::Error::Generic {
                    store: "LocalFileSystem",
                    source: Box::new(e),
                })?;
                let next = pos + data.len() as u64;
                Ok(Some((Bytes::from(data), (file, path, next, end, true))))
            })
            .boxed()
        }
        GetResultPayload::Stream(s) => s,
    }
}

/// Parses a blob's header: its length, the unwrapped data key, the STREAM nonce prefix.
fn open_header(kek: &SubKey, key: &str, buf: &[u8]) -> Result<(usize, [u8; 32], [u8; NONCE_PREFIX]), BlobError> {
    let corrupt = |why: &str| BlobError::Corrupt(why.to_string());
    if buf.len() < 6 || &buf[..4] != MAGIC {
        return Err(corrupt("not a Svitok blob"));
    }
    let wrapped_len = u16::from_be_bytes([buf[4], buf[5]]) as usize;
    let need = 6 + wrapped_len + NONCE_PREFIX;
    if buf.len() < need {
        return Err(corrupt("truncated header"));
    }
    let wrapped = std::str::from_utf8(&buf[6..6 + wrapped_len]).map_err(|_| corrupt("bad key"))?;
    let data_key = kek
        .open(wrapped, key.as_bytes())
        .map_err(|_| corrupt("the file key does not open"))?;
    let data_key: [u8; 32] = data_key.try_into().map_err(|_| corrupt("bad key length"))?;
    let prefix: [u8; NONCE_PREFIX] = buf[6 + wrapped_len..need]
        .try_into()
        .map_err(|_| corrupt("bad nonce"))?;
    Ok((need, data_key, prefix))
}

struct RangeState {
    inner: futures_util::stream::BoxStream<'static, object_store::Result<Bytes>>,
    buf: BytesMut,
    primitive: StreamBE32<XChaCha20Poly1305>,
    position: u64,
    last_index: u64,
    skip: usize,
    remaining: u64,
    exhausted: bool,
}

impl RangeState {
    async fn next(mut self) -> Result<Option<(Bytes, RangeState)>, BlobError> {
        if self.remaining == 0 {
            return Ok(None);
        }
        let sealed = CHUNK + TAG;
        let is_last = self.position == self.last_index;
        while (is_last || self.buf.len() < sealed) && !self.exhausted {
            match self.inner.next().await {
                Some(Ok(b)) => self.buf.extend_from_slice(&b),
                Some(Err(e)) => return Err(e.into()),
                None => self.exhausted = true,
            }
        }
        let piece = if is_last || self.buf.len() < sealed {
            self.buf.split()
        } else {
            self.buf.split_to(sealed)
        };
        let position = u32::try_from(self.position).map_err(|_| BlobError::Corrupt("file too long".into()))?;
        let plain = self
            .primitive
            .decrypt(position, is_last, piece.as_ref())
            .map_err(|_| BlobError::Corrupt("a chunk failed authentication".into()))?;
        let from = self.skip.min(plain.len());
        let to = (from as u64 + self.remaining).min(plain.len() as u64) as usize;
        self.skip = 0;
        self.remaining -= (to - from) as u64;
        self.position += 1;
        Ok(Some((Bytes::copy_from_slice(&plain[from..to]), self)))
    }
}

struct ReadState {
    inner: futures_util::stream::BoxStream<'static, object_store::Result<Bytes>>,
    buf: BytesMut,
    decryptor: Option<DecryptorBE32<XChaCha20Poly1305>>,
    kek: Arc<SubKey>,
    key: String,
    hasher: Sha256,
    expected: String,
    exhausted: bool,
    done: bool,
}

impl ReadState {
    async fn fill(&mut self) -> Result<(), BlobError> {
        match self.inner.next().await {
            Some(Ok(b)) => self.buf.extend_from_slice(&b),
            Some(Err(e)) => return Err(e.into()),
            None => self.exhausted = true,
        }
        Ok(())
    }

    fn corrupt(why: &str) -> BlobError {
        BlobError::Corrupt(why.to_string())
    }
    async fn header(&mut self) -> Result<(), BlobError> {
        while self.buf.len() < 6 && !self.exhausted {
            self.fill().await?;
        }
        if self.buf.len() >= 6 {
            let need = 6 + u16::from_be_bytes([self.buf[4], self.buf[5]]) as usize + NONCE_PREFIX;
            while self.buf.len() < need && !self.exhausted {
                self.fill().await?;
            }
        }
        let (len, data_key, prefix) = open_header(&self.kek, &self.key, &self.buf)?;
        let _ = self.buf.split_to(len);
        let cipher = XChaCha20Poly1305::new((&data_key).into());
        self.decryptor = Some(DecryptorBE32::from_aead(cipher, (&prefix).into()));
        Ok(())
    }

    async fn next(mut self) -> Result<Option<(Bytes, ReadState)>, BlobError> {
        if self.done {
            return Ok(None);
        }
        if self.decryptor.is_none() {
            self.header().await?;
        }
        let sealed_chunk = CHUNK + TAG;
        // Read until more than one sealed chunk is buffered (so this one is not the last),
        // or the object is exhausted (so what is buffered is the last).
        while self.buf.len() <= sealed_chunk && !self.exhausted {
            self.fill().await?;
        }
        if self.buf.len() > sealed_chunk {
            let piece = self.buf.split_to(sealed_chunk);
            let dec = self.decryptor.as_mut().ok_or_else(|| Self::corrupt("no key"))?;
            let plain = dec
                .decrypt_next(piece.as_ref())
                .map_err(|_| Self::corrupt("a chunk failed authentication"))?;
            self.hasher.update(&plain);
            return Ok(Some((Bytes::from(plain), self)));
        }
        let last = self.buf.split();
        let dec = self.decryptor.take().ok_or_else(|| Self::corrupt("no key"))?;
        let plain = dec
            .decrypt_last(last.as_ref())
            .map_err(|_| Self::corrupt("the last chunk failed authentication (truncated?)"))?;
        self.hasher.update(&plain);
        let actual = hex::encode(self.hasher.clone().finalize());
        if actual != self.expected {
            return Err(Self::corrupt("SHA-256 differs from the one recorded at upload"));
        }
        self.done = true;
        Ok(Some((Bytes::from(plain), self)))
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
