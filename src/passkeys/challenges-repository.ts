import type { Executor } from '../db/driver.js'

export type Ceremony = 'registration' | 'login' | 'second_factor' | 'step_up'

/** Outstanding WebAuthn challenges by hash: taken once, in one DELETE, while not expired. */
export function createChallengeRepository (db: Executor) {
  return {
    async create (hash: string, ceremony: Ceremony, userId: number | null, expiresAt: number): Promise<void> {
      await db.execute('INSERT INTO webauthn_challenges (challenge_hash, ceremony, user_id, expires_at) VALUES (?, ?, ?, ?)',
        [hash, ceremony, userId, expiresAt])
    },

    /** Spends the challenge when it belongs to this ceremony and user (null: none) and is live; false otherwise. */
    async take (hash: string, ceremony: Ceremony, userId: number | null, now: number): Promise<boolean> {
      const r = userId === null
        ? await db.execute('DELETE FROM webauthn_challenges WHERE challenge_hash = ? AND ceremony = ? AND user_id IS NULL AND expires_at > ?', [hash, ceremony, now])
        : await db.execute('DELETE FROM webauthn_challenges WHERE challenge_hash = ? AND ceremony = ? AND user_id = ? AND expires_at > ?', [hash, ceremony, userId, now])
      return r.affectedRows === 1
    },

    async purgeExpired (now: number): Promise<number> {
      return (await db.execute('DELETE FROM webauthn_challenges WHERE expires_at <= ?', [now])).affectedRows
    }
  }
}
