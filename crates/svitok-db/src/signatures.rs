//! The CA row, users' certificates, signatures and signature requests.

use crate::documents::{add_event, insert_transfer, move_status, refresh_readers, Event};
use crate::{map_err, Db, Result};
use sqlx::any::AnyRow;
use sqlx::Row;
use svitok_core::documents::Party;
use svitok_core::ids::{DocumentId, UserId};
use svitok_core::CoreError;

/// The stored CA: certificate PEM and sealed private key.
#[derive(Debug, Clone)]
pub struct AuthorityRow {
    pub cert_pem: String,
    pub key_sealed: String,
}

#[derive(Debug, Clone)]
pub struct CertificateRow {
    pub serial: String,
    pub user_id: UserId,
    pub cert_pem: String,
    pub key_sealed: String,
    pub not_before: i64,
    pub not_after: i64,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct SignatureRow {
    pub id: String,
    pub document_id: DocumentId,
    pub version: i64,
    pub signer: UserId,
    pub serial: String,
    /// base64 of the DER `ContentInfo`.
    pub cms_der: String,
    pub signed_at: i64,
    /// When the signer's certificate was revoked, if it was.
    pub revoked_at: Option<i64>,
    /// Whose certificate `serial` is, by the certificates table (read, never written here).
    pub certificate_owner: UserId,
}

#[derive(Debug, Clone)]
pub struct SignatureRequestRow {
    pub party: Party,
    pub every_member: bool,
    pub requested_by: UserId,
    pub created_at: i64,
}

fn err(e: impl std::fmt::Display) -> CoreError {
    CoreError::internal(e)
}

fn certificate(r: &AnyRow) -> Result<CertificateRow> {
    Ok(CertificateRow {
        serial: r.try_get("serial").map_err(err)?,
        user_id: UserId(crate::rows::uuid(r, "user_id")?),
        cert_pem: r.try_get("cert_pem").map_err(err)?,
        key_sealed: r.try_get("key_sealed").map_err(err)?,
        not_before: r.try_get("not_before").map_err(err)?,
        not_after: r.try_get("not_after").map_err(err)?,
        created_at: r.try_get("created_at").map_err(err)?,
        revoked_at: r.try_get("revoked_at").map_err(err)?,
    })
}

fn signature(r: &AnyRow) -> Result<SignatureRow> {
    Ok(SignatureRow {
        id: r.try_get("id").map_err(err)?,
        document_id: DocumentId(crate::rows::uuid(r, "document_id")?),
        version: r.try_get("version_number").map_err(err)?,
        signer: UserId(crate::rows::uuid(r, "signer_id")?),
        serial: r.try_get("serial").map_err(err)?,
        cms_der: r.try_get("cms_der").map_err(err)?,
        signed_at: r.try_get("signed_at").map_err(err)?,
        revoked_at: r.try_get("revoked_at").map_err(err)?,
        certificate_owner: UserId(crate::rows::uuid(r, "certificate_owner")?),
    })
}

const SIGNATURE_COLUMNS: &str =
    "s.id, s.document_id, s.version_number, s.signer_id, s.serial, s.cms_der, s.signed_at, c.revoked_at, \
     c.user_id AS certificate_owner";

impl Db {
    pub async fn authority(&self) -> Result<Option<AuthorityRow>> {
        self.key_holder("pki_authority").await
    }

    /// Stores the CA unless one exists already (two servers starting at once keep the
    /// first); returns whether this one was stored.
    pub async fn insert_authority(&self, a: &AuthorityRow, now: i64) -> Result<bool> {
        self.insert_key_holder("pki_authority", a, now).await
    }

    /// The time-stamping authority, stored like the CA.
    pub async fn time_stamper(&self) -> Result<Option<AuthorityRow>> {
        self.key_holder("pki_time_stamping").await
    }

    pub async fn insert_time_stamper(&self, a: &AuthorityRow, now: i64) -> Result<bool> {
        self.insert_key_holder("pki_time_stamping", a, now).await
    }

    /// `table` is one of the two constant names above, never input.
    async fn key_holder(&self, table: &'static str) -> Result<Option<AuthorityRow>> {
        let row = sqlx::query(&format!("SELECT cert_pem, key_sealed FROM {table} WHERE id = 1"))
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.map(|r| {
            Ok(AuthorityRow {
                cert_pem: r.try_get("cert_pem").map_err(err)?,
                key_sealed: r.try_get("key_sealed").map_err(err)?,
            })
        })
        .transpose()
    }

    async fn insert_key_holder(&self, table: &'static str, a: &AuthorityRow, now: i64) -> Result<bool> {
        let done = sqlx::query(&format!(
            "INSERT INTO {table} (id, cert_pem, key_sealed, created_at) VALUES (1, $1, $2, $3) \
             ON CONFLICT (id) DO NOTHING"
        ))
        .bind(&a.cert_pem)
        .bind(&a.key_sealed)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(done.rows_affected() == 1)
    }

    /// The user's newest certificate that is neither revoked nor expired at `now`.
    pub async fn current_certificate(&self, user: UserId, now: i64) -> Result<Option<CertificateRow>> {
        let row = sqlx::query(
            "SELECT serial, user_id, cert_pem, key_sealed, not_before, not_after, created_at, revoked_at \
             FROM certificates WHERE user_id = $1 AND revoked_at IS NULL AND not_before <= $2 AND not_after > $2 \
             ORDER BY created_at DESC LIMIT 1",
        )
        .bind(user.to_string())
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        row.as_ref().map(certificate).transpose()
    }

