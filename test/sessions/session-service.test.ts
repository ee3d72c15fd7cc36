import t from 'tap'
import { createAccessTokenVerifier } from '../../src/tokens/access-token-verifier.js'
import { ApiError } from '../../src/errors.js'
import { meta, testServices } from '../services.js'

const HOUR = 3600 * 1000

async function withUser (t: Parameters<typeof testServices>[0], config: Parameters<typeof testServices>[1] = {}) {
  const s = await testServices(t, config)
  const { user } = await s.services.auth.createAccount(
    `sessionuser${process.pid}`,
    'a long passphrase of mine',
    'editor',
    meta
  )
  return { ...s, userId: user.id }
}

const code = (err: unknown) => (err instanceof ApiError ? err.code : String(err))

t.test('start signs an access token with the configured claims, its lifetime on the injected clock', async (t) => {
  const { services, keys, config, clock, userId } = await withUser(t, { ACCESS_TOKEN_TTL: 120 })
  clock.set(Date.UTC(2030, 5, 1))
  const { sid, tokens } = await services.sessions.start(userId, ['editor'], meta, ['pwd', 'otp'])
  t.match(tokens, { token_type: 'Bearer', expires_in: 120 })
  const verify = createAccessTokenVerifier(keys.verification, config.JWT_ISSUER, config.JWT_AUDIENCE)
  const claims = verify(tokens.access_token)
  t.equal(claims.sid, sid)
  t.equal(claims.sub, String(userId))
  t.same(claims.roles, ['editor'])
  t.equal(claims.iat, Date.UTC(2030, 5, 1) / 1000, 'iat from the injected clock, not the wall clock')
  t.equal(claims.exp, claims.iat + 120)
  const header = JSON.parse(Buffer.from(tokens.access_token.split('.')[0]!, 'base64url').toString('utf8'))
  t.same(header, { alg: 'RS256', typ: 'at+jwt', kid: keys.signing.kid })
})

t.test('the session check trusts its cache for SESSION_CHECK_CACHE_MS, then sees a revocation elsewhere', async (t) => {
  const { services, db, clock, userId } = await withUser(t, { SESSION_CHECK_CACHE_MS: 1000 })
  const { sid } = await services.sessions.start(userId, ['editor'], meta, ['pwd', 'otp'])
  const permissions = ['products:delete', 'products:read', 'products:write']
  t.match(await services.sessions.check(sid), { userId, roles: ['editor'], permissions })
  // another instance revokes it: only the store knows
  await db.execute('UPDATE sessions SET revoked_at = ? WHERE id = ?', [clock.now(), sid])
  clock.advance(999)
  t.ok(await services.sessions.check(sid), 'still trusted within the cache time')
  clock.advance(1)
  t.equal(await services.sessions.check(sid), null, 'seen once the cache time is over')
  const other = await services.sessions.start(userId, ['editor'], meta, ['pwd', 'otp'])
  t.ok(await services.sessions.check(other.sid))
  await services.sessions.revokeAll(userId, 'logout_all', meta)
  t.equal(await services.sessions.check(other.sid), null, 'a revocation on this instance is seen at once')
})

t.test('a session ends at its idle and absolute limits by the clock; a refresh slides only the idle one', async (t) => {
  const limits = { SESSION_CHECK_CACHE_MS: 0, REFRESH_IDLE_TTL: 3600, REFRESH_ABSOLUTE_TTL: 3 * 3600 }
  const { services, clock, userId } = await withUser(t, limits)
  const { sid, tokens } = await services.sessions.start(userId, ['editor'], meta, ['pwd', 'otp'])
  clock.advance(HOUR - 1)
  const next = await services.sessions.refresh(tokens.refresh_token, meta)
  clock.advance(HOUR - 1)
  t.ok(await services.sessions.check(sid), 'the refresh moved the idle limit')
  const last = await services.sessions.refresh(next.refresh_token, meta)
  clock.advance(HOUR + 2)
  t.equal(await services.sessions.check(sid), null, 'the absolute limit holds whatever the use')
  await t.rejects(services.sessions.refresh(last.refresh_token, meta), { code: 'refresh_token_invalid' })

  const idle = await services.sessions.start(userId, ['editor'], meta, ['pwd', 'otp'])
  clock.advance(HOUR)
  t.equal(await services.sessions.check(idle.sid), null, 'unused for REFRESH_IDLE_TTL: ended')
})

t.test('a replayed refresh token ends the session; revoking another user\'s session is "not found"', async (t) => {
  const { services, userId } = await withUser(t, { SESSION_CHECK_CACHE_MS: 1000 })
  const { sid, tokens } = await services.sessions.start(userId, ['editor'], meta, ['pwd', 'otp'])
  t.ok(await services.sessions.check(sid), 'cached as live')
  await services.sessions.refresh(tokens.refresh_token, meta)
  await t.rejects(services.sessions.refresh(tokens.refresh_token, meta), { code: 'refresh_token_reused' })
  t.equal(await services.sessions.check(sid), null, 'the reuse evicted the cached answer')
  const mine = await services.sessions.start(userId, ['editor'], meta, ['pwd', 'otp'])
  const stranger = { id: userId + 1000, sid: 'x', roles: [], permissions: [], authTime: 0, amr: [] }
  const refused = await services.sessions.revoke(stranger, mine.sid, meta).catch(code)
  t.equal(refused, 'session_not_found')
  t.ok(await services.sessions.check(mine.sid), 'and the session lives on')
})

t.test('purge deletes ended sessions, revoked ones after a day, and expired one-time tokens', async (t) => {
  const { services, clock, userId } = await withUser(t, { SESSION_CHECK_CACHE_MS: 0, REFRESH_IDLE_TTL: 48 * 3600 })
  const revoked = await services.sessions.start(userId, ['editor'], meta, ['pwd', 'otp'])
  const idle = await services.sessions.start(userId, ['editor'], meta, ['pwd', 'otp'])
  await services.sessions.revoke(
    { id: userId, sid: revoked.sid, roles: [], permissions: [], authTime: 0, amr: [] },
    revoked.sid,
    meta
  )
  t.equal(await services.sessions.purge(), 0, 'nothing has ended long enough ago')
  clock.advance(16 * 60 * 1000)
  t.equal(await services.sessions.purge(), 1, 'the enrollment token createAccount issued (ENROLLMENT_TOKEN_TTL 900 s)')
  clock.advance(24 * HOUR - 16 * 60 * 1000)
  t.equal(await services.sessions.purge(), 0, 'a revoked session is kept a day, so a replay still reads as reuse')
  clock.advance(1)
  t.equal(await services.sessions.purge(), 1, 'then it goes')
  t.ok(await services.sessions.check(idle.sid), 'the unused one lives until REFRESH_IDLE_TTL')
  clock.advance(24 * HOUR)
  t.equal(await services.sessions.purge(), 1, 'and then goes too')
  t.equal(await services.sessions.purge(), 0)
})

t.test('a step-up on a session that has ended is refused with what to do: log in again', async (t) => {
  const { services, userId } = await withUser(t, { SESSION_CHECK_CACHE_MS: 1000 })
  const { sid } = await services.sessions.start(userId, ['editor'], meta, ['pwd'])
  const user = { id: userId, sid, roles: ['editor'], permissions: [], authTime: 0, amr: ['pwd' as const] }
  await services.sessions.revokeAll(userId, 'logout_all', meta)
  const err = await services.sessions.renewAuthentication(user, ['otp']).catch((e: unknown) => e)
  t.match(err, { code: 'invalid_token', status: 401, detail: 'The session of this token has ended; log in again' })
})
