import type { Executor } from '../db/driver.js'

export interface RefreshTokenRow {
  session_id: string
  spent_at: number | null
}

/** Refresh tokens by hash; spending is one conditional UPDATE, so of concurrent uses exactly one wins. */
export function createRefreshTokenRepository (db: Executor) {
  return {
    async create (hash: string, sessionId: string, now: number): Promise<void> {
      await db.execute('INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES (?, ?, ?)', [
        hash,
        sessionId,
        now
      ])
    },

    async find (hash: string): Promise<RefreshTokenRow | undefined> {
      return (
        await db.query<RefreshTokenRow & Record<string, unknown>>(
          'SELECT session_id, spent_at FROM refresh_tokens WHERE token_hash = ?',
          [hash]
        )
      )[0]
    },

    async spend (hash: string, now: number): Promise<boolean> {
      return (
        (
          await db.execute('UPDATE refresh_tokens SET spent_at = ? WHERE token_hash = ? AND spent_at IS NULL', [
            now,
            hash
          ])
        ).affectedRows === 1
      )
    }
  }
}
