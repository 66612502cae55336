-- Full-text search over documents with PostgreSQL's 'russian' configuration (stemming:
-- «отпуск» finds «отпуске»), a generated column and a GIN index.
ALTER TABLE documents ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('russian', title || ' ' || description || ' ' || kind || ' ' || COALESCE(reg_number, ''))
) STORED;
CREATE INDEX documents_search ON documents USING GIN (search_vector);
