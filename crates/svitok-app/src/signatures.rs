//! Signing document versions, checking signatures, and asking for them (SPEC §7).
//!
//! A signature is a detached CMS SignedData over the version's plaintext, made with the
//! signer's own certificate after a fresh second factor. The plaintext is streamed through
//! SHA-256 from the encrypted blob store, never held whole.

use crate::documents::{self as docs, audited, blob_error, party_json};
use crate::state::App;
use crate::Caller;
use crate::{accounts::codes, audit, pki};
use base64::{engine::general_purpose::STANDARD, Engine};
use serde_json::json;
use svitok_core::documents::{DocOp, Party, Status};
use svitok_core::ids::{ChallengeId, DocumentId};
use svitok_core::rights::Right;
use svitok_core::user::UserStatus;
use svitok_core::{CoreError, Result};
use svitok_db::{Event, SignatureRequestRow, SignatureRow, VersionRow};
use svitok_pki::Verdict;

fn conflict(message: &'static str) -> CoreError {
    CoreError::clash(message)
}

async fn version(state: &App, doc: DocumentId, number: i64) -> Result<VersionRow> {
    state
        .db
        .versions(doc)
        .await?
        .into_iter()
        .find(|v| v.number == number)
        .ok_or(CoreError::NotFound("version"))
}

/// SHA-256 of a version's plaintext: the whole file is streamed from the blob store
/// through decryption and the digest, and must match the digest recorded at upload.
pub async fn digest(state: &App, v: &VersionRow) -> Result<[u8; 32]> {
    state
        .blobs
        .verified_sha256(&v.blob_key, &v.sha256)
        .await
        .map_err(blob_error)
}

/// Signs version `number` of a document for the caller, after checking the step-up code.
pub async fn sign(
    state: &App,
    actor: &Caller,
    id: DocumentId,
    number: i64,
    challenge: ChallengeId,
    code: &str,
) -> Result<SignatureRow> {
    let o = docs::open(state, actor, id, DocOp::Sign).await?;
    if matches!(o.doc.status, Status::Archived | Status::Rejected) {
        return Err(conflict("msg-sign-closed-document"));
    }
    let v = version(state, id, number).await?;
    if state
        .db
        .signatures(id, Some(number))
        .await?
        .iter()
        .any(|s| s.signer == actor.user.id)
    {
        return Err(conflict("msg-already-signed"));
    }
    // The second factor is spent only once everything else allows the signature.
    codes::redeem_step_up(state, actor, challenge, code).await?;

    let signer = pki::signer(state, actor).await?;
    let digest = digest(state, &v).await?;
    let now = state.now();
    let ca = state.authority.certificate();
    let mut der = svitok_pki::sign_detached(&signer.key, &signer.certificate, ca, &digest, pki::system_time(now))
        .map_err(pki::pki_error)?;
    // CAdES-T: our own time-stamping authority vouches for when, so the signature's time
    // can be checked without asking this server.
    if let Some(tsa) = state.authority.time_stamper() {
        der = svitok_pki::add_time_stamp(&der, tsa, ca, pki::system_time(now)).map_err(pki::pki_error)?;
    }
    let row = SignatureRow {
        id: uuid::Uuid::now_v7().to_string(),
        document_id: id,
        version: number,
        signer: actor.user.id,
        serial: signer.row.serial.clone(),
        cms_der: STANDARD.encode(&der),
        signed_at: now,
        revoked_at: None,
        certificate_owner: actor.user.id,
    };
    let details = json!({ "version": number, "signature": row.id, "serial": row.serial });
    let mut tx = state.db.begin().await?;
    tx.insert_signature(
        &row,
        &Event {
            actor: actor.user.id,
            action: "signed",
            details: details.clone(),
        },
    )
    .await?;
    audited(&mut tx, state, actor, "document.signed", id, details);
    tx.commit().await?;
    complete_if_signed(state, actor, id).await?;
    Ok(row)
}

/// A signature with what a check of it found.
pub struct Checked {
    pub row: SignatureRow,
    /// The signer as its certificate names it (CN): what was signed as, whatever the
    /// person is called in the database today.
    pub signer_name: String,
    pub verdict: Option<Verdict>,
}

impl Checked {
    /// A signature shown as it is, without a check.
    pub fn unchecked(row: SignatureRow) -> Checked {
        let der = STANDARD.decode(&row.cms_der).ok();
        Checked {
            signer_name: der.as_deref().map(certificate_name).unwrap_or_default(),
            row,
            verdict: None,
        }
    }
}

