-- API keys: stored only as the SHA-256 of the whole key, with its first characters for display.
-- permissions: a comma-separated subset of the owner's permissions at creation (names from schemas/access.ts).
CREATE TABLE api_keys (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL,
  name VARCHAR(100) NOT NULL,
  key_hash CHAR(64) NOT NULL,
  prefix VARCHAR(16) NOT NULL,
  permissions VARCHAR(500) NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  last_used_at BIGINT NULL,
  last_used_ip VARCHAR(45) NULL,
  revoked_at BIGINT NULL,
  UNIQUE KEY api_keys_hash (key_hash),
  KEY api_keys_user (user_id, id),
  CONSTRAINT api_keys_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
