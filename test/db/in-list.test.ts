import t from 'tap'
import { inList } from '../../src/db/in-list.js'

t.test('an IN list padded with its first value to a power of two', async (t) => {
  for (const [n, size] of [[1, 1], [2, 2], [3, 4], [4, 4], [5, 8], [9, 16], [33, 64], [64, 64]] as const) {
    const values = Array.from({ length: n }, (_, i) => `v${i}`)
    const { marks, params } = inList(values)
    t.equal(params.length, size, `${n} values: ${size} parameters`)
    t.same(params.slice(0, n), values, 'the values first, in order')
    t.ok(params.slice(n).every((p) => p === 'v0'), 'then the first one again')
    t.equal(marks, Array(size).fill('?').join(', '), 'one placeholder each')
  }
  const values = ['a', 'b', 'c']
  inList(values)
  t.same(values, ['a', 'b', 'c'], 'the caller\'s list is left as it was')
  t.throws(() => inList([]), RangeError, 'an empty list is refused (`IN ()`: an error on MySQL, nothing on SQLite)')
})