fn certificate_name(der: &[u8]) -> String {
    svitok_pki::cms_signature::signer_certificate(der)
        .ok()
        .and_then(|c| svitok_pki::names::common_name(&c))
        .unwrap_or_default()
}

/// Checks one stored signature. The row is the server's own record: its time, not the
/// signer's signing-time attribute, is when the signature was made, and its signer and
/// serial must be what the CMS says.
fn check_row(
    state: &App,
    row: &SignatureRow,
    der: &[u8],
    digest: &[u8; 32],
    revoked: &[(svitok_pki::SerialNumber, std::time::SystemTime)],
) -> Verdict {
    if row.signer != row.certificate_owner {
        return Verdict::Invalid("the record's signer does not hold the signature's certificate".into());
    }
    let at = pki::system_time(row.signed_at);
    match svitok_pki::verify_detached(der, digest, state.authority.certificate(), revoked, Some(at)) {
        Ok(report) if report.serial.as_deref() != Some(row.serial.as_str()) => {
            Verdict::Invalid("the record's certificate serial differs from the signature's".into())
        }
        Ok(report) => report.verdict,
        Err(e) => Verdict::Invalid(e.to_string()),
    }
}

/// The signatures of one version (readers); with `verify`, each is checked against the
/// stored content, the CA and the revocations.
pub async fn list(state: &App, actor: &Caller, id: DocumentId, number: i64, verify: bool) -> Result<Vec<Checked>> {
    let o = docs::open(state, actor, id, DocOp::Read).await?;
    let v = version(state, id, number).await?;
    of_version(state, actor, &o, &v, verify).await
}

/// The signatures of a version of a document the caller has already opened (a card
/// shows every version's at once without opening it again for each).
pub async fn of_version(
    state: &App,
    actor: &Caller,
    opened: &docs::Opened,
    v: &VersionRow,
    verify: bool,
) -> Result<Vec<Checked>> {
    let (id, number) = (opened.doc.id, v.number);
    let rows = state.db.signatures(id, Some(number)).await?;
    if !verify || rows.is_empty() {
        return Ok(rows.into_iter().map(Checked::unchecked).collect());
    }
    let digest = digest(state, v).await?;
    let revoked = pki::revocations(state).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let der = STANDARD.decode(&row.cms_der).ok();
        let verdict = match &der {
            Some(der) => check_row(state, &row, der, &digest, &revoked),
            None => Verdict::Invalid("the stored signature is not base64".into()),
        };
        if let Verdict::Invalid(why) = &verdict {
            // A finding, not a change: recorded on its own.
            state
                .audit(audit::event(
                    Some(&actor.user.id),
                    "signature.verification_failed",
                    Some(id.to_string()),
                    &actor.client,
                    true,
                    json!({ "version": number, "signature": row.id, "reason": why }),
                ))
                .await?;
        }
        out.push(Checked {
            signer_name: der.as_deref().map(certificate_name).unwrap_or_default(),
            row,
            verdict: Some(verdict),
        });
    }
    Ok(out)
}

/// One signature's DER, for readers of the document.
pub async fn download(state: &App, actor: &Caller, id: DocumentId, number: i64, sid: &str) -> Result<Vec<u8>> {
    docs::open(state, actor, id, DocOp::Read).await?;
    let row = state
        .db
        .signatures(id, Some(number))
        .await?
        .into_iter()
        .find(|s| s.id == sid)
        .ok_or(CoreError::NotFound("signature"))?;
    STANDARD.decode(&row.cms_der).map_err(CoreError::internal)
}

