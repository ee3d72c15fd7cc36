import t from 'tap'
import { ApiError } from '../../src/errors.js'
import { meta, testServices } from '../services.js'

const code = (err: unknown) => (err instanceof ApiError ? err.code : String(err))
const caller = (id: number) => ({ id, sid: 'admin-session', roles: ['admin'], permissions: [], authTime: 0, amr: [] })

async function withAccounts (t: Parameters<typeof testServices>[0]) {
  const s = await testServices(t, { SESSION_CHECK_CACHE_MS: 1000, LOGIN_MAX_FAILURES: 2 })
  const make = async (name: string, role: 'admin' | 'editor') =>
    (await s.services.auth.createAccount(`${name}${process.pid}`, 'a long passphrase of mine', role, meta)).user
  return { ...s, admin: await make('firstadmin', 'admin'), editor: await make('someeditor', 'editor') }
}

t.test('the last enabled administrator can be neither demoted nor disabled, by anyone', async (t) => {
  const { services, admin, editor } = await withAccounts(t)
  t.equal(await services.admin.setRoles(caller(admin.id), admin.id, ['viewer'], meta).catch(code), 'not_on_yourself')
  t.equal(await services.admin.setDisabled(caller(admin.id), admin.id, true, meta).catch(code), 'not_on_yourself')
  await services.admin.setRoles(caller(admin.id), editor.id, ['admin'], meta)
  await services.admin.setDisabled(caller(admin.id), editor.id, true, meta)
  t.equal(await services.admin.setRoles(caller(editor.id), admin.id, ['viewer'], meta).catch(code), 'last_admin',
    'the other administrator is disabled: demoting the only enabled one is refused')
  t.match(await services.admin.get(admin.id), { roles: ['admin'], disabled: false }, 'nothing changed')
})

t.test('a role change reaches this instance\'s session check at once; disabling ends the sessions', async (t) => {
  const { services, admin, editor } = await withAccounts(t)
  const { sid } = await services.sessions.start(editor.id, ['editor'], meta, ['pwd', 'otp'])
  t.match(await services.sessions.check(sid), { roles: ['editor'] }, 'cached as editor')
  await services.admin.setRoles(caller(admin.id), editor.id, ['viewer'], meta)
  t.match(await services.sessions.check(sid), { roles: ['viewer'], permissions: ['products:read'] },
    'not the cached roles')
  await services.admin.setDisabled(caller(admin.id), editor.id, true, meta)
  t.equal(await services.sessions.check(sid), null, 'disabled: the session is over')
  await services.admin.setDisabled(caller(admin.id), editor.id, false, meta)
  t.equal(await services.sessions.check(sid), null, 'enabling again does not bring old sessions back')
})

t.test('unlock clears the account\'s throttle records for every address; the CLI acts as nobody', async (t) => {
  const { services, db, editor } = await withAccounts(t)
  const name = (await services.admin.findByUsername(editor.username.toUpperCase()))!.username_normalized
  for (const ip of ['192.0.2.1', '198.51.100.1']) {
    for (let i = 0; i < 2; i++) { await services.throttle.take(name, ip); await services.throttle.failed(name, ip) }
    await t.rejects(services.throttle.take(name, ip), { code: 'login_throttled' }, `${ip} locked out`)
  }
  await services.admin.unlock(null, editor.id, meta)
  for (const ip of ['192.0.2.1', '198.51.100.1']) await services.throttle.take(name, ip)
  t.pass('both addresses may try again')
  const [row] = await db.query<{ actor_user_id: number | null }>(
    "SELECT actor_user_id FROM audit_events WHERE event = 'account_unlocked' AND target_user_id = ?", [editor.id])
  t.same(row, { actor_user_id: null }, 'audited with no actor')
  t.equal(await services.admin.unlock(null, editor.id + 1000, meta).catch(code), 'user_not_found')
})
