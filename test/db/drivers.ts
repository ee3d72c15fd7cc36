import type { Driver } from '../../src/db/driver.js'
import { createMysqlDriver } from '../../src/db/mysql-driver.js'
import { createSqliteDriver } from '../../src/db/sqlite-driver.js'
import { parseMysqlUrl } from '../../src/db/mysql-url.js'
import { createPool } from 'mysql2/promise'
import { createTestDatabase, tempDir, type Store } from '../helper.js'

type Test = Parameters<typeof createTestDatabase>[0]

/** A bare driver on a fresh database (MySQL) or a fresh file (SQLite), closed at teardown. */
export async function openDriver (t: Test, store: Store, database?: string): Promise<Driver> {
  if (store === 'sqlite') {
    const driver = createSqliteDriver(database ?? `${tempDir(t)}/test.db`)
    t.teardown(() => driver.close())
    return driver
  }
  const target = parseMysqlUrl(database ?? (await createTestDatabase(t)))
  const pool = createPool({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    connectionLimit: 5
  })
  const driver = createMysqlDriver(pool, target.display, 5)
  t.teardown(() => driver.close())
  return driver
}
