-- Login sessions: one per completed login; refresh tokens rotate within it.
CREATE TABLE sessions (
  id VARCHAR(32) NOT NULL PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT NOT NULL,
  idle_expires_at BIGINT NOT NULL,
  absolute_expires_at BIGINT NOT NULL,
  revoked_at BIGINT NULL,
  revoked_reason VARCHAR(32) NULL,
  user_agent VARCHAR(255) NOT NULL,
  ip VARCHAR(45) NOT NULL,
  KEY sessions_user (user_id, revoked_at),
  KEY sessions_absolute (absolute_expires_at),
  CONSTRAINT sessions_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Refresh tokens by SHA-256 hash only; spent ones stay until their session is purged, for reuse detection.
CREATE TABLE refresh_tokens (
  token_hash CHAR(64) NOT NULL PRIMARY KEY,
  session_id VARCHAR(32) NOT NULL,
  created_at BIGINT NOT NULL,
  spent_at BIGINT NULL,
  KEY refresh_tokens_session (session_id),
  CONSTRAINT refresh_tokens_session FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Security events. Never holds a secret.
CREATE TABLE audit_events (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  at BIGINT NOT NULL,
  event VARCHAR(40) NOT NULL,
  actor_user_id BIGINT UNSIGNED NULL,
  target_user_id BIGINT UNSIGNED NULL,
  session_id VARCHAR(32) NULL,
  ip VARCHAR(45) NULL,
  user_agent VARCHAR(255) NULL,
  request_id VARCHAR(128) NULL,
  details VARCHAR(1000) NULL,
  KEY audit_events_target (target_user_id, id),
  KEY audit_events_event (event, id),
  KEY audit_events_at (at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
