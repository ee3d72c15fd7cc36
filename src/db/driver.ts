/**
 * The small interface every repository writes its SQL against. Both dialects take
 * `?` placeholders; what differs between them (DDL, locks, upserts) stays in the
 * drivers and in the per-dialect migrations under `db/`.
 */
export type SqlValue = string | number | bigint | boolean | null | Buffer
export type Row = Record<string, unknown>

export interface ExecResult {
  affectedRows: number
  insertId: number
}

export interface Executor {
  query<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>
  execute(sql: string, params?: readonly SqlValue[]): Promise<ExecResult>
}

export type Dialect = 'mysql' | 'sqlite'

/** A connection held under a lock that other processes on the same store wait for. */
export interface LockedConnection extends Executor {
  /** Runs one DDL statement. */
  ddl(sql: string): Promise<void>
}

/** A connection pool's occupancy, for the saturation metrics. */
export interface PoolStats {
  inUse: number
  idle: number
  /** Callers waiting for a connection. */
  waiting: number
}

export interface Driver extends Executor {
  readonly dialect: Dialect
  /** A human description for logs, never holding a password. */
  readonly description: string
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T>
  /** Runs `fn` on one connection while holding a store-wide lock (migrations). */
  withLock<T>(name: string, fn: (conn: LockedConnection) => Promise<T>): Promise<T>
  ping(): Promise<void>
  close(): Promise<void>
  /** A pooled driver's occupancy (MySQL); absent when there is no pool (SQLite). */
  poolStats?(): PoolStats
}

/**
 * Refuses a value that must never reach SQL: a number that is not finite (NaN from a bad
 * date, Infinity from an overflowing number) or `undefined`. Both drivers call it on every
 * statement, so a slip upstream is a 500 that says so, never a silently different query.
 */
export function checkParams (params: readonly SqlValue[]): readonly SqlValue[] {
  for (const [i, v] of params.entries()) {
    if (v === undefined || (typeof v === 'number' && !Number.isFinite(v))) {
      throw new TypeError(
        `SQL parameter ${i + 1} is ${String(v)}: only finite numbers, strings, buffers or null are bound`
      )
    }
  }
  return params
}
