-- A 2FA reset stages a new secret; the current one stays active until the new one is confirmed.
ALTER TABLE users ADD COLUMN totp_pending_secret_enc VARCHAR(255) NULL;

-- Fingerprints of keys every instance must share (an instance with another key refuses to start).
CREATE TABLE key_fingerprints (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  fingerprint CHAR(64) NOT NULL,
  created_at BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
