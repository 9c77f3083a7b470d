-- Schema history starts here; each package adds its tables in its own versioned migration.
CREATE TABLE IF NOT EXISTS tenshot_info (key text PRIMARY KEY, value text NOT NULL);
INSERT INTO tenshot_info (key, value) VALUES ('schema', 'tenshot') ON CONFLICT DO NOTHING;
