-- Each user's inbox counts (items not in the trash, and unread ones), kept by a trigger
-- on inbox_items so the inbox answers its counters with one row instead of walking all
-- of the user's items.
CREATE TABLE inbox_counts (
    user_id TEXT PRIMARY KEY,
    total   BIGINT NOT NULL DEFAULT 0,
    unread  BIGINT NOT NULL DEFAULT 0
);

INSERT INTO inbox_counts (user_id, total, unread)
SELECT user_id, COUNT(*), SUM(unread) FROM inbox_items WHERE deleted = 0 GROUP BY user_id;

CREATE FUNCTION inbox_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted = 0 THEN
        UPDATE inbox_counts SET total = total - 1, unread = unread - OLD.unread WHERE user_id = OLD.user_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.deleted = 0 THEN
        INSERT INTO inbox_counts (user_id, total, unread) VALUES (NEW.user_id, 1, NEW.unread)
        ON CONFLICT (user_id) DO UPDATE
        SET total = inbox_counts.total + 1, unread = inbox_counts.unread + EXCLUDED.unread;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER inbox_counts_keep AFTER INSERT OR DELETE OR UPDATE OF unread, deleted, user_id ON inbox_items
FOR EACH ROW EXECUTE FUNCTION inbox_counts_keep();
