-- Lists read the documents a principal may read in order of their last change straight
-- from an index: document_readers carries that time.
ALTER TABLE document_readers ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
UPDATE document_readers SET updated_at = (SELECT d.updated_at FROM documents d WHERE d.id = document_readers.document_id);
CREATE INDEX document_readers_by_time ON document_readers (principal, updated_at, document_id);
