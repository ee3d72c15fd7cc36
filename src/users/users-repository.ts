import type { Executor } from '../db/driver.js'
import type { Role } from '../../schemas/access.js'

export interface UserRow {
  id: number
  username: string
  username_normalized: string
  password_hash: string
  totp_secret_enc: string
  totp_pending_secret_enc: string | null
  totp_confirmed_at: number | null
  totp_last_step: number | null
  disabled_at: number | null
  created_at: number
}

export interface NewUser {
  username: string
  usernameNormalized: string
  passwordHash: string
  totpSecretEnc: string
  role: Role
  now: number
}

const COLUMNS =
  'id, username, username_normalized, password_hash, totp_secret_enc, totp_pending_secret_enc, totp_confirmed_at, ' +
    'totp_last_step, disabled_at, created_at'

/** SQL for accounts, on a pool or inside a transaction (pass the transaction as `db`). */
export function createUserRepository (db: Executor) {
  return {
    async create (u: NewUser): Promise<number> {
      const { insertId } = await db.execute(
        'INSERT INTO users (username, username_normalized, password_hash, totp_secret_enc, created_at, ' +
          'updated_at) VALUES (?, ?, ?, ?, ?, ?)',
        [u.username, u.usernameNormalized, u.passwordHash, u.totpSecretEnc, u.now, u.now]
      )
      await db.execute('INSERT INTO user_roles (user_id, role_id) SELECT ?, id FROM roles WHERE name = ?', [
        insertId,
        u.role
      ])
      return insertId
    },

    async findByUsername (normalized: string): Promise<UserRow | undefined> {
      return (
        await db.query<UserRow & Record<string, unknown>>(
          `SELECT ${COLUMNS} FROM users WHERE username_normalized = ?`,
          [normalized]
        )
      )[0]
    },

    async findById (id: number): Promise<UserRow | undefined> {
      return (await db.query<UserRow & Record<string, unknown>>(`SELECT ${COLUMNS} FROM users WHERE id = ?`, [id]))[0]
    },

    async anyWithRole (role: Role): Promise<boolean> {
      return (
        (
          await db.query(
            'SELECT 1 AS one FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE r.name = ? LIMIT 1',
            [role]
          )
        ).length > 0
      )
    },

    async rolesOf (userId: number): Promise<string[]> {
      const rows = await db.query<{ name: string }>(
        'SELECT r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = ? ORDER BY r.name',
        [userId]
      )
      return rows.map((r) => r.name)
    },

    /**
     * Claims a TOTP time step: succeeds only for a step later than any accepted before,
     * in one conditional UPDATE, so concurrent requests and other instances cannot
     * accept the same code twice. `confirm` also activates a pending enrollment.
     */
    async claimTotpStep (userId: number, step: number, now: number, confirm: boolean): Promise<boolean> {
      const r = await db.execute(
        `UPDATE users SET totp_last_step = ?, updated_at = ?${confirm ? ', totp_confirmed_at = ?' : ''}
          WHERE id = ? AND totp_confirmed_at IS ${confirm ? '' : 'NOT '}NULL
            AND (totp_last_step IS NULL OR totp_last_step < ?)`,
        confirm ? [step, now, now, userId, step] : [step, now, userId, step]
      )
      return r.affectedRows === 1
    },

    /** Stages a new secret (2FA reset); the current one keeps working until the new one is confirmed. */
    async stageTotpSecret (userId: number, pendingEnc: string, now: number): Promise<void> {
      await db.execute('UPDATE users SET totp_pending_secret_enc = ?, updated_at = ? WHERE id = ?', [
        pendingEnc,
        now,
        userId
      ])
    },

    /**
     * Makes the staged secret the active one, claiming the step of the code that proved it
     * (a fresh counter: codes of the old secret never match the new one). Conditional on the
     * staged secret being unchanged, so it happens once.
     */
    async promoteTotpSecret (userId: number, pendingEnc: string, step: number, now: number): Promise<boolean> {
      const r = await db.execute(
        'UPDATE users SET totp_secret_enc = totp_pending_secret_enc, totp_pending_secret_enc = NULL, ' +
          'totp_last_step = ?, updated_at = ? WHERE id = ? AND totp_pending_secret_enc = ?',
        [step, now, userId, pendingEnc]
      )
      return r.affectedRows === 1
    },

    /** A page of accounts by id (keyset). */
    async list (afterId: number, limit: number): Promise<UserRow[]> {
      return db.query<UserRow & Record<string, unknown>>(
        `SELECT ${COLUMNS} FROM users WHERE id > ? ORDER BY id LIMIT ?`,
        [afterId, limit]
      )
    },

    /**
     * Serializes every change to who administers (role changes, disables): a write lock on the
     * admin role's row, taken first in the transaction, so a later read sees the others' commits.
     */
    async lockAdministrators (): Promise<void> {
      await db.execute("UPDATE roles SET name = name WHERE name = 'admin'")
    },

    async enabledAdministrators (): Promise<number> {
      const rows = await db.query<{ n: number | string }>(
        'SELECT COUNT(*) AS n FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id ' +
          "WHERE r.name = 'admin' AND u.disabled_at IS NULL"
      )
      return Number(rows[0]!.n)
    },

    /** Replaces a user's roles (call inside a transaction). */
    async setRoles (userId: number, roles: string[]): Promise<void> {
      await db.execute('DELETE FROM user_roles WHERE user_id = ?', [userId])
      for (const role of roles) {
        await db.execute('INSERT INTO user_roles (user_id, role_id) SELECT ?, id FROM roles WHERE name = ?', [
          userId,
          role
        ])
      }
    },

    async setDisabled (userId: number, disabledAt: number | null, now: number): Promise<boolean> {
      return (
        (await db.execute('UPDATE users SET disabled_at = ?, updated_at = ? WHERE id = ?', [disabledAt, now, userId]))
          .affectedRows === 1
      )
    },

    async setPasswordHash (userId: number, passwordHash: string, now: number): Promise<void> {
      await db.execute('UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?', [passwordHash, now, userId])
    }
  }
}

export type UserRepository = ReturnType<typeof createUserRepository>
