import t from 'tap'
import { openStore } from '../../src/db/open-store.js'
import type { Driver } from '../../src/db/driver.js'
import { loadKeys } from '../../src/tokens/keys.js'
import { passwordHasherFor } from '../../src/auth/passwords.js'
import { createServices } from '../../src/services.js'
import { adminConnection, createTestDatabase, stores, tempDir, testClock, type Store } from '../helper.js'
import { type Failing, failOn, meta, memoryStore, silentLog, testConfig } from '../services.js'

type Test = Parameters<typeof tempDir>[0]
const TTL = 500

async function storeOf (t: Test, store: Store): Promise<{ db: Driver, database?: string }> {
  if (store === 'sqlite') return { db: await memoryStore(t) }
  const url = await createTestDatabase(t)
  const db = await openStore(
    { DATABASE_URL: url, DATA_DIR: tempDir(t), DB_CONNECT_TIMEOUT_MS: 5000, DB_POOL_SIZE: 4 },
    silentLog
  )
  t.teardown(() => db.close())
  return { db, database: new URL(url).pathname.slice(1) }
}

/** Two instances (services with their own clocks and caches) on one store. */
async function twoInstances (t: Test & Failing, store: Store) {
  const { db, database } = await storeOf(t, store)
  const config = testConfig(t, { SESSION_CHECK_CACHE_MS: TTL })
  const instance = async () => {
    const clock = testClock()
    const keys = await loadKeys(config, db, clock.now(), silentLog)
    const hasher = await passwordHasherFor(config)
    return { clock, services: createServices({ db, now: clock.now, config, keys, hasher, reportError: failOn(t) }) }
  }
  return { db, database, a: await instance(), b: await instance() }
}

