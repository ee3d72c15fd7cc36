import type { LiveSession } from './session-cache.js'

/** A revoked session (with its user), or an account whose access changed (`session_id` null). */
export interface SessionChange {
  session_id: string | null
  user_id: number
}

export interface SyncedSessionCacheOptions {
  /**
   * SESSION_CHECK_CACHE_MS: a cached answer is used only while this instance's last look at what changed started less
   * than this long ago, so a change made elsewhere is seen within it. 0 caches nothing.
   */
  ttlMs: number
  now: () => number
  /** What changed since an epoch-ms time, by the writers' clocks (sessions-repository changedSince). */
  changedSince: (since: number) => Promise<SessionChange[]>
  /** How far before the previous look each look reaches back: other instances' clock skew and commit delay. */
  overlapMs?: number
  /** An answer is read from the store again after this long whatever the looks say (what no look reports). */
  maxAgeMs?: number
  maxEntries?: number
}

interface Entry {
  value: LiveSession | null
  at: number
  /** The session's idle or absolute expiry, whichever comes first (never, for a dead session). */
  until: number
}

/**
 * The session check's cache, kept current by asking the store what changed since the last look (one query per
 * instance per `ttlMs` at most, shared by all requests) instead of asking about each session again every `ttlMs`.
 * A look reaches back `overlapMs` before the previous one, so a change stamped by a clock a little behind, or
 * committed a little late, is still seen; an answer fetched while a look or an eviction ran is not kept (it may
 * predate the change that look or eviction was about). If the clock goes back, or no look ran for `maxAgeMs`,
 * everything cached is dropped rather than trusted.
 */
export function createSyncedSessionCache ({
  ttlMs,
  now,
  changedSince,
  overlapMs = 5_000,
  maxAgeMs = 60_000,
  maxEntries = 50_000
}: SyncedSessionCacheOptions) {
  const entries = new Map<string, Entry>()
  let lookedAt = now()
  let looking: Promise<void> | undefined
  let generation = 0

  /** One pass over what is cached, however many accounts changed. */
  const forgetUsers = (userIds: Set<number>) => {
    for (const [sid, e] of entries) if (e.value && userIds.has(e.value.userId)) entries.delete(sid)
  }

  async function look () {
    const started = now()
    const elapsed = started - lookedAt
    const stale =
      // Stryker disable next-line EqualityOperator: `<= 0` too: a look 0 ms after the last runs only with a ttlMs of 0
      elapsed < 0 ||
      elapsed >= maxAgeMs
    if (entries.size === 0 || stale) {
      entries.clear()
    } else {
      const users = new Set<number>()
      for (const change of await changedSince(lookedAt - overlapMs)) {
        if (change.session_id === null) users.add(change.user_id)
        else entries.delete(change.session_id)
      }
      forgetUsers(users)
    }
    generation++
    lookedAt = started
  }

  return {
    /** The cached answer (null: the session is not live), or undefined: ask the store. */
    async get (sid: string): Promise<LiveSession | null | undefined> {
      // with a ttlMs of 0 nothing is stored (set), so every look finds an empty cache and asks nothing
      const sinceLook = now() - lookedAt
      if (sinceLook < 0 || sinceLook >= ttlMs) await (looking ??= look().finally(() => { looking = undefined }))
      const hit = entries.get(sid)
      if (!hit) return undefined
      const at = now()
      if (at - hit.at < 0 || at - hit.at >= maxAgeMs || at >= hit.until) {
        entries.delete(sid)
        return undefined
      }
      return hit.value
    },

    /** Where an answer about to be fetched from the store stands: pass it to `set` with the answer. */
    generation: () => generation,

    /** Keeps an answer fetched at `fetchedIn` (a `generation()`) unless a look or an eviction ran meanwhile. */
    set (sid: string, value: LiveSession | null, until: number, fetchedIn: number) {
      if (ttlMs <= 0 || fetchedIn !== generation) return
      entries.delete(sid) // an answer fetched again goes to the back of the line
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!)
      entries.set(sid, { value, at: now(), until })
    },

    /** This instance changed the session: forget it at once. */
    evict (sid: string) {
      entries.delete(sid)
      generation++
    },

    /** This instance changed the user's access or sessions: forget all of theirs at once. */
    evictUser (userId: number) {
      forgetUsers(new Set([userId]))
      generation++
    }
  }
}
