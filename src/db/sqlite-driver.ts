import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { checkParams, type Driver, type ExecResult, type Executor, type Row, type SqlValue } from './driver.js'
import { codeOf, StorageError, translated } from './errors.js'

/** better-sqlite3's errors as the storage errors the app knows; any other error is left as it is. */
export function translateSqliteError (err: unknown): unknown {
  if (err instanceof StorageError) return err
  const code = codeOf(err)
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new StorageError('unique_violation', code, { cause: err })
  }
  // another process held the write lock for longer than busy_timeout
  if (code === 'SQLITE_BUSY') return new StorageError('busy', code, { cause: err })
  return err
}

const sqliteErrors = <T>(fn: () => Promise<T>) => translated(translateSqliteError, fn)

/** A promise chain that runs one transaction at a time on the single SQLite connection. */
function createMutex () {
  let tail: Promise<unknown> = Promise.resolve()
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn)
    tail = run.catch(() => undefined)
    return run
  }
}

const toParam = (v: SqlValue): unknown => (typeof v === 'boolean' ? Number(v) : v)

export function createSqliteDriver (filename: string): Driver {
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true })
  const db = new Database(filename)
  db.pragma('journal_mode = WAL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  const exclusive = createMutex()

  const executor: Executor = {
    async query<T extends Row = Row> (sql: string, params: readonly SqlValue[] = []) {
      return db.prepare(sql).all(...checkParams(params).map(toParam)) as T[]
    },
    async execute (sql: string, params: readonly SqlValue[] = []): Promise<ExecResult> {
      const r = db.prepare(sql).run(...checkParams(params).map(toParam))
      return { affectedRows: r.changes, insertId: Number(r.lastInsertRowid) }
    }
  }

  /** Inside a transaction: a unique violation caught there is already a StorageError. */
  const translating: Executor = {
    query: (sql, params) => sqliteErrors(() => executor.query(sql, params)),
    execute: (sql, params) => sqliteErrors(() => executor.execute(sql, params))
  }

  const locked = { ...executor, ddl: async (sql: string) => { db.exec(sql) } }

  async function immediate<T> (fn: () => Promise<T>): Promise<T> {
    db.exec('BEGIN IMMEDIATE')
    try {
      const result = await fn()
      db.exec('COMMIT')
      return result
    } catch (err) {
      db.exec('ROLLBACK')
      throw err
    }
  }

  // Statements outside a transaction also wait for the mutex, so they never land
  // inside another request's open transaction on the shared connection.
  return {
    dialect: 'sqlite',
    description: filename === ':memory:' ? 'SQLite (in memory)' : `SQLite (${filename})`,
    query: (sql, params) => sqliteErrors(() => exclusive(() => executor.query(sql, params))),
    execute: (sql, params) => sqliteErrors(() => exclusive(() => executor.execute(sql, params))),
    transaction: (fn) => sqliteErrors(() => exclusive(() => immediate(() => fn(translating)))),
    // BEGIN IMMEDIATE takes the file's write lock, which other processes wait for
    // (busy_timeout); SQLite's DDL is transactional, so a failed migration leaves nothing.
    withLock: (_name, fn) => sqliteErrors(() => exclusive(() => immediate(() => fn(locked)))),
    ping: () => sqliteErrors(async () => { db.prepare('SELECT 1').get() }),
    close: async () => { db.close() }
  }
}
