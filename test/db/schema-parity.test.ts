import t from 'tap'
import pino from 'pino'
import type { Driver } from '../../src/db/driver.js'
import { loadMigrations, migrate, type Migration } from '../../src/db/migrate.js'
import { openDriver } from './drivers.js'
import { mysqlShape, shapeDifferences, sqliteShape } from './schema-shape.js'

const log = pino({ level: 'silent' })

/** A migration applied to one store only, after the shipped ones. */
const scratch = (...statements: string[]): Migration => ({
  version: '999_scratch',
  number: '999',
  file: 'scratch',
  statements
})

type Test = Parameters<typeof openDriver>[0]

async function migrated (t: Test, store: 'mysql' | 'sqlite', extra?: Migration): Promise<Driver> {
  const db = await openDriver(t, store)
  await migrate(db, log, [...loadMigrations(store), ...(extra ? [extra] : [])])
  return db
}

t.test('both stores migrate to the same tables, columns, keys and indexes', async (t) => {
  const mysql = await mysqlShape(await migrated(t, 'mysql'))
  const sqlite = await sqliteShape(await migrated(t, 'sqlite'))
  t.same(shapeDifferences(mysql, sqlite, ['mysql', 'sqlite']), [], 'no difference')
  t.same(Object.keys(mysql).sort(), Object.keys(sqlite).sort(), 'the same tables')
  t.ok(Object.keys(mysql).length >= 12, `${Object.keys(mysql).length} tables compared`)
  // the comparison sees what it claims to see
  t.same(sqlite.users!.primaryKey, '(id)')
  t.equal(sqlite.users!.columns.username, 'text(50) not null')
  t.equal(mysql.users!.columns.disabled_at, 'integer null')
  t.same(mysql.recovery_codes!.unique, ['(user_id,code_hash)'])
  t.ok(mysql.products!.indexes.includes('products_price (price_cents,id)'))
  t.ok(sqlite.sessions!.foreignKeys.includes('(user_id) -> users (id) on delete cascade'))
  t.same(mysql.role_permissions!.foreignKeys, sqlite.role_permissions!.foreignKeys)
})

t.test('a change made in one dialect only is reported', async (t) => {
  const mysql = await mysqlShape(await migrated(t, 'mysql'))
  const differ = async (migration: Migration) =>
    shapeDifferences(mysql, await sqliteShape(await migrated(t, 'sqlite', migration)), ['mysql', 'sqlite'])

  t.same(
    await differ(scratch('ALTER TABLE products ADD COLUMN sku VARCHAR(20) NULL')),
    ['products.sku: only in sqlite'],
    'a column'
  )
  t.same(
    await differ(scratch('CREATE INDEX products_stock ON products (quantity)')),
    ['products indexes: products_stock (quantity) only in sqlite'],
    'a secondary index'
  )
  t.same(
    await differ(scratch('CREATE UNIQUE INDEX users_name ON users (username)')),
    ['users unique: (username) only in sqlite'],
    'a unique index'
  )
  t.same(
    await differ(scratch('CREATE TABLE extra (id INTEGER PRIMARY KEY)')),
    ['table extra: only in sqlite'],
    'a table'
  )
  t.same(
    await differ(scratch('DROP INDEX products_name', 'CREATE INDEX products_name ON products (name)')),
    [
      'products indexes: products_name (name,id) only in mysql',
      'products indexes: products_name (name) only in sqlite'
    ],
    'index columns'
  )
  // SQLite cannot alter a column: key_fingerprints rebuilt with other columns
  const rebuilt = (columns: string) =>
    scratch(
      `CREATE TABLE kf (${columns}, created_at BIGINT NOT NULL)`,
      'DROP TABLE key_fingerprints',
      'ALTER TABLE kf RENAME TO key_fingerprints'
    )
  t.same(
    await differ(rebuilt('name VARCHAR(64) NOT NULL PRIMARY KEY, fingerprint BLOB NULL')),
    ['key_fingerprints.fingerprint: text(64) not null in mysql, blob null in sqlite'],
    'type family and nullability'
  )
  t.same(
    await differ(rebuilt('name VARCHAR(64) NOT NULL PRIMARY KEY, fingerprint CHAR(32) NOT NULL')),
    ['key_fingerprints.fingerprint: text(64) not null in mysql, text(32) not null in sqlite'],
    'text length'
  )
  t.same(
    await differ(rebuilt('name VARCHAR(64) NOT NULL, fingerprint CHAR(64) NOT NULL')),
    ['key_fingerprints primary key: (name) in mysql, none in sqlite'],
    'a primary key'
  )
  t.same(
    await differ(rebuilt('name VARCHAR(64) NOT NULL PRIMARY KEY, fingerprint CHAR(64) NOT NULL REFERENCES users (id)')),
    [
      'key_fingerprints indexes: (foreign key) (fingerprint) only in sqlite',
      'key_fingerprints foreignKeys: (fingerprint) -> users (id) on delete no action only in sqlite'
    ],
    'a foreign key'
  )

  const sqlite = await sqliteShape(await migrated(t, 'sqlite'))
  const withColumn = await mysqlShape(
    await migrated(t, 'mysql', scratch('ALTER TABLE users ADD COLUMN nickname VARCHAR(50) NULL'))
  )
  t.same(
    shapeDifferences(withColumn, sqlite, ['mysql', 'sqlite']),
    ['users.nickname: only in mysql'],
    'a column in MySQL only'
  )
})
