-- The session check asks the store what changed since its last look instead of asking about each
-- session (src/sessions/synced-session-cache.ts): sessions revoked since then, and accounts whose
-- roles or enabled state changed since then (access_changed_at, set with every such change).
ALTER TABLE users ADD COLUMN access_changed_at BIGINT NULL;
CREATE INDEX users_access_changed ON users (access_changed_at);
CREATE INDEX sessions_revoked ON sessions (revoked_at);
