-- Accounts, one-time-code challenges, sessions and API tokens, throttling, audit, setup.
-- Portable SQL: the same text runs on SQLite and PostgreSQL. Ids are UUID text, times are
-- BIGINT milliseconds since the Unix epoch (UTC).

CREATE TABLE users (
    id                TEXT PRIMARY KEY,
    login             TEXT NOT NULL,
    email             TEXT NOT NULL,
    email_key         TEXT NOT NULL,
    email_verified_at BIGINT,
    password_hash     TEXT,
    last_name         TEXT NOT NULL,
    first_name        TEXT NOT NULL,
    middle_name       TEXT,
    birth_date        TEXT,
    position          TEXT,
    status            TEXT NOT NULL CHECK (status IN ('pending', 'active', 'blocked')),
    rights            BIGINT NOT NULL DEFAULT 0,
    totp_secret       TEXT,
    totp_pending      TEXT,
    totp_last_step    BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    last_login_at     BIGINT,
    CONSTRAINT users_login_unique UNIQUE (login),
    CONSTRAINT users_email_unique UNIQUE (email_key)
);

CREATE TABLE challenges (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL,
    method      TEXT NOT NULL CHECK (method IN ('email', 'totp')),
    code_hash   TEXT,
    attempts    BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    consumed_at BIGINT
);
CREATE INDEX challenges_by_user ON challenges (user_id, created_at);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('session', 'api_token')),
    token_hash   TEXT NOT NULL,
    name         TEXT,
    rights       BIGINT,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    revoked_at   BIGINT,
    client_addr  TEXT,
    user_agent   TEXT,
    CONSTRAINT sessions_token_unique UNIQUE (token_hash)
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE throttle (
    key          TEXT PRIMARY KEY,
    failures     BIGINT NOT NULL,
    window_start BIGINT NOT NULL,
    locked_until BIGINT
);

CREATE TABLE audit_events (
    seq         BIGINT PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor       TEXT,
    action      TEXT NOT NULL,
    target      TEXT,
    client_addr TEXT,
    outcome     TEXT NOT NULL,
    details     TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_by_time ON audit_events (at);

CREATE TABLE setup_tokens (
    token_hash TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL,
    used_at    BIGINT
);
