import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { authApp, login, userWithRole } from '../auth/flow.js'

type Operation = { security?: Array<Record<string, unknown>>; 'x-permissions'?: string[] }

/** Every operation behind an access or enrollment token that may carry a body, path parameters filled in. */
function protectedWrites (app: FastifyInstance) {
  const doc = app.swagger() as unknown as { paths: Record<string, Record<string, Operation>> }
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(
        ([method, op]) =>
          ['post', 'put', 'patch', 'delete'].includes(method) &&
          op.security?.some((s) => 'bearerAuth' in s || 'enrollmentToken' in s)
      )
      .map(([method, op]) => ({
        method: method.toUpperCase() as 'POST',
        url: path.replace(/\{[^}]+\}/g, '1'),
        permission: op['x-permissions']?.[0]
      }))
  )
}

const LIMIT = 4096
/** Bodies the parser would refuse with 400, 413 or 415 had it read them. */
const UNREAD = [
  { name: 'malformed JSON', type: 'application/json', body: '{"name": ' },
  { name: 'a repeated member', type: 'application/json', body: '{"a":1,"a":2}' },
  { name: 'too deep', type: 'application/json', body: '['.repeat(100) + ']'.repeat(100) },
  { name: 'a forbidden key', type: 'application/json', body: '{"__proto__":{"admin":true}}' },
  { name: 'over the body limit', type: 'application/json', body: JSON.stringify({ d: 'x'.repeat(LIMIT * 4) }) },
  { name: 'a text/plain body', type: 'text/plain', body: 'hello' }
]

t.test('item 6: an anonymous or forged request with a body gets its 401 before the body is read', async (t) => {
  const { app } = await authApp(t, { store: 'sqlite', config: { BODY_LIMIT: LIMIT } })
  const ops = protectedWrites(app)
  t.ok(ops.length >= 10, `${ops.length} protected operations take a body`)
  for (const op of ops) {
    for (const { name, type, body } of UNREAD) {
      for (const authorization of [undefined, 'Bearer forged.token.here']) {
        const res = await app.inject({
          method: op.method,
          url: op.url,
          payload: body,
          headers: { 'content-type': type, ...(authorization && { authorization }) }
        })
        t.equal(res.statusCode, 401, `${op.method} ${op.url}, ${authorization ? 'forged' : 'no'} token, ${name}`)
      }
    }
  }
})

t.test('item 6: a caller without the permission gets its 403 before the body is read', async (t) => {
  const { app, clock } = await authApp(t, { store: 'sqlite', config: { BODY_LIMIT: LIMIT } })
  const token = await login(app, clock, await userWithRole(app, clock, 'viewer'))
  const ops = protectedWrites(app).filter((op) => op.permission !== undefined)
  t.ok(ops.length >= 6, `${ops.length} operations need a permission a viewer lacks`)
  for (const op of ops) {
    for (const { name, type, body } of UNREAD) {
      const res = await app.inject({
        method: op.method,
        url: op.url,
        payload: body,
        headers: { 'content-type': type, authorization: `Bearer ${token}` }
      })
      t.equal(res.statusCode, 403, `${op.method} ${op.url}, ${name}`)
    }
  }
})

t.test('item 6: failed authentications with bodies are still counted by the per-IP limiter', async (t) => {
  const { app } = await authApp(t, { store: 'sqlite', config: { RATE_LIMIT_MAX: 4, RATE_LIMIT_AUTH_MAX: 3 } })
  const body = JSON.stringify({ name: 'x', description: 'y'.repeat(200), price: '1.00', quantity: 1 })
  const api = []
  for (let i = 0; i < 5; i++) {
    api.push(
      (
        await app.inject({
          method: 'POST',
          url: '/api/products',
          payload: body,
          headers: { 'content-type': 'application/json' }
        })
      ).statusCode
    )
  }
  t.same(api, [401, 401, 401, 401, 429], 'general bucket')
  const auth = []
  for (let i = 0; i < 4; i++) {
    auth.push(
      (
        await app.inject({
          method: 'POST',
          url: '/auth/password',
          payload: '{"bad',
          headers: { 'content-type': 'application/json' }
        })
      ).statusCode
    )
  }
  t.same(auth, [401, 401, 401, 429], '/auth/* bucket')
})
