//! Reading a blob: the header opened, then chunks authenticated one by one as they
//! stream (whole, or the chunks a range needs).

use super::*;

/// Bytes read from a local file at a time: sixteen sealed chunks.
pub(super) const FILE_READ: usize = 16 * (CHUNK + TAG);

/// The object's bytes as a stream. `object_store` reads local files 8 KiB at a time, each
/// read a hop to the blocking pool; reading 1 MiB at a time makes downloads several times
/// cheaper. Remote stores stream as they come.
pub(super) fn body(res: GetResult) -> futures_util::stream::BoxStream<'static, object_store::Result<Bytes>> {
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
pub(super) fn open_header(
    kek: &SubKey,
    key: &str,
    buf: &[u8],
) -> Result<(usize, [u8; 32], [u8; NONCE_PREFIX]), BlobError> {
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

pub(super) struct RangeState {
    pub(super) inner: futures_util::stream::BoxStream<'static, object_store::Result<Bytes>>,
    pub(super) buf: BytesMut,
    pub(super) primitive: StreamBE32<XChaCha20Poly1305>,
    pub(super) position: u64,
    pub(super) last_index: u64,
    pub(super) skip: usize,
    pub(super) remaining: u64,
    pub(super) exhausted: bool,
}

pub(super) struct ReadState {
    pub(super) inner: futures_util::stream::BoxStream<'static, object_store::Result<Bytes>>,
    pub(super) buf: BytesMut,
    pub(super) decryptor: Option<DecryptorBE32<XChaCha20Poly1305>>,
    pub(super) kek: Arc<SubKey>,
    pub(super) key: String,
    pub(super) hasher: Sha256,
    pub(super) expected: String,
    pub(super) exhausted: bool,
    pub(super) done: bool,
}

impl RangeState {
    pub(super) async fn next(mut self) -> Result<Option<(Bytes, RangeState)>, BlobError> {
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

impl ReadState {
    pub(super) async fn fill(&mut self) -> Result<(), BlobError> {
        match self.inner.next().await {
            Some(Ok(b)) => self.buf.extend_from_slice(&b),
            Some(Err(e)) => return Err(e.into()),
            None => self.exhausted = true,
        }
        Ok(())
    }

    pub(super) fn corrupt(why: &str) -> BlobError {
        BlobError::Corrupt(why.to_string())
    }

    pub(super) async fn header(&mut self) -> Result<(), BlobError> {
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

    pub(super) async fn next(mut self) -> Result<Option<(Bytes, ReadState)>, BlobError> {
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
