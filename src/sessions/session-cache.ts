import { performance } from 'node:perf_hooks'

export interface LiveSession {
  userId: number
  roles: string[]
  permissions: string[]
}

/**
 * What this instance last learned about each session, trusted for `ttlMs` of real time:
 * the bound on how late a revocation made elsewhere is seen here. Bounded in size.
 */
export function createSessionCache (ttlMs: number, maxEntries = 50_000) {
  const entries = new Map<string, { value: LiveSession | null, at: number }>()
  return {
    get (sid: string): LiveSession | null | undefined {
      const hit = entries.get(sid)
      if (!hit) return undefined
      if (performance.now() - hit.at < ttlMs) return hit.value
      entries.delete(sid)
      return undefined
    },
    set (sid: string, value: LiveSession | null) {
      if (ttlMs <= 0) return
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!)
      entries.set(sid, { value, at: performance.now() })
    },
    evict (sid: string) { entries.delete(sid) },
    evictUser (userId: number) {
      for (const [sid, e] of entries) if (e.value?.userId === userId) entries.delete(sid)
    }
  }
}
