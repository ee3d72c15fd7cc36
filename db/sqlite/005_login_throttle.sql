-- Failed password and code attempts per username (existing or not), shared by every instance.
CREATE TABLE login_throttle (
  username_normalized VARCHAR(50) NOT NULL PRIMARY KEY,
  failures INT NOT NULL DEFAULT 0,
  locks INT NOT NULL DEFAULT 0,
  blocked_until BIGINT NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL
);
