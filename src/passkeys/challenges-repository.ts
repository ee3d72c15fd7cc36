import type { Executor } from '../db/driver.js'

export type Ceremony = 'registration' | 'login' | 'second_factor' | 'step_up'

/** What a challenge is bound to besides its ceremony: an account and (second step) the mfa_token's hash. */
export interface ChallengeBinding {
  userId: number | null
  binding?: string | null
}

/** Outstanding WebAuthn challenges by hash: taken once, in one DELETE, while not expired. */
export function createChallengeRepository (db: Executor) {
  return {
    async create (hash: string, ceremony: Ceremony, to: ChallengeBinding, expiresAt: number): Promise<void> {
      await db.execute(
        'INSERT INTO webauthn_challenges (challenge_hash, ceremony, user_id, binding, expires_at) ' +
        'VALUES (?, ?, ?, ?, ?)',
        [hash, ceremony, to.userId, to.binding ?? null, expiresAt])
    },

    /** Spends the challenge when it belongs to this ceremony, account and binding (null: none) and is live. */
    async take (hash: string, ceremony: Ceremony, to: ChallengeBinding, now: number): Promise<boolean> {
      const r = await db.execute(
        `DELETE FROM webauthn_challenges WHERE challenge_hash = ? AND ceremony = ? AND expires_at > ?
         AND ${to.userId === null ? 'user_id IS NULL' : 'user_id = ?'}
         AND ${to.binding ? 'binding = ?' : 'binding IS NULL'}`,
        [hash, ceremony, now, ...(to.userId === null ? [] : [to.userId]), ...(to.binding ? [to.binding] : [])])
      return r.affectedRows === 1
    },

    async purgeExpired (now: number): Promise<number> {
      return (await db.execute('DELETE FROM webauthn_challenges WHERE expires_at <= ?', [now])).affectedRows
    }
  }
}
