import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { authApp, enrolledUser, login } from '../auth/flow.js'

const SEED = { name: 'Gaming Laptop', description: 'Powerful laptop for gaming', price: 2000.0, quantity: 5 }

function client (app: FastifyInstance, token: string) {
  const call = (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
    headers: Record<string, string> = {}
  ) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}`, ...headers },
      ...(payload !== undefined && { payload: payload as object })
    })
  return {
    call,
    raw: (method: 'POST' | 'PUT' | 'PATCH', url: string, body: string) =>
      app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: body
      }),
    create: async (p: object) => {
      const res = await call('POST', '/api/products', p)
      if (res.statusCode !== 201) throw new Error(res.body)
      return res.json()
    }
  }
}

t.test('products', async (t) => {
  const { app, clock } = await authApp(t)
  const u = await enrolledUser(app, clock)
  const api = client(app, await login(app, clock, u))

  t.test("the seed's steps 5 and 6: create a product with its body as-is, then list", async (t) => {
    const created = await api.call('POST', '/api/products', SEED)
    t.equal(created.statusCode, 201)
    const p = created.json()
    t.match(p, {
      id: Number,
      name: 'Gaming Laptop',
      description: 'Powerful laptop for gaming',
      price: '2000.00',
      quantity: 5,
      version: 1,
      created_at: String,
      updated_at: String
    })
    t.equal(created.headers.etag, '"1"')
    t.equal(created.headers.location, `/api/products/${p.id}`)
    const list = await api.call('GET', '/api/products')
    t.equal(list.statusCode, 200)
    t.ok(list.json().items.some((i: { id: number }) => i.id === p.id))
  })

  t.test('money is exact, in and out', async (t) => {
    for (const [sent, shown] of [
      ['0.07', '0.07'],
      ['19.99', '19.99'],
      ['99999999.99', '99999999.99'],
      ['0', '0.00'],
      ['5.5', '5.50'],
      ['1000', '1000.00']
    ]) {
      const asNumber = await api.raw('POST', '/api/products', `{"name":"n","price":${sent},"quantity":1}`)
      t.equal(asNumber.json().price, shown, `JSON number ${sent}`)
      const asString = await api.call('POST', '/api/products', { name: 'n', price: sent, quantity: 1 })
      t.equal(asString.json().price, shown, `string "${sent}"`)
      t.equal((await api.call('GET', `/api/products/${asNumber.json().id}`)).json().price, shown, 'read back')
    }
    for (const bad of ['1.005', '0.001', '-1', '100000000', '1e3', '"1.005"', '"abc"', '"12."', 'null']) {
      const res = await api.raw('POST', '/api/products', `{"name":"n","price":${bad},"quantity":1}`)
      t.equal(res.statusCode, 400, `price ${bad}`)
      t.equal(res.json().code, 'validation_failed')
    }
  })

  t.test('a wrong price is one error that says what a price is, on every route that takes one', async (t) => {
    const { id } = await api.create({ name: 'priced', price: 1, quantity: 1 })
    const routes = [
      ['POST', '/api/products', { name: 'n', quantity: 1 }],
      ['PUT', `/api/products/${id}`, { name: 'n', quantity: 1 }],
      ['PATCH', `/api/products/${id}`, {}]
    ] as const
    for (const [method, url, rest] of routes) {
      for (const price of ['twenty', '1.005', -1, 1.005, true, null, {}, ['1']]) {
        const res = await api.call(method, url, { ...rest, price })
        t.equal(res.statusCode, 400, `${method} price ${JSON.stringify(price)}`)
        t.same(
          res.json().errors,
          [
            {
              pointer: '/body/price',
              message:
                'must be a price: a number or string from 0 to 99999999.99 with ' +
                'at most 2 decimals, such as 19.99 or "19.99"'
            }
          ],
          `${method} price ${JSON.stringify(price)}: one error`
        )
      }
    }
  })

  t.test('validation: every field, every violation, unknown fields, no coercion of body types', async (t) => {
    const res = await api.call('POST', '/api/products', {
      name: '',
      description: 'x'.repeat(256),
      price: '1',
      quantity: -1,
      colour: 'red'
    })
    t.equal(res.statusCode, 400)
    t.same([...new Set(res.json().errors.map((e: { pointer: string }) => e.pointer))].sort(), [
      '/body/colour',
      '/body/description',
      '/body/name',
      '/body/quantity'
    ])
    t.equal(
      (await api.call('POST', '/api/products', { name: '   ', price: 1, quantity: 1 })).statusCode,
      400,
      'a blank name'
    )
    t.equal((await api.call('POST', '/api/products', { name: 'x'.repeat(101), price: 1, quantity: 1 })).statusCode, 400)
    t.equal(
      (await api.call('POST', '/api/products', { name: 'q', price: 1, quantity: 2147483648 })).statusCode,
      400,
      'quantity above INT range'
    )
    t.equal((await api.call('POST', '/api/products', { name: 'q', price: 1, quantity: 1.5 })).statusCode, 400)
    t.equal(
      (await api.call('POST', '/api/products', { name: 'q', price: 1, quantity: '5' })).statusCode,
      400,
      'a string is not a quantity'
    )
    t.equal(
      (await api.call('POST', '/api/products', { name: 'q', price: 1 })).json().errors[0].pointer,
      '/body/quantity'
    )
    const trimmed = await api.create({ name: '  Spaced  ', price: 1, quantity: 1 })
    t.equal(trimmed.name, 'Spaced')
    t.equal(trimmed.description, '')
    t.equal((await api.call('PATCH', `/api/products/${trimmed.id}`, {})).statusCode, 400, 'an empty patch')
  })

  t.test('read, update, replace, delete; missing 404 and invalid id 400', async (t) => {
    const p = await api.create(SEED)
    const patched = await api.call('PATCH', `/api/products/${p.id}`, { price: '1899.99' })
    t.equal(patched.statusCode, 200)
    t.match(patched.json(), { price: '1899.99', name: SEED.name, quantity: 5, version: 2 })
    t.equal(patched.headers.etag, '"2"')
    const replaced = await api.call('PUT', `/api/products/${p.id}`, { name: 'Laptop', price: 10, quantity: 0 })
    t.match(replaced.json(), { name: 'Laptop', description: '', price: '10.00', quantity: 0, version: 3 })
    t.equal(
      (await api.call('PUT', `/api/products/${p.id}`, { name: 'Laptop' })).statusCode,
      400,
      'PUT needs every required field'
    )
    t.equal((await api.call('DELETE', `/api/products/${p.id}`)).statusCode, 204)
    for (const [method, body] of [['GET'], ['PATCH', { quantity: 1 }], ['PUT', SEED], ['DELETE']] as const) {
      const gone = await api.call(method, `/api/products/${p.id}`, body)
      t.equal(gone.statusCode, 404, `${method} after delete`)
      t.equal(gone.json().code, 'product_not_found')
    }
    for (const id of ['abc', '0', '-1', '1.5', '99999999999999999999']) {
      const res = await api.call('GET', `/api/products/${id}`)
      t.equal(res.statusCode, 400, `id ${id}`)
      t.match(res.headers['content-type'], /problem\+json/)
    }
  })

  t.test('ETag, If-Match (412) and If-None-Match (304)', async (t) => {
    const p = await api.create(SEED)
    const get = await api.call('GET', `/api/products/${p.id}`)
    t.equal(get.headers.etag, '"1"')
    const cached = await api.call('GET', `/api/products/${p.id}`, undefined, { 'if-none-match': '"1"' })
    t.equal(cached.statusCode, 304)
    t.equal(cached.body, '')
    t.equal((await api.call('GET', `/api/products/${p.id}`, undefined, { 'if-none-match': '"7"' })).statusCode, 200)

    const stale = await api.call('PATCH', `/api/products/${p.id}`, { quantity: 1 }, { 'if-match': '"9"' })
    t.equal(stale.statusCode, 412)
    t.match(stale.json(), { code: 'precondition_failed', detail: /"1"/ })
    t.equal((await api.call('PATCH', `/api/products/${p.id}`, { quantity: 1 }, { 'if-match': '"1"' })).statusCode, 200)
    t.equal(
      (await api.call('PUT', `/api/products/${p.id}`, SEED, { 'if-match': '"1"' })).statusCode,
      412,
      'the old ETag no longer matches'
    )
    t.equal(
      (await api.call('PUT', `/api/products/${p.id}`, SEED, { 'if-match': '"5", "2"' })).statusCode,
      200,
      'any of a list'
    )
    t.equal(
      (await api.call('PATCH', `/api/products/${p.id}`, { quantity: 2 }, { 'if-match': '*' })).statusCode,
      200,
      '* matches an existing product'
    )
    t.equal((await api.call('DELETE', `/api/products/${p.id}`, undefined, { 'if-match': '"1"' })).statusCode, 412)
    t.equal((await api.call('DELETE', `/api/products/${p.id}`, undefined, { 'if-match': '"4"' })).statusCode, 204)
  })

  t.test('N concurrent updates with the same If-Match: exactly one wins', async (t) => {
    const p = await api.create(SEED)
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        api.call('PATCH', `/api/products/${p.id}`, { quantity: 100 + i }, { 'if-match': '"1"' })
      )
    )
    t.same(results.map((r) => r.statusCode).sort(), [200, 412, 412, 412, 412, 412, 412, 412])
    const winner = results.find((r) => r.statusCode === 200)!.json()
    t.match(
      (await api.call('GET', `/api/products/${p.id}`)).json(),
      { quantity: winner.quantity, version: 2 },
      'no lost update'
    )
  })

  t.test('A7: SQL metacharacters in every string field are stored as given', async (t) => {
    const nasty = 'x\'; DROP TABLE products; -- " \\ % _ !'
    const p = await api.create({ name: nasty, description: nasty, price: 1, quantity: 1 })
    t.match((await api.call('GET', `/api/products/${p.id}`)).json(), { name: nasty.trim(), description: nasty })
    const found = await api.call('GET', `/api/products?q=${encodeURIComponent("x'; DROP")}`)
    t.equal(found.statusCode, 200)
    t.ok(found.json().items.some((i: { id: number }) => i.id === p.id))
    t.equal(
      (await api.call('GET', `/api/products?q=${encodeURIComponent('%')}`)).json().items.length,
      0,
      '% is literal, not a wildcard'
    )
  })
})
