import type { Executor } from '../db/driver.js'
import { inList } from '../db/in-list.js'

export interface ApiKeyRow {
  id: number
  user_id: number
  name: string
  prefix: string
  permissions: string
  created_at: number
  expires_at: number
  last_used_at: number | null
  last_used_ip: string | null
  revoked_at: number | null
}

/** What each request made with a key needs, in one indexed lookup: the key, its owner's state and permissions now. */
export interface ApiKeyState {
  id: number
  user_id: number
  permissions: string
  expires_at: number
  revoked_at: number | null
  last_used_ip: string | null
  disabled_at: number | null
  owner_permissions: string | null
}

export interface NewApiKey {
  user_id: number
  name: string
  key_hash: string
  prefix: string
  permissions: string
  created_at: number
  expires_at: number
}

const COLUMNS = 'id, user_id, name, prefix, permissions, created_at, expires_at, last_used_at, last_used_ip, revoked_at'

export function createApiKeyRepository (db: Executor) {
  return {
    async create (k: NewApiKey): Promise<number> {
      const r = await db.execute(
        'INSERT INTO api_keys (user_id, name, key_hash, prefix, permissions, created_at, expires_at) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?)',
        [k.user_id, k.name, k.key_hash, k.prefix, k.permissions, k.created_at, k.expires_at]
      )
      return r.insertId
    },

    /**
     * Serializes key creations of one owner (in a transaction): a row lock on the owner, so a
     * count then insert cannot race another one (REPEATABLE READ counts take no lock). SQLite
     * transactions are serialized already.
     */
    async lockOwner (userId: number): Promise<void> {
      await db.execute('UPDATE users SET id = id WHERE id = ?', [userId])
    },

    /** Keys neither revoked nor expired. */
    async countLive (userId: number, now: number): Promise<number> {
      const [row] = await db.query<{ n: number | string }>(
        'SELECT COUNT(*) AS n FROM api_keys WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?',
        [userId, now]
      )
      return Number(row?.n ?? 0)
    },

    /** A user's keys by id (keyset), at most `limit`. */
    async list (userId: number, afterId: number, limit: number): Promise<ApiKeyRow[]> {
      return db.query<ApiKeyRow & Record<string, unknown>>(
        `SELECT ${COLUMNS} FROM api_keys WHERE user_id = ? AND id > ? ORDER BY id LIMIT ?`,
        [userId, afterId, limit]
      )
    },

    /** The state of each of these keys (by hash) that exists, in one query (its IN list padded: inList). */
    async states (keyHashes: string[]): Promise<Map<string, ApiKeyState>> {
      if (keyHashes.length === 0) return new Map()
      const { marks, params } = inList(keyHashes)
      const rows = await db.query<ApiKeyState & { key_hash: string } & Record<string, unknown>>(
        `SELECT k.key_hash, k.id, k.user_id, k.permissions, k.expires_at, k.revoked_at, k.last_used_ip, u.disabled_at,
          (SELECT GROUP_CONCAT(DISTINCT rp.permission) FROM user_roles ur
            JOIN role_permissions rp ON rp.role_id = ur.role_id WHERE ur.user_id = k.user_id) AS owner_permissions
         FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_hash IN (${marks})`,
        params
      )
      return new Map(rows.map(({ key_hash: hash, ...state }) => [hash, state]))
    },

    /** The hash of a live key of this user (to drop it from the cache), or undefined. */
    async liveHash (userId: number, id: number): Promise<string | undefined> {
      return (
        await db.query<{ key_hash: string }>(
          'SELECT key_hash FROM api_keys WHERE id = ? AND user_id = ? AND revoked_at IS NULL',
          [id, userId]
        )
      )[0]?.key_hash
    },

    /** Revokes one key of this user; false when there is no such unrevoked key. */
    async revoke (userId: number, id: number, now: number): Promise<boolean> {
      const r = await db.execute(
        'UPDATE api_keys SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL',
        [now, id, userId]
      )
      return r.affectedRows === 1
    },

    async revokeAll (userId: number, now: number): Promise<number> {
      const r = await db.execute('UPDATE api_keys SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL', [
        now,
        userId
      ])
      return r.affectedRows
    },

    /**
     * Records a use unless one was recorded less than `minGapMs` ago (by any instance): true
     * when this call recorded it.
     */
    async touch (id: number, now: number, ip: string | null, minGapMs: number): Promise<boolean> {
      const r = await db.execute(
        'UPDATE api_keys SET last_used_at = ?, last_used_ip = ? ' +
          'WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)',
        [now, ip, id, now - minGapMs]
      )
      return r.affectedRows === 1
    }
  }
}

export type ApiKeyRepository = ReturnType<typeof createApiKeyRepository>
