-- A session an identity provider opened remembers which provider and the ID token it
-- gave (sealed), so that signing out can end the provider's session too (SPEC §11).
ALTER TABLE sessions ADD COLUMN provider TEXT;
ALTER TABLE sessions ADD COLUMN id_token TEXT;
