import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildTestApp, testClock } from '../helper.js'
import { decode, forge, pem, rsaKeyPair } from '../tokens/forge.js'

const key = rsaKeyPair()
const meta = { ip: '127.0.0.1', userAgent: 'test', requestId: 'test' }

/** The app on SQLite in memory; sessions are started by the service (the login itself is tested elsewhere). */
async function appWithUsers (t: Parameters<typeof buildTestApp>[0]) {
  const clock = testClock()
  const app = await buildTestApp(t, {
    store: 'sqlite', now: clock.now, config: { JWT_PRIVATE_KEY: pem(key.privateKey), SESSION_CHECK_CACHE_MS: 0 }
  })
  const session = async (role: 'viewer' | 'editor' | 'admin') => {
    const { user } = await app.services.auth.createAccount(`${role}${process.pid}`, 'a long passphrase of mine',
      role, meta)
    const { sid, tokens } = await app.services.sessions.start(user.id, [role], meta, ['pwd', 'otp'])
    return { id: user.id, sid, token: tokens.access_token }
  }
  return { app, clock, session }
}

const call = (app: FastifyInstance, method: 'GET' | 'HEAD' | 'POST' | 'DELETE', url: string, token?: string,
  extra: { payload?: string, headers?: Record<string, string> } = {}) =>
  app.inject({
    method,
    url,
    ...(extra.payload !== undefined && { payload: extra.payload }),
    headers: { ...(token && { authorization: `Bearer ${token}` }), ...extra.headers }
  })

/** Status, problem code and the WWW-Authenticate description of a refusal. */
async function answer (res: Awaited<ReturnType<typeof call>>) {
  const description = /error_description="([^"]*)"/.exec(String(res.headers['www-authenticate'] ?? ''))?.[1]
  return { status: res.statusCode, code: res.statusCode < 300 ? undefined : res.json().code, description }
}

t.test('a live session\'s access token passes; its expiry and nbf are read on the app\'s clock', async (t) => {
  const { app, clock, session } = await appWithUsers(t)
  const viewer = await session('viewer')
  const [header, claims] = decode(viewer.token) as [Record<string, unknown>, Record<string, number>]
  const sessions = (token?: string) => call(app, 'GET', '/auth/sessions', token).then(answer)
  t.same(await sessions(viewer.token), { status: 200, code: undefined, description: undefined })
  t.same(await sessions(), { status: 401, code: 'unauthenticated', description: undefined })
  t.same(await sessions('garbage'), { status: 401, code: 'invalid_token', description: 'invalid token' })
  const otherKey = forge(header, claims, rsaKeyPair().privateKey)
  t.same(await sessions(otherKey), { status: 401, code: 'invalid_token', description: 'invalid token' })

  const exp = claims.exp! * 1000
  clock.set(exp - 1)
  t.equal((await sessions(viewer.token)).status, 200, 'valid up to its exp')
  clock.set(exp)
  t.same(await sessions(viewer.token), { status: 401, code: 'token_expired', description: 'token expired' }, 'at exp')
  clock.set(exp + 3_600_000)
  t.equal((await sessions(viewer.token)).code, 'token_expired')

  const detail = async (token: string) => (await call(app, 'GET', '/auth/sessions', token)).json().detail
  t.equal(await detail(viewer.token), 'The access token has expired; refresh it', 'what to do: refresh')
  t.equal(await detail('garbage'), 'The access token is malformed, not signed by us, or not meant for this API')

  clock.set(claims.iat! * 1000)
  const notYet = forge(header, { ...claims, nbf: claims.iat! + 1 }, key.privateKey)
  t.same(await sessions(notYet), { status: 401, code: 'invalid_token', description: 'token not yet valid' })
  clock.advance(999)
  t.equal((await sessions(notYet)).description, 'token not yet valid', 'until the second it names')
  t.equal(await detail(notYet), 'The access token is not valid yet')
  clock.advance(1)
  t.equal((await sessions(notYet)).status, 200, 'from nbf on')
})

