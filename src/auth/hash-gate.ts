import { Errors } from '../errors.js'

export interface HashGateOptions {
  /** Hashes run at once (the libuv thread pool's size: more would only queue inside libuv, unseen). */
  concurrency: number
  /** Hashes that may wait for a slot; one more is refused at once (and admitted operations beyond running + this). */
  queueMax: number
  /** Longest wait for a slot, in ms; then refused. */
  queueTimeoutMs: number
}

/** Seconds a refused client is told to wait: about one queue timeout, at least one. */
const retryAfterOf = (timeoutMs: number) => String(Math.max(1, Math.ceil(timeoutMs / 1000)))

/**
 * Admission control for argon2: at most `concurrency` hashes run, at most `queueMax` wait (first
 * come, first served), and none waits longer than `queueTimeoutMs`. Logins and registrations are
 * admitted whole (`admit`), before their first query: at most `concurrency + queueMax` are in
 * progress, so a storm cannot pile up in the connection pool on its way to the hash. Anything beyond
 * is a 503 `overloaded` with Retry-After at once, a quick refusal instead of every login waiting
 * until clients time out.
 */
export function createHashGate ({ concurrency, queueMax, queueTimeoutMs }: HashGateOptions) {
  let running = 0
  let admitted = 0
  const waiting: Array<{ go: () => void, timer: NodeJS.Timeout }> = []
  const refused = (why: string) => Errors.overloaded(why, { 'retry-after': retryAfterOf(queueTimeoutMs) })

  function release () {
    const next = waiting.shift()
    if (next) {
      clearTimeout(next.timer)
      next.go()
    } else {
      running--
    }
  }

  /** Throws `overloaded` when no further login or registration would be admitted now. */
  function assertRoom (): void {
    if (admitted >= concurrency + queueMax) throw refused('Too many logins and registrations are in progress')
  }

  function slot (): Promise<void> {
    if (running < concurrency) {
      running++
      return Promise.resolve()
    }
    if (waiting.length >= queueMax) return Promise.reject(refused('Too many password checks are waiting'))
    return new Promise((resolve, reject) => {
      const entry = {
        go: resolve, // the slot passes from the releasing hash to this one: `running` stays
        timer: setTimeout(() => {
          waiting.splice(waiting.indexOf(entry), 1)
          reject(refused('No password-hashing thread became free in time'))
        }, queueTimeoutMs)
      }
      waiting.push(entry)
    })
  }

  return {
    /** Runs `hash` once a slot is free, or throws `overloaded`. */
    async run<T> (hash: () => Promise<T>): Promise<T> {
      await slot()
      try {
        return await hash()
      } finally {
        release()
      }
    },
    assertRoom,
    /** Runs a whole login or registration, or throws `overloaded` when too many are in progress. */
    async admit<T> (operation: () => Promise<T>): Promise<T> {
      assertRoom()
      admitted++
      try {
        return await operation()
      } finally {
        admitted--
      }
    },
    get admitted () { return admitted },
    get inFlight () { return running },
    get queued () { return waiting.length }
  }
}

export type HashGate = ReturnType<typeof createHashGate>
