import t from 'tap'
import { stores } from '../helper.js'
import { openDriver } from './drivers.js'

for (const store of stores) {
  t.test(`driver contract on ${store}`, async (t) => {
    const db = await openDriver(t, store)
    const pk = store === 'mysql' ? 'INTEGER PRIMARY KEY AUTO_INCREMENT' : 'INTEGER PRIMARY KEY AUTOINCREMENT'
    // Only the DDL differs; everything below is the same SQL on both stores.
    await db.withLock('t', (c) => c.ddl(`CREATE TABLE items (id ${pk}, name VARCHAR(50) NOT NULL UNIQUE, n BIGINT NOT NULL)`))

    const a = await db.execute('INSERT INTO items (name, n) VALUES (?, ?)', ['a', 1])
    const b = await db.execute('INSERT INTO items (name, n) VALUES (?, ?)', ['b', 1795626864380])
    t.equal(a.affectedRows, 1)
    t.equal(b.insertId, a.insertId + 1, 'insert id')
    t.same(await db.query('SELECT name, n FROM items WHERE id = ?', [b.insertId]), [{ name: 'b', n: 1795626864380 }], 'epoch ms survive as numbers')

    const upd = await db.execute('UPDATE items SET n = n + 1 WHERE n = ?', [1])
    t.equal(upd.affectedRows, 1, 'affected rows')

    await db.transaction(async (tx) => { await tx.execute('INSERT INTO items (name, n) VALUES (?, ?)', ['c', 3]) })
    await t.rejects(db.transaction(async (tx) => {
      await tx.execute('INSERT INTO items (name, n) VALUES (?, ?)', ['d', 4])
      throw new Error('abort')
    }), /abort/)
    t.same((await db.query<{ name: string }>('SELECT name FROM items ORDER BY name')).map((r) => r.name), ['a', 'b', 'c'], 'commit kept, rollback discarded')

    await t.rejects(db.execute('INSERT INTO items (name, n) VALUES (?, ?)', ['a', 9]), 'unique violation surfaces')

    // Concurrent conditional updates: exactly one wins on either store.
    const results = await Promise.all(Array.from({ length: 8 }, () =>
      db.transaction((tx) => tx.execute('UPDATE items SET n = n + 100 WHERE name = ? AND n = ?', ['c', 3]))))
    t.equal(results.filter((r) => r.affectedRows === 1).length, 1, 'one conditional update wins')

    await db.ping()
  })
}
