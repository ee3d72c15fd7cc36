-- Login sessions: one per completed login; refresh tokens rotate within it.
CREATE TABLE sessions (
  id VARCHAR(32) NOT NULL PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT NOT NULL,
  idle_expires_at BIGINT NOT NULL,
  absolute_expires_at BIGINT NOT NULL,
  revoked_at BIGINT NULL,
  revoked_reason VARCHAR(32) NULL,
  user_agent VARCHAR(255) NOT NULL,
  ip VARCHAR(45) NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id, revoked_at);
CREATE INDEX sessions_absolute ON sessions (absolute_expires_at);

-- Refresh tokens by SHA-256 hash only; spent ones stay until their session is purged, for reuse detection.
CREATE TABLE refresh_tokens (
  token_hash CHAR(64) NOT NULL PRIMARY KEY,
  session_id VARCHAR(32) NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  spent_at BIGINT NULL
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- Security events. Never holds a secret.
CREATE TABLE audit_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at BIGINT NOT NULL,
  event VARCHAR(40) NOT NULL,
  actor_user_id INTEGER NULL,
  target_user_id INTEGER NULL,
  session_id VARCHAR(32) NULL,
  ip VARCHAR(45) NULL,
  user_agent VARCHAR(255) NULL,
  request_id VARCHAR(128) NULL,
  details VARCHAR(1000) NULL
);
CREATE INDEX audit_events_target ON audit_events (target_user_id, id);
CREATE INDEX audit_events_event ON audit_events (event, id);
CREATE INDEX audit_events_at ON audit_events (at);
