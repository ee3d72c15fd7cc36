import type { FastifyInstance } from 'fastify'
import { isUniqueViolation } from '../db/errors.js'
import { defineError } from '../errors.js'

export const ThrottleErrors = {
  throttled: defineError(429, 'login_throttled', 'Too many failed attempts for this account; wait before trying again')
}

export interface ThrottleRow {
  failures: number
  locks: number
  blocked_until: number
}

/**
 * Per-account throttling of failed password and code attempts, in the database so every
 * instance sees it, keyed by the normalized username whether or not it exists (a locked
 * unknown name answers exactly like a locked account).
 *
 * Each attempt first takes a slot in one conditional UPDATE (so concurrent guesses cannot
 * exceed the limit); a failure keeps it, a success gives it back or clears the record.
 * After half the limit, each failure adds a growing delay (1 s, 2 s, 4 s, ...); at the
 * limit the name is locked for LOGIN_LOCK_SECONDS, doubling with each lock.
 */
export function createLoginThrottle (app: FastifyInstance) {
  const { db } = app
  const max = app.config.LOGIN_MAX_FAILURES
  const lockMs = app.config.LOGIN_LOCK_SECONDS * 1000
  const delayFrom = Math.floor(max / 2)

  const row = async (name: string) =>
    (await db.query<ThrottleRow & Record<string, unknown>>('SELECT failures, locks, blocked_until FROM login_throttle WHERE username_normalized = ?', [name]))[0]

  const refuse = (until: number) => {
    const seconds = Math.max(1, Math.ceil((until - app.now()) / 1000))
    return ThrottleErrors.throttled(`Try again in ${seconds} s`, { 'retry-after': String(seconds) })
  }

  return {
    /** Takes an attempt, or throws 429 while the name is blocked. */
    async take (name: string): Promise<void> {
      for (let tries = 0; tries < 3; tries++) {
        const now = app.now()
        const taken = await db.execute(
          'UPDATE login_throttle SET failures = failures + 1, updated_at = ? WHERE username_normalized = ? AND blocked_until <= ? AND failures < ?', [now, name, now, max])
        if (taken.affectedRows === 1) return
        const current = await row(name)
        if (current && (current.blocked_until > now || current.failures >= max)) throw refuse(Math.max(current.blocked_until, now + 1000))
        if (current) continue // created by a concurrent attempt a moment ago: take a slot in it
        try {
          await db.execute('INSERT INTO login_throttle (username_normalized, failures, locks, blocked_until, updated_at) VALUES (?, 1, 0, 0, ?)', [name, now])
          return
        } catch (err) {
          if (!isUniqueViolation(err)) throw err
        }
      }
      throw refuse(app.now() + 1000)
    },

    /** The attempt failed: keep its slot, then delay or lock. Returns true when this failure locked the name. */
    async failed (name: string): Promise<boolean> {
      const now = app.now()
      const current = await row(name)
      if (!current) return false
      if (current.failures >= max) {
        const locked = await db.execute(
          'UPDATE login_throttle SET failures = 0, locks = locks + 1, blocked_until = ?, updated_at = ? WHERE username_normalized = ? AND failures >= ?',
          [now + lockMs * 2 ** Math.min(current.locks, 10), now, name, max])
        return locked.affectedRows === 1
      }
      if (current.failures > delayFrom) {
        await db.execute('UPDATE login_throttle SET blocked_until = ? WHERE username_normalized = ? AND blocked_until < ?',
          [now + 1000 * 2 ** (current.failures - delayFrom - 1), name, now])
      }
      return false
    },

    /** A step that succeeded without finishing the login (the password step): give the slot back. */
    async release (name: string): Promise<void> {
      await db.execute('UPDATE login_throttle SET failures = failures - 1 WHERE username_normalized = ? AND failures > 0', [name])
    },

    /** A full success (password and second factor): the record is cleared. */
    async clear (name: string): Promise<void> {
      await db.execute('DELETE FROM login_throttle WHERE username_normalized = ?', [name])
    },

    async purge (before: number): Promise<number> {
      return (await db.execute('DELETE FROM login_throttle WHERE updated_at < ? AND blocked_until < ?', [before, app.now()])).affectedRows
    }
  }
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>
