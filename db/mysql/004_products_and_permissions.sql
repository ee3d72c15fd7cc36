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

INSERT INTO permissions (name, description) VALUES
  ('products:read', 'list and read products'),
  ('products:write', 'create and change products'),
  ('products:delete', 'delete products'),
  ('users:read', 'list and read user accounts'),
  ('users:write', 'change roles, disable and enable accounts, end their sessions');

INSERT INTO role_permissions (role_id, permission)
  SELECT r.id, p.name FROM roles r JOIN permissions p
  WHERE r.name = 'admin'
     OR (r.name = 'editor' AND p.name IN ('products:read', 'products:write', 'products:delete'))
     OR (r.name = 'viewer' AND p.name = 'products:read');

ALTER TABLE users ADD COLUMN disabled_at BIGINT NULL;
