-- One row: the time-stamping authority's certificate (issued by the CA for timeStamping
-- only) and its private key sealed under the master key. Its tokens make signatures
-- CAdES-T: verifiable as to when they were made without asking the server.
CREATE TABLE pki_time_stamping (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    cert_pem   TEXT NOT NULL,
    key_sealed TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
