-- The catalog. Price is exact: integer cents (0 to 9999999999 = 99999999.99).
-- name is NOCASE so the prefix search (LIKE) and the name sort use name's index.
CREATE TABLE products (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name VARCHAR(100) COLLATE NOCASE NOT NULL,
  description VARCHAR(255) NOT NULL DEFAULT '',
  price_cents BIGINT NOT NULL,
  quantity INTEGER NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX products_name ON products (name, id);
CREATE INDEX products_price ON products (price_cents, id);
CREATE INDEX products_created ON products (created_at, id);
CREATE INDEX products_quantity ON products (quantity, id);

CREATE TABLE permissions (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  description VARCHAR(255) NOT NULL
);

CREATE TABLE role_permissions (
  role_id INTEGER NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  permission VARCHAR(64) NOT NULL REFERENCES permissions (name) ON DELETE CASCADE,
  PRIMARY KEY (role_id, permission)
);

-- Permissions and their grants are seeded from schemas/access.ts by the migration runner.

ALTER TABLE users ADD COLUMN disabled_at BIGINT NULL;
