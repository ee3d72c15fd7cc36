import t, { type Test } from 'tap'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { Type } from '@sinclair/typebox'
import { authApp, code, enrolledUser, freshName, loginTokens, nextStep, PASSWORD, register, userWithRole, type Clock } from '../auth/flow.js'
import { buildTestApp, createTestDatabase, TEST_MYSQL_URL } from '../helper.js'
import { dbProxy } from '../db-proxy.js'
import { ETag } from '../../schemas/headers.js'
import { headerProblems, type Doc } from './declared-headers.js'


type Probe = { op: string, status: number, request: InjectOptions }
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const json = (method: InjectOptions['method'], url: string, payload: object, token?: string): InjectOptions =>
  ({ method, url, payload, headers: token ? bearer(token) : {} })

/** Sends each probe, expects its status, and checks the response's headers against the app's own document. */
async function check (t: Test, app: FastifyInstance, probes: Probe[]) {
  const doc = app.swagger() as unknown as Doc
  for (const { op, status, request } of probes) {
    const res = await app.inject(request)
    t.equal(res.statusCode, status, `${op}: ${request.method ?? 'GET'} ${request.url} answers ${status} (${res.body.slice(0, 120)})`)
    t.same(headerProblems(doc, op, res), [], `${op} ${res.statusCode}: headers as declared`)
    for (const h of ['x-request-id', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']) {
      t.ok(res.headers[h] !== undefined, `${op} ${res.statusCode}: ${h} (without Redis the limiter always answers)`)
    }
  }
  return probes.map((p) => p.op)
}

/** Everything the probes need: accounts in each state, their tokens, a product. */
async function fixtures (app: FastifyInstance, clock: Clock) {
  const admin = await userWithRole(app, clock, 'admin')
  const adminTokens = await loginTokens(app, clock, admin)
  const viewer = await userWithRole(app, clock, 'viewer')
  const viewerToken = (await loginTokens(app, clock, viewer)).access_token
  const target = await enrolledUser(app, clock)
  const pending = await register(app)
  const product = await app.inject(json('POST', '/api/products', { name: 'Probe', price: '1.00', quantity: 1 }, adminTokens.access_token))
  return { admin, adminTokens, adminToken: adminTokens.access_token, viewer, viewerToken, target, pending, productId: product.json().id as number }
}

t.test('every operation: the headers of each response are the ones the document declares for it', async (t) => {
  const { app, clock } = await authApp(t)
  const f = await fixtures(app, clock)
  const { adminToken, viewerToken } = f
  const p = `/api/products/${f.productId}`
  const u = `/api/users/${f.target.id}`
  const fresh = async () => loginTokens(app, clock, f.viewer)
  const probes: Probe[] = [
    { op: 'getLiveness', status: 200, request: { url: '/health/live' } },
    { op: 'getReadiness', status: 200, request: { url: '/health/ready' } },
    { op: 'getJwks', status: 200, request: { url: '/.well-known/jwks.json' } },
    { op: 'register', status: 201, request: json('POST', '/auth/register', { username: freshName(), password: PASSWORD }) },
    { op: 'register', status: 409, request: json('POST', '/auth/register', { username: f.viewer.username, password: PASSWORD }) },
    { op: 'register', status: 400, request: json('POST', '/auth/register', {}) },
    { op: 'register', status: 415, request: { method: 'POST', url: '/auth/register', payload: 'x', headers: { 'content-type': 'application/xml' } } },
    { op: 'getEnrollmentQrCode', status: 200, request: { url: `/auth/generate_qr/${f.pending.username}`, headers: bearer(f.pending.enrollmentToken) } },
    { op: 'getEnrollmentQrCode', status: 401, request: { url: `/auth/generate_qr/${f.pending.username}` } },
    { op: 'getEnrollmentQrCode', status: 400, request: { url: '/auth/generate_qr/a', headers: bearer(f.pending.enrollmentToken) } },
    { op: 'confirmTwoFactor', status: 401, request: json('POST', '/auth/2fa/verify', { code: '000000' }) },
    { op: 'confirmTwoFactor', status: 400, request: json('POST', '/auth/2fa/verify', { code: 'x' }, f.pending.enrollmentToken) },
    { op: 'login', status: 200, request: json('POST', '/auth/login', { username: f.viewer.username, password: PASSWORD }) },
    { op: 'login', status: 401, request: json('POST', '/auth/login', { username: f.viewer.username, password: 'wrong password' }) },
    { op: 'loginSecondFactor', status: 401, request: json('POST', '/auth/login/2fa', { mfa_token: 'nope', code: '000000' }) },
    { op: 'refreshTokens', status: 200, request: json('POST', '/auth/refresh', { refresh_token: (await fresh()).refresh_token }) },
    { op: 'refreshTokens', status: 401, request: json('POST', '/auth/refresh', { refresh_token: 'nope' }) },
    { op: 'listSessions', status: 200, request: { url: '/auth/sessions', headers: bearer(viewerToken) } },
    { op: 'revokeSession', status: 404, request: { method: 'DELETE', url: '/auth/sessions/nope', headers: bearer(viewerToken) } },
    { op: 'revokeSession', status: 400, request: { method: 'DELETE', url: '/auth/sessions/a!', headers: bearer(viewerToken) } },
    { op: 'logout', status: 204, request: { method: 'POST', url: '/auth/logout', headers: bearer((await fresh()).access_token) } },
    { op: 'logout', status: 401, request: { method: 'POST', url: '/auth/logout', headers: bearer('forged') } },
    { op: 'createProduct', status: 201, request: json('POST', '/api/products', { name: 'Another', price: 2, quantity: 2 }, adminToken) },
    { op: 'createProduct', status: 403, request: json('POST', '/api/products', { name: 'No', price: 2, quantity: 2 }, viewerToken) },
    { op: 'listProducts', status: 200, request: { url: '/api/products', headers: bearer(viewerToken) } },
    { op: 'listProducts', status: 400, request: { url: '/api/products?limit=0', headers: bearer(viewerToken) } },
    { op: 'getProduct', status: 200, request: { url: p, headers: bearer(viewerToken) } },
    { op: 'getProduct', status: 304, request: { url: p, headers: { ...bearer(viewerToken), 'if-none-match': '"1"' } } },
    { op: 'getProduct', status: 404, request: { url: '/api/products/999999', headers: bearer(viewerToken) } },
    { op: 'replaceProduct', status: 200, request: json('PUT', p, { name: 'Probe', price: '1.50', quantity: 1 }, adminToken) },
    { op: 'updateProduct', status: 200, request: json('PATCH', p, { quantity: 3 }, adminToken) },
    { op: 'updateProduct', status: 412, request: { ...json('PATCH', p, { quantity: 4 }, adminToken), headers: { ...bearer(adminToken), 'if-match': '"1"' } } },
    { op: 'deleteProduct', status: 204, request: { method: 'DELETE', url: p, headers: bearer(adminToken) } },
    { op: 'listUsers', status: 200, request: { url: '/api/users', headers: bearer(adminToken) } },
    { op: 'listUsers', status: 403, request: { url: '/api/users', headers: bearer(viewerToken) } },
    { op: 'getUser', status: 200, request: { url: u, headers: bearer(adminToken) } },
    { op: 'getUser', status: 404, request: { url: '/api/users/999999', headers: bearer(adminToken) } },
    { op: 'setUserRoles', status: 200, request: json('PUT', `${u}/roles`, { roles: ['editor'] }, adminToken) },
    { op: 'disableUser', status: 200, request: { method: 'POST', url: `${u}/disable`, headers: bearer(adminToken) } },
    { op: 'disableUser', status: 409, request: { method: 'POST', url: `/api/users/${f.admin.id}/disable`, headers: bearer(adminToken) } },
    { op: 'enableUser', status: 200, request: { method: 'POST', url: `${u}/enable`, headers: bearer(adminToken) } },
    { op: 'unlockUser', status: 200, request: { method: 'POST', url: `${u}/unlock`, headers: bearer(adminToken) } },
    { op: 'revokeUserSessions', status: 204, request: { method: 'DELETE', url: `${u}/sessions`, headers: bearer(adminToken) } },
    { op: 'listAuditEvents', status: 200, request: { url: '/api/audit', headers: bearer(adminToken) } },
    { op: 'listAuditEvents', status: 400, request: { url: '/api/audit?limit=0', headers: bearer(adminToken) } }
  ]
  const seen = new Set(await check(t, app, probes))

  // the steps that spend a code, in order: each needs the next TOTP step
  const mfa = (await app.inject(json('POST', '/auth/login', { username: f.viewer.username, password: PASSWORD }))).json().mfa_token as string
  const steps: (() => Probe)[] = [
    () => ({ op: 'confirmTwoFactor', status: 200, request: json('POST', '/auth/2fa/verify', { code: code(f.pending.secret, clock) }, f.pending.enrollmentToken) }),
    () => ({ op: 'loginSecondFactor', status: 200, request: json('POST', '/auth/login/2fa', { mfa_token: mfa, code: code(f.viewer.secret, clock) }) }),
    () => ({ op: 'regenerateRecoveryCodes', status: 200, request: json('POST', '/auth/2fa/recovery-codes', { password: PASSWORD, code: code(f.viewer.secret, clock) }, viewerToken) }),
    () => ({ op: 'changePassword', status: 204, request: json('POST', '/auth/password', { current_password: PASSWORD, new_password: 'another long passphrase', code: code(f.viewer.secret, clock) }, viewerToken) })
  ]
  for (const step of steps) {
    for (const op of await check(t, app, [step()])) seen.add(op)
    nextStep(clock)
  }
  // last: these end the admin's sessions or put its second factor back to pending
  const reset = { op: 'resetTwoFactor', status: 200, request: json('POST', '/auth/2fa/reset', { password: PASSWORD, code: code(f.admin.secret, clock) }, adminToken) }
  const all = { op: 'logoutAll', status: 204, request: { method: 'POST' as const, url: '/auth/logout-all', headers: bearer(f.adminTokens.access_token) } }
  for (const op of await check(t, app, [all])) seen.add(op)
  const again = await loginTokens(app, clock, f.admin)
  for (const op of await check(t, app, [{ ...reset, request: { ...reset.request, headers: bearer(again.access_token), payload: { password: PASSWORD, code: code(f.admin.secret, clock) } } }])) seen.add(op)

  const doc = app.swagger() as unknown as Doc
  const operations = Object.values(doc.paths).flatMap((item) => Object.values(item).map((o) => o.operationId))
  t.same(operations.filter((o) => !seen.has(o)), [], 'every operation was probed')
})

t.test('429 on every operation carries Retry-After and the rate-limit headers', async (t) => {
  const app = await buildTestApp(t, { store: 'sqlite', config: { RATE_LIMIT_MAX: 1, RATE_LIMIT_AUTH_MAX: 1 } })
  const doc = app.swagger() as unknown as Doc
  let n = 0
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, o] of Object.entries(item)) {
      // a fresh address per operation: its first request uses the budget, the second is refused
      const remoteAddress = `10.9.${Math.floor(++n / 250)}.${n % 250}`
      const request = { method: method.toUpperCase() as InjectOptions['method'], url: path.replace(/\{[^}]+\}/g, '1'), remoteAddress }
      await app.inject(request)
      await check(t, app, [{ op: o.operationId, status: 429, request }])
    }
  }
})

