import t from 'tap'
import type { Executor } from '../../src/db/driver.js'
import { stores } from '../helper.js'
import { openDriver } from './drivers.js'

for (const store of stores) {
  t.test(`driver contract on ${store}`, async (t) => {
    const db = await openDriver(t, store)
    const pk = store === 'mysql' ? 'INTEGER PRIMARY KEY AUTO_INCREMENT' : 'INTEGER PRIMARY KEY AUTOINCREMENT'
    // Only the DDL differs; everything below is the same SQL on both stores.
    await db.withLock('t', (c) =>
      c.ddl(`CREATE TABLE items (id ${pk}, name VARCHAR(50) NOT NULL UNIQUE, n BIGINT NOT NULL)`)
    )

    const a = await db.execute('INSERT INTO items (name, n) VALUES (?, ?)', ['a', 1])
    const b = await db.execute('INSERT INTO items (name, n) VALUES (?, ?)', ['b', 1795626864380])
    t.equal(a.affectedRows, 1)
    t.equal(b.insertId, a.insertId + 1, 'insert id')
    t.same(
      await db.query('SELECT name, n FROM items WHERE id = ?', [b.insertId]),
      [{ name: 'b', n: 1795626864380 }],
      'epoch ms survive as numbers'
    )

    const upd = await db.execute('UPDATE items SET n = n + 1 WHERE n = ?', [1])
    t.equal(upd.affectedRows, 1, 'affected rows')

    await db.transaction(async (tx) => {
      await tx.execute('INSERT INTO items (name, n) VALUES (?, ?)', ['c', 3])
    })
    await t.rejects(
      db.transaction(async (tx) => {
        await tx.execute('INSERT INTO items (name, n) VALUES (?, ?)', ['d', 4])
        throw new Error('abort')
      }),
      /abort/
    )
    t.same(
      (await db.query<{ name: string }>('SELECT name FROM items ORDER BY name')).map((r) => r.name),
      ['a', 'b', 'c'],
      'commit kept, rollback discarded'
    )

    await t.rejects(db.execute('INSERT INTO items (name, n) VALUES (?, ?)', ['a', 9]), 'unique violation surfaces')

    // Concurrent conditional updates: exactly one wins on either store.
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        db.transaction((tx) => tx.execute('UPDATE items SET n = n + 100 WHERE name = ? AND n = ?', ['c', 3]))
      )
    )
    t.equal(results.filter((r) => r.affectedRows === 1).length, 1, 'one conditional update wins')

    await db.ping()
  })
}

for (const store of stores) {
  t.test(`item 10: values are bound apart from the SQL text, and only finite ones, on ${store}`, async (t) => {
    const db = await openDriver(t, store)
    t.same(
      await db.query("SELECT '?' AS mark, ? AS v", ["it's"]),
      [{ mark: '?', v: "it's" }],
      'a ? inside a literal stays text'
    )
    if (store === 'mysql') {
      // server-side prepared statements are counted by the server; text queries with values spliced in are not
      const executed = async (tx: Executor) =>
        Number(
          (
            await tx.query<{ n: string }>(
              'SELECT VARIABLE_VALUE AS n FROM information_schema.SESSION_STATUS ' +
                "WHERE VARIABLE_NAME = 'COM_STMT_EXECUTE'"
            )
          )[0]!.n
        )
      const [before, after] = await db.transaction(async (tx) => {
        const first = await executed(tx)
        await tx.query('SELECT ? AS v', ['x'])
        await tx.execute('DO ?', [1])
        return [first, await executed(tx)]
      })
      t.equal(after - before, 3, 'every statement (the two, and the counter read) ran as a prepared statement')
    }
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, undefined]) {
      await t.rejects(
        db.query('SELECT ? AS v', [bad as number]),
        /SQL parameter 1 is/,
        `${String(bad)} never reaches SQL (query)`
      )
      await t.rejects(
        db.execute('SELECT ? AS v', [1, bad as number].slice(1)),
        /SQL parameter 1 is/,
        `${String(bad)} never reaches SQL (execute)`
      )
      await t.rejects(
        db.transaction((tx) => tx.query('SELECT ? AS a, ? AS b', [1, bad as number])),
        /SQL parameter 2 is/,
        `${String(bad)} (transaction)`
      )
    }
  })
}
