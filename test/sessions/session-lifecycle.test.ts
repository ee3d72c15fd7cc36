import t from 'tap'
import { meta, testServices } from '../services.js'

const HOUR = 3600 * 1000
type Test = Parameters<typeof testServices>[0]

async function withUser (t: Test, config: Parameters<typeof testServices>[1] = {}) {
  const s = await testServices(t, { SESSION_CHECK_CACHE_MS: 1000, ...config })
  const { user } = await s.services.auth.createAccount(`lifecycle${process.pid}`, 'a long passphrase of mine',
    'editor', meta)
  const caller = (sid: string) =>
    ({ id: user.id, sid, roles: ['editor'], permissions: [], authTime: 0, amr: ['pwd', 'otp'] })
  const events = (event: string) => s.db.query<{
    actor_user_id: number | null,
    target_user_id: number | null,
    session_id: string | null,
    ip: string | null
  }>(
    'SELECT actor_user_id, target_user_id, session_id, ip FROM audit_events WHERE event = ? ORDER BY id', [event])
  return { ...s, userId: user.id, caller, events }
}

t.test('the absolute limit holds to the millisecond, however often the session is refreshed', async (t) => {
  const { services, clock, userId } = await withUser(t,
    { SESSION_CHECK_CACHE_MS: 0, REFRESH_IDLE_TTL: 3600, REFRESH_ABSOLUTE_TTL: 2 * 3600 })
  const { sid, tokens } = await services.sessions.start(userId, ['editor'], meta, ['pwd', 'otp'])
  clock.advance(HOUR - 1)
  t.ok(await services.sessions.check(sid), 'one millisecond before the idle limit')
  const next = await services.sessions.refresh(tokens.refresh_token, meta)
  clock.advance(HOUR - 1)
  const last = await services.sessions.refresh(next.refresh_token, meta)
  clock.advance(1)
  t.ok(await services.sessions.check(sid), 'one millisecond before the absolute limit')
  const [listed] = await services.sessions.list(
    { id: userId, sid, roles: [], permissions: [], authTime: 0, amr: ['pwd', 'otp'] })
  t.equal(listed!.idle_expires_at, listed!.absolute_expires_at, 'a refresh never slides the idle limit past it')
  clock.advance(1)
  t.equal(await services.sessions.check(sid), null, 'at the absolute limit: ended')
  await t.rejects(services.sessions.refresh(last.refresh_token, meta), { code: 'refresh_token_invalid' })
})

t.test('a first idle limit longer than the absolute one is cut to it', async (t) => {
  const { services, userId, clock } = await withUser(t, { REFRESH_IDLE_TTL: 7200, REFRESH_ABSOLUTE_TTL: 3600 })
  const { sid } = await services.sessions.start(userId, ['editor'], meta, ['pwd', 'otp'])
  const [listed] = await services.sessions.list(
    { id: userId, sid, roles: [], permissions: [], authTime: 0, amr: ['pwd', 'otp'] })
  t.same(listed, {
    id: sid,
    created_at: new Date(clock.now()).toISOString(),
    last_used_at: new Date(clock.now()).toISOString(),
    idle_expires_at: new Date(clock.now() + HOUR).toISOString(),
    absolute_expires_at: new Date(clock.now() + HOUR).toISOString(),
    user_agent: meta.userAgent,
    ip: meta.ip,
    current: true
  })
})

t.test('the list: live sessions of the caller only, which one is current, the last use', async (t) => {
  const { services, clock, userId, caller } = await withUser(t)
  const first = await services.sessions.start(userId, ['editor'], meta, ['pwd', 'otp'])
  clock.advance(1000)
  const second = await services.sessions.start(userId, ['editor'], meta, ['pwd', 'otp'])
  const ended = await services.sessions.start(userId, ['editor'], meta, ['pwd', 'otp'])
  await services.sessions.revoke(caller(ended.sid), ended.sid, meta)
  const { user: other } = await services.auth.createAccount(`othr${process.pid}`, 'a long passphrase of mine',
    'viewer', meta)
  await services.sessions.start(other.id, ['viewer'], meta, ['pwd', 'otp'])
  clock.advance(1000)
  await services.sessions.refresh(first.tokens.refresh_token, { ...meta, ip: '198.51.100.4', userAgent: 'moved' })
  const listed = await services.sessions.list(caller(second.sid))
  t.same(listed.map((s) => [s.id, s.current]), [[second.sid, true], [first.sid, false]], 'newest first')
  t.match(listed[1], { ip: '198.51.100.4', user_agent: 'moved', last_used_at: new Date(clock.now()).toISOString() },
    'a refresh records its use')
})

