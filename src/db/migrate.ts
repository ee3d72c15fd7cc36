import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyBaseLogger } from 'fastify'
import type { Dialect, Driver, Executor } from './driver.js'
import { seedAccessLists } from './access-lists.js'
import { projectRoot } from '../paths.js'

export interface Migration {
  /** The file's name without `.sql`, as recorded in schema_migrations. */
  version: string
  /** The number the file starts with: what decides whether a migration has been applied. */
  number: string
  file: string
  statements: string[]
}

/** Writes reference data after the migrations; returns what it changed. */
export type Seed = (conn: Executor) => Promise<string[]>

export class MigrationError extends Error {
  override name = 'MigrationError'
}

/** Splits a migration file into statements: a statement ends with `;` at the end of a line. */
export function splitStatements (sql: string): string[] {
  return sql
    .split(/;[ \t]*(?:\r?\n|$)/)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter(Boolean)
}

const numberOf = (version: string) => version.split('_')[0]!

/**
 * The numbered files `db/<dialect>/NNN_name.sql`, in order. A migration is known by its
 * number, so a file can be renamed to say what it does without being applied again.
 */
export function loadMigrations (dialect: Dialect, dir = join(projectRoot, 'db', dialect)): Migration[] {
  const migrations = readdirSync(dir)
    .filter((f) => /^\d{3,}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((file) => ({
      version: file.replace(/\.sql$/, ''),
      number: numberOf(file),
      file: join('db', dialect, file),
      statements: splitStatements(readFileSync(join(dir, file), 'utf8'))
    }))
  const twice = migrations.find((m, i) => migrations.findIndex((o) => o.number === m.number) !== i)
  if (twice) throw new MigrationError(`Two migrations in db/${dialect} have the number ${twice.number}`)
  return migrations
}

/**
 * Applies the pending migrations under a store-wide lock, so that of two instances
 * starting at once one migrates and the other then finds nothing to do.
 */
export async function migrate (
  driver: Driver,
  log: FastifyBaseLogger,
  migrations = loadMigrations(driver.dialect),
  seed: Seed | null = seedAccessLists
): Promise<string[]> {
  return driver.withLock('secure_api_migrations', async (conn) => {
    await conn.ddl(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version VARCHAR(191) NOT NULL PRIMARY KEY, applied_at BIGINT ' +
        'NOT NULL)'
    )
    const rows = await conn.query<{ version: string }>('SELECT version FROM schema_migrations')
    const done = new Set(rows.map((r) => numberOf(r.version)))
    const applied: string[] = []
    for (const m of migrations.filter((m) => !done.has(m.number))) {
      for (const statement of m.statements) {
        try {
          await conn.ddl(statement)
        } catch (err) {
          throw new MigrationError(`Migration ${m.file} failed: ${(err as Error).message}`)
        }
      }
      await conn.execute('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [m.version, Date.now()])
      log.info({ migration: m.version }, 'migration applied')
      applied.push(m.version)
    }
    for (const change of (await seed?.(conn)) ?? []) log.info({ change }, 'seed applied')
    return applied
  })
}
