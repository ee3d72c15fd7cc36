import t from 'tap'
import type { InjectOptions } from 'fastify'
import {
  authApp,
  code,
  enrolledUser,
  freshName,
  loginTokens,
  nextStep,
  PASSWORD,
  register,
  userWithRole
} from '../auth/flow.js'
import { buildTestApp, createTestDatabase, TEST_MYSQL_URL } from '../helper.js'
import { tcpRelay } from '../tcp-relay.js'
import { checkProbes, operationIds, type Doc, type Probe } from './declared-headers.js'
import { registerPasskey, soft } from '../passkeys/flow.js'

type Options = { token?: string; payload?: object | string; headers?: Record<string, string> }
const req = (
  method: InjectOptions['method'],
  url: string,
  { token, payload, headers = {} }: Options = {}
): InjectOptions => ({
  method,
  url,
  payload,
  headers: { ...(token && { authorization: `Bearer ${token}` }), ...headers }
})

t.test('every operation: the headers of each response are the ones the document declares for it', async (t) => {
  const { app, clock } = await authApp(t)
  const admin = await userWithRole(app, clock, 'admin')
  const adminTokens = await loginTokens(app, clock, admin)
  const token = adminTokens.access_token
  const viewer = await userWithRole(app, clock, 'viewer')
  const viewerToken = (await loginTokens(app, clock, viewer)).access_token
  const target = await enrolledUser(app, clock)
  const pending = await register(app)
  const productBody = { name: 'P', price: 1, quantity: 1 }
  const product = await app.inject(req('POST', '/api/products', { token, payload: productBody }))
  const p = `/api/products/${product.json().id}`
  const u = `/api/users/${target.id}`
  const creds = { username: viewer.username, password: PASSWORD }
  const qr = `/auth/generate_qr/${pending.username}`
  const probes: Probe[] = [
    ['getLiveness', 200, req('GET', '/health/live')],
    ['getReadiness', 200, req('GET', '/health/ready')],
    ['getJwks', 200, req('GET', '/.well-known/jwks.json')],
    ['register', 201, req('POST', '/auth/register', { payload: { username: freshName(), password: PASSWORD } })],
    ['register', 409, req('POST', '/auth/register', { payload: creds })],
    ['register', 400, req('POST', '/auth/register', { payload: {} })],
    [
      'register',
      415,
      req('POST', '/auth/register', { payload: '<x/>', headers: { 'content-type': 'application/xml' } })
    ],
    ['getEnrollmentQrCode', 200, req('GET', qr, { token: pending.enrollmentToken })],
    [
      'getEnrollmentQrCode',
      200,
      req('GET', qr, { token: pending.enrollmentToken, headers: { accept: 'application/json' } })
    ],
    ['getEnrollmentQrCode', 401, req('GET', qr)],
    ['getEnrollmentQrCode', 400, req('GET', '/auth/generate_qr/a', { token: pending.enrollmentToken })],
    ['confirmTwoFactor', 401, req('POST', '/auth/2fa/verify', { payload: { code: '000000' } })],
    [
      'confirmTwoFactor',
      400,
      req('POST', '/auth/2fa/verify', { token: pending.enrollmentToken, payload: { code: 'x' } })
    ],
    ['login', 200, req('POST', '/auth/login', { payload: creds })],
    ['login', 401, req('POST', '/auth/login', { payload: { ...creds, password: 'wrong password' } })],
    ['loginSecondFactor', 401, req('POST', '/auth/login/2fa', { payload: { mfa_token: 'nope', code: '000000' } })],
    [
      'refreshTokens',
      200,
      req('POST', '/auth/refresh', {
        payload: { refresh_token: (await loginTokens(app, clock, viewer)).refresh_token }
      })
    ],
    ['refreshTokens', 401, req('POST', '/auth/refresh', { payload: { refresh_token: 'nope' } })],
    ['listSessions', 200, req('GET', '/auth/sessions', { token: viewerToken })],
    ['revokeSession', 404, req('DELETE', '/auth/sessions/nope', { token: viewerToken })],
    ['revokeSession', 400, req('DELETE', '/auth/sessions/a!', { token: viewerToken })],
    ['logout', 204, req('POST', '/auth/logout', { token: (await loginTokens(app, clock, viewer)).access_token })],
    ['logout', 401, req('POST', '/auth/logout', { token: 'forged' })],
    ['createProduct', 201, req('POST', '/api/products', { token, payload: { name: 'Q', price: 2, quantity: 2 } })],
    [
      'createProduct',
      403,
      req('POST', '/api/products', { token: viewerToken, payload: { name: 'R', price: 2, quantity: 2 } })
    ],
    ['listProducts', 200, req('GET', '/api/products', { token: viewerToken })],
    ['listProducts', 400, req('GET', '/api/products?limit=0', { token: viewerToken })],
    ['getProduct', 200, req('GET', p, { token: viewerToken })],
    ['getProduct', 304, req('GET', p, { token: viewerToken, headers: { 'if-none-match': '"1"' } })],
    ['getProduct', 404, req('GET', '/api/products/999999', { token: viewerToken })],
    ['replaceProduct', 200, req('PUT', p, { token, payload: { name: 'P', price: '1.50', quantity: 1 } })],
    ['updateProduct', 200, req('PATCH', p, { token, payload: { quantity: 3 } })],
    ['updateProduct', 412, req('PATCH', p, { token, payload: { quantity: 4 }, headers: { 'if-match': '"1"' } })],
    ['deleteProduct', 204, req('DELETE', p, { token })],
    ['listUsers', 200, req('GET', '/api/users', { token })],
    ['listUsers', 403, req('GET', '/api/users', { token: viewerToken })],
    ['getUser', 200, req('GET', u, { token })],
    ['getUser', 404, req('GET', '/api/users/999999', { token })],
    ['setUserRoles', 200, req('PUT', `${u}/roles`, { token, payload: { roles: ['editor'] } })],
    ['disableUser', 200, req('POST', `${u}/disable`, { token })],
    ['disableUser', 409, req('POST', `/api/users/${admin.id}/disable`, { token })],
    ['enableUser', 200, req('POST', `${u}/enable`, { token })],
    ['unlockUser', 200, req('POST', `${u}/unlock`, { token })],
    ['revokeUserSessions', 204, req('DELETE', `${u}/sessions`, { token })],
    ['listAuditEvents', 200, req('GET', '/api/audit', { token })],
    ['listAuditEvents', 400, req('GET', '/api/audit?limit=0', { token })]
  ]
  const seen = new Set(await checkProbes(t, app, probes))

  // API keys: one made for the probes, then each operation
  const keyBody = { name: 'probe', permissions: ['products:read'], expires_in_days: 1 }
  const made = (await app.inject(req('POST', '/api/keys', { token, payload: keyBody }))).json() as {
    id: number
    key: string
  }
  const keyProbes: Probe[] = [
    ['createApiKey', 201, req('POST', '/api/keys', { token, payload: keyBody })],
    ['createApiKey', 400, req('POST', '/api/keys', { token, payload: { ...keyBody, expires_in_days: 0 } })],
    ['createApiKey', 403, req('POST', '/api/keys', { token: made.key, payload: keyBody })],
    ['listApiKeys', 200, req('GET', '/api/keys', { token })],
    ['listApiKeys', 403, req('GET', '/api/keys', { token: made.key })],
    ['listProducts', 200, req('GET', '/api/products', { token: made.key })],
    ['listProducts', 401, req('GET', '/api/products', { token: `${made.key.slice(0, -1)}_` })],
    ['listUserApiKeys', 200, req('GET', `/api/users/${admin.id}/keys`, { token })],
    ['listUserApiKeys', 404, req('GET', '/api/users/999999/keys', { token })],
    ['revokeUserApiKey', 404, req('DELETE', `/api/users/${admin.id}/keys/999999`, { token })],
    ['revokeApiKey', 404, req('DELETE', '/api/keys/999999', { token })],
    ['revokeApiKey', 204, req('DELETE', `/api/keys/${made.id}`, { token })],
    ['revokeUserApiKey', 204, req('DELETE', `/api/users/${admin.id}/keys/${made.id + 1}`, { token })]
  ]
  for (const op of await checkProbes(t, app, keyProbes)) seen.add(op)

  // each of these spends a TOTP code: one step apart
  const mfaToken = (await app.inject(req('POST', '/auth/login', { payload: creds }))).json().mfa_token as string
  const proof = (secret: string) => ({ password: PASSWORD, code: code(secret, clock) })
  const spending: (() => Probe)[] = [
    () => [
      'confirmTwoFactor',
      200,
      req('POST', '/auth/2fa/verify', {
        token: pending.enrollmentToken,
        payload: { code: code(pending.secret, clock) }
      })
    ],
    () => [
      'loginSecondFactor',
      200,
      req('POST', '/auth/login/2fa', { payload: { mfa_token: mfaToken, code: code(viewer.secret, clock) } })
    ],
    () => [
      'regenerateRecoveryCodes',
      200,
      req('POST', '/auth/2fa/recovery-codes', { token: viewerToken, payload: proof(viewer.secret) })
    ],
    () => [
      'changePassword',
      204,
      req('POST', '/auth/password', {
        token: viewerToken,
        payload: {
          current_password: PASSWORD,
          new_password: 'another long passphrase',
          code: code(viewer.secret, clock)
        }
      })
    ],
    // last: these end the admin's sessions, then put its second factor back to pending
    () => ['logoutAll', 204, req('POST', '/auth/logout-all', { token })],
    () => ['resetTwoFactor', 401, req('POST', '/auth/2fa/reset', { token, payload: proof(admin.secret) })]
  ]
  for (const probe of spending) {
    for (const op of await checkProbes(t, app, [probe()])) seen.add(op)
    nextStep(clock)
  }
  const again = (await loginTokens(app, clock, admin)).access_token
  await checkProbes(t, app, [
    ['resetTwoFactor', 200, req('POST', '/auth/2fa/reset', { token: again, payload: proof(admin.secret) })]
  ])

  // passkeys and step-up, on an account of their own with a fresh login
  const holder = await enrolledUser(app, clock)
  const fresh = (await loginTokens(app, clock, holder)).access_token
  const { credential, res: registered } = await registerPasskey(app, fresh)
  const pk = `/auth/passkeys/${registered.json().id}`
  const creation = (
    await app.inject(req('POST', '/auth/passkeys/registration/options', { token: fresh, payload: {} }))
  ).json()
  const loginOptions = (await app.inject(req('POST', '/auth/passkeys/authentication/options', { payload: {} }))).json()
  const assertion = soft.get(credential, loginOptions)
  const stepOptions = (await app.inject(req('POST', '/auth/step-up/options', { token: fresh, payload: {} }))).json()
  const passkeyProbes: Probe[] = [
    [
      'passkeyRegistrationOptions',
      200,
      req('POST', '/auth/passkeys/registration/options', { token: fresh, payload: {} })
    ],
    [
      'registerPasskey',
      201,
      req('POST', '/auth/passkeys/registration/verify', {
        token: fresh,
        payload: { response: soft.create(creation).response, name: 'second' }
      })
    ],
    ['registerPasskey', 400, req('POST', '/auth/passkeys/registration/verify', { token: fresh, payload: {} })],
    ['listPasskeys', 200, req('GET', '/auth/passkeys', { token: fresh })],
    ['renamePasskey', 200, req('PATCH', pk, { token: fresh, payload: { name: 'renamed' } })],
    ['renamePasskey', 404, req('PATCH', '/auth/passkeys/999999', { token: fresh, payload: { name: 'renamed' } })],
    ['passkeyLoginOptions', 200, req('POST', '/auth/passkeys/authentication/options', { payload: {} })],
    ['passkeyLogin', 200, req('POST', '/auth/passkeys/authentication/verify', { payload: { response: assertion } })],
    ['passkeyLogin', 401, req('POST', '/auth/passkeys/authentication/verify', { payload: { response: assertion } })],
    ['stepUpOptions', 200, req('POST', '/auth/step-up/options', { token: fresh, payload: {} })],
    [
      'stepUp',
      200,
      req('POST', '/auth/step-up', {
        token: fresh,
        payload: { webauthn: soft.get(credential, stepOptions.webauthn_options) }
      })
    ],
    ['stepUp', 401, req('POST', '/auth/step-up', { token: fresh, payload: { code: '000000' } })],
    ['deletePasskey', 204, req('DELETE', pk, { token: fresh })],
    ['deletePasskey', 404, req('DELETE', pk, { token: fresh })]
  ]
  for (const op of await checkProbes(t, app, passkeyProbes)) seen.add(op)

  t.same(
    operationIds(app.swagger() as unknown as Doc).filter((o) => !seen.has(o)),
    [],
    'every operation was probed'
  )
})

