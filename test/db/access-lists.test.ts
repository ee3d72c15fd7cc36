import t from 'tap'
import pino from 'pino'
import { join } from 'node:path'
import { GRANTS, PERMISSIONS, ROLES } from '../../schemas/access.js'
import { accessListDrift } from '../../src/db/access-lists.js'
import type { Driver } from '../../src/db/driver.js'
import { migrate } from '../../src/db/migrate.js'
import { buildTestApp, createTestDatabase, stores, tempDir, type Store } from '../helper.js'
import { openDriver } from './drivers.js'

const silent = pino({ level: 'silent' })

/** A migrated store and where it lives, so an app can be started on it afterwards. */
async function migratedStore (t: Parameters<typeof openDriver>[0], store: Store): Promise<{ db: Driver; url: string }> {
  const url = store === 'mysql' ? await createTestDatabase(t) : `sqlite:${join(tempDir(t), 'access.db')}`
  const db = await openDriver(t, store, store === 'mysql' ? url : url.slice('sqlite:'.length))
  await migrate(db, silent)
  return { db, url }
}

const grantsIn = async (db: Driver) =>
  (
    await db.query<{ role: string; permission: string }>(
      'SELECT r.name AS role, rp.permission FROM role_permissions rp JOIN roles r ON r.id = rp.role_id'
    )
  )
    .map((g) => `${g.role} ${g.permission}`)
    .sort()

const codeGrants = Object.entries(GRANTS)
  .flatMap(([role, ps]) => ps.map((p) => `${role} ${p}`))
  .sort()

for (const store of stores) {
  t.test(`a migrated store holds the code's roles, permissions and grants (${store})`, async (t) => {
    const { db } = await migratedStore(t, store)
    t.same(
      await db.query('SELECT name, description FROM roles ORDER BY id'),
      Object.entries(ROLES).map(([name, description]) => ({ name, description })),
      "roles, in the list's order"
    )
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name)
    t.same(
      (await db.query<{ name: string; description: string }>('SELECT name, description FROM permissions')).sort(byName),
      Object.entries(PERMISSIONS)
        .map(([name, description]) => ({ name, description }))
        .sort(byName)
    )
    t.same(await grantsIn(db), codeGrants)
    t.ok(codeGrants.includes('admin audit:read'), 'the audit log is granted to admins')
    t.same(await accessListDrift(db), [], 'no drift')
  })

  t.test(`the seed adds what an older store lacks and keeps the descriptions current (${store})`, async (t) => {
    const { db } = await migratedStore(t, store)
    // a store from before audit:read, with a description edited by hand
    await db.execute("DELETE FROM permissions WHERE name = 'audit:read'")
    await db.execute("UPDATE roles SET description = 'old words' WHERE name = 'viewer'")
    t.same(await accessListDrift(db), [
      'permission audit:read is missing from the database',
      'grant admin audit:read is missing from the database'
    ])
    const lines: Array<{ msg: string; change?: string }> = []
    const log = pino(
      { level: 'info' },
      {
        write: (line: string) => {
          lines.push(JSON.parse(line))
        }
      }
    )
    t.same(await migrate(db, log), [], 'no migration is pending')
    t.same(
      lines.filter((l) => l.msg === 'seed applied').map((l) => l.change),
      ['roles: described viewer', 'permissions: added audit:read', 'role_permissions: granted admin audit:read']
    )
    t.same(await grantsIn(db), codeGrants)
    t.same(await db.query("SELECT description FROM roles WHERE name = 'viewer'"), [{ description: ROLES.viewer }])
    t.same(await accessListDrift(db), [])
  })

  t.test(`a store whose access lists differ from the code's refuses to start (${store})`, async (t) => {
    const { db, url } = await migratedStore(t, store)
    await db.execute("INSERT INTO roles (name, description) VALUES ('auditor', 'made by hand')")
    await db.execute(
      "INSERT INTO role_permissions (role_id, permission) SELECT id, 'users:write' FROM roles WHERE name = 'editor'"
    )
    await db.execute("INSERT INTO permissions (name, description) VALUES ('reports:read', 'not in the code')")
    t.same(await accessListDrift(db), [
      'role auditor is in the database only',
      'permission reports:read is in the database only',
      'grant editor users:write is in the database only'
    ])
    const start = () => buildTestApp(t, { store, config: { DATABASE_URL: url } })
    await t.rejects(
      start(),
      /differ from schemas\/access\.ts: role auditor is in the database only; permission reports:read .*; grant editor users:write/
    )

    await db.execute("DELETE FROM roles WHERE name = 'auditor'")
    await db.execute("DELETE FROM permissions WHERE name = 'reports:read'")
    await t.rejects(
      start(),
      /: grant editor users:write is in the database only$/,
      'one extra grant is enough: the seed never takes access away, a migration does'
    )
    await db.execute(
      "DELETE FROM role_permissions WHERE permission = 'users:write' " +
        "AND role_id = (SELECT id FROM roles WHERE name = 'editor')"
    )
    const app = await start()
    t.equal((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode, 200, 'equal again: it starts')
  })
}
