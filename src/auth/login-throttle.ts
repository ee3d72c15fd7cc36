import type { Config } from '../config.js'
import type { Executor } from '../db/driver.js'
import { defineError } from '../errors.js'
import { throttleSource } from './throttle-source.js'
import { createLoginThrottleRepository } from './login-throttle-repository.js'

export const ThrottleErrors = {
  throttled: defineError(429, 'login_throttled', 'Too many failed attempts for this account; wait before trying again')
}

/** The source of the account-wide record. */
// Stryker disable next-line StringLiteral: any other text that no client address gives would name it the same
const ACCOUNT = ''

export type ThrottleConfig = Pick<Config, 'LOGIN_MAX_FAILURES' | 'LOGIN_ACCOUNT_MAX_FAILURES' | 'LOGIN_LOCK_SECONDS'>

export interface ThrottleDeps {
  db: Executor
  now: () => number
  config: ThrottleConfig
}

/**
 * Throttling of failed password and code attempts, in the database so every instance sees it,
 * keyed by the canonical username whether or not it exists (a locked unknown name answers
 * exactly like a locked account), in two records:
 *
 * - per (account, client address): LOGIN_MAX_FAILURES; after half of it each failure adds a
 *   growing delay (1 s, 2 s, 4 s, ...); at the limit that address is locked out of that account
 *   for LOGIN_LOCK_SECONDS, doubling with each lock. Other addresses are not affected, so one
 *   address hammering an account cannot lock its owner out.
 * - per account: LOGIN_ACCOUNT_MAX_FAILURES (much higher), no delays; at the limit the account
 *   is locked for everyone the same way. It caps what many addresses together can try.
 *
 * Each attempt first takes a slot in both, each in one conditional UPDATE (so concurrent guesses
 * cannot exceed either limit); a failure keeps them, a success gives them back or clears them.
 */
export function createLoginThrottle ({ db, now: clock, config }: ThrottleDeps) {
  const repo = createLoginThrottleRepository(db)
  const lockMs = config.LOGIN_LOCK_SECONDS * 1000
  const records = (name: string, ip: string) => [
    { name, source: throttleSource(ip), max: config.LOGIN_MAX_FAILURES, delays: true },
    { name, source: ACCOUNT, max: config.LOGIN_ACCOUNT_MAX_FAILURES, delays: false }
  ]
  type Counter = ReturnType<typeof records>[number]

  const row = (r: Counter) => repo.find(r.name, r.source)

  const refuse = (until: number) => {
    const seconds = Math.max(1, Math.ceil((until - clock()) / 1000))
    return ThrottleErrors.throttled(`Try again in ${seconds} s`, { 'retry-after': String(seconds) })
  }

  async function takeSlot (r: Counter): Promise<void> {
    // A round is lost when the record changes between two statements. The bound is for liveness: each slot is
    // still taken by the conditional UPDATE, and no interleaving on one connection loses three (1,500 random tried).
    // Stryker disable next-line UpdateOperator: liveness bound, see above (tries-- only retries longer)
    for (let tries = 0; tries < 3; tries++) {
      const now = clock()
      if (await repo.takeSlot(r.name, r.source, now, r.max)) return
      const current = await row(r)
      if (current && (
        // at blocked_until == now the UPDATE's `blocked_until <= now` held: only fullness refused it (next line, 1 s)
        current.blocked_until > now ||
        current.failures >= r.max
      )) {
        // Stryker disable next-line ArithmeticOperator: refuse() answers at least 1 s (a full record, not blocked)
        throw refuse(Math.max(current.blocked_until, now + 1000))
      }
      if (current) continue // created by a concurrent attempt a moment ago: take a slot in it
      if (await repo.create(r.name, r.source, now)) return
    }
    // Stryker disable next-line ArithmeticOperator: refuse() answers at least 1 s
    throw refuse(clock() + 1000)
  }

  const giveBack = (r: Counter) => repo.giveBack(r.name, r.source)

  /** Keeps the failure's slot, then delays or locks; true when this failure locked. */
  async function failedOn (r: Counter): Promise<boolean> {
    const now = clock()
    const current = await row(r)
    if (!current) return false
    if (current.failures >= r.max) {
      return repo.lock(r.name, r.source, now + lockMs * 2 ** Math.min(current.locks, 10), now, r.max)
    }
    const delayFrom = Math.floor(r.max / 2)
    if (r.delays && current.failures > delayFrom) {
      await repo.delay(r.name, r.source, now + 1000 * 2 ** (current.failures - delayFrom - 1))
    }
    return false
  }

  return {
    /** Takes an attempt on `name` from `ip`, or throws 429 while that address or the whole account is blocked. */
    async take (name: string, ip: string): Promise<void> {
      const [source, account] = records(name, ip)
      await takeSlot(source!)
      try {
        await takeSlot(account!)
      } catch (err) {
        await giveBack(source!)
        throw err
      }
    },

    /** The attempt failed: returns true when this failure locked the address or the account. */
    async failed (name: string, ip: string): Promise<boolean> {
      const locked = await Promise.all(records(name, ip).map(failedOn))
      return locked.includes(true)
    },

    /** A step that succeeded without finishing the login (the password step): give the slots back. */
    async release (name: string, ip: string): Promise<void> {
      for (const r of records(name, ip)) await giveBack(r)
    },

    /** A full success (password and second factor): this address's record and the account's are cleared. */
    async clear (name: string, ip: string): Promise<void> {
      await repo.clear(name, [throttleSource(ip), ACCOUNT])
    },

    /** An administrator's unlock: every record of the account. */
    async unlock (name: string): Promise<void> {
      await repo.clearAll(name)
    },

    async purge (before: number): Promise<number> {
      return repo.purge(before, clock())
    }
  }
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>
