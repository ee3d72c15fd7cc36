import type { FastifyBaseLogger } from 'fastify'
import { join, resolve } from 'node:path'
import type { Config } from '../config.js'
import type { Driver } from './driver.js'
import { parseMysqlUrl } from './mysql-url.js'
import { migrate } from './migrate.js'
import { accessListDrift } from './access-lists.js'
import { MAX_PREPARED_STATEMENTS } from './mysql-limits.js'

type StoreConfig = Pick<Config, 'DATABASE_URL' | 'DATA_DIR' | 'DB_CONNECT_TIMEOUT_MS' | 'DB_POOL_SIZE'>

async function connect (c: StoreConfig, log: FastifyBaseLogger): Promise<Driver> {
  const url = c.DATABASE_URL
  if (!url.startsWith('mysql://')) {
    const { createSqliteDriver } = await import('./sqlite-driver.js')
    const file = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : join(c.DATA_DIR, 'secure-api.db')
    return createSqliteDriver(file === ':memory:' ? file : resolve(file))
  }
  const target = parseMysqlUrl(url)
  const [{ createPool }, { createMysqlDriver }, { prepareMysqlDatabase }] =
    await Promise.all([import('mysql2/promise'), import('./mysql-driver.js'), import('./mysql-connect.js')])
  await prepareMysqlDatabase(target, c.DB_CONNECT_TIMEOUT_MS, log)
  const pool = createPool({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    connectionLimit: c.DB_POOL_SIZE,
    charset: 'utf8mb4',
    timezone: 'Z',
    supportBigNumbers: true,
    // no stack capture per query (mysql2's default): errors are logged by code, never by stack
    trace: false,
    maxPreparedStatements: MAX_PREPARED_STATEMENTS
  })
  try {
    await pool.query('SELECT 1')
  } catch (err) {
    await pool.end()
    throw err
  }
  return createMysqlDriver(pool, `MySQL (${target.display})`)
}

/**
 * The store chosen by DATABASE_URL: MySQL/MariaDB through a mysql2 pool, or the embedded
 * SQLite file, migrated. Only the chosen store's driver is loaded, which keeps the other out
 * of the process's memory. A store whose roles and permissions differ from the code's list
 * is refused. The caller closes the driver.
 */
export async function openStore (c: StoreConfig, log: FastifyBaseLogger): Promise<Driver> {
  const driver = await connect(c, log)
  try {
    await migrate(driver, log)
    const drift = await accessListDrift(driver)
    if (drift.length > 0) {
      throw new Error(`The roles and permissions in the database differ from schemas/access.ts: ${drift.join('; ')}`)
    }
  } catch (err) {
    await driver.close()
    throw err
  }
  log.info({ store: driver.description }, 'store ready')
  return driver
}
