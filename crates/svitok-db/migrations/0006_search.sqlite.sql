-- Full-text search over documents with SQLite's FTS5 (Unicode case folding; queries
-- match word prefixes). Kept by the repository on every change of a card.
CREATE VIRTUAL TABLE documents_fts USING fts5(doc_id UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO documents_fts (doc_id, body)
SELECT id, title || ' ' || description || ' ' || kind || ' ' || COALESCE(reg_number, '') FROM documents;
