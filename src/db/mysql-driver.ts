import type { Pool, PoolConnection, ResultSetHeader } from 'mysql2/promise'
import {
  checkParams, type Driver, type ExecResult, type Executor, type PoolStats, type Row, type SqlValue
} from './driver.js'
import { MIGRATION_LOCK_SECONDS } from './mysql-limits.js'
import { codeOf, isStorageError, StorageError, translated } from './errors.js'

/** mysql2's codes for a server that cannot be reached or a pool that cannot serve. */
const UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH',
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_CON_COUNT_ERROR', 'POOL_CLOSED', 'POOL_ENQUEUELIMIT'])

/** mysql2's errors as the storage errors the app knows; any other error is left as it is. */
export function translateMysqlError (err: unknown): unknown {
  if (err instanceof StorageError) return err
  const code = codeOf(err)
  if (code === 'ER_DUP_ENTRY') return new StorageError('unique_violation', code, { cause: err })
  if (code === 'ER_LOCK_DEADLOCK') return new StorageError('deadlock', code, { cause: err })
  // a pool or connection used after it closed says so only in its message
  const closed = /Pool is closed|closed state/.test((err as Error | null)?.message ?? '')
  if ((code !== undefined && UNAVAILABLE.has(code)) || closed) {
    return new StorageError('unavailable', code, { cause: err })
  }
  return err
}

const mysqlErrors = <T>(fn: () => Promise<T>) => translated(translateMysqlError, fn)

type Bindable = Parameters<PoolConnection['execute']>[1]

/**
 * Statements are server-side prepared (mysql2's `execute`, cached per connection): values
 * travel apart from the SQL text and are never interpolated into it by the client library.
 */
function executorOf (conn: Pool | PoolConnection): Executor {
  return {
    query: <T extends Row = Row>(sql: string, params: readonly SqlValue[] = []) => mysqlErrors(async () => {
      const [rows] = await conn.execute(sql, checkParams(params) as Bindable)
      return rows as T[]
    }),
    execute: (sql: string, params: readonly SqlValue[] = []): Promise<ExecResult> => mysqlErrors(async () => {
      const [r] = await conn.execute<ResultSetHeader>(sql, checkParams(params) as Bindable)
      return { affectedRows: r.affectedRows, insertId: r.insertId }
    })
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
type Queue = { length: number }
type CorePool = { _allConnections: Queue, _freeConnections: Queue, _connectionQueue: Queue }

function poolStatsOf (pool: Pool): PoolStats {
  const core = (pool as unknown as { pool: CorePool }).pool
  const idle = core._freeConnections.length
  return { inUse: core._allConnections.length - idle, idle, waiting: core._connectionQueue.length }
}

/** A Driver over a mysql2 promise pool (src/db/open-store.ts creates it). */
export function createMysqlDriver (
  pool: Pool, description: string, lockTimeoutSeconds = MIGRATION_LOCK_SECONDS
): Driver {
  return {
    dialect: 'mysql',
    description,
    ...executorOf(pool),
    // InnoDB may pick a transaction as a deadlock victim (gap locks of concurrent
    // DELETE + INSERT on one index range, say): it was rolled back whole, so run it again.
    transaction: async (fn) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await mysqlErrors(() => withConnection(pool, async (conn) => {
            await conn.beginTransaction()
            try {
              const result = await fn(executorOf(conn))
              await conn.commit()
              return result
            } catch (err) {
              await conn.rollback()
              throw err
            }
          }))
        } catch (err) {
          if (!isStorageError(err, 'deadlock') || attempt >= DEADLOCK_RETRIES) throw err
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt))
        }
      }
    },
    // GET_LOCK belongs to the connection, so everything under the lock runs on it.
    withLock: (name, fn) => mysqlErrors(() => withConnection(pool, async (conn) => {
      const [rows] = await conn.execute('SELECT GET_LOCK(?, ?) AS got', [name, lockTimeoutSeconds])
      if ((rows as Array<{ got: number | null }>)[0]?.got !== 1) {
        throw new Error(`could not take the lock "${name}" within ${lockTimeoutSeconds}s`)
      }
      try {
        return await fn({ ...executorOf(conn), ddl: async (sql) => { await conn.query(sql) } })
      } finally {
        await conn.execute('SELECT RELEASE_LOCK(?)', [name])
      }
    })),
    ping: () => mysqlErrors(async () => { await pool.query('SELECT 1') }),
    close: async () => { await pool.end() },
    poolStats: () => poolStatsOf(pool)
  }
}
