import type { Pool, PoolConnection, ResultSetHeader } from 'mysql2/promise'
import { checkParams, type Driver, type ExecResult, type Executor, type PoolStats, type Row, type SqlValue } from './driver.js'
import { MIGRATION_LOCK_SECONDS } from './mysql-limits.js'

type Bindable = Parameters<PoolConnection['execute']>[1]

/**
 * Statements are server-side prepared (mysql2's `execute`, cached per connection): values
 * travel apart from the SQL text and are never interpolated into it by the client library.
 */
function executorOf (conn: Pool | PoolConnection): Executor {
  return {
    async query<T extends Row = Row> (sql: string, params: readonly SqlValue[] = []) {
      const [rows] = await conn.execute(sql, checkParams(params) as Bindable)
      return rows as T[]
    },
    async execute (sql: string, params: readonly SqlValue[] = []): Promise<ExecResult> {
      const [r] = await conn.execute<ResultSetHeader>(sql, checkParams(params) as Bindable)
      return { affectedRows: r.affectedRows, insertId: r.insertId }
    }
  }
}

async function withConnection<T> (pool: Pool, fn: (conn: PoolConnection) => Promise<T>): Promise<T> {
  const conn = await pool.getConnection()
  try {
    return await fn(conn)
  } finally {
    conn.release()
  }
}

const DEADLOCK_RETRIES = 5

/** mysql2 has no public occupancy API: its core pool's own queues are read (stable since mysql2 1.x). */
type CorePool = { _allConnections: { length: number }, _freeConnections: { length: number }, _connectionQueue: { length: number } }

function poolStatsOf (pool: Pool): PoolStats {
  const core = (pool as unknown as { pool: CorePool }).pool
  const idle = core._freeConnections.length
  return { inUse: core._allConnections.length - idle, idle, waiting: core._connectionQueue.length }
}

/** A Driver over a mysql2 promise pool (the one `@fastify/mysql` creates). */
export function createMysqlDriver (pool: Pool, description: string, lockTimeoutSeconds = MIGRATION_LOCK_SECONDS): Driver {
  return {
    dialect: 'mysql',
    description,
    ...executorOf(pool),
    // InnoDB may pick a transaction as a deadlock victim (gap locks of concurrent
    // DELETE + INSERT on one index range, say): it was rolled back whole, so run it again.
    transaction: async (fn) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await withConnection(pool, async (conn) => {
            await conn.beginTransaction()
            try {
              const result = await fn(executorOf(conn))
              await conn.commit()
              return result
            } catch (err) {
              await conn.rollback()
              throw err
            }
          })
        } catch (err) {
          if ((err as { code?: string }).code !== 'ER_LOCK_DEADLOCK' || attempt >= DEADLOCK_RETRIES) throw err
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt))
        }
      }
    },
    // GET_LOCK belongs to the connection, so everything under the lock runs on it.
    withLock: (name, fn) => withConnection(pool, async (conn) => {
      const [rows] = await conn.execute('SELECT GET_LOCK(?, ?) AS got', [name, lockTimeoutSeconds])
      if ((rows as Array<{ got: number | null }>)[0]?.got !== 1) {
        throw new Error(`could not take the lock "${name}" within ${lockTimeoutSeconds}s`)
      }
      try {
        return await fn({ ...executorOf(conn), ddl: async (sql) => { await conn.query(sql) } })
      } finally {
        await conn.execute('SELECT RELEASE_LOCK(?)', [name])
      }
    }),
    ping: async () => { await pool.query('SELECT 1') },
    close: async () => { await pool.end() },
    poolStats: () => poolStatsOf(pool)
  }
}