    /// Every revoked certificate: (serial, revoked at), oldest revocation first.
    pub async fn revoked_certificates(&self) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT serial, revoked_at FROM certificates WHERE revoked_at IS NOT NULL ORDER BY revoked_at, serial",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| Ok((r.try_get("serial").map_err(err)?, r.try_get("revoked_at").map_err(err)?)))
            .collect()
    }

    /// Signatures of one document (of one version when given), oldest first.
    pub async fn signatures(&self, doc: DocumentId, version: Option<i64>) -> Result<Vec<SignatureRow>> {
        let which = if version.is_some() {
            "AND s.version_number = $2"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {SIGNATURE_COLUMNS} FROM signatures s JOIN certificates c ON c.serial = s.serial \
             WHERE s.document_id = $1 {which} ORDER BY s.signed_at, s.id"
        );
        let mut q = sqlx::query(&sql).bind(doc.to_string());
        if let Some(v) = version {
            q = q.bind(v);
        }
        let rows = q.fetch_all(&self.pool).await.map_err(map_err)?;
        rows.iter().map(signature).collect()
    }

    /// Signatures made with the certificate `serial` (upper-case hex), oldest first.
    pub async fn signatures_by_serial(&self, serial: &str) -> Result<Vec<SignatureRow>> {
        let sql = format!(
            "SELECT {SIGNATURE_COLUMNS} FROM signatures s JOIN certificates c ON c.serial = s.serial \
             WHERE s.serial = $1 ORDER BY s.signed_at, s.id"
        );
        let rows = sqlx::query(&sql)
            .bind(serial)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter().map(signature).collect()
    }

    pub async fn signature_count(&self, doc: DocumentId) -> Result<i64> {
        sqlx::query("SELECT COUNT(*) AS n FROM signatures WHERE document_id = $1")
            .bind(doc.to_string())
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)?
            .try_get("n")
            .map_err(err)
    }

    pub async fn signature_requests(&self, doc: DocumentId) -> Result<Vec<SignatureRequestRow>> {
        let rows = sqlx::query(
            "SELECT user_id, group_id, every_member, requested_by, created_at FROM signature_requests \
             WHERE document_id = $1 ORDER BY created_at, id",
        )
        .bind(doc.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                let party = crate::documents::party(r, "user_id", "group_id")?;
                Ok(SignatureRequestRow {
                    party,
                    every_member: r.try_get::<i64, _>("every_member").map_err(err)? != 0,
                    requested_by: UserId(crate::rows::uuid(r, "requested_by")?),
                    created_at: r.try_get("created_at").map_err(err)?,
                })
            })
            .collect()
    }
}

/// Signature writes, inside a unit of work ([`crate::Tx`]).
impl crate::Tx {
    pub async fn insert_certificate(&mut self, c: &CertificateRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO certificates (serial, user_id, cert_pem, key_sealed, not_before, not_after, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&c.serial)
        .bind(c.user_id.to_string())
        .bind(&c.cert_pem)
        .bind(&c.key_sealed)
        .bind(c.not_before)
        .bind(c.not_after)
        .bind(c.created_at)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    /// Records a signature with its history event; a second signature of the same version
    /// by the same user is a conflict.
    pub async fn insert_signature(&mut self, s: &SignatureRow, e: &Event) -> Result<()> {
        let tx: &mut sqlx::AnyConnection = &mut self.tx;
        sqlx::query(
            "INSERT INTO signatures (id, document_id, version_number, signer_id, serial, cms_der, signed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&s.id)
        .bind(s.document_id.to_string())
        .bind(s.version)
        .bind(s.signer.to_string())
        .bind(&s.serial)
        .bind(&s.cms_der)
        .bind(s.signed_at)
        .execute(&mut *tx)
        .await
        .map_err(|e| match map_err(e) {
            CoreError::Conflict { .. } => CoreError::clash("msg-already-signed"),
            other => other,
        })?;
        add_event(tx, s.document_id, e, s.signed_at).await?;
        Ok(())
    }

    /// Replaces the document's signature requests, sends it to the signers (into their
    /// inboxes, with read access) and moves it to `signing` from `from`, in one
    /// transaction; false when the status changed meanwhile.
    pub async fn request_signatures(
        &mut self,
        doc: DocumentId,
        from: svitok_core::documents::Status,
        requests: &[SignatureRequestRow],
        comment: &str,
        e: &Event,
        now: i64,
    ) -> Result<bool> {
        let tx: &mut sqlx::AnyConnection = &mut self.tx;
        if !move_status(tx, doc, from, svitok_core::documents::Status::Signing, now).await? {
            return Ok(false);
        }
        sqlx::query("DELETE FROM signature_requests WHERE document_id = $1")
            .bind(doc.to_string())
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        for r in requests {
            let (u, g) = match r.party {
                Party::User(u) => (Some(u.to_string()), None),
                Party::Group(g) => (None, Some(g.to_string())),
            };
            sqlx::query(
                "INSERT INTO signature_requests (id, document_id, user_id, group_id, every_member, requested_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(doc.to_string())
            .bind(u)
            .bind(g)
            .bind(i64::from(r.every_member))
            .bind(r.requested_by.to_string())
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
            insert_transfer(tx, doc, r.requested_by, r.party, "send", comment, false, true, now).await?;
        }
        refresh_readers(tx, doc).await?;
        add_event(tx, doc, e, now).await?;
        Ok(true)
    }
}
