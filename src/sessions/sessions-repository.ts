import type { Executor } from '../db/driver.js'
import { inList } from '../db/in-list.js'

export interface SessionRow {
  id: string
  user_id: number
  created_at: number
  last_used_at: number
  idle_expires_at: number
  absolute_expires_at: number
  user_agent: string
  ip: string
}

/** When the session last proved a factor (epoch ms) and which ones (comma-separated amr values). */
export interface SessionAuth {
  auth_time: number
  amr: string
}

/** What every authenticated request needs to know about its session, in one query. */
export interface SessionState {
  user_id: number
  revoked_at: number | null
  disabled_at: number | null
  idle_expires_at: number
  absolute_expires_at: number
  roles: string | null
  permissions: string | null
  auth_time: number
  amr: string
}

const LIVE = 'revoked_at IS NULL AND idle_expires_at > ? AND absolute_expires_at > ?'
const COLUMNS = 'id, user_id, created_at, last_used_at, idle_expires_at, absolute_expires_at, user_agent, ip'

export function createSessionRepository (db: Executor) {
  /**
   * The state of each of these sessions that exists, in one query (its IN list padded: inList).
   */
  async function states (ids: string[]): Promise<Map<string, SessionState>> {
    if (ids.length === 0) return new Map()
    const { marks, params } = inList(ids)
    const rows = await db.query<SessionState & { id: string } & Record<string, unknown>>(
      `SELECT s.id, s.user_id, s.revoked_at, s.idle_expires_at, s.absolute_expires_at, s.auth_time, s.amr,
        u.disabled_at,
        (SELECT GROUP_CONCAT(r.name) FROM user_roles ur JOIN roles r ON r.id = ur.role_id
          WHERE ur.user_id = s.user_id) AS roles,
        (SELECT GROUP_CONCAT(DISTINCT rp.permission) FROM user_roles ur
          JOIN role_permissions rp ON rp.role_id = ur.role_id WHERE ur.user_id = s.user_id) AS permissions
       FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id IN (${marks})`,
      params
    )
    return new Map(rows.map(({ id, ...state }) => [id, state]))
  }

  return {
    states,

    async create (s: SessionRow & SessionAuth): Promise<void> {
      await db.execute(`INSERT INTO sessions (${COLUMNS}, auth_time, amr) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
        s.id,
        s.user_id,
        s.created_at,
        s.last_used_at,
        s.idle_expires_at,
        s.absolute_expires_at,
        s.user_agent,
        s.ip,
        s.auth_time,
        s.amr
      ])
    },

    /** A new proof of factors in a live session of this user (step-up); false when there is no such session. */
    async renewAuth (userId: number, id: string, auth: SessionAuth): Promise<boolean> {
      const r = await db.execute(
        'UPDATE sessions SET auth_time = ?, amr = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL',
        [auth.auth_time, auth.amr, id, userId]
      )
      return r.affectedRows === 1
    },

    async state (id: string): Promise<SessionState | undefined> {
      return (await states([id])).get(id)
    },

    /** A use of the session: the idle expiry slides, never past the absolute one. */
    async touch (id: string, now: number, idleTtlMs: number, ip: string, userAgent: string): Promise<void> {
      await db.execute(
        'UPDATE sessions SET last_used_at = ?, idle_expires_at = CASE WHEN ? < absolute_expires_at THEN ? ELSE ' +
          'absolute_expires_at END, ip = ?, user_agent = ? WHERE id = ?',
        [now, now + idleTtlMs, now + idleTtlMs, ip, userAgent, id]
      )
    },

    /** The user's live sessions, newest first, at most `limit`. */
    async listLive (userId: number, now: number, limit: number): Promise<SessionRow[]> {
      return db.query<SessionRow & Record<string, unknown>>(
        `SELECT ${COLUMNS} FROM sessions WHERE user_id = ? AND ${LIVE} ORDER BY created_at DESC, id LIMIT ?`,
        [userId, now, now, limit]
      )
    },

    /** Ends one session of this user; false when there is no such live session. */
    async revoke (userId: number, id: string, now: number, reason: string): Promise<boolean> {
      const r = await db.execute(
        'UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL',
        [now, reason, id, userId]
      )
      return r.affectedRows === 1
    },

    /** Ends all of a user's live sessions but `exceptId`, in one statement. */
    async revokeAll (userId: number, now: number, reason: string, exceptId = ''): Promise<number> {
      const r = await db.execute(
        'UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE user_id = ? AND revoked_at IS NULL AND id <> ?',
        [now, reason, userId, exceptId]
      )
      return r.affectedRows
    },

    /**
     * Deletes up to `limit` sessions that expired before `now` or were revoked before
     * `revokedBefore` (kept a while so a replayed token still reads as reuse), with their refresh tokens.
     */
    async purge (now: number, revokedBefore: number, limit: number): Promise<number> {
      const ids = (
        await db.query<{ id: string }>(
          'SELECT id FROM sessions WHERE absolute_expires_at < ? OR idle_expires_at < ? OR revoked_at < ? LIMIT ?',
          [now, now, revokedBefore, limit]
        )
      ).map((r) => r.id)
      if (ids.length === 0) return 0
      await db.execute(`DELETE FROM refresh_tokens WHERE session_id IN (${ids.map(() => '?').join(', ')})`, ids)
      return (await db.execute(`DELETE FROM sessions WHERE id IN (${ids.map(() => '?').join(', ')})`, ids)).affectedRows
    }
  }
}
