import type { Executor } from '../db/driver.js'

export type AuthTokenPurpose = 'enrollment' | 'mfa'

export interface AuthTokenRow {
  user_id: number
  expires_at: number
  attempts: number
}

/** Opaque short-lived tokens, stored by hash: enrollment (reusable until expiry) and mfa (single use). */
export function createAuthTokenRepository (db: Executor) {
  return {
    async create (purpose: AuthTokenPurpose, hash: string, userId: number, expiresAt: number, now: number) {
      await db.execute(
        'INSERT INTO auth_tokens (token_hash, purpose, user_id, expires_at, created_at) VALUES (?, ?, ?, ?, ?)',
        [hash, purpose, userId, expiresAt, now]
      )
    },

    /** The live token of that purpose: not expired, not used, not out of attempts. */
    async findLive (
      purpose: AuthTokenPurpose,
      hash: string,
      now: number,
      maxAttempts: number
    ): Promise<AuthTokenRow | undefined> {
      return (
        await db.query<AuthTokenRow & Record<string, unknown>>(
          'SELECT user_id, expires_at, attempts FROM auth_tokens WHERE token_hash = ? AND purpose = ? AND used_at ' +
            'IS NULL AND expires_at > ? AND attempts < ?',
          [hash, purpose, now, maxAttempts]
        )
      )[0]
    },

    /** Spends a token once: of concurrent callers exactly one gets true. */
    async consume (hash: string, now: number): Promise<boolean> {
      const r = await db.execute('UPDATE auth_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL', [
        now,
        hash
      ])
      return r.affectedRows === 1
    },

    /** Takes one try of a live token, atomically: false once the tries are used up. */
    async takeAttempt (purpose: AuthTokenPurpose, hash: string, now: number, maxAttempts: number): Promise<boolean> {
      const r = await db.execute(
        'UPDATE auth_tokens SET attempts = attempts + 1 WHERE token_hash = ? AND purpose = ? AND used_at IS NULL ' +
          'AND expires_at > ? AND attempts < ?',
        [hash, purpose, now, maxAttempts]
      )
      return r.affectedRows === 1
    },

    /** Ends every outstanding mfa and enrollment token of a user (password change, 2FA reset, disable). */
    async revokeAll (userId: number, now: number): Promise<void> {
      await db.execute('UPDATE auth_tokens SET used_at = ? WHERE user_id = ? AND used_at IS NULL', [now, userId])
    },

    async purgeExpired (now: number): Promise<number> {
      return (await db.execute('DELETE FROM auth_tokens WHERE expires_at <= ?', [now])).affectedRows
    }
  }
}
