-- Failed attempts are counted per (account, client address), and per account under source ''
-- with a much higher limit; existing records become account-wide ones.
ALTER TABLE login_throttle
  ADD COLUMN source VARCHAR(64) NOT NULL DEFAULT '' AFTER username_normalized,
  DROP PRIMARY KEY,
  ADD PRIMARY KEY (username_normalized, source);
