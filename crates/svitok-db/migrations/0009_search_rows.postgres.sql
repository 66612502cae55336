-- Nothing to do: PostgreSQL's full-text index is a generated column of documents.
SELECT 1;
