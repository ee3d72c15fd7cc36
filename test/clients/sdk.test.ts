import t from 'tap'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { createSecureApiClient } from '../../clients/typescript/index.js'
import { codeAt, PERIOD_MS } from '../../src/auth/totp.js'
import { projectRoot } from '../../src/paths.js'
import { buildTestApp, tempDir, testClock } from '../helper.js'

t.test('clients/typescript/schema.d.ts matches what `npm run sdk` generates from openapi.yaml', async (t) => {
  const out = join(tempDir(t), 'schema.d.ts')
  execFileSync(join(projectRoot, 'node_modules/.bin/openapi-typescript'), ['openapi.yaml', '-o', out], {
    cwd: projectRoot,
    stdio: 'ignore'
  })
  t.equal(readFileSync(out, 'utf8'), readFileSync(join(projectRoot, 'clients/typescript/schema.d.ts'), 'utf8'))
})

t.test('the whole life of a user through the generated client, against a listening server', async (t) => {
  const clock = testClock()
  const app = await buildTestApp(t, { now: clock.now })
  await app.listen({ host: '127.0.0.1', port: 0 })
  let access: string | undefined
  const api = createSecureApiClient(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, () => access)
  const code = (secret: string) => {
    clock.advance(PERIOD_MS)
    return codeAt(secret, clock.now())
  }

  const reg = await api.POST('/auth/register', { body: { username: `sdk${process.pid}`, password: 'securepassword' } })
  t.equal(reg.response.status, 201)
  const { enrollment, user } = reg.data!
  const enrolled = { authorization: `Bearer ${enrollment.enrollment_token}` }

  const qr = await api.GET('/auth/generate_qr/{username}', {
    params: { path: { username: user.username } },
    headers: { ...enrolled, accept: 'application/json' }
  })
  t.equal(qr.response.status, 200)
  t.match(qr.data, { secret: enrollment.secret, qr_png: /^data:image\/png/ })

  const verify = await api.POST('/auth/2fa/verify', { body: { code: code(enrollment.secret) }, headers: enrolled })
  t.equal(verify.data?.recovery_codes.length, 10)

  const loginRes = await api.POST('/auth/login', {
    body: { username: user.username, password: 'securepassword', code: code(enrollment.secret) }
  })
  t.equal(loginRes.response.status, 200)
  const tokens = loginRes.data as { access_token: string; refresh_token: string }
  access = tokens.access_token

  const refreshed = await api.POST('/auth/refresh', { body: { refresh_token: tokens.refresh_token } })
  t.equal(refreshed.response.status, 200)
  access = refreshed.data!.access_token

  const created = await api.POST('/api/products', {
    body: { name: 'Gaming Laptop', description: 'Powerful laptop for gaming', price: 2000.0, quantity: 5 }
  })
  t.equal(created.response.status, 201)
  t.equal(created.data?.price, '2000.00')
  for (let i = 0; i < 3; i++) {
    await api.POST('/api/products', { body: { name: `extra ${i}`, price: '1.25', quantity: i } })
  }

  const first = await api.GET('/api/products', { params: { query: { limit: 2, sort: 'id', order: 'asc' } } })
  t.equal(first.data?.items.length, 2)
  const second = await api.GET('/api/products', {
    params: { query: { limit: 2, cursor: first.data!.next_cursor!, sort: 'id', order: 'asc' } }
  })
  t.equal(second.data?.items.length, 2)
  t.ok(second.data!.items[0]!.id > first.data!.items[1]!.id, 'the next page follows')

  const id = String(created.data!.id) // path ids are decimal strings: one spelling per id
  const etag = created.response.headers.get('etag')!
  const updated = await api.PATCH('/api/products/{id}', {
    params: { path: { id }, header: { 'if-match': etag } },
    body: { quantity: 4 }
  })
  t.equal(updated.response.status, 200)
  const stale = await api.PATCH('/api/products/{id}', {
    params: { path: { id }, header: { 'if-match': etag } },
    body: { quantity: 3 }
  })
  t.equal(stale.response.status, 412)
  t.equal(stale.error?.code, 'precondition_failed')
  t.equal((await api.DELETE('/api/products/{id}', { params: { path: { id } } })).response.status, 204)

  const sessions = await api.GET('/auth/sessions')
  t.equal(sessions.data?.items.length, 1)
  t.ok(sessions.data!.items[0]!.current)
  const other = await api.POST('/auth/login', {
    body: { username: user.username, password: 'securepassword', code: code(enrollment.secret) }
  })
  const otherId = (await api.GET('/auth/sessions')).data!.items.find((s) => !s.current)!.id
  t.equal((await api.DELETE('/auth/sessions/{id}', { params: { path: { id: otherId } } })).response.status, 204)
  t.equal(
    (
      await api.POST('/auth/refresh', {
        body: { refresh_token: (other.data as { refresh_token: string }).refresh_token }
      })
    ).response.status,
    401
  )

  t.equal((await api.POST('/auth/logout', {})).response.status, 204)
  const after = await api.GET('/api/products')
  t.equal(after.response.status, 401)
  t.equal(after.error?.code, 'invalid_token')
})

