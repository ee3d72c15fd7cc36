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
}
