-- Leases for background work (SPEC §13): one replica at a time runs a job; a lease that
-- is not renewed (its holder died) passes to another replica when it expires.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
