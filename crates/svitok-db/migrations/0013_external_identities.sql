-- External identities (SPEC §11): the pair (issuer, subject) a provider vouches for,
-- linked once to one account.
CREATE TABLE external_identities (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    provider     TEXT NOT NULL,
    issuer       TEXT NOT NULL,
    subject      TEXT NOT NULL,
    email        TEXT,
    linked_at    BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    CONSTRAINT external_identities_unique UNIQUE (issuer, subject)
);
CREATE INDEX external_identities_by_user ON external_identities (user_id);
