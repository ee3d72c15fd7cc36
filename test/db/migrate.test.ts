import t from 'tap'
import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
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
  t.same(splitStatements('-- c\nCREATE TABLE a (x INT);\n\nINSERT INTO a VALUES (1);  \n-- only a comment;\n'), [
    'CREATE TABLE a (x INT)',
    'INSERT INTO a VALUES (1)'
  ])
})

t.test('the shipped migrations apply on both stores', async (t) => {
  for (const store of stores) {
    const db = await openDriver(t, store)
    const applied = await migrate(db, log)
    t.same(
      applied,
      loadMigrations(store).map((m) => m.version),
      store
    )
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
    t.same(await migrate(db, log, loadMigrations(store, dir), null), ['001_a', '002_b'], 'applied in order')
    t.same(
      (await db.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version')).map(
        (r) => r.version
      ),
      ['001_a', '002_b'],
      'recorded'
    )

    writeFileSync(join(dir, '003_bad.sql'), 'CREATE TABLE c (z INT);\nINSERT INTO no_such_table VALUES (1);\n')
    await t.rejects(
      migrate(db, log, loadMigrations(store, dir), null),
      /Migration db\/.*003_bad\.sql failed: .*no_such_table/,
      'names the file and the database message'
    )
    t.same(
      await db.query('SELECT version FROM schema_migrations WHERE version = ?', ['003_bad']),
      [],
      'a failed migration is not recorded'
    )
  })
}

for (const store of stores) {
  t.test(`a migration is known by its number: renaming its file does not apply it again (${store})`, async (t) => {
    const dir = migrationsDir(t, {
      '001_a.sql': 'CREATE TABLE a (x INT NOT NULL);\n',
      '002_b.sql': 'CREATE TABLE b (y INT NOT NULL);\n'
    })
    const db = await openDriver(t, store)
    t.same(await migrate(db, log, loadMigrations(store, dir), null), ['001_a', '002_b'])
    renameSync(join(dir, '001_a.sql'), join(dir, '001_a_and_more.sql'))
    writeFileSync(join(dir, '003_c.sql'), 'CREATE TABLE c (z INT NOT NULL);\n')
    t.same(await migrate(db, log, loadMigrations(store, dir), null), ['003_c'], 'only the new number runs')
    const versions = await db.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version')
    t.same(
      versions.map((r) => r.version),
      ['001_a', '002_b', '003_c'],
      'the recorded names stay as they were'
    )
  })

  t.test(`a store migrated under the earlier file names is up to date (${store})`, async (t) => {
    const db = await openDriver(t, store)
    await migrate(db, log)
    // the names the first releases recorded, before the files were named after all they do
    const earlier = [
      '001_users',
      '002_sessions',
      '003_totp_rotation',
      '004_products_and_permissions',
      '005_login_throttle'
    ]
    await db.execute('DELETE FROM schema_migrations WHERE version < ?', ['006'])
    for (const version of earlier) {
      await db.execute('INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)', [version])
    }
    const changes: string[] = []
    const spy = pino(
      { level: 'info' },
      {
        write: (line: string) => {
          changes.push(JSON.parse(line).msg)
        }
      }
    )
    t.same(await migrate(db, spy), [], 'nothing already applied runs again')
    t.same(
      changes.filter((m) => m !== 'migration applied'),
      [],
      'and the seed finds nothing to add'
    )
  })
}

t.test('two files with one number are refused', async (t) => {
  const dir = migrationsDir(t, { '001_a.sql': 'SELECT 1;\n', '002_b.sql': 'SELECT 1;\n', '002_c.sql': 'SELECT 1;\n' })
  t.throws(() => loadMigrations('sqlite', dir), /Two migrations in db\/sqlite have the number 002/)
})

t.test('two instances starting at once migrate once (MySQL GET_LOCK)', async (t) => {
  const url = await createTestDatabase(t)
  const dir = migrationsDir(t, { '001_a.sql': 'CREATE TABLE a (x INT NOT NULL);\nINSERT INTO a (x) VALUES (1);\n' })
  const [one, two] = [await openDriver(t, 'mysql', url), await openDriver(t, 'mysql', url)]
  const results = await Promise.all([one, two].map((db) => migrate(db, log, loadMigrations('mysql', dir), null)))
  t.same(results.flat(), ['001_a'], 'exactly one instance applied it')
  t.same(await one.query('SELECT x FROM a'), [{ x: 1 }], 'its data went in once')
})

t.test('two processes on one SQLite file migrate once', async (t) => {
  const file = join(tempDir(t), 'shared.db')
  const runs = await Promise.all(
    [1, 2].map(() =>
      runScript('dist/src/cli.js', { DATABASE_URL: `sqlite:${file}`, LOG_LEVEL: 'info' }, undefined, ['migrate'])
    )
  )
  t.same(
    runs.map((r) => r.code),
    [0, 0],
    'both exit 0'
  )
  const logged = runs.map((r) => r.stdout.split('\n').filter((l) => l.includes('migration applied')).length)
  t.equal(logged[0]! + logged[1]!, loadMigrations('sqlite').length, 'each migration applied by exactly one process')
  const db = await openDriver(t, 'sqlite', file)
  t.equal((await db.query('SELECT version FROM schema_migrations')).length, loadMigrations('sqlite').length)
})