/// Asks users and groups (any one member, or every member) to sign the latest version;
/// the document goes to `signing` and the requests reach the signers' inboxes.
pub async fn request(
    state: &App,
    actor: &Caller,
    id: DocumentId,
    to: Vec<Party>,
    every_member: bool,
    comment: Option<String>,
) -> Result<()> {
    let o = docs::open(state, actor, id, DocOp::RequestSignatures).await?;
    let from = o.doc.status;
    if from != Status::Signing {
        svitok_core::documents::transition(from, Status::Signing)?;
    }
    if state.db.versions(id).await?.is_empty() {
        return Err(conflict("msg-sign-no-file"));
    }
    if to.is_empty() || to.len() > 100 {
        return Err(CoreError::validation("to", "msg-signers-count"));
    }
    let mut parties: Vec<Party> = Vec::new();
    for p in to {
        if parties.contains(&p) {
            continue;
        }
        match p {
            Party::User(u) => {
                let ok = state
                    .db
                    .user(u)
                    .await?
                    .is_some_and(|u| u.status == UserStatus::Active && u.rights.has(Right::SignDocuments));
                if !ok {
                    return Err(CoreError::validation("to", "msg-signer-not-eligible"));
                }
            }
            Party::Group(g) => {
                state
                    .db
                    .group(g)
                    .await?
                    .ok_or_else(|| CoreError::validation("to", "msg-no-such-group"))?;
                let signers = state
                    .db
                    .members(g)
                    .await?
                    .into_iter()
                    .filter(|m| m.status == UserStatus::Active && m.rights.has(Right::SignDocuments))
                    .count();
                if signers == 0 {
                    return Err(CoreError::validation("to", "msg-group-no-signers"));
                }
            }
        }
        parties.push(p);
    }
    let comment = comment.unwrap_or_default();
    if comment.chars().count() > 2000 {
        return Err(CoreError::validation("comment", "msg-comment-too-long"));
    }
    let requests: Vec<SignatureRequestRow> = parties
        .iter()
        .map(|p| SignatureRequestRow {
            party: *p,
            every_member,
            requested_by: actor.user.id,
            created_at: state.now(),
        })
        .collect();
    let details = json!({ "to": parties.iter().map(|p| party_json(*p)).collect::<Vec<_>>(),
                          "every_member": every_member, "from": from.as_str(), "comment": comment });
    let event = Event {
        actor: actor.user.id,
        action: "signatures_requested",
        details: details.clone(),
    };
    let mut tx = state.db.begin().await?;
    if !tx
        .request_signatures(id, from, &requests, &comment, &event, state.now())
        .await?
    {
        return Err(conflict("msg-status-changed-meanwhile"));
    }
    let audit_details =
        json!({ "to": details["to"], "every_member": every_member, "with_comment": !comment.is_empty() });
    audited(
        &mut tx,
        state,
        actor,
        "document.signatures_requested",
        id,
        audit_details,
    );
    tx.commit().await?;
    docs::notify_recipients(state, actor, &o.doc, &parties, true).await;
    complete_if_signed(state, actor, id).await
}

/// What each request still waits for, against the signatures of the latest version.
pub struct Progress {
    pub request: SignatureRequestRow,
    pub satisfied: bool,
}

pub async fn progress(state: &App, id: DocumentId) -> Result<Vec<Progress>> {
    let requests = state.db.signature_requests(id).await?;
    let Some(latest) = state.db.versions(id).await?.iter().map(|v| v.number).max() else {
        return Ok(Vec::new());
    };
    let signers: Vec<_> = state
        .db
        .signatures(id, Some(latest))
        .await?
        .into_iter()
        .map(|s| s.signer)
        .collect();
    let mut out = Vec::with_capacity(requests.len());
    for r in requests {
        let satisfied = match r.party {
            Party::User(u) => signers.contains(&u),
            Party::Group(g) => {
                let members: Vec<_> = state
                    .db
                    .members(g)
                    .await?
                    .into_iter()
                    .filter(|m| m.status == UserStatus::Active && m.rights.has(Right::SignDocuments))
                    .map(|m| m.id)
                    .collect();
                if r.every_member {
                    !members.is_empty() && members.iter().all(|m| signers.contains(m))
                } else {
                    members.iter().any(|m| signers.contains(m))
                }
            }
        };
        out.push(Progress { request: r, satisfied });
    }
    Ok(out)
}

/// Moves a document in `signing` to `signed` once every request is satisfied.
async fn complete_if_signed(state: &App, actor: &Caller, id: DocumentId) -> Result<()> {
    let Some(doc) = state.db.document(id).await? else {
        return Ok(());
    };
    if doc.status != Status::Signing {
        return Ok(());
    }
    let progress = progress(state, id).await?;
    if progress.is_empty() || !progress.iter().all(|p| p.satisfied) {
        return Ok(());
    }
    let details = json!({ "from": "signing", "to": "signed", "automatic": true });
    let mut tx = state.db.begin().await?;
    let moved = tx
        .set_document_status(
            id,
            Status::Signing,
            Status::Signed,
            &Event {
                actor: actor.user.id,
                action: "status_changed",
                details: details.clone(),
            },
            state.now(),
        )
        .await?;
    if moved {
        audited(&mut tx, state, actor, "document.status_changed", id, details);
        tx.commit().await?;
    }
    Ok(())
}