for (const store of stores) {
  t.test(`${store}: a revocation, a demotion and a disable on A reach B's cached sessions within the cache time, ` +
    'with A\'s clock 4 s behind', async (t) => {
    const { a, b } = await twoInstances(t, store)
    const admin = await a.services.auth.createAccount('the.admin', 'a long passphrase of mine', 'admin', meta)
    const actor = { id: admin.user.id, sid: '', roles: ['admin'], permissions: [], authTime: 0, amr: [] }
    const accounts = []
    for (const name of ['logs.out', 'is.demoted', 'is.disabled', 'is.untouched']) {
      const { user } = await a.services.auth.createAccount(name, 'a long passphrase of mine', 'editor', meta)
      const sessions = []
      for (let i = 0; i < 2; i++) {
        sessions.push((await a.services.sessions.start(user.id, ['editor'], meta, ['pwd'])).sid)
      }
      accounts.push({ id: user.id, sessions })
    }
    const [out, demoted, disabled, untouched] = accounts as [typeof accounts[0], typeof accounts[0], typeof accounts[0],
      typeof accounts[0]]
    const rolesOn = async (sid: string) => {
      const s = await b.services.sessions.check(sid)
      return s === null ? null : s?.roles
    }
    for (const acc of accounts) for (const sid of acc.sessions) t.same(await rolesOn(sid), ['editor'], 'cached on B')

    a.clock.set(b.clock.now() - 4000)
    const owner = { id: out.id, sid: out.sessions[0]!, roles: ['editor'], permissions: [], authTime: 0, amr: [] }
    await a.services.sessions.revoke(owner, out.sessions[0]!, meta)
    await a.services.admin.setRoles(actor, demoted.id, ['viewer'], meta)
    await a.services.admin.setDisabled(actor, disabled.id, true, meta)

    b.clock.advance(TTL - 1)
    t.same(await rolesOn(out.sessions[0]!), ['editor'], 'within the cache time B may still answer from its cache')
    b.clock.advance(1)
    t.equal(await rolesOn(out.sessions[0]!), null, 'the logged-out session: refused')
    t.same(await rolesOn(out.sessions[1]!), ['editor'], 'its other session lives on')
    t.same([await rolesOn(demoted.sessions[0]!), await rolesOn(demoted.sessions[1]!)], [['viewer'], ['viewer']],
      'the demoted account\'s sessions: their new roles')
    t.same([await rolesOn(disabled.sessions[0]!), await rolesOn(disabled.sessions[1]!)], [null, null],
      'the disabled account\'s sessions: refused')
    t.same([await rolesOn(untouched.sessions[0]!), await rolesOn(untouched.sessions[1]!)], [['editor'], ['editor']])
  })

  t.test(`${store}: checks asked in one turn are one query, and each session gets its own answer`, async (t) => {
    const { db } = await storeOf(t, store)
    const config = testConfig(t, { SESSION_CHECK_CACHE_MS: TTL })
    const clock = testClock()
    let queries = 0
    const counted: Driver = { ...db, query: (sql, params) => { queries++; return db.query(sql, params) } }
    const keys = await loadKeys(config, db, clock.now(), silentLog)
    const hasher = await passwordHasherFor(config)
    const reportError = failOn(t)
    const { auth, sessions } = createServices({ db: counted, now: clock.now, config, keys, hasher, reportError })
    // an unknown session first: the list is padded with the first id
    const expected = new Map<string, [number, string[]] | null>([['no-such-session', null]])
    for (const [i, role] of (['viewer', 'editor', 'admin', 'viewer', 'editor'] as const).entries()) {
      const { user } = await auth.createAccount(`batched${i}`, 'a long passphrase of mine', role, meta)
      for (let j = 0; j < 2; j++) {
        expected.set((await sessions.start(user.id, [role], meta, ['pwd'])).sid, [user.id, [role]])
      }
    }
    const [, ended] = [...expected.keys()]
    await db.execute('UPDATE sessions SET revoked_at = ? WHERE id = ?', [clock.now(), ended!])
    expected.set(ended!, null)
    queries = 0
    const answers = await Promise.all([...expected.keys(), ...expected.keys()].map((sid) => sessions.check(sid)))
    t.equal(queries, 1, `${answers.length} checks of ${expected.size} sessions (padded to 16): one query`)
    t.same(answers.map((a) => (a ? [a.userId, a.roles] : null)), [...expected.values(), ...expected.values()],
      'each its own answer: its account and roles')
  })

  t.test(`${store}: a grant removed in the store (a migration, by hand) reaches B's cached sessions within the ` +
    'cache time', async (t) => {
    const { db, b } = await twoInstances(t, store)
    const { user } = await b.services.auth.createAccount('an.editor', 'a long passphrase of mine', 'editor', meta)
    const { sid } = await b.services.sessions.start(user.id, ['editor'], meta, ['pwd'])
    t.ok((await b.services.sessions.check(sid))!.permissions.includes('products:delete'), 'cached with it')
    await db.execute('DELETE FROM role_permissions WHERE permission = ? AND role_id = ' +
      "(SELECT id FROM roles WHERE name = 'editor')", ['products:delete'])
    b.clock.advance(TTL)
    t.notOk((await b.services.sessions.check(sid))!.permissions.includes('products:delete'), 'gone on B')
  })
}

t.test('mysql: a logout stamped by A and committed 6 s later (a row lock held meanwhile) reaches B within the ' +
  'cache time of the commit', async (t) => {
  const { database, a, b } = await twoInstances(t, 'mysql')
  const { user } = await a.services.auth.createAccount('late.commit', 'a long passphrase of mine', 'editor', meta)
  const { sid } = await a.services.sessions.start(user.id, ['editor'], meta, ['pwd'])
  t.ok(await b.services.sessions.check(sid), 'cached as live on B')
  const holder = await adminConnection()
  t.teardown(() => holder.end())
  await holder.query(`USE \`${database}\``)
  await holder.query('BEGIN')
  await holder.query('SELECT id FROM sessions WHERE id = ? FOR UPDATE', [sid])
  const owner = { id: user.id, sid, roles: ['editor'], permissions: [], authTime: 0, amr: [] }
  const logout = a.services.sessions.revoke(owner, sid, meta, 'logout') // stamped with A's clock now, then waits
  await new Promise((resolve) => setTimeout(resolve, 200))
  for (let i = 0; i < 12; i++) {
    a.clock.advance(TTL)
    b.clock.advance(TTL)
    t.ok(await b.services.sessions.check(sid), `${(i + 1) * TTL} ms: not committed yet, live on B`)
  }
  await holder.query('COMMIT')
  await logout
  b.clock.advance(TTL)
  t.equal(await b.services.sessions.check(sid), null, 'refused on B within SESSION_CHECK_CACHE_MS of the commit')
})
