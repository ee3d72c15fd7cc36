import t from 'tap'
import fc from 'fast-check'
import fastJsonStringify from 'fast-json-stringify'
import { allSchemas } from '../../schemas/index.js'
import { plainJsonCheck } from '../../src/http/plain-json.js'
import { valid } from '../security/schema-arbitrary.js'

const refs: Record<string, any> = Object.fromEntries(allSchemas.map((s) => [s.$id!, s]))
const serializerOf = (id: string) => fastJsonStringify({ $ref: id } as never, { schema: refs } as never)
const checkOf = (id: string) => plainJsonCheck({ $ref: id }, refs)
/** What the schema's serializer writes, or that it refuses the value. */
const written = (serialize: (v: unknown) => string, v: unknown) => {
  try {
    return serialize(v)
  } catch (err) {
    return `refused: ${(err as Error).message}`
  }
}

/** Whatever it says yes to, JSON.stringify writes as the schema's serializer does. */
function sound (t: Tap.Test, id: string, values: fc.Arbitrary<unknown>, runs = 300) {
  const check = checkOf(id)
  const serialize = serializerOf(id)
  let accepted = 0
  fc.assert(
    fc.property(values, (v) => {
      if (!check?.(v)) return true
      accepted++
      return JSON.stringify(v) === written(serialize, v)
    }),
    { numRuns: runs }
  )
  return accepted
}

const product = (o: Record<string, unknown> = {}) => ({
  id: 7,
  name: 'Gaming Laptop',
  description: 'Powerful laptop for gaming',
  price: '2000.00',
  quantity: 5,
  version: 1,
  created_at: '2026-12-02T10:00:00.000Z',
  updated_at: '2026-12-02T10:00:00.000Z',
  ...o
})
const page = (items: unknown[], next: unknown = null) => ({ items, next_cursor: next })

/** Every object and array inside a value, the value first. */
function * parts (v: unknown): Generator<Record<string, unknown>> {
  if (typeof v !== 'object' || v === null) return
  yield v as Record<string, unknown>
  for (const inner of Object.values(v)) yield * parts(inner)
}

/** One change to one object or array inside a value: what a handler might hand the serializer by mistake. */
const CHANGES: Array<(o: Record<string, unknown>) => Record<string, unknown>> = [
  (o) => ({ ...o, password_hash: 'x' }),
  (o) => ({ secret: 'x', ...o }),
  (o) => Object.fromEntries(Object.entries(o).reverse()),
  (o) => Object.fromEntries(Object.entries(o).slice(1)),
  (o) => Object.fromEntries(Object.entries(o).map(([k, v], i) => [k, i === 0 ? new Date(0) : v])),
  (o) => Object.fromEntries(Object.entries(o).map(([k, v], i) => [k, i === 0 ? String(v) : v])),
  (o) => Object.fromEntries(Object.entries(o).map(([k, v], i) => [k, i === 0 ? Number(v) : v])),
  (o) => Object.fromEntries(Object.entries(o).map(([k, v], i) => [k, i === 0 ? undefined : v])),
  (o) => Object.assign(Object.create({ inherited: 1 }), o)
]
const changed = (schema: Record<string, unknown>) =>
  fc.tuple(valid(refs, schema), fc.nat(), fc.nat({ max: CHANGES.length - 1 })).map(([v, n, c]) => {
    const copy = structuredClone(v)
    const all = [...parts(copy)]
    if (all.length === 0) return copy
    const target = all[n % all.length]!
    const replaced = CHANGES[c]!(Array.isArray(target) ? { ...target } : target)
    if (target === copy) return replaced
    for (const p of all) for (const [k, inner] of Object.entries(p)) if (inner === target) p[k] = replaced
    return copy
  })

t.test('every named schema: what the check accepts, JSON.stringify writes as the schema serializer does', async (t) => {
  for (const schema of allSchemas) {
    const id = schema.$id!
    const accepted = sound(t, id, fc.oneof(valid(refs, schema), changed(schema)), 200)
    t.pass(`${id}: ${checkOf(id) ? `${accepted} of 200 by JSON.stringify` : 'no check, its serializer always writes'}`)
  }
})

t.test('the hot responses have a check, and it accepts what the service gives them', async (t) => {
  for (const id of ['ProductPage', 'Product', 'SessionList']) {
    t.ok(checkOf(id), `${id} has a check`)
    t.ok(sound(t, id, valid(refs, refs[id]), 200) > 100, `${id}: most values that meet the schema are accepted`)
  }
  const check = checkOf('ProductPage')!
  t.ok(check(page([product(), product({ id: 8 })], 'WyJpZCIsImFzYyIsOCw4XQ')))
  t.ok(check(page([])))
})

