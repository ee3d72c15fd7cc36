import type { Executor } from '../db/driver.js'

export interface PasskeyRow {
  id: number
  user_id: number
  credential_id: string
  public_key: string
  sign_count: number
  transports: string
  backed_up: number
  name: string
  created_at: number
  last_used_at: number | null
}

export type NewPasskey = Omit<PasskeyRow, 'id' | 'last_used_at' | 'backed_up'>
  & { credential_hash: string, backed_up: boolean }

const COLUMNS = 'id, user_id, credential_id, public_key, sign_count, transports, backed_up, name, created_at, ' +
  'last_used_at'
type Row = PasskeyRow & Record<string, unknown>

/** Passkeys and each account's WebAuthn user handle. */
export function createPasskeyRepository (db: Executor) {
  return {
    async create (p: NewPasskey): Promise<number> {
      const r = await db.execute(
        `INSERT INTO passkeys (user_id, credential_hash, credential_id, public_key, sign_count, transports, backed_up,
           name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [p.user_id, p.credential_hash, p.credential_id, p.public_key, p.sign_count, p.transports, p.backed_up, p.name,
          p.created_at])
      return r.insertId
    },

    async findByCredentialHash (hash: string): Promise<PasskeyRow | undefined> {
      return (await db.query<Row>(`SELECT ${COLUMNS} FROM passkeys WHERE credential_hash = ?`, [hash]))[0]
    },

    async listOf (userId: number): Promise<PasskeyRow[]> {
      return db.query<Row>(`SELECT ${COLUMNS} FROM passkeys WHERE user_id = ? ORDER BY id`, [userId])
    },

    async countOf (userId: number): Promise<number> {
      const rows = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM passkeys WHERE user_id = ?', [userId])
      return Number(rows[0]!.n)
    },

    async rename (userId: number, id: number, name: string): Promise<boolean> {
      const r = await db.execute('UPDATE passkeys SET name = ? WHERE id = ? AND user_id = ?', [name, id, userId])
      return r.affectedRows === 1
    },

    async remove (userId: number, id: number): Promise<boolean> {
      return (await db.execute('DELETE FROM passkeys WHERE id = ? AND user_id = ?', [id, userId])).affectedRows === 1
    },

    /** A verified use: the counter only moves forward (a concurrent use with a higher counter wins). */
    async recordUse (id: number, signCount: number, backedUp: boolean, now: number): Promise<boolean> {
      const r = await db.execute(
        'UPDATE passkeys SET sign_count = ?, backed_up = ?, last_used_at = ? ' +
        'WHERE id = ? AND (sign_count < ? OR sign_count = 0)',
        [signCount, backedUp, now, id, signCount])
      return r.affectedRows === 1
    },

    /** Holds the owner's row until the transaction ends, so concurrent registrations count one after another. */
    async lockOwner (userId: number): Promise<void> {
      await db.execute('UPDATE users SET webauthn_user_handle = webauthn_user_handle WHERE id = ?', [userId])
    },

    async userHandleOf (userId: number): Promise<string | null> {
      const rows = await db.query<{ h: string | null }>('SELECT webauthn_user_handle AS h FROM users WHERE id = ?',
        [userId])
      return rows[0]?.h ?? null
    },

    /** Sets the handle once; false when the account already has one (a concurrent request set it). */
    async setUserHandle (userId: number, handle: string): Promise<boolean> {
      const r = await db.execute(
        'UPDATE users SET webauthn_user_handle = ? WHERE id = ? AND webauthn_user_handle IS NULL',
        [handle, userId])
      return r.affectedRows === 1
    }
  }
}

export type PasskeyRepository = ReturnType<typeof createPasskeyRepository>
