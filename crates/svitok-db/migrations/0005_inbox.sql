-- Each user's inbox as rows of its own: one per transfer addressed to the user or to a
-- group it belongs to, with the user's read mark and whether the document is in the
-- trash, so "unread first, newest first" is a walk along one index.
CREATE TABLE inbox_items (
    user_id      TEXT NOT NULL REFERENCES users (id),
    transfer_id  TEXT NOT NULL REFERENCES transfers (id) ON DELETE CASCADE,
    document_id  TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    via_group_id TEXT,
    unread       BIGINT NOT NULL DEFAULT 1,
    deleted      BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (user_id, transfer_id)
);
CREATE INDEX inbox_items_by_user ON inbox_items (user_id, deleted, unread, created_at, transfer_id);
CREATE INDEX inbox_items_by_document ON inbox_items (document_id, user_id);

INSERT INTO inbox_items (user_id, transfer_id, document_id, via_group_id, unread, deleted, created_at)
SELECT t.to_user_id, t.id, t.document_id, NULL,
       CASE WHEN EXISTS (SELECT 1 FROM transfer_reads r WHERE r.transfer_id = t.id AND r.user_id = t.to_user_id) THEN 0 ELSE 1 END,
       CASE WHEN d.deleted_at IS NULL THEN 0 ELSE 1 END, t.created_at
FROM transfers t JOIN documents d ON d.id = t.document_id WHERE t.to_user_id IS NOT NULL;

INSERT INTO inbox_items (user_id, transfer_id, document_id, via_group_id, unread, deleted, created_at)
SELECT m.user_id, t.id, t.document_id, t.to_group_id,
       CASE WHEN EXISTS (SELECT 1 FROM transfer_reads r WHERE r.transfer_id = t.id AND r.user_id = m.user_id) THEN 0 ELSE 1 END,
       CASE WHEN d.deleted_at IS NULL THEN 0 ELSE 1 END, t.created_at
FROM transfers t JOIN documents d ON d.id = t.document_id JOIN group_members m ON m.group_id = t.to_group_id;

DROP TABLE transfer_reads;