t.test('503 while the store is away carries Retry-After', async (t) => {
  const url = new URL(await createTestDatabase(t))
  const proxy = await dbProxy(new URL(TEST_MYSQL_URL))
  t.teardown(() => proxy.cut())
  const { app, clock } = await authApp(t, { config: { DATABASE_URL: `mysql://root@127.0.0.1:${proxy.port()}${url.pathname}`, SESSION_CHECK_CACHE_MS: 0 } })
  const admin = await userWithRole(app, clock, 'admin')
  const token = (await loginTokens(app, clock, admin)).access_token
  await proxy.cut()
  await check(t, app, [
    { op: 'getReadiness', status: 503, request: { url: '/health/ready' } },
    { op: 'listProducts', status: 503, request: { url: '/api/products', headers: bearer(token) } },
    { op: 'login', status: 503, request: json('POST', '/auth/login', { username: admin.username, password: PASSWORD }) }
  ])
})

t.test('the check fails when a response sends an undeclared header or lacks a required one (scratch routes)', async (t) => {
  const app = await buildTestApp(t, {
    store: 'sqlite',
    before: (app) => {
      const schema = (operationId: string, headers?: object) => ({
        tags: ['health'], summary: 'scratch', operationId, security: [],
        response: { 200: { description: 'scratch', ...(headers && { headers }), content: { 'application/json': { schema: Type.Object({ ok: Type.Boolean() }) } } } }
      })
      app.get('/scratch/undeclared', { schema: schema('scratchUndeclared') }, async (_request, reply) => reply.header('x-scratch', '1').send({ ok: true }))
      app.get('/scratch/missing', { schema: schema('scratchMissing', { ETag }) }, async () => ({ ok: true }))
      app.get('/scratch/declared', { schema: schema('scratchDeclared', { ETag }) }, async (_request, reply) => reply.header('etag', '"1"').send({ ok: true }))
      app.get('/scratch/wrong', { schema: schema('scratchWrong', { ETag }) }, async (_request, reply) => reply.header('etag', 'W/"x"').send({ ok: true }))
    }
  })
  const doc = app.swagger() as unknown as Doc
  const problems = async (op: string, url: string) => headerProblems(doc, op, await app.inject({ url }))
  t.same(await problems('scratchUndeclared', '/scratch/undeclared'), ['scratchUndeclared 200: sends x-scratch, which the document does not declare'])
  t.same(await problems('scratchMissing', '/scratch/missing'), ['scratchMissing 200: lacks etag, which the document declares required'])
  t.same(await problems('scratchDeclared', '/scratch/declared'), [], 'declared and sent: no problem')
  t.match(await problems('scratchWrong', '/scratch/wrong'), [/etag: W\/"x" does not match its schema/])
  t.same(headerProblems(doc, 'scratchDeclared', { statusCode: 418, headers: {} }), ['scratchDeclared 418: the status is not documented'])
})