t.test('429 on every operation carries Retry-After and the rate-limit headers', async (t) => {
  const app = await buildTestApp(t, { store: 'sqlite', config: { RATE_LIMIT_MAX: 1, RATE_LIMIT_AUTH_MAX: 1 } })
  let n = 0
  for (const [path, item] of Object.entries((app.swagger() as unknown as Doc).paths)) {
    for (const [method, o] of Object.entries(item)) {
      // a fresh address per operation: its first request uses the budget, the second is refused
      const request = {
        ...req(method.toUpperCase() as InjectOptions['method'], path.replace(/\{[^}]+\}/g, '1')),
        remoteAddress: `10.9.0.${++n}`
      }
      await app.inject(request)
      await checkProbes(t, app, [[o.operationId, 429, request]])
    }
  }
})

t.test('503 while the store is away carries Retry-After', async (t) => {
  const url = new URL(await createTestDatabase(t))
  const mysql = new URL(TEST_MYSQL_URL)
  const proxy = await tcpRelay(t, { host: mysql.hostname, port: Number(mysql.port || 3306) })
  const DATABASE_URL = `mysql://root@127.0.0.1:${proxy.port}${url.pathname}`
  const { app, clock } = await authApp(t, { config: { DATABASE_URL, SESSION_CHECK_CACHE_MS: 0 } })
  const admin = await userWithRole(app, clock, 'admin')
  const token = (await loginTokens(app, clock, admin)).access_token
  proxy.cut()
  await checkProbes(t, app, [
    ['getReadiness', 503, req('GET', '/health/ready')],
    ['listProducts', 503, req('GET', '/api/products', { token })],
    ['login', 503, req('POST', '/auth/login', { payload: { username: admin.username, password: PASSWORD } })]
  ])
})
