//! Writing a blob: chunks sealed as they arrive, uploaded in parts, several in flight.

use super::*;

/// An upload in progress. Dropping it without [`BlobWriter::finish`] leaves at most an
/// unfinished upload that no document refers to; the sweeper removes it.
pub struct BlobWriter {
    pub(super) key: String,
    pub(super) local_root: Option<Arc<std::path::PathBuf>>,
    pub(super) upload: Option<WriteMultipart>,
    pub(super) encryptor: Option<EncryptorBE32<XChaCha20Poly1305>>,
    pub(super) pending: BytesMut,
    pub(super) hasher: Sha256,
    pub(super) size: u64,
    pub(super) limit: u64,
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

    pub(super) async fn seal_pending(&mut self) -> Result<(), BlobError> {
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
