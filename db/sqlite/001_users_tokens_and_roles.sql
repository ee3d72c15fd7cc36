-- Accounts. Times are epoch milliseconds written by the app's clock.
CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  username VARCHAR(50) NOT NULL,
  username_normalized VARCHAR(50) NOT NULL UNIQUE,
  password_hash VARCHAR(255) NOT NULL,
  totp_secret_enc VARCHAR(255) NOT NULL,
  totp_confirmed_at BIGINT NULL,
  totp_last_step BIGINT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE recovery_codes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash CHAR(64) NOT NULL,
  used_at BIGINT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (user_id, code_hash)
);

-- Opaque short-lived tokens (enrollment, mfa), stored as SHA-256 hashes only.
CREATE TABLE auth_tokens (
  token_hash CHAR(64) NOT NULL PRIMARY KEY,
  purpose VARCHAR(16) NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  expires_at BIGINT NOT NULL,
  used_at BIGINT NULL,
  attempts INT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE INDEX auth_tokens_expires ON auth_tokens (expires_at);

CREATE TABLE roles (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name VARCHAR(50) NOT NULL UNIQUE,
  description VARCHAR(255) NOT NULL
);

CREATE TABLE user_roles (
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role_id INTEGER NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  PRIMARY KEY (user_id, role_id)
);

-- The roles themselves are seeded from schemas/access.ts by the migration runner (src/db/access-lists.ts).
