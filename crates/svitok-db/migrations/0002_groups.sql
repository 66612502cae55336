-- Groups and membership; a lower-cased search key on users (SQLite's lower() only folds
-- ASCII, so the key is computed by the application for Cyrillic names); a payload on
-- challenges (the new address of an email change).

ALTER TABLE users ADD COLUMN search_key TEXT NOT NULL DEFAULT '';
CREATE INDEX users_by_name ON users (last_name, first_name, id);
CREATE INDEX users_by_status ON users (status);

ALTER TABLE challenges ADD COLUMN payload TEXT;

CREATE TABLE groups (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    CONSTRAINT groups_name_unique UNIQUE (name_key)
);

CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_by_user ON group_members (user_id);
