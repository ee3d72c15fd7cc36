import type { Executor } from './driver.js'
import { GRANTS, PERMISSIONS, ROLES } from '../../schemas/access.js'

/**
 * The roles, permissions and grants of schemas/access.ts, written into the store (the
 * seed, the same on both dialects) and compared with it (the startup check). The seed
 * only adds and updates descriptions: removing a role or a grant is a deliberate data
 * change, made by a numbered migration, and until it is made the check names the difference.
 */
interface Stored {
  roles: Map<string, string>
  permissions: Map<string, string>
  grants: Set<string>
}

const CODE_GRANTS = Object.entries(GRANTS).flatMap(([role, permissions]) => permissions.map((p) => `${role} ${p}`))

async function readStored (db: Executor): Promise<Stored> {
  const roles = await db.query<{ name: string, description: string }>('SELECT name, description FROM roles')
  const permissions = await db.query<{ name: string, description: string }>('SELECT name, description FROM permissions')
  const grants = await db.query<{ role: string, permission: string }>(
    'SELECT r.name AS role, rp.permission FROM role_permissions rp JOIN roles r ON r.id = rp.role_id')
  return {
    roles: new Map(roles.map((r) => [r.name, r.description])),
    permissions: new Map(permissions.map((p) => [p.name, p.description])),
    grants: new Set(grants.map((g) => `${g.role} ${g.permission}`))
  }
}

/** Adds what the store lacks of the code's lists; returns what it changed, for the log. */
export async function seedAccessLists (db: Executor): Promise<string[]> {
  const stored = await readStored(db)
  const changes: string[] = []
  const lists = [['roles', ROLES, stored.roles], ['permissions', PERMISSIONS, stored.permissions]] as const
  for (const [table, list, have] of lists) {
    for (const [name, description] of Object.entries(list)) {
      if (!have.has(name)) {
        await db.execute(`INSERT INTO ${table} (name, description) VALUES (?, ?)`, [name, description])
        changes.push(`${table}: added ${name}`)
      } else if (have.get(name) !== description) {
        await db.execute(`UPDATE ${table} SET description = ? WHERE name = ?`, [description, name])
        changes.push(`${table}: described ${name}`)
      }
    }
  }
  for (const grant of CODE_GRANTS.filter((g) => !stored.grants.has(g))) {
    const [role, permission] = grant.split(' ') as [string, string]
    await db.execute('INSERT INTO role_permissions (role_id, permission) SELECT id, ? FROM roles WHERE name = ?',
      [permission, role])
    changes.push(`role_permissions: granted ${role} ${permission}`)
  }
  return changes
}

/** How the store's roles, permissions and grants differ from the code's; empty when equal. */
export async function accessListDrift (db: Executor): Promise<string[]> {
  const stored = await readStored(db)
  const compare = (what: string, code: string[], store: Iterable<string>) => {
    const inStore = new Set(store)
    return [
      ...code.filter((x) => !inStore.has(x)).map((x) => `${what} ${x} is missing from the database`),
      ...[...inStore].filter((x) => !code.includes(x)).map((x) => `${what} ${x} is in the database only`)
    ]
  }
  return [
    ...compare('role', Object.keys(ROLES), stored.roles.keys()),
    ...compare('permission', Object.keys(PERMISSIONS), stored.permissions.keys()),
    ...compare('grant', CODE_GRANTS, stored.grants)
  ]
}
