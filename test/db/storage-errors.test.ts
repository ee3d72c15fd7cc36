import t from 'tap'
import Database from 'better-sqlite3'
import { isStorageError, isStoreUnavailable, isUniqueViolation, StorageError } from '../../src/db/errors.js'
import { translateMysqlError } from '../../src/db/mysql-driver.js'
import { createSqliteDriver } from '../../src/db/sqlite-driver.js'
import { stores, tempDir } from '../helper.js'
import { openDriver } from './drivers.js'

for (const store of stores) {
  t.test(`${store}: a duplicate key is a unique_violation, inside a transaction too, and names no value`, async (t) => {
    const db = await openDriver(t, store)
    await db.withLock('t', (c) =>
      c.ddl('CREATE TABLE names (name VARCHAR(50) NOT NULL PRIMARY KEY, other VARCHAR(50) UNIQUE)'))
    await db.execute('INSERT INTO names (name, other) VALUES (?, ?)', ['secret-alice', 'x'])
    for (const [label, attempt] of [
      ['primary key', () => db.execute('INSERT INTO names (name) VALUES (?)', ['secret-alice'])],
      ['unique column', () => db.execute('INSERT INTO names (name, other) VALUES (?, ?)', ['bob', 'x'])],
      ['in a transaction',
        () => db.transaction((tx) => tx.execute('INSERT INTO names (name) VALUES (?)', ['secret-alice']))]
    ] as const) {
      const err = await attempt().catch((e: unknown) => e)
      t.ok(isUniqueViolation(err), `${label}: unique_violation`)
      t.notMatch((err as Error).message, /secret-alice/, `${label}: the message quotes no value`)
    }
    const inside = await db.transaction(async (tx) => {
      try {
        await tx.execute('INSERT INTO names (name) VALUES (?)', ['secret-alice'])
        return 'inserted'
      } catch (err) {
        return isUniqueViolation(err) ? 'caught as unique_violation' : 'other'
      }
    }).catch(() => 'transaction failed')
    t.equal(inside, 'caught as unique_violation', 'a transaction can catch it and go on')
    const syntax = await db.query('SELEC nonsense').catch((e: unknown) => e)
    t.notOk(isStorageError(syntax), 'a bad statement is not a storage condition: it stays what it was (a 500)')
  })
}

t.test('mysql: a closed pool is unavailable', async (t) => {
  const db = await openDriver(t, 'mysql')
  await db.close()
  const err = await db.query('SELECT 1').catch((e: unknown) => e)
  t.ok(isStoreUnavailable(err), String(err))
  t.ok(isStoreUnavailable(await db.ping().catch((e: unknown) => e)), 'and so is its ping')
})

t.test('mysql: the codes mysql2 reports, translated', async (t) => {
  const cases = [
    [{ code: 'ECONNREFUSED' }, 'unavailable'], [{ code: 'PROTOCOL_CONNECTION_LOST' }, 'unavailable'],
    [{ code: 'ER_CON_COUNT_ERROR' }, 'unavailable'], [{ code: 'ER_LOCK_DEADLOCK' }, 'deadlock'],
    [{ code: 'ER_DUP_ENTRY' }, 'unique_violation'],
    [new Error("Can't add new command when connection is in closed state"), 'unavailable']
  ] as const
  for (const [err, kind] of cases) t.match(translateMysqlError(err), { kind }, `${JSON.stringify(err)} -> ${kind}`)
  const other = Object.assign(new Error('You have an error in your SQL syntax'), { code: 'ER_PARSE_ERROR' })
  t.equal(translateMysqlError(other), other, 'anything else is left alone')
  const translated = translateMysqlError({ code: 'ER_DUP_ENTRY' }) as StorageError
  t.equal(translateMysqlError(translated), translated, 'translating twice changes nothing')
  t.equal(translated.code, 'ER_DUP_ENTRY', 'the driver code stays on the error, for the log')
})

t.test('sqlite: another process holding the write lock past busy_timeout is busy (a 503, not a 500)', async (t) => {
  const file = `${tempDir(t)}/busy.db`
  const db = createSqliteDriver(file)
  t.teardown(() => db.close())
  await db.withLock('t', (c) => c.ddl('CREATE TABLE n (v INTEGER)'))
  const other = new Database(file)
  t.teardown(() => other.close())
  other.exec('BEGIN IMMEDIATE')
  const started = Date.now()
  const err = await db.transaction((tx) => tx.execute('INSERT INTO n (v) VALUES (1)')).catch((e: unknown) => e)
  t.ok(Date.now() - started >= 4000, 'it waited busy_timeout first')
  t.match(err, { kind: 'busy', code: 'SQLITE_BUSY' })
  t.ok(isStoreUnavailable(err))
  other.exec('ROLLBACK')
  await db.transaction((tx) => tx.execute('INSERT INTO n (v) VALUES (1)'))
  t.pass('and works once the lock is gone')
})
