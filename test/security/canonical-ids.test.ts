import t from 'tap'
import { authApp, login, userWithRole } from '../auth/flow.js'
import { stores } from '../helper.js'
import { MAX_ID } from '../../schemas/ids.js'

/** Spellings that a number parser or ajv's coercion would read as a valid id, and ids past BIGINT. */
const NOT_IDS = [
  '0',
  '01',
  '001',
  '1.0',
  '1e0',
  '0x1',
  '+1',
  '-1',
  '%201',
  '1%20',
  '1%00',
  '%EF%BC%91',
  '1_0',
  '9223372036854775808',
  '10000000000000000000',
  '99999999999999999999'
]

for (const store of stores) {
  t.test(`ids have one spelling, ETags compare exactly (${store})`, async (t) => {
    const { app, clock } = await authApp(t, { store })
    const admin = await userWithRole(app, clock, 'admin')
    const token = await login(app, clock, admin)
    const call = (
      method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
      url: string,
      payload?: object,
      headers: Record<string, string> = {}
    ) =>
      app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}`, ...headers },
        ...(payload && { payload })
      })
    const product = { name: 'Lamp', price: '10.00', quantity: 1 }
    const created = (await call('POST', '/api/products', product)).json()
    t.equal(created.id, 1, 'the first product is 1, the row every spelling below would reach')

    t.test('every route with an id: 400 problem+json for any other spelling', async (t) => {
      const routes: Array<[Parameters<typeof call>[0], (id: string) => string, object?]> = [
        ['GET', (id) => `/api/products/${id}`],
        ['PUT', (id) => `/api/products/${id}`, product],
        ['PATCH', (id) => `/api/products/${id}`, { quantity: 2 }],
        ['DELETE', (id) => `/api/products/${id}`],
        ['GET', (id) => `/api/users/${id}`],
        ['PUT', (id) => `/api/users/${id}/roles`, { roles: ['viewer'] }],
        ['POST', (id) => `/api/users/${id}/disable`],
        ['POST', (id) => `/api/users/${id}/enable`],
        ['POST', (id) => `/api/users/${id}/unlock`],
        ['DELETE', (id) => `/api/users/${id}/sessions`],
        ['GET', (id) => `/api/audit?user_id=${id}`]
      ]
      for (const [method, url, body] of routes) {
        for (const id of NOT_IDS) {
          const res = await call(method, url(id), body)
          t.equal(res.statusCode, 400, `${method} ${url(id)}`)
          t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
          t.equal(res.json().code, 'validation_failed')
        }
      }
      t.equal((await call('GET', '/api/products/1')).json().id, 1, 'the one spelling works')
      t.equal((await call('GET', `/api/users/${admin.id}`)).json().id, admin.id)
      for (const id of [MAX_ID, '9007199254740993', '9007199254740992']) {
        t.equal(
          (await call('GET', `/api/products/${id}`)).json().code,
          'product_not_found',
          `${id}: a valid id, no such product`
        )
        t.equal(
          (await call('GET', `/api/users/${id}`)).json().code,
          'user_not_found',
          `${id}: a valid id, no such user`
        )
      }
    })

    t.test('If-Match: strong, exact comparison', async (t) => {
      const p = (await call('POST', '/api/products', product)).json()
      t.equal(p.version, 1)
      for (const tag of ['"01"', '"1.0"', '"1 "', '" 1"', 'W/"1"', '1', '"1', '"2", 1', '"1"x', '**', '"*"', '', ',']) {
        t.equal(
          (await call('PATCH', `/api/products/${p.id}`, { quantity: 3 }, { 'if-match': tag })).statusCode,
          412,
          `If-Match: ${tag}`
        )
        t.equal(
          (await call('DELETE', `/api/products/${p.id}`, undefined, { 'if-match': tag })).statusCode,
          412,
          `DELETE If-Match: ${tag}`
        )
      }
      for (const [tag, version] of [
        ['"1"', 1],
        [' "9" , "2" ', 2],
        ['"a,b", "3"', 3],
        ['*', 4],
        [' * ', 5]
      ] as const) {
        const res = await call('PUT', `/api/products/${p.id}`, product, { 'if-match': tag })
        t.equal(res.statusCode, 200, `If-Match: ${tag}`)
        t.equal(res.json().version, version + 1)
      }
    })

    t.test('If-None-Match: weak comparison, exact strings', async (t) => {
      const p = (await call('POST', '/api/products', product)).json()
      for (const tag of ['"1"', 'W/"1"', '"5", W/"1"', '*']) {
        t.equal(
          (await call('GET', `/api/products/${p.id}`, undefined, { 'if-none-match': tag })).statusCode,
          304,
          `If-None-Match: ${tag}`
        )
      }
      for (const tag of ['"01"', 'W/"01"', '"1.0"', '1', '"1" junk', 'w/"1"']) {
        t.equal(
          (await call('GET', `/api/products/${p.id}`, undefined, { 'if-none-match': tag })).statusCode,
          200,
          `If-None-Match: ${tag}`
        )
      }
    })
  })
}
