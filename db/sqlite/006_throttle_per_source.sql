-- Failed attempts are counted per (account, client address), and per account under source ''
-- with a much higher limit; existing records become account-wide ones.
CREATE TABLE login_throttle_by_source (
  username_normalized VARCHAR(50) NOT NULL,
  source VARCHAR(64) NOT NULL DEFAULT '',
  failures INT NOT NULL DEFAULT 0,
  locks INT NOT NULL DEFAULT 0,
  blocked_until BIGINT NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (username_normalized, source)
);
INSERT INTO login_throttle_by_source (username_normalized, source, failures, locks, blocked_until, updated_at)
  SELECT username_normalized, '', failures, locks, blocked_until, updated_at FROM login_throttle;
DROP TABLE login_throttle;
ALTER TABLE login_throttle_by_source RENAME TO login_throttle;
