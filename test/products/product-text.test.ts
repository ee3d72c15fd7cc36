import t from 'tap'
import { authApp, login, userWithRole } from '../auth/flow.js'
import { stores } from '../helper.js'

const BAD_NAMES = [
  'evil\u202Etxt.exe',
  'a\u202Ab',
  'a\u2066b\u2069',
  'a\u200Eb',
  'zero\u200Bwidth',
  'a\u200Db',
  'a\uFEFFb',
  'soft\u00ADhyphen',
  'tag\u{E0041}',
  'nul\u0000',
  'bell\u0007',
  'line\nbreak',
  'tab\tbed',
  'del\u007F',
  'c1\u0085',
  'a\u2028b',
  'a\u2029b',
  'lone \uD800',
  'lone \uDFFF',
  '\uDC00x',
  '\u3164',
  '\u115F',
  '\uFFA0',
  '\u3164 \u3164',
  '\u2800',
  '\u3000',
  ' \u00A0 ',
  '\u1160\u3164'
]
const GOOD_NAMES: Array<[string, string]> = [
  ['Café', 'Café'],
  ['Cafe\u0301', 'Café'],
  ['  Lamp  ', 'Lamp'],
  ['\u212B ngström', '\u00C5 ngström'],
  ['日本語', '日本語'],
  ['emoji 👍🏽', 'emoji 👍🏽'],
  ['שלום', 'שלום']
]
const BAD_DESCRIPTIONS = [
  'a\u202Eb',
  'a\u2067b',
  'a\u061Cb',
  'a\u200Fb',
  'nul\u0000',
  'esc\u001B[31m',
  'lone \uD800',
  'c1\u009B'
]
const GOOD_DESCRIPTIONS: Array<[string, string]> = [
  ['line one\nline two\ttab', 'line one\nline two\ttab'],
  ['family 👨\u200D👩\u200D👧', 'family 👨\u200D👩\u200D👧'],
  ['nim\u200Cfasele', 'nim\u200Cfasele'],
  ['Cafe\u0301', 'Café'],
  ['', '']
]

/** A test message that shows every code point past ASCII as \u{...} (a raw U+2028 would break the TAP stream). */
const show = (s: string) =>
  [...s].map((c) => (c < ' ' || c > '~' ? `\\u{${c.codePointAt(0)!.toString(16)}}` : c)).join('')

for (const store of stores) {
  t.test(`product names and descriptions: one answer on ${store}`, async (t) => {
    const { app, clock } = await authApp(t, { store })
    const token = await login(app, clock, await userWithRole(app, clock, 'editor'))
    const send = (method: 'POST' | 'PUT' | 'PATCH', url: string, body: object) =>
      app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: JSON.stringify(body)
      })
    const existing = (await send('POST', '/api/products', { name: 'base', price: '1.00', quantity: 1 })).json()

    for (const name of BAD_NAMES) {
      for (const [method, url, body] of [
        ['POST', '/api/products', { name, price: '1.00', quantity: 1 }],
        ['PUT', `/api/products/${existing.id}`, { name, price: '1.00', quantity: 1 }],
        ['PATCH', `/api/products/${existing.id}`, { name }]
      ] as const) {
        const res = await send(method, url, body)
        t.equal(res.statusCode, 400, `${method} name ${show(name)}`)
        t.match(res.json(), { code: 'validation_failed', errors: [{ pointer: '/body/name' }] })
      }
    }
    for (const description of BAD_DESCRIPTIONS) {
      const res = await send('POST', '/api/products', { name: 'n', description, price: '1.00', quantity: 1 })
      t.equal(res.statusCode, 400, `description ${show(description)}`)
      t.match(res.json(), { errors: [{ pointer: '/body/description' }] })
      t.equal((await send('PATCH', `/api/products/${existing.id}`, { description })).statusCode, 400)
    }
    t.equal(
      (await send('PATCH', `/api/products/${existing.id}`, { quantity: 2 })).json().version,
      2,
      'the refusals changed nothing'
    )

    for (const [sent, stored] of GOOD_NAMES) {
      const created = await send('POST', '/api/products', { name: sent, price: '1.00', quantity: 1 })
      t.equal(created.statusCode, 201, show(sent))
      const read = await app.inject({
        url: `/api/products/${created.json().id}`,
        headers: { authorization: `Bearer ${token}` }
      })
      t.equal(read.json().name, stored, `${show(sent)} is stored as ${show(stored)}`)
    }
    for (const [sent, stored] of GOOD_DESCRIPTIONS) {
      const created = await send('POST', '/api/products', { name: 'd', description: sent, price: '1.00', quantity: 1 })
      const read = await app.inject({
        url: `/api/products/${created.json().id}`,
        headers: { authorization: `Bearer ${token}` }
      })
      t.equal(read.json().description, stored, show(sent))
    }
    const search = await app.inject({
      url: `/api/products?q=${encodeURIComponent('Cafe\u0301')}`,
      headers: { authorization: `Bearer ${token}` }
    })
    t.same(
      search.json().items.map((p: { name: string }) => p.name),
      ['Café', 'Café'],
      'a search in another normal form finds them'
    )
  })
}
