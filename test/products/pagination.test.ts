import t from 'tap'
import { authApp, enrolledUser, get, login, post } from '../auth/flow.js'

type Item = { id: number; name: string; price: string; quantity: number; created_at: string }

t.test('keyset pagination over every sort and filter', async (t) => {
  const { app, clock } = await authApp(t)
  const token = await login(app, clock, await enrolledUser(app, clock))
  const names = ['apple', 'Banana', 'cherry', 'apricot', 'Avocado', 'blueberry', 'date', 'elderberry', 'fig', 'grape']
  const originals: Item[] = []
  for (let i = 0; i < 30; i++) {
    if (i % 3 === 0) clock.advance(1000) // created_at ties within groups of three
    const res = await post(
      app,
      '/api/products',
      { name: `${names[i % 10]} ${Math.floor(i / 10)}`, price: String((i % 7) * 2.5), quantity: i % 4 },
      token
    )
    originals.push(res.json())
  }

  const key = (sort: string, p: Item) =>
    sort === 'price'
      ? Number(p.price)
      : sort === 'name'
        ? p.name.toLowerCase()
        : sort === 'created_at'
          ? p.created_at
          : p.id
  const cmp = (sort: string, a: Item, b: Item) => {
    const [x, y] = [key(sort, a), key(sort, b)]
    return x < y ? -1 : x > y ? 1 : a.id - b.id
  }

  for (const sort of ['id', 'name', 'price', 'created_at']) {
    for (const order of ['asc', 'desc']) {
      t.test(`${sort} ${order}: every row once, in order, while rows are inserted between pages`, async (t) => {
        const seen: Item[] = []
        let cursor: string | null = null
        let pages = 0
        do {
          const res = await get(
            app,
            `/api/products?limit=4&sort=${sort}&order=${order}${cursor ? `&cursor=${cursor}` : ''}`,
            token
          )
          t.equal(res.statusCode, 200)
          const page = res.json()
          seen.push(...page.items)
          cursor = page.next_cursor
          pages++
          await post(
            app,
            '/api/products',
            { name: `inserted ${sort} ${order} ${pages}`, price: '3.33', quantity: 1 },
            token
          )
        } while (cursor && pages < 50)
        const ids = seen.map((p) => p.id)
        t.equal(new Set(ids).size, ids.length, 'no duplicates')
        for (const o of originals) t.ok(ids.includes(o.id), `original ${o.id} not skipped`)
        const sorted = [...seen].sort((a, b) => cmp(sort, a, b) * (order === 'desc' ? -1 : 1))
        t.same(
          ids,
          sorted.map((p) => p.id),
          'in order'
        )
      })
    }
  }

  t.test('filters: name prefix (any case), price range, stock', async (t) => {
    const all = async (query: string) => {
      const items: Item[] = []
      let cursor: string | null = null
      do {
        const page: { items: Item[]; next_cursor: string | null } = (
          await get(app, `/api/products?limit=100&${query}${cursor ? `&cursor=${cursor}` : ''}`, token)
        ).json()
        items.push(...page.items)
        cursor = page.next_cursor
      } while (cursor)
      return items
    }
    // each filter returns exactly the rows of the unfiltered listing that match it: none missing, none extra
    const everything = await all('')
    const ids = (items: Item[]) => items.map((p) => p.id).sort((a, b) => a - b)
    const filters: Array<[string, (p: Item) => boolean]> = [
      ['q=AP', (p) => p.name.toLowerCase().startsWith('ap')],
      ['q=aV', (p) => p.name.toLowerCase().startsWith('av')],
      ['min_price=5&max_price=10.00&sort=price', (p) => Number(p.price) >= 5 && Number(p.price) <= 10],
      ['in_stock=false', (p) => p.quantity === 0],
      ['in_stock=true', (p) => p.quantity > 0]
    ]
    for (const [query, matches] of filters) {
      const expected = ids(everything.filter(matches))
      t.ok(
        expected.length > 0 && expected.length < everything.length,
        `${query}: the data has rows on both sides of the filter`
      )
      t.same(ids(await all(query)), expected, query)
    }
    t.same(await all('q=zzz'), [])
  })

  t.test('bad listing parameters are 400', async (t) => {
    for (const query of [
      'limit=0',
      'limit=101',
      'limit=x',
      'sort=password',
      'order=up',
      'min_price=1.001',
      'in_stock=maybe',
      'cursor=garbage',
      'colour=red'
    ]) {
      const res = await get(app, `/api/products?${query}`, token)
      t.equal(res.statusCode, 400, query)
    }
    const { next_cursor: cursor } = (await get(app, '/api/products?limit=2&sort=name', token)).json()
    const mismatch = await get(app, `/api/products?limit=2&sort=price&cursor=${cursor}`, token)
    t.equal(mismatch.statusCode, 400)
    t.equal(mismatch.json().code, 'invalid_cursor')
    t.equal((await get(app, '/api/products', token)).json().items.length, 20, 'default limit 20')
  })
})
