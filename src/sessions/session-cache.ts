export interface LiveSession {
  userId: number
  roles: string[]
  permissions: string[]
}

/**
 * What this instance last learned about each session, trusted for `ttlMs` by the app's clock:
 * the bound on how late a revocation made elsewhere is seen here. Bounded in size. If the clock
 * goes back, entries stop being trusted rather than being trusted for longer. API keys use it too (keyed by hash).
 */
export function createSessionCache<V extends { userId: number } = LiveSession> (
  ttlMs: number,
  now: () => number,
  maxEntries = 50_000
) {
  const entries = new Map<string, { value: V | null; at: number; used: boolean }>()
  let evictions = 0
  /** An answer `held` ms old is still trusted and at least `age` ms old. */
  const heldFor = (held: number, age: number) => held >= age && held < ttlMs
  return {
    /** How many evictions so far: pass it to `set` to store an answer only if none came while it was read. */
    evictions: () => evictions,
    /** The answer held for `sid` and how old it is (ms), while it may be trusted; undefined when none may be. */
    get (sid: string): { value: V | null; age: number } | undefined {
      const hit = entries.get(sid)
      if (!hit) return undefined
      const age = now() - hit.at
      if (age >= 0 && age < ttlMs) {
        hit.used = true
        return { value: hit.value, age }
      }
      entries.delete(sid)
      return undefined
    },
    /** The keys asked for since they were stored, at least `age` ms old and still trusted: worth reading again. */
    due (age: number): string[] {
      const keys: string[] = []
      const at = now()
      for (const [sid, e] of entries) if (e.used && heldFor(at - e.at, age)) keys.push(sid)
      return keys
    },
    /** Whether the answer held for `sid` is still trusted and at least `age` ms old (not read again since). */
    isDue (sid: string, age: number): boolean {
      const hit = entries.get(sid)
      return hit !== undefined && heldFor(now() - hit.at, age)
    },
    /**
     * Stores an answer, unless an eviction came after `readSince` (the count `evictions()` gave before the answer was
     * read): an answer read before a revocation made here must not put back what the revocation took out.
     */
    set (sid: string, value: V | null, readSince = evictions) {
      // with a TTL of 0 an entry stored is never trusted (get: age < 0 is false): same answers, bounded memory
      if (ttlMs <= 0 || readSince !== evictions) return
      // a new answer for a key held goes to the end, so the first entry is always the oldest
      entries.delete(sid)
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!)
      entries.set(sid, { value, at: now(), used: false })
    },
    evict (sid: string) {
      evictions++
      entries.delete(sid)
    },
    evictUser (userId: number) {
      evictions++
      for (const [sid, e] of entries) if (e.value?.userId === userId) entries.delete(sid)
    }
  }
}
