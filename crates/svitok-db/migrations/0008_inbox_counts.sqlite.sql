-- Each user's inbox counts (items not in the trash, and unread ones), kept by triggers
-- on inbox_items so the inbox answers its counters with one row instead of walking all
-- of the user's items.
CREATE TABLE inbox_counts (
    user_id TEXT PRIMARY KEY,
    total   BIGINT NOT NULL DEFAULT 0,
    unread  BIGINT NOT NULL DEFAULT 0
);

INSERT INTO inbox_counts (user_id, total, unread)
SELECT user_id, COUNT(*), SUM(unread) FROM inbox_items WHERE deleted = 0 GROUP BY user_id;

CREATE TRIGGER inbox_counts_insert AFTER INSERT ON inbox_items WHEN NEW.deleted = 0 BEGIN
    INSERT INTO inbox_counts (user_id, total, unread) VALUES (NEW.user_id, 1, NEW.unread)
    ON CONFLICT (user_id) DO UPDATE SET total = total + 1, unread = unread + excluded.unread;
END;

CREATE TRIGGER inbox_counts_delete AFTER DELETE ON inbox_items WHEN OLD.deleted = 0 BEGIN
    UPDATE inbox_counts SET total = total - 1, unread = unread - OLD.unread WHERE user_id = OLD.user_id;
END;

CREATE TRIGGER inbox_counts_update AFTER UPDATE OF unread, deleted, user_id ON inbox_items BEGIN
    UPDATE inbox_counts SET total = total - 1, unread = unread - OLD.unread
    WHERE user_id = OLD.user_id AND OLD.deleted = 0;
    INSERT INTO inbox_counts (user_id, total, unread) SELECT NEW.user_id, 1, NEW.unread WHERE NEW.deleted = 0
    ON CONFLICT (user_id) DO UPDATE SET total = total + 1, unread = unread + excluded.unread;
END;
