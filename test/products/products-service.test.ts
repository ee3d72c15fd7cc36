import t from 'tap'
import { createProductService, etagOf, toProduct } from '../../src/products/products-service.js'
import { ApiError } from '../../src/errors.js'
import { testClock } from '../helper.js'
import { memoryStore } from '../services.js'

async function productsOn (t: Parameters<typeof memoryStore>[0]) {
  const clock = testClock()
  return { clock, products: createProductService({ db: await memoryStore(t), now: clock.now }) }
}

const code = (err: unknown) => (err instanceof ApiError ? err.code : String(err))
const defaults = { sort: 'id' as const, order: 'asc' as const }

t.test('prices are exact in cents both ways, and times come from the injected clock', async (t) => {
  const { clock, products } = await productsOn(t)
  const row = await products.create({ name: 'Tea', price: '0.10', quantity: 3 })
  const createdAt = new Date(clock.now()).toISOString()
  t.match(toProduct(row), { name: 'Tea', description: '', price: '0.10', quantity: 3, version: 1 })
  t.equal(toProduct(row).created_at, createdAt)
  const sum = await products.create({ name: 'Sum', price: '1234567.89', quantity: 0 })
  t.equal(toProduct(sum).price, '1234567.89')
  t.equal(sum.price_cents, 123456789, 'stored as an integer number of cents')
})

t.test('a conditional change names the current version; PUT resets what it leaves out, PATCH does not', async (t) => {
  const { clock, products } = await productsOn(t)
  const row = await products.create({ name: 'Kettle', description: 'steel', price: '30.00', quantity: 1 })
  clock.advance(1000)
  const patched = await products.update(row.id, { quantity: 2 }, etagOf(row), false)
  t.match(patched, { version: 2, quantity: 2, description: 'steel' })
  t.equal(patched.updated_at, clock.now())
  const stale = await products.update(row.id, { quantity: 3 }, etagOf(row), false).catch(code)
  t.equal(stale, 'precondition_failed', 'the old ETag is refused')
  t.equal(await products.remove(row.id, '"99"').catch(code), 'precondition_failed')
  const put = await products.update(row.id, { name: 'Kettle', price: 31, quantity: 2 }, undefined, true)
  t.match(put, { version: 3, description: '', price_cents: 3100 }, 'unconditional PUT; description back to empty')
  await products.remove(row.id, '*')
  t.equal(await products.get(row.id).catch(code), 'product_not_found')
  t.equal(await products.update(row.id, { quantity: 1 }, undefined, false).catch(code), 'product_not_found')
})

t.test('keyset pages by price, both orders: every product once, ties broken by id', async (t) => {
  const { products } = await productsOn(t)
  const prices = ['5.00', '1.00', '5.00', '3.50', '5.00', '0.99', '3.50']
  for (const [i, price] of prices.entries()) await products.create({ name: `item ${i}`, price, quantity: i % 2 })
  for (const order of ['asc', 'desc'] as const) {
    const seen: Array<{ id: number, price: string }> = []
    let cursor: string | undefined
    do {
      const page = await products.list({ limit: 3, sort: 'price', order, cursor })
      t.ok(page.items.length <= 3)
      seen.push(...page.items)
      cursor = page.next_cursor ?? undefined
    } while (cursor !== undefined)
    t.equal(new Set(seen.map((p) => p.id)).size, prices.length, `${order}: each product once`)
    const cents = seen.map((p) => Math.round(Number(p.price) * 100))
    t.same(cents, [...cents].sort((a, b) => (order === 'asc' ? a - b : b - a)), `${order}: in price order`)
  }
  const inStock = await products.list({ limit: 10, ...defaults, in_stock: true, min_price: '1.00', max_price: '5.00' })
  t.same(inStock.items.map((p) => p.name), ['item 1', 'item 3'],
    'filters combine: in stock (odd items), 1.00 to 5.00 (not item 5 at 0.99)')
})

t.test('a cursor is only good for the listing that gave it out', async (t) => {
  const { products } = await productsOn(t)
  for (let i = 0; i < 3; i++) await products.create({ name: `p${i}`, price: '1.00', quantity: 1 })
  const { next_cursor: nextCursor } = await products.list({ limit: 1, ...defaults })
  t.ok(nextCursor)
  const listed = (sort: 'id' | 'name', order: 'asc' | 'desc', cursor: string) =>
    products.list({ limit: 1, sort, order, cursor }).catch(code)
  t.equal(await listed('name', 'asc', nextCursor!), 'invalid_cursor', 'another sort')
  t.equal(await listed('id', 'desc', nextCursor!), 'invalid_cursor', 'another order')
  const encoded = (text: string) => Buffer.from(text).toString('base64url')
  for (const forged of ['not base64 json', encoded('["id","asc","1; DROP",1]'), encoded('{}')]) {
    t.equal(await listed('id', 'asc', forged), 'invalid_cursor', `forged: ${forged}`)
  }
})
