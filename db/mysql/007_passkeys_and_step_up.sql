-- Step-up (RFC 9470): when the session last proved a factor and which ones (RFC 8176 amr values,
-- comma-separated); a refresh keeps them, POST /auth/step-up renews them.
ALTER TABLE sessions
  ADD COLUMN auth_time BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN amr VARCHAR(64) NOT NULL DEFAULT '';

-- Passkeys: the WebAuthn user handle of each account (random, stable, never the id or the name).
ALTER TABLE users
  ADD COLUMN webauthn_user_handle VARCHAR(64) NULL,
  ADD UNIQUE KEY users_webauthn_user_handle (webauthn_user_handle);

-- Registered passkeys; found by the SHA-256 of the credential id (ids run to 1023 bytes).
CREATE TABLE passkeys (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL,
  credential_hash CHAR(64) NOT NULL,
  credential_id VARCHAR(1400) NOT NULL,
  public_key VARCHAR(2048) NOT NULL,
  sign_count BIGINT NOT NULL,
  transports VARCHAR(255) NOT NULL DEFAULT '',
  backed_up TINYINT NOT NULL,
  name VARCHAR(64) NOT NULL,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT NULL,
  UNIQUE KEY passkeys_credential (credential_hash),
  KEY passkeys_user (user_id),
  CONSTRAINT passkeys_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Outstanding WebAuthn challenges, by SHA-256 hash only: single use, short-lived, bound to one
-- ceremony and, when known, one user and one mfa_token (binding: its hash).
CREATE TABLE webauthn_challenges (
  challenge_hash CHAR(64) NOT NULL PRIMARY KEY,
  ceremony VARCHAR(16) NOT NULL,
  user_id BIGINT UNSIGNED NULL,
  binding CHAR(64) NULL,
  expires_at BIGINT NOT NULL,
  KEY webauthn_challenges_expiry (expires_at),
  CONSTRAINT webauthn_challenges_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
