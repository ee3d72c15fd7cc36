import t from 'tap'
import { authApp, enrolledUser, login, userWithRole } from '../auth/flow.js'

const REFUSED = [
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/jsonx',
  'application/json-seq',
  'application/json; charset=iso-8859-1',
  'application/json; charset=utf-16',
  'json'
]
const ACCEPTED = [
  'application/json',
  'Application/JSON',
  'application/json; charset=utf-8',
  'application/json;charset="UTF-8"',
  'application/merge-patch+json',
  'application/problem+json; charset=utf-8',
  'application/vnd.api+json'
]

t.test(
  'item 4: only JSON media types reach the JSON parser; anything else is 415 problem+json, on every JSON route',
  async (t) => {
    const { app, clock } = await authApp(t, { store: 'sqlite' })
    const u = await enrolledUser(app, clock)
    const token = await login(app, clock, await userWithRole(app, clock, 'admin'))
    const routes: Array<[string, string, object, string?]> = [
      ['POST', '/auth/login', { username: u.username, password: u.password }],
      ['POST', '/auth/register', { username: 'mediatype1', password: 'correct horse battery' }],
      ['POST', '/auth/refresh', { refresh_token: 'x' }],
      ['POST', '/api/products', { name: 'p', price: '1.00', quantity: 1 }, token],
      ['PUT', '/api/users/1/roles', { roles: ['admin'] }, token]
    ]
    for (const [method, url, body, bearer] of routes) {
      for (const type of REFUSED) {
        const res = await app.inject({
          method: method as 'POST',
          url,
          payload: JSON.stringify(body),
          headers: { 'content-type': type, ...(bearer && { authorization: `Bearer ${bearer}` }) }
        })
        t.equal(res.statusCode, 415, `${method} ${url} as ${type}`)
        t.match(res.headers['content-type'], /application\/problem\+json/)
        t.equal(res.json().code, 'unsupported_media_type')
      }
      const untyped = await app.inject({
        method: method as 'POST',
        url,
        payload: Buffer.from(JSON.stringify(body)),
        headers: bearer ? { authorization: `Bearer ${bearer}` } : {}
      })
      t.equal(untyped.statusCode, 415, `${method} ${url} with a body and no Content-Type`)
    }
    for (const type of ACCEPTED) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/products',
        payload: '{"name":"p","price":"1.00","quantity":1}',
        headers: { 'content-type': type, authorization: `Bearer ${token}` }
      })
      t.equal(res.statusCode, 201, `${type} is JSON`)
    }
  }
)

t.test('item 4: every operation that takes a body documents the 415', async (t) => {
  const { app } = await authApp(t, { store: 'sqlite' })
  const doc = app.swagger() as unknown as {
    paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, { description: string }> }>>
  }
  const withBody = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([, op]) => op.requestBody)
      .map(([m, op]) => [`${m} ${path}`, op] as const)
  )
  t.ok(withBody.length >= 10, `${withBody.length} operations take a body`)
  for (const [name, op] of withBody) t.match(op.responses['415']?.description, /unsupported_media_type/, name)
})