t.test('revoking a session is seen at once through the cache, and audited with who and which', async (t) => {
  const { services, userId, caller, events } = await withUser(t)
  const a = await services.sessions.start(userId, ['editor'], meta, ['pwd', 'otp'])
  const b = await services.sessions.start(userId, ['editor'], meta, ['pwd', 'otp'])
  t.ok(await services.sessions.check(a.sid), 'cached as live')
  t.ok(await services.sessions.check(b.sid), 'cached as live')
  await services.sessions.revoke(caller(b.sid), a.sid, meta)
  t.equal(await services.sessions.check(a.sid), null)
  t.ok(await services.sessions.check(b.sid), 'the other one lives')
  t.same(await events('session_revoked'), [{
    actor_user_id: userId,
    target_user_id: userId,
    session_id: a.sid,
    ip: meta.ip
  }])
  await t.rejects(services.sessions.revoke(caller(b.sid), a.sid, meta), { code: 'session_not_found' },
    'an ended session is not found')
  await services.sessions.revoke(caller(b.sid), b.sid, meta, 'logout')
  t.equal(await services.sessions.check(b.sid), null)
  t.equal((await events('logout')).length, 1, 'the event the caller names')
})

t.test('ending all sessions: but the one kept, by whom it says', async (t) => {
  const { services, userId, events } = await withUser(t)
  const kept = await services.sessions.start(userId, ['editor'], meta, ['pwd', 'otp'])
  const gone = await services.sessions.start(userId, ['editor'], meta, ['pwd', 'otp'])
  for (const s of [kept, gone]) t.ok(await services.sessions.check(s.sid))
  await services.sessions.revokeAll(userId, 'password_changed', meta, { exceptSid: kept.sid })
  t.ok(await services.sessions.check(kept.sid), 'the kept one lives')
  t.equal(await services.sessions.check(gone.sid), null, 'the other ends at once, cache or not')
  await services.sessions.revokeAll(userId, 'user_disabled', meta, { actor: null })
  t.equal(await services.sessions.check(kept.sid), null)
  t.same(await events('password_changed'), [{
    actor_user_id: userId,
    target_user_id: userId,
    session_id: kept.sid,
    ip: meta.ip
  }])
  t.same(await events('user_disabled'), [{
    actor_user_id: null,
    target_user_id: userId,
    session_id: null,
    ip: meta.ip
  }], 'the command line acts as nobody')
})

t.test('a refresh carries the roles the account has now; a replay ends the session and is audited',
  async (t) => {
    const { services, db, userId, events, keys } = await withUser(t)
    const { sid, tokens } = await services.sessions.start(userId, ['editor'], meta, ['pwd', 'otp'])
    await db.execute('INSERT INTO user_roles (user_id, role_id) SELECT ?, id FROM roles WHERE name = ?',
      [userId, 'admin'])
    const next = await services.sessions.refresh(tokens.refresh_token, meta)
    t.not(next.refresh_token, tokens.refresh_token, 'rotated')
    const claims = JSON.parse(Buffer.from(next.access_token.split('.')[1]!, 'base64url').toString('utf8'))
    t.match(claims, { sid, sub: String(userId), roles: ['admin', 'editor'] })
    t.ok(keys.signing.kid)
    await t.rejects(services.sessions.refresh(tokens.refresh_token, meta), { code: 'refresh_token_reused' })
    t.same(await events('refresh_reuse_detected'), [{
      actor_user_id: userId,
      target_user_id: userId,
      session_id: sid,
      ip: meta.ip
    }])
    t.equal(await services.sessions.check(sid), null, 'the session ended, its cached answer too')
    await t.rejects(services.sessions.refresh(next.refresh_token, meta), { code: 'refresh_token_invalid' },
      'the newest token of a stolen session is dead too')
    await t.rejects(services.sessions.refresh('never-issued', meta), { code: 'refresh_token_invalid' })
  })

t.test('a disabled account\'s session is ended for the check and the refresh alike', async (t) => {
  const { services, db, userId, clock } = await withUser(t, { SESSION_CHECK_CACHE_MS: 0 })
  const { sid, tokens } = await services.sessions.start(userId, ['editor'], meta, ['pwd', 'otp'])
  await db.execute('UPDATE users SET disabled_at = ? WHERE id = ?', [clock.now(), userId])
  t.equal(await services.sessions.check(sid), null)
  await t.rejects(services.sessions.refresh(tokens.refresh_token, meta), { code: 'refresh_token_invalid' })
})

