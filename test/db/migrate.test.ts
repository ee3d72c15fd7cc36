import t from 'tap'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import pino from 'pino'
import { loadMigrations, migrate, splitStatements } from '../../src/db/migrate.js'
import { createTestDatabase, runScript, stores, tempDir } from '../helper.js'
import { openDriver } from './drivers.js'

const log = pino({ level: 'silent' })

function migrationsDir (t: Parameters<typeof tempDir>[0], files: Record<string, string>) {
  const dir = join(tempDir(t), 'm')
  mkdirSync(dir)
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql)
  return dir
}

t.test('statements split on a semicolon at line end, comments dropped', async (t) => {
  t.same(splitStatements('-- c\nCREATE TABLE a (x INT);\n\nINSERT INTO a VALUES (1);  \n-- only a comment;\n'), ['CREATE TABLE a (x INT)', 'INSERT INTO a VALUES (1)'])
})

t.test('the shipped migrations apply on both stores', async (t) => {
  for (const store of stores) {
    const db = await openDriver(t, store)
    const applied = await migrate(db, log)
    t.same(applied, loadMigrations(store).map((m) => m.version), store)
    t.same(await migrate(db, log), [], `${store}: second run finds nothing to do`)
  }
})

for (const store of stores) {
  t.test(`runner on ${store}`, async (t) => {
    const dir = migrationsDir(t, {
      '001_a.sql': 'CREATE TABLE a (x INT NOT NULL);\nINSERT INTO a (x) VALUES (1);\n',
      '002_b.sql': 'CREATE TABLE b (y INT NOT NULL);\n',
      'notes.txt': 'ignored'
    })
    const db = await openDriver(t, store)
    t.same(await migrate(db, log, loadMigrations(store, dir)), ['001_a', '002_b'], 'applied in order')
    t.same((await db.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version')).map((r) => r.version), ['001_a', '002_b'], 'recorded')

    writeFileSync(join(dir, '003_bad.sql'), 'CREATE TABLE c (z INT);\nINSERT INTO no_such_table VALUES (1);\n')
    await t.rejects(migrate(db, log, loadMigrations(store, dir)), /Migration db\/.*003_bad\.sql failed: .*no_such_table/, 'names the file and the database message')
    t.same((await db.query('SELECT version FROM schema_migrations WHERE version = ?', ['003_bad'])), [], 'a failed migration is not recorded')
  })
}

t.test('two instances starting at once migrate once (MySQL GET_LOCK)', async (t) => {
  const url = await createTestDatabase(t)
  const dir = migrationsDir(t, { '001_a.sql': 'CREATE TABLE a (x INT NOT NULL);\nINSERT INTO a (x) VALUES (1);\n' })
  const [one, two] = [await openDriver(t, 'mysql', url), await openDriver(t, 'mysql', url)]
  const results = await Promise.all([migrate(one, log, loadMigrations('mysql', dir)), migrate(two, log, loadMigrations('mysql', dir))])
  t.same(results.flat(), ['001_a'], 'exactly one instance applied it')
  t.same(await one.query('SELECT x FROM a'), [{ x: 1 }], 'its data went in once')
})

t.test('two processes on one SQLite file migrate once', async (t) => {
  const file = join(tempDir(t), 'shared.db')
  const runs = await Promise.all([1, 2].map(() => runScript('dist/src/cli.js', { DATABASE_URL: `sqlite:${file}`, LOG_LEVEL: 'info' }, undefined, ['migrate'])))
  t.same(runs.map((r) => r.code), [0, 0], 'both exit 0')
  const logged = runs.map((r) => r.stdout.split('\n').filter((l) => l.includes('migration applied')).length)
  t.equal(logged[0]! + logged[1]!, loadMigrations('sqlite').length, 'each migration applied by exactly one process')
  const db = await openDriver(t, 'sqlite', file)
  t.equal((await db.query('SELECT version FROM schema_migrations')).length, loadMigrations('sqlite').length)
})
