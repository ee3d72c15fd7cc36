-- The catalog. Price is exact: integer cents (0 to 9999999999 = 99999999.99).
-- name uses a case-insensitive collation so the prefix search and the name sort use name's index.
CREATE TABLE products (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL,
  description VARCHAR(255) NOT NULL DEFAULT '',
  price_cents BIGINT NOT NULL,
  quantity INT UNSIGNED NOT NULL,
  version INT UNSIGNED NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  KEY products_name (name, id),
  KEY products_price (price_cents, id),
  KEY products_created (created_at, id),
  KEY products_quantity (quantity, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE permissions (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  description VARCHAR(255) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE role_permissions (
  role_id INT UNSIGNED NOT NULL,
  permission VARCHAR(64) NOT NULL,
  PRIMARY KEY (role_id, permission),
  CONSTRAINT role_permissions_role FOREIGN KEY (role_id) REFERENCES roles (id) ON DELETE CASCADE,
  CONSTRAINT role_permissions_permission FOREIGN KEY (permission) REFERENCES permissions (name) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Permissions and their grants are seeded from schemas/access.ts by the migration runner.

ALTER TABLE users ADD COLUMN disabled_at BIGINT NULL;
