import fp from 'fastify-plugin'
import type { MySQLPromisePool } from '@fastify/mysql'
import { join, resolve } from 'node:path'
import type { Driver } from '../db/driver.js'
import { parseMysqlUrl } from '../db/mysql-url.js'
import { migrate } from '../db/migrate.js'
import { accessListDrift } from '../db/access-lists.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Driver
    mysql: MySQLPromisePool
  }
}

/**
 * The store chosen by DATABASE_URL: MySQL/MariaDB through @fastify/mysql, or the
 * embedded SQLite file. Migrations run before the app takes requests. Only the chosen
 * store's driver is loaded, which keeps the other out of the process's memory. A store whose
 * roles and permissions differ from the code's list refuses to start.
 */
export default fp(async (app) => {
  const { DATABASE_URL: url, DATA_DIR, DB_CONNECT_TIMEOUT_MS, DB_POOL_SIZE } = app.config
  let driver: Driver
  if (url.startsWith('mysql://')) {
    const target = parseMysqlUrl(url)
    const [{ default: mysql }, { createMysqlDriver }, { prepareMysqlDatabase }] =
      await Promise.all([import('@fastify/mysql'), import('../db/mysql-driver.js'), import('../db/mysql-connect.js')])
    await prepareMysqlDatabase(target, DB_CONNECT_TIMEOUT_MS, app.log)
    await app.register(mysql, {
      promise: true,
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      database: target.database,
      connectionLimit: DB_POOL_SIZE,
      charset: 'utf8mb4',
      timezone: 'Z',
      supportBigNumbers: true,
      // no stack capture per query (mysql2's default): errors are logged by code, never by stack
      trace: false
    })
    driver = createMysqlDriver(app.mysql.pool, `MySQL (${target.display})`)
  } else {
    const { createSqliteDriver } = await import('../db/sqlite-driver.js')
    const file = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : join(DATA_DIR, 'secure-api.db')
    driver = createSqliteDriver(file === ':memory:' ? file : resolve(file))
    app.addHook('onClose', () => driver.close())
  }
  try {
    await migrate(driver, app.log)
    const drift = await accessListDrift(driver)
    if (drift.length > 0) {
      throw new Error(`The roles and permissions in the database differ from schemas/access.ts: ${drift.join('; ')}`)
    }
  } catch (err) {
    await driver.close() // a plugin that fails to load gets no onClose: nothing would end the pool
    throw err
  }
  app.decorate('db', driver)
  app.log.info({ store: driver.description }, 'store ready')
}, { name: 'db', dependencies: ['config'] })
