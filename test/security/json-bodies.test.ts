import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { authApp, enrolledUser, login, userWithRole } from '../auth/flow.js'
import { stores } from '../helper.js'

const send = (
  app: FastifyInstance,
  method: string,
  url: string,
  payload: string,
  token?: string,
  type = 'application/json'
) =>
  app.inject({
    method: method as 'POST',
    url,
    payload,
    headers: { 'content-type': type, ...(token && { authorization: `Bearer ${token}` }) }
  })

/** Spellings of the member name `price`: the parser must see the same key in each. */
const PRICE_KEYS = ['price', 'pr\\u0069ce', '\\u0070rice', '\\u0070\\u0072\\u0069\\u0063\\u0065']
/** Numbers that are no DECIMAL(10,2) price however they are read: each must be refused, never rounded. */
const NOT_PRICES = ['19.999', '1e-7', '1e2', '19.990000000000000001', '1E0', '-0', '0.1e1', '100000000']

for (const store of stores) {
  t.test(
    `item 2 on ${store}: money is exact whatever the spelling of its member name, on POST, PUT and PATCH`,
    async (t) => {
      const { app, clock } = await authApp(t, { store })
      const token = await login(app, clock, await userWithRole(app, clock, 'editor'))
      for (const key of PRICE_KEYS) {
        const created = await send(app, 'POST', '/api/products', `{"name":"p","${key}":19.99,"quantity":1}`, token)
        t.equal(created.statusCode, 201, `${key}: 19.99 accepted`)
        t.equal(created.json().price, '19.99')
        const id = created.json().id as number
        for (const price of NOT_PRICES) {
          const post = await send(app, 'POST', '/api/products', `{"name":"p","${key}":${price},"quantity":1}`, token)
          t.equal(post.statusCode, 400, `POST ${key}: ${price} refused`)
          t.equal(post.json().code, 'validation_failed')
          const put = await send(
            app,
            'PUT',
            `/api/products/${id}`,
            `{"name":"p","${key}":${price},"quantity":1}`,
            token
          )
          t.equal(put.statusCode, 400, `PUT ${key}: ${price} refused`)
          const patch = await send(
            app,
            'PATCH',
            `/api/products/${id}`,
            `{"${key}":${price}}`,
            token,
            'application/merge-patch+json'
          )
          t.equal(patch.statusCode, 400, `PATCH ${key}: ${price} refused`)
        }
        const patched = await send(app, 'PATCH', `/api/products/${id}`, `{"${key}":99999999.99}`, token)
        t.equal(patched.json().price, '99999999.99', `${key}: the largest price is kept digit for digit`)
      }
    }
  )
}

t.test('item 2: other numbers read as JSON numbers, and not finite ones are refused', async (t) => {
  const { app, clock } = await authApp(t, { store: 'sqlite' })
  const token = await login(app, clock, await userWithRole(app, clock, 'editor'))
  t.equal(
    (await send(app, 'POST', '/api/products', '{"name":"p","price":"1.00","quantity":5e0}', token)).json().quantity,
    5
  )
  t.equal(
    (await send(app, 'POST', '/api/products', '{"name":"p","price":"1.00","quantity":1e400}', token)).statusCode,
    400,
    '1e400'
  )
  t.equal(
    (await send(app, 'POST', '/api/products', '{"name":"p","price":"1.00","quantity":1.5}', token)).statusCode,
    400,
    '1.5'
  )
})

t.test(
  'item 3: a member name repeated in one object is a 400 on every JSON route, at any depth and spelling',
  async (t) => {
    const { app, clock } = await authApp(t, { store: 'sqlite' })
    const u = await enrolledUser(app, clock)
    const token = await login(app, clock, await userWithRole(app, clock, 'admin'))
    const cases: Array<[string, string, string, string?]> = [
      ['POST', '/auth/login', `{"username":"first","username":"${u.username}","password":"${u.password}"}`],
      ['POST', '/auth/login', `{"username":"${u.username}","password":"x","p\\u0061ssword":"${u.password}"}`],
      [
        'POST',
        '/auth/register',
        '{"username":"dupuser1","password":"correct horse battery","password":"other horse battery"}'
      ],
      ['POST', '/auth/refresh', '{"refresh_token":"a","refresh_token":"b"}'],
      ['POST', '/api/products', '{"name":"first","name":"second","price":"1.00","quantity":1}', token],
      ['POST', '/api/products', '{"name":"p","price":"1.00","quantity":1,"quantity":2}', token],
      ['POST', '/api/products', '{"name":"p","price":1.00,"price":1.0,"quantity":1}', token],
      ['PUT', '/api/users/1/roles', '{"roles":["viewer"],"roles":["admin"]}', token],
      ['POST', '/api/products', '{"name":"p","x":{"a":1,"a":2},"price":"1.00","quantity":1}', token]
    ]
    for (const [method, url, payload, bearer] of cases) {
      const res = await send(app, method, url, payload, bearer)
      t.equal(res.statusCode, 400, `${method} ${url} ${payload.slice(0, 40)}`)
      t.match(res.json(), { code: 'malformed_json', detail: /repeats a member name/ })
      t.match(res.headers['content-type'], /application\/problem\+json/)
      t.notOk(res.body.includes(u.password), 'the body is not echoed')
    }
  }
)

t.test('items 2 and 3: the parser keeps the bounds (depth, prototype keys, size, empty)', async (t) => {
  const { app, clock } = await authApp(t, { store: 'sqlite', config: { BODY_LIMIT: 65536 } })
  const token = await login(app, clock, await userWithRole(app, clock, 'editor'))
  const bad: Array<[string, number, RegExp]> = [
    ['{"a":'.repeat(33) + '1' + '}'.repeat(33), 400, /deeper than 32/],
    ['['.repeat(40000) + ']'.repeat(20000), 400, /deeper than 32|not valid JSON/],
    ['{"name":"p","price":"1.00","quantity":1,"__proto__":{"admin":true}}', 400, /forbidden key/],
    ['{"name":"p","price":"1.00","quantity":1,"_\\u005fproto__":{"admin":true}}', 400, /forbidden key/],
    ['{"name":"p","price":"1.00","quantity":1,"constructor":{"prototype":{"admin":true}}}', 400, /forbidden key/],
    ['{"name":"' + 'x'.repeat(70000) + '"}', 413, /./],
    ['', 400, /empty/],
    ['{"name":"p",}', 400, /not valid JSON \(near position \d+\)/]
  ]
  for (const [payload, status, detail] of bad) {
    const res = await send(app, 'POST', '/api/products', payload, token)
    t.equal(res.statusCode, status, payload.slice(0, 30))
    t.match(res.json(), { detail })
  }
})