t.test('products CRUD through the generated client with an API key only', async (t) => {
  const clock = testClock()
  const app = await buildTestApp(t, { now: clock.now })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  // an interactive login creates the key (with the same client), then a client holding nothing but the key
  const meta = { ip: '127.0.0.1', userAgent: 'test', requestId: 'test' }
  const { user, enrollment } = await app.services.auth.createAccount(
    `sdkkey${process.pid}`,
    'securepassword',
    'editor',
    meta
  )
  const code = () => {
    clock.advance(PERIOD_MS)
    return codeAt(enrollment.secret, clock.now())
  }
  const session: { access?: string } = {}
  const human = createSecureApiClient(base, () => session.access)
  await human.POST('/auth/2fa/verify', {
    body: { code: code() },
    headers: { authorization: `Bearer ${enrollment.enrollment_token}` }
  })
  const loginRes = await human.POST('/auth/login', {
    body: { username: user.username, password: 'securepassword', code: code() }
  })
  session.access = (loginRes.data as { access_token: string }).access_token
  const created = await human.POST('/api/keys', {
    body: { name: 'sdk', permissions: ['products:read', 'products:write', 'products:delete'], expires_in_days: 7 }
  })
  t.equal(created.response.status, 201)
  const apiKey = created.data!.key

  const api = createSecureApiClient(base, () => apiKey)
  const made = await api.POST('/api/products', { body: { name: 'Keyed', price: '5.00', quantity: 2 } })
  t.equal(made.response.status, 201)
  const id = String(made.data!.id)
  const read = await api.GET('/api/products/{id}', { params: { path: { id } } })
  t.equal(read.data?.name, 'Keyed')
  const listed = await api.GET('/api/products', { params: { query: { limit: 10 } } })
  t.ok(listed.data?.items.some((p) => String(p.id) === id))
  const etag = read.response.headers.get('etag')!
  const patched = await api.PATCH('/api/products/{id}', {
    params: { path: { id }, header: { 'if-match': etag } },
    body: { quantity: 3 }
  })
  t.equal(patched.data?.quantity, 3)
  t.equal((await api.DELETE('/api/products/{id}', { params: { path: { id } } })).response.status, 204)
  const refused = await api.GET('/auth/sessions')
  t.equal(refused.response.status, 403)
  t.equal(refused.error?.code, 'api_key_not_allowed')
})

/** Never run: tsc proves the generated types refuse a wrong body (an unused @ts-expect-error fails the type check). */
export function typeChecksOnly (api: ReturnType<typeof createSecureApiClient>) {
  // @ts-expect-error a product needs a name
  api.POST('/api/products', { body: { price: '1.00', quantity: 1 } })
  // @ts-expect-error quantity is an integer, not a string
  api.POST('/api/products', { body: { name: 'x', price: '1.00', quantity: '1' } })
  // @ts-expect-error no such route
  api.GET('/api/nothing')
}
