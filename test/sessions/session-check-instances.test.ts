import t from 'tap'
import { openStore } from '../../src/db/open-store.js'
import type { Driver } from '../../src/db/driver.js'
import { loadKeys } from '../../src/tokens/keys.js'
import { passwordHasherFor } from '../../src/auth/passwords.js'
import { createServices } from '../../src/services.js'
import { createTestDatabase, stores, tempDir, testClock, type Store } from '../helper.js'
import { meta, memoryStore, silentLog, testConfig } from '../services.js'

type Test = Parameters<typeof tempDir>[0]
const TTL = 500

async function storeOf (t: Test, store: Store): Promise<Driver> {
  if (store === 'sqlite') return memoryStore(t)
  const db = await openStore(
    { DATABASE_URL: await createTestDatabase(t), DATA_DIR: tempDir(t), DB_CONNECT_TIMEOUT_MS: 5000, DB_POOL_SIZE: 4 },
    silentLog
  )
  t.teardown(() => db.close())
  return db
}

/** Every statement B sends to the store, counted: the real driver underneath. */
function counted (db: Driver) {
  const sent: string[] = []
  return {
    sent,
    db: {
      ...db,
      query: (sql: string, params?: Parameters<Driver['query']>[1]) => {
        sent.push(sql)
        return db.query(sql, params)
      },
      execute: (sql: string, params?: Parameters<Driver['execute']>[1]) => {
        sent.push(sql)
        return db.execute(sql, params)
      }
    } as Driver
  }
}

/** Two instances (services with their own clocks and caches) on one store; B's statements are counted. */
async function twoInstances (t: Test, store: Store) {
  const db = await storeOf(t, store)
  const config = testConfig(t, { SESSION_CHECK_CACHE_MS: TTL })
  const instance = async (driver: Driver) => {
    const clock = testClock()
    const keys = await loadKeys(config, driver, clock.now(), silentLog)
    const hasher = await passwordHasherFor(config)
    return { clock, services: createServices({ db: driver, now: clock.now, config, keys, hasher }) }
  }
  const spy = counted(db)
  return { a: await instance(db), b: { sent: spy.sent, ...(await instance(spy.db)) } }
}

for (const store of stores) {
  t.test(`${store}: B asks the store what changed once per SESSION_CHECK_CACHE_MS, not once per session`, async (t) => {
    const { a, b } = await twoInstances(t, store)
    const { user } = await a.services.auth.createAccount('many.sessions', 'a long passphrase of mine', 'editor', meta)
    const sids: string[] = []
    for (let i = 0; i < 30; i++) sids.push((await a.services.sessions.start(user.id, ['editor'], meta, ['pwd'])).sid)
    for (const sid of sids) t.ok(await b.services.sessions.check(sid))
    b.sent.length = 0
    for (let round = 0; round < 3; round++) {
      b.clock.advance(TTL)
      const answers = await Promise.all(sids.map((sid) => b.services.sessions.check(sid)))
      t.ok(answers.every((s) => s?.userId === user.id), `round ${round}: all 30 live`)
    }
    t.equal(b.sent.length, 3, 'three rounds of 30 checks, past the cache time each: three statements')
    t.match(b.sent[0], /FROM sessions WHERE revoked_at >= \? UNION ALL/, 'each one a look at what changed')
  })

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
}
