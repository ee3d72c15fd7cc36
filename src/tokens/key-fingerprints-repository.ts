import type { Executor } from '../db/driver.js'
import { isUniqueViolation } from '../db/errors.js'

/** Fingerprints of the keys every instance on one store must share (one row per key name). */
export function createKeyFingerprintRepository (db: Executor) {
  return {
    /** Records the fingerprint unless one is recorded already; returns the recorded one. */
    async recordOnce (name: string, fingerprint: string, now: number): Promise<string | undefined> {
      try {
        await db.execute('INSERT INTO key_fingerprints (name, fingerprint, created_at) VALUES (?, ?, ?)',
          [name, fingerprint, now])
      } catch (err) {
        if (!isUniqueViolation(err)) throw err
      }
      const [row] = await db.query<{ fingerprint: string }>(
        'SELECT fingerprint FROM key_fingerprints WHERE name = ?', [name])
      return row?.fingerprint
    }
  }
}
