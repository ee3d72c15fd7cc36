-- The session check asks the store what changed since its last look instead of asking about each
-- session (src/sessions/synced-session-cache.ts): sessions revoked since then, and accounts whose
-- roles or enabled state changed since then (access_changed_at, set with every such change).
ALTER TABLE users
  ADD COLUMN access_changed_at BIGINT NULL,
  ADD KEY users_access_changed (access_changed_at);
ALTER TABLE sessions ADD KEY sessions_revoked (revoked_at);
