-- Step-up (RFC 9470): when the session last proved a factor and which ones (RFC 8176 amr values,
-- comma-separated); a refresh keeps them, POST /auth/step-up renews them.
ALTER TABLE sessions
  ADD COLUMN auth_time BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN amr VARCHAR(64) NOT NULL DEFAULT '';
