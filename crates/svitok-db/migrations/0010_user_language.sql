-- The language a person chose for the web interface ('ru', 'en'); NULL: as the browser asks.
ALTER TABLE users ADD COLUMN language TEXT;