t.test('a token whose header is not a JSON object is a 401 invalid_token, never a 500', async (t) => {
  const { app, session } = await appWithUsers(t)
  const [, body, signature] = (await session('viewer')).token.split('.')
  const segment = (text: string) => Buffer.from(text).toString('base64url')
  for (const text of ['null', 'true', '1', '"at+jwt"', '[]', '{']) {
    for (const url of ['/auth/sessions', '/api/products']) {
      t.same(await call(app, 'GET', url, `${segment(text)}.${body}.${signature}`).then(answer),
        { status: 401, code: 'invalid_token', description: 'invalid token' }, `${url}, header ${text}`)
    }
  }
})

t.test('the session behind the token decides: ended, another user\'s, or roles changed since it was signed',
  async (t) => {
    const { app, session } = await appWithUsers(t)
    const viewer = await session('viewer')
    const editor = await session('editor')
    const [header, claims] = decode(viewer.token) as [Record<string, unknown>, Record<string, unknown>]
    const as = (c: Record<string, unknown>) => forge(header, { ...claims, ...c }, key.privateKey)
    const sessions = (token: string) => call(app, 'GET', '/auth/sessions', token).then(answer)
    const ended = { status: 401, code: 'invalid_token', description: 'session ended' }
    t.same(await sessions(as({ sub: String(editor.id) })), ended, 'a viewer\'s session under the editor\'s id')
    t.same(await sessions(as({ sid: 'no-such-session' })), ended)
    t.equal((await call(app, 'DELETE', '/api/products/1', as({ roles: ['admin', 'editor'] }))).statusCode, 403,
      'roles in the token are not trusted: the session\'s are')
    t.equal((await call(app, 'DELETE', '/api/products/1', editor.token)).statusCode, 404, 'an editor may delete')
    await app.services.sessions.revokeAll(viewer.id, 'logout_all', meta)
    t.same(await sessions(viewer.token), ended, 'a revoked session')
    t.equal((await call(app, 'GET', '/auth/sessions', viewer.token)).json().detail,
      'The session of this token has ended; log in again', 'what to do: log in')
    t.equal((await sessions(editor.token)).status, 200)
  })

t.test('each route asks for its permission, before the body is read, HEAD included', async (t) => {
  const { app, session } = await appWithUsers(t)
  const viewer = await session('viewer')
  const editor = await session('editor')
  const admin = await session('admin')
  const status = async (...args: Parameters<typeof call>) => (await call(...args)).statusCode
  const json = { 'content-type': 'application/json' }
  t.equal(await status(app, 'GET', '/api/products', viewer.token), 200)
  t.equal(await status(app, 'HEAD', '/api/products', viewer.token), 200)
  t.equal(await status(app, 'HEAD', '/api/products'), 401, 'HEAD is guarded like its GET')
  t.equal(await status(app, 'POST', '/api/products', viewer.token, { payload: '{}', headers: json }), 403)
  t.equal(await status(app, 'POST', '/api/products', editor.token, { payload: '{}', headers: json }), 400,
    'the editor reaches the validation')
  t.equal(await status(app, 'POST', '/api/products', undefined, { payload: '{not json', headers: json }), 401,
    'anonymous: refused before its body is parsed')
  t.equal(await status(app, 'POST', '/api/products', viewer.token, { payload: '{not json', headers: json }), 403,
    'no permission: refused before its body is parsed')
  t.equal(await status(app, 'GET', '/api/audit', editor.token), 403)
  t.equal(await status(app, 'GET', '/api/audit', admin.token), 200)
  const refused = await call(app, 'GET', '/api/audit', viewer.token)
  t.match(refused.json(), { code: 'forbidden', detail: 'This needs the permission audit:read' })
  t.equal(await status(app, 'GET', '/api/users', editor.token), 403)
  t.equal(await status(app, 'GET', '/api/users', admin.token), 200)
})