t.test('the purge also takes throttle records untouched for a day', async (t) => {
  const { services, clock } = await withUser(t, { LOGIN_MAX_FAILURES: 10 })
  await services.throttle.take('someone', '192.0.2.1')
  await services.throttle.failed('someone', '192.0.2.1')
  clock.advance(24 * HOUR)
  t.equal(await services.sessions.purge(), 1, 'the enrollment token of createAccount only')
  clock.advance(1)
  t.equal(await services.sessions.purge(), 2, 'then the address record and the account record')
})

t.test('iat is the app clock\'s whole second, rounded down', async (t) => {
  const { services, clock, userId } = await withUser(t)
  clock.set(Date.UTC(2031, 0, 1, 0, 0, 0, 999))
  const { tokens } = await services.sessions.start(userId, ['editor'], meta, ['pwd', 'otp'])
  const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString('utf8'))
  t.equal(claims.iat, Date.UTC(2031, 0, 1) / 1000)
})

t.test('the access token says when and how the session authenticated; a refresh keeps it', async (t) => {
  const { services, clock, userId } = await withUser(t)
  clock.set(Date.UTC(2031, 0, 1, 0, 0, 0, 500))
  const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'))
  const { tokens } = await services.sessions.start(userId, ['editor'], meta, ['pwd', 'otp'])
  const first = { auth_time: Date.UTC(2031, 0, 1) / 1000, amr: ['pwd', 'otp'], acr: 'aal2' }
  t.match(claims(tokens.access_token), first)
  clock.advance(HOUR)
  const next = await services.sessions.refresh(tokens.refresh_token, meta)
  t.match(claims(next.access_token), { ...first, iat: Date.UTC(2031, 0, 1, 1) / 1000 }, 'a refresh is no new login')
})

t.test('the absolute limit ends a session by itself, to the millisecond, whatever its idle limit says', async (t) => {
  const { services, db, clock, userId } = await withUser(t,
    { SESSION_CHECK_CACHE_MS: 0, REFRESH_IDLE_TTL: 3600, REFRESH_ABSOLUTE_TTL: 2 * 3600 })
  const { sid, tokens } = await services.sessions.start(userId, ['editor'], meta, ['pwd', 'otp'])
  // start and refresh never write an idle limit past the absolute one; the check does not rely on that
  await db.execute('UPDATE sessions SET idle_expires_at = absolute_expires_at + ? WHERE id = ?', [HOUR, sid])
  clock.advance(2 * HOUR - 1)
  t.ok(await services.sessions.check(sid), 'one millisecond before the absolute limit')
  clock.advance(1)
  t.equal(await services.sessions.check(sid), null, 'at the absolute limit: ended, though the idle one is later')
  await t.rejects(services.sessions.refresh(tokens.refresh_token, meta), { code: 'refresh_token_invalid' })
})

t.test('roles in name order, in the check and in a refreshed token, whatever order the store keeps them in',
  async (t) => {
    const { services, db, userId } = await withUser(t, { SESSION_CHECK_CACHE_MS: 0 })
    // a role added to schemas/access.ts later is seeded with a later id than the roles it sorts before
    await db.execute("INSERT INTO roles (name, description) VALUES ('auditor', 'a role added later')")
    await db.execute("INSERT INTO role_permissions (role_id, permission) SELECT id, 'audit:read' FROM roles " +
      "WHERE name = 'auditor'")
    await db.execute("INSERT INTO user_roles (user_id, role_id) SELECT ?, id FROM roles WHERE name = 'auditor'",
      [userId])
    const { sid, tokens } = await services.sessions.start(userId, ['auditor', 'editor'], meta, ['pwd', 'otp'])
    t.same(await services.sessions.check(sid), {
      userId,
      roles: ['auditor', 'editor'],
      permissions: ['audit:read', 'products:delete', 'products:read', 'products:write']
    })
    const next = await services.sessions.refresh(tokens.refresh_token, meta)
    const claims = JSON.parse(Buffer.from(next.access_token.split('.')[1]!, 'base64url').toString('utf8'))
    t.same(claims.roles, ['auditor', 'editor'], 'as at login (rolesOf sorts by name)')
  })

t.test('an account left with no role (its role removed from the store) has a session with no roles, no permissions',
  async (t) => {
    const { services, db, userId } = await withUser(t, { SESSION_CHECK_CACHE_MS: 0 })
    const { sid, tokens } = await services.sessions.start(userId, ['editor'], meta, ['pwd', 'otp'])
    await db.execute('DELETE FROM user_roles WHERE user_id = ?', [userId])
    t.same(await services.sessions.check(sid), { userId, roles: [], permissions: [] })
    const next = await services.sessions.refresh(tokens.refresh_token, meta)
    t.same(JSON.parse(Buffer.from(next.access_token.split('.')[1]!, 'base64url').toString('utf8')).roles, [])
  })
