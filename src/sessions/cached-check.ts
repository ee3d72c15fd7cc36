import { createBatchedLookup } from '../db/batched-lookup.js'
import { createSessionCache } from './session-cache.js'

/**
 * The check every authenticated request makes, of its session or of its API key: the answer cached for `ttlMs` by the
 * app's clock, else read with the other keys this event-loop turn's requests ask for, in one fetch
 * (createBatchedLookup). An answer whose read began before an eviction here (a revocation, a role change) is given to
 * its request but not cached, so it cannot put back what the eviction took out.
 */
export function createCachedCheck<S, V extends { userId: number }> (o: {
  ttlMs: number
  now: () => number
  fetch: (keys: string[]) => Promise<Map<string, S>>
  /** The answer for a key's state (undefined: no such key). */
  answer: (state: S | undefined) => V | null
  /** Whether the answer for a key with no state is cached (not for API keys: anyone can mint well-formed ones). */
  cacheUnknown: boolean
}) {
  const cache = createSessionCache<V>(o.ttlMs, o.now)
  const lookup = createBatchedLookup(o.fetch)
  return {
    async check (key: string): Promise<V | null> {
      const cached = cache.get(key)
      if (cached !== undefined) return cached
      const readSince = cache.evictions()
      const state = await lookup.load(key)
      const value = o.answer(state)
      if (state !== undefined || o.cacheUnknown) cache.set(key, value, readSince)
      return value
    },
    evict: cache.evict,
    evictUser: cache.evictUser
  }
}
