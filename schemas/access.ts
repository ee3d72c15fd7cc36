/**
 * Roles, permissions and which role holds which: the one list. The API contract
 * (SetRolesRequest, DEFAULT_ROLE), the permission check, the seed the migration runner
 * writes into `roles` / `permissions` / `role_permissions` on both stores, the startup
 * check of those tables and the README's table all derive from it.
 */
export const ROLES = {
  admin: 'everything',
  editor: 'products: read, write, delete',
  viewer: 'products: read'
} as const
export type Role = keyof typeof ROLES
export const ROLE_NAMES = Object.keys(ROLES) as Role[]

export const PERMISSIONS = {
  'products:read': 'list and read products',
  'products:write': 'create and change products',
  'products:delete': 'delete products',
  'users:read': 'list and read user accounts',
  'users:write': 'change roles, disable and enable accounts, end their sessions',
  'audit:read': 'read the security audit log'
} as const
export type Permission = keyof typeof PERMISSIONS
export const PERMISSION_NAMES = Object.keys(PERMISSIONS) as Permission[]

/** The permissions each role grants. */
export const GRANTS: Record<Role, readonly Permission[]> = {
  admin: PERMISSION_NAMES,
  editor: ['products:read', 'products:write', 'products:delete'],
  viewer: ['products:read']
}
