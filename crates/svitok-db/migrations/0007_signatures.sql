-- Electronic signature (SPEC §7): the organisation's CA, users' certificates, detached
-- CMS signatures of document versions, and requests for signatures.

-- One row: the CA certificate and its private key sealed under the master key.
CREATE TABLE pki_authority (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    cert_pem   TEXT NOT NULL,
    key_sealed TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE certificates (
    serial     TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    cert_pem   TEXT NOT NULL,
    key_sealed TEXT NOT NULL,
    not_before BIGINT NOT NULL,
    not_after  BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX certificates_by_user ON certificates (user_id, created_at);
CREATE INDEX certificates_revoked ON certificates (revoked_at) WHERE revoked_at IS NOT NULL;

-- A signature is of one version by one user, once.
CREATE TABLE signatures (
    id             TEXT PRIMARY KEY,
    document_id    TEXT NOT NULL REFERENCES documents (id),
    version_number BIGINT NOT NULL,
    signer_id      TEXT NOT NULL REFERENCES users (id),
    serial         TEXT NOT NULL REFERENCES certificates (serial),
    cms_der        TEXT NOT NULL,
    signed_at      BIGINT NOT NULL,
    FOREIGN KEY (document_id, version_number) REFERENCES document_versions (document_id, number),
    CONSTRAINT signatures_once UNIQUE (document_id, version_number, signer_id)
);

-- Whose signatures a document waits for: a user, or a group (any one member, or every one).
CREATE TABLE signature_requests (
    id           TEXT PRIMARY KEY,
    document_id  TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    user_id      TEXT REFERENCES users (id),
    group_id     TEXT REFERENCES groups (id),
    every_member BIGINT NOT NULL DEFAULT 0,
    requested_by TEXT NOT NULL REFERENCES users (id),
    created_at   BIGINT NOT NULL,
    CONSTRAINT signature_requests_one_party CHECK (
        (user_id IS NULL AND group_id IS NOT NULL) OR (user_id IS NOT NULL AND group_id IS NULL))
);
CREATE INDEX signature_requests_by_document ON signature_requests (document_id);

-- A transfer that asks its recipients to sign.
ALTER TABLE transfers ADD COLUMN signature_request BIGINT NOT NULL DEFAULT 0;
