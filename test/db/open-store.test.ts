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
  const closed = async () =>
    Number((await db.query<{ Value: string }>("SHOW SESSION STATUS LIKE 'Com_stmt_close'"))[0]!.Value)
  const before = await closed()
  const distinct = MAX_PREPARED_STATEMENTS + 50
  for (let i = 0; i < distinct; i++) {
    const [row] = await db.query<{ n: number }>(`SELECT ? + ${i} AS n`, [1])
    if (row!.n !== i + 1) t.fail(`statement ${i} answered ${row!.n}`)
  }
  t.ok(await closed() - before >= distinct - MAX_PREPARED_STATEMENTS,
    `${distinct} distinct statements: at least ${distinct - MAX_PREPARED_STATEMENTS} closed on the server`)
  const [again] = await db.query<{ n: number }>('SELECT ? + 0 AS n', [42])
  t.equal(again!.n, 42, 'a statement pushed out is prepared again when used')
})