t.test('names and descriptions of any characters: the same bytes either way', async (t) => {
  const text = fc.string({ unit: 'binary', maxLength: 120 })
  const products = fc.array(
    fc.record({ name: text, description: text, id: fc.integer({ min: 1, max: 2 ** 53 - 1 }) }).map((o) => product(o)),
    { maxLength: 25 }
  )
  const pages = fc.tuple(products, fc.option(text)).map(([items, next]) => page(items, next))
  const accepted = sound(t, 'ProductPage', pages)
  t.ok(accepted > 100, `${accepted} pages by JSON.stringify`)
  for (const s of ['"', '\\', '\n\t\u0000\u001f', '\ud800', 'a\udfffb', '😀', '\u2028\u2029', 'x'.repeat(5001)]) {
    const v = page([product({ name: s, description: s })], null)
    const codes = [...s.slice(0, 4)].map((c) => c.codePointAt(0)!.toString(16)).join(' ')
    t.ok(checkOf('ProductPage')!(v), `U+${codes}: by JSON.stringify`)
    t.equal(JSON.stringify(v), serializerOf('ProductPage')(v), `U+${codes}: the same bytes`)
  }
})

t.test('anything JSON.stringify would write differently goes to the schema serializer', async (t) => {
  const check = checkOf('ProductPage')!
  class Row {
    constructor (readonly id = 1) {}
  }
  const withToJson = product()
  Object.defineProperty(withToJson, 'toJSON', { value: () => ({ leaked: true }), enumerable: false })
  const { id, ...rest } = product()
  const refused: Array<[string, unknown]> = [
    ['a field outside the schema', page([product({ password_hash: 'x' })])],
    ['a field outside the schema on the page', { ...page([]), total: 3 }],
    ['fields out of the schema order', page([{ name: 'n', ...product() }])],
    ['fields out of the order the serializer writes (required first)', { next_cursor: null, items: [] }],
    ['the same field again, out of order', page([{ ...rest, id }])],
    ['a Date where the schema has a date-time string', page([product({ created_at: new Date(0) })])],
    ['a number where the schema has a string', page([product({ price: 12.5 })])],
    ['a fraction where the schema has an integer', page([product({ quantity: 1.5 })])],
    ['NaN', page([product({ quantity: NaN })])],
    ['a string where the schema has an integer', page([product({ id: '7' })])],
    ['a class instance', page([new Row()])],
    ['an object with a toJSON', page([withToJson])],
    ['a missing required field', page([rest])],
    ['a cursor longer than the schema allows', page([], 'x'.repeat(501))],
    ['an empty cursor', page([], '')],
    ['a cursor that is a number', page([], 5)],
    ['an array with a hole', page([product(), undefined])],
    ['items that are not an array', page({ 0: product() } as never)],
    ['null', null],
    ['a string', 'page']
  ]
  for (const [what, v] of refused) t.notOk(check(v), what)
})

t.test('an undefined optional field and a null-prototype object: the same bytes either way', async (t) => {
  const bare = Object.assign(Object.create(null), product())
  t.ok(checkOf('Product')!(bare))
  t.equal(JSON.stringify(bare), serializerOf('Product')(bare))
  const problem = { type: 'about:blank', title: 'Not found', status: 404, code: 'not_found', detail: undefined }
  t.ok(checkOf('Problem')!(problem))
  t.equal(JSON.stringify(problem), serializerOf('Problem')(problem))
  t.notOk(checkOf('Product')!(product({ description: undefined })), 'an undefined required field: refused')
})

t.test('schemas with keywords the check does not know get none', async (t) => {
  const none = [
    { type: 'string', format: 'unsafe' },
    { type: 'string', format: 'date' },
    { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: true },
    { type: 'object', patternProperties: { '^a': { type: 'string' } } },
    { type: 'object', properties: { a: { type: 'string', default: 'x' } } },
    { anyOf: [{ type: 'object', properties: {} }, { type: 'null' }] },
    { anyOf: [{ type: 'string', format: 'email' }, { type: 'null' }] },
    { allOf: [{ type: 'string' }] },
    { type: ['string', 'null'] },
    { type: 'array', items: [{ type: 'string' }] },
    { type: 'string', const: 'a' },
    {},
    { $ref: 'Nowhere' },
    { $ref: 'Product', type: 'object' }
  ]
  for (const s of none) t.equal(plainJsonCheck(s, refs), undefined, JSON.stringify(s))
})

t.test('an anyOf branch counts its constraints as its validator does (code points, unicode patterns)', async (t) => {
  const schema = { anyOf: [{ type: 'string', minLength: 2, maxLength: 3, pattern: '^\\p{L}+$' }, { type: 'null' }] }
  const check = plainJsonCheck(schema, {})!
  const serialize = fastJsonStringify(schema as never)
  for (const v of [null, 'ab', 'abc', '😀😀', '😀😀😀', 'é', 'abcd', '😀😀😀😀', 'a1', '', 'a', 5]) {
    const expected = written(serialize, v)
    t.equal(check(v), !expected.startsWith('refused'), `${JSON.stringify(v)}: ${expected}`)
    if (check(v)) t.equal(JSON.stringify(v), expected)
  }
})
