-- Documents, their versions (files), transfers (route steps) with read marks, the
-- derived set of principals who may read each document, and the route history.

CREATE TABLE documents (
    id                   TEXT PRIMARY KEY,
    title                TEXT NOT NULL,
    description          TEXT NOT NULL DEFAULT '',
    kind                 TEXT NOT NULL DEFAULT '',
    reg_number           TEXT,
    owner_id             TEXT NOT NULL REFERENCES users (id),
    status               TEXT NOT NULL CHECK (status IN ('draft', 'in_review', 'signing', 'signed',
                                                         'in_progress', 'done', 'rejected', 'archived')),
    responsible_user_id  TEXT REFERENCES users (id),
    responsible_group_id TEXT REFERENCES groups (id),
    due_date             TEXT,
    search_text          TEXT NOT NULL DEFAULT '',
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    deleted_at           BIGINT,
    -- Exactly one responsible party: a user or a group.
    CONSTRAINT documents_one_responsible CHECK (
        (responsible_user_id IS NULL AND responsible_group_id IS NOT NULL)
        OR (responsible_user_id IS NOT NULL AND responsible_group_id IS NULL))
);
CREATE INDEX documents_by_updated ON documents (updated_at, id);
CREATE INDEX documents_by_responsible_group ON documents (responsible_group_id);
CREATE INDEX documents_by_owner ON documents (owner_id);

CREATE TABLE document_versions (
    document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    number      BIGINT NOT NULL,
    file_name   TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    size        BIGINT NOT NULL,
    sha256      TEXT NOT NULL,
    blob_key    TEXT NOT NULL,
    author_id   TEXT NOT NULL REFERENCES users (id),
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (document_id, number)
);
CREATE INDEX document_versions_by_blob ON document_versions (blob_key);

CREATE TABLE transfers (
    id           TEXT PRIMARY KEY,
    document_id  TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    from_user_id TEXT NOT NULL REFERENCES users (id),
    to_user_id   TEXT REFERENCES users (id),
    to_group_id  TEXT REFERENCES groups (id),
    action       TEXT NOT NULL CHECK (action IN ('send', 'forward')),
    comment      TEXT NOT NULL DEFAULT '',
    hand_over    BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    CONSTRAINT transfers_one_recipient CHECK (
        (to_user_id IS NULL AND to_group_id IS NOT NULL) OR (to_user_id IS NOT NULL AND to_group_id IS NULL))
);
CREATE INDEX transfers_to_user ON transfers (to_user_id, created_at);
CREATE INDEX transfers_to_group ON transfers (to_group_id, created_at);
CREATE INDEX transfers_by_document ON transfers (document_id);

CREATE TABLE transfer_reads (
    transfer_id TEXT NOT NULL REFERENCES transfers (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users (id),
    read_at     BIGINT NOT NULL,
    PRIMARY KEY (transfer_id, user_id)
);

-- Who may read each document, as principals 'u:<user id>' and 'g:<group id>': the owner,
-- the responsible party and every recipient. Recomputed by every change of those, so a
-- list query is one indexed semi-join instead of four OR-ed conditions.
CREATE TABLE document_readers (
    principal   TEXT NOT NULL,
    document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    PRIMARY KEY (principal, document_id)
);
CREATE INDEX document_readers_by_document ON document_readers (document_id);

CREATE TABLE document_events (
    id          TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    actor_id    TEXT,
    action      TEXT NOT NULL,
    details     TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX document_events_by_document ON document_events (document_id, created_at);
