import type { Executor } from '../db/driver.js'

/** Recovery codes, by hash only. */
export function createRecoveryCodeRepository (db: Executor) {
  return {
    /** Replaces the user's whole set: the old codes stop working. */
    async replace (userId: number, hashes: string[], now: number): Promise<void> {
      // DELETE only when there is something to delete: on InnoDB a DELETE that matches nothing
      // still gap-locks the index range, which deadlocks concurrent first enrollments.
      const [{ n } = { n: 0 }] = await db.query<{ n: number }>(
        'SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = ?',
        [userId]
      )
      if (Number(n) > 0) await db.execute('DELETE FROM recovery_codes WHERE user_id = ?', [userId])
      for (const hash of hashes) {
        await db.execute('INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)', [
          userId,
          hash,
          now
        ])
      }
    },

    /** Spends one code: of concurrent callers with the same code exactly one gets true. */
    async consume (userId: number, hash: string, now: number): Promise<boolean> {
      const r = await db.execute(
        'UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL',
        [now, userId, hash]
      )
      return r.affectedRows === 1
    }
  }
}
