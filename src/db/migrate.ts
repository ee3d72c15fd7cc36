import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyBaseLogger } from 'fastify'
import type { Dialect, Driver } from './driver.js'
import { projectRoot } from '../paths.js'

export interface Migration {
  version: string
  file: string
  statements: string[]
}

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

/** The numbered files `db/<dialect>/NNN_name.sql`, in order. */
export function loadMigrations (dialect: Dialect, dir = join(projectRoot, 'db', dialect)): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3,}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((file) => ({
      version: file.replace(/\.sql$/, ''),
      file: join('db', dialect, file),
      statements: splitStatements(readFileSync(join(dir, file), 'utf8'))
    }))
}

/**
 * Applies the pending migrations under a store-wide lock, so that of two instances
 * starting at once one migrates and the other then finds nothing to do.
 */
export async function migrate (driver: Driver, log: FastifyBaseLogger, migrations = loadMigrations(driver.dialect)): Promise<string[]> {
  return driver.withLock('secure_api_migrations', async (conn) => {
    await conn.ddl('CREATE TABLE IF NOT EXISTS schema_migrations (version VARCHAR(191) NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)')
    const done = new Set((await conn.query<{ version: string }>('SELECT version FROM schema_migrations')).map((r) => r.version))
    const applied: string[] = []
    for (const m of migrations.filter((m) => !done.has(m.version))) {
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
    return applied
  })
}
