/**
 * Lookups asked for in the same event-loop turn, answered by one `fetch` of all their keys (a key asked twice is
 * fetched once): with many sessions to re-check, one query a turn instead of one per session. A lookup never joins
 * a fetch already sent, so every answer is read after it was asked for: batching changes no answer, only how many
 * queries carry them. At most `maxKeys` keys go in one fetch; more are split.
 */
export function createBatchedLookup<K, V> (fetch: (keys: K[]) => Promise<Map<K, V>>, maxKeys = 64) {
  type Waiter = { resolve: (value: V | undefined) => void, reject: (err: unknown) => void }
  let pending: Map<K, Waiter[]> | null = null

  function send (batch: Map<K, Waiter[]>, keys: K[]) {
    const settle = (each: (w: Waiter, key: K) => void) => {
      for (const key of keys) for (const w of batch.get(key)!) each(w, key)
    }
    Promise.resolve().then(() => fetch(keys)).then(
      (found) => settle((w, key) => w.resolve(found.get(key))),
      (err: unknown) => settle((w) => w.reject(err))
    )
  }

  function flush () {
    const batch = pending!
    pending = null
    const keys = [...batch.keys()]
    for (let i = 0; i < keys.length; i += maxKeys) send(batch, keys.slice(i, i + maxKeys))
  }

  return {
    load (key: K): Promise<V | undefined> {
      if (!pending) {
        pending = new Map()
        // the check phase of this turn: after every request read in this turn's poll phase has asked
        setImmediate(flush)
      }
      let waiters = pending.get(key)
      if (!waiters) pending.set(key, (waiters = []))
      const list = waiters
      return new Promise((resolve, reject) => { list.push({ resolve, reject }) })
    }
  }
}
