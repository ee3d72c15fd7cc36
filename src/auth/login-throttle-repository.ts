import type { Executor } from '../db/driver.js'
import { isUniqueViolation } from '../db/errors.js'

export interface ThrottleRow {
  failures: number
  locks: number
  blocked_until: number
}

const KEY = 'username_normalized = ? AND source = ?'

/** The login_throttle records: one per (canonical username, source), every change one conditional statement. */
export function createLoginThrottleRepository (db: Executor) {
  return {
    async find (name: string, source: string): Promise<ThrottleRow | undefined> {
      const rows = await db.query<ThrottleRow & Record<string, unknown>>(
        `SELECT failures, locks, blocked_until FROM login_throttle WHERE ${KEY}`, [name, source])
      return rows[0]
    },

    /** Counts one more attempt unless the record is blocked or full; false when it is (or does not exist). */
    async takeSlot (name: string, source: string, now: number, max: number): Promise<boolean> {
      const r = await db.execute('UPDATE login_throttle SET failures = failures + 1, updated_at = ? ' +
        `WHERE ${KEY} AND blocked_until <= ? AND failures < ?`, [now, name, source, now, max])
      return r.affectedRows === 1
    },

    /** A new record holding one attempt; false when a concurrent attempt created it first. */
    async create (name: string, source: string, now: number): Promise<boolean> {
      try {
        await db.execute('INSERT INTO login_throttle ' +
          '(username_normalized, source, failures, locks, blocked_until, updated_at) VALUES (?, ?, 1, 0, 0, ?)',
        [name, source, now])
        return true
      } catch (err) {
        if (isUniqueViolation(err)) return false
        throw err
      }
    },

    async giveBack (name: string, source: string): Promise<void> {
      await db.execute(`UPDATE login_throttle SET failures = failures - 1 WHERE ${KEY} AND failures > 0`,
        [name, source])
    },

    /** Locks the record until `until` if it is (still) full; true when this call locked it. */
    async lock (name: string, source: string, until: number, now: number, max: number): Promise<boolean> {
      const r = await db.execute('UPDATE login_throttle SET failures = 0, locks = locks + 1, blocked_until = ?, ' +
        `updated_at = ? WHERE ${KEY} AND failures >= ?`, [until, now, name, source, max])
      return r.affectedRows === 1
    },

    /** Blocks the record until `until` unless it is blocked longer already. */
    async delay (name: string, source: string, until: number): Promise<void> {
      await db.execute(`UPDATE login_throttle SET blocked_until = ? WHERE ${KEY} AND blocked_until < ?`,
        [until, name, source, until])
    },

    async clear (name: string, sources: [string, string]): Promise<void> {
      await db.execute('DELETE FROM login_throttle WHERE username_normalized = ? AND source IN (?, ?)',
        [name, ...sources])
    },

    async clearAll (name: string): Promise<void> {
      await db.execute('DELETE FROM login_throttle WHERE username_normalized = ?', [name])
    },

    /** Deletes records untouched since `before` that no longer block; returns how many. */
    async purge (before: number, now: number): Promise<number> {
      const r = await db.execute('DELETE FROM login_throttle WHERE updated_at < ? AND blocked_until < ?', [before, now])
      return r.affectedRows
    }
  }
}
