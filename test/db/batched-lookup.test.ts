import t from 'tap'
import { setImmediate as turn } from 'node:timers/promises'
import { createBatchedLookup } from '../../src/db/batched-lookup.js'

/** A lookup over `known`, recording each fetch's keys; `gate` holds fetches until it is opened. */
function recorded (known: Record<string, number>) {
  const fetches: string[][] = []
  let open: () => void = () => {}
  let gate: Promise<void> | null = null
  const lookup = createBatchedLookup(async (keys: string[]) => {
    fetches.push(keys)
    if (gate) await gate
    return new Map(keys.filter((k) => k in known).map((k) => [k, known[k]!]))
  }, 3)
  return {
    lookup,
    fetches,
    hold: () => { gate = new Promise((resolve) => { open = resolve }) },
    release: () => { gate = null; open() }
  }
}

t.test('lookups of one turn are fetched together, a key asked twice once; unknown keys answer undefined', async (t) => {
  const { lookup, fetches } = recorded({ a: 1, b: 2 })
  const answers = await Promise.all(['a', 'b', 'a', 'nobody'].map((k) => lookup.load(k)))
  t.same(answers, [1, 2, 1, undefined])
  t.same(fetches, [['a', 'b', 'nobody']], 'one fetch')
  t.same(await lookup.load('b'), 2)
  t.same(fetches.at(-1), ['b'], 'a later turn is a fetch of its own')
})

t.test('more keys than maxKeys are split into several fetches', async (t) => {
  const { lookup, fetches } = recorded({ a: 1, e: 5, g: 7 })
  const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g']
  t.same(await Promise.all(keys.map((k) => lookup.load(k))), [1, undefined, undefined, undefined, 5, undefined, 7])
  t.same(fetches, [['a', 'b', 'c'], ['d', 'e', 'f'], ['g']])
})

t.test('a lookup never joins a fetch already sent: its answer is read after it was asked for', async (t) => {
  const { lookup, fetches, hold, release } = recorded({ a: 1 })
  hold()
  const first = lookup.load('a')
  await turn() // the first fetch is sent, and waits
  t.same(fetches, [['a']])
  const second = lookup.load('a')
  await turn()
  t.same(fetches, [['a'], ['a']], 'the same key asked while a fetch is out goes into a new fetch')
  release()
  t.same(await Promise.all([first, second]), [1, 1])
})

t.test('a failed fetch fails every lookup in it, and only those', async (t) => {
  let fail = true
  const lookup = createBatchedLookup(async (keys: string[]) => {
    if (fail && keys.includes('bad')) throw new Error('store down')
    return new Map(keys.map((k) => [k, k.length]))
  }, 2)
  const [a, bad, c] = ['a', 'bad', 'ccc'].map((k) => lookup.load(k))
  await t.rejects(a!, /store down/, 'in the same fetch as the failing key')
  await t.rejects(bad!, /store down/)
  t.equal(await c, 3, 'the other fetch of the turn answers')
  fail = false
  t.equal(await lookup.load('bad'), 3, 'and a later turn fetches again')
})

t.test('a fetch that throws at once is a rejection too, never an exception out of the timer', async (t) => {
  const lookup = createBatchedLookup((): Promise<Map<string, number>> => { throw new Error('sync') })
  await t.rejects(lookup.load('a'), /sync/)
})
