-- Which FTS5 row holds each document's text. `doc_id` in documents_fts is UNINDEXED, so
-- deleting by it scanned the whole index on every card change (writes slowed as the
-- number of documents grew); this table finds the row by key.
CREATE TABLE documents_fts_rows (
    doc_id    TEXT PRIMARY KEY,
    fts_rowid INTEGER NOT NULL
);
INSERT INTO documents_fts_rows (doc_id, fts_rowid) SELECT doc_id, rowid FROM documents_fts;
