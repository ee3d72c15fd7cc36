import t from 'tap'
import { openStore } from '../../src/db/open-store.js'
import { MAX_PREPARED_STATEMENTS } from '../../src/db/mysql-limits.js'
import { silentLog } from '../services.js'
import { createTestDatabase, tempDir } from '../helper.js'

t.test(`MySQL: each pooled connection keeps at most ${MAX_PREPARED_STATEMENTS} prepared statements, closing the ` +
  'least recently used on the server', async (t) => {
  const db = await openStore(
    { DATABASE_URL: await createTestDatabase(t), DATA_DIR: tempDir(t), DB_CONNECT_TIMEOUT_MS: 1000, DB_POOL_SIZE: 1 },
    silentLog
  )
  t.teardown(() => db.close())
  // one connection: every statement below, and the status reads, run on it in order
  const status = async (name: string) =>
    Number((await db.query<{ Value: string }>(`SHOW SESSION STATUS LIKE '${name}'`))[0]!.Value)
  /** How many statements the server prepared to run `sql` (0: the connection still had it). */
  const preparesFor = async (sql: string) => {
    const before = await status('Com_stmt_prepare')
    await db.query(sql, [1])
    return await status('Com_stmt_prepare') - before
  }
  const statement = (i: number) => `SELECT ? + ${i} AS n`
  const closedBefore = await status('Com_stmt_close')
  const distinct = MAX_PREPARED_STATEMENTS + 50
  for (let i = 0; i < distinct; i++) {
    const [row] = await db.query<{ n: number }>(statement(i), [1])
    if (row!.n !== i + 1) t.fail(`statement ${i} answered ${row!.n}`)
    if (i === distinct / 2) await db.query(statement(0), [1]) // the first one used again halfway
  }
  t.ok(await status('Com_stmt_close') - closedBefore >= distinct - MAX_PREPARED_STATEMENTS,
    `${distinct} distinct statements: at least ${distinct - MAX_PREPARED_STATEMENTS} closed on the server`)
  t.equal(await preparesFor(statement(0)), 0, 'the one used again halfway is still prepared')
  t.equal(await preparesFor(statement(1)), 1, 'the least recently used one was closed: prepared again at its next use')
  t.equal(await preparesFor(statement(1)), 0, 'and kept again')
  const [again] = await db.query<{ n: number }>(statement(1), [41])
  t.equal(again!.n, 42, 'and answers')
})
