-- API keys: stored only as the SHA-256 of the whole key, with its first characters for display.
-- permissions: a comma-separated subset of the owner's permissions at creation (names from schemas/access.ts).
CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name VARCHAR(100) NOT NULL,
  key_hash CHAR(64) NOT NULL,
  prefix VARCHAR(16) NOT NULL,
  permissions VARCHAR(500) NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  last_used_at BIGINT NULL,
  last_used_ip VARCHAR(45) NULL,
  revoked_at BIGINT NULL
);
CREATE UNIQUE INDEX api_keys_hash ON api_keys (key_hash);
CREATE INDEX api_keys_user ON api_keys (user_id, id);
