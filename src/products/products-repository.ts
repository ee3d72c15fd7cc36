import type { Executor, SqlValue } from '../db/driver.js'
import type { SortField } from '../../schemas/products.js'

export interface ProductRow {
  id: number
  name: string
  description: string
  price_cents: number
  quantity: number
  version: number
  created_at: number
  updated_at: number
}

export type ProductFields = Partial<Pick<ProductRow, 'name' | 'description' | 'price_cents' | 'quantity'>>

/** The column of each sort field; each has an index (column, id) so every page is an index range scan. */
export const SORT_COLUMNS = {
  id: 'id',
  name: 'name',
  price: 'price_cents',
  created_at: 'created_at'
} as const satisfies Record<SortField, string>
export type { SortField }

export interface ListQuery {
  limit: number
  sort: SortField
  desc: boolean
  after?: { value: string | number; id: number }
  namePrefix?: string
  minCents?: number
  maxCents?: number
  inStock?: boolean
}

const COLUMNS = 'id, name, description, price_cents, quantity, version, created_at, updated_at'
const FIELD_COLUMNS = ['name', 'description', 'price_cents', 'quantity'] as const

export function createProductRepository (db: Executor) {
  return {
    async insert (p: Required<ProductFields>, now: number): Promise<number> {
      const r = await db.execute(
        'INSERT INTO products (name, description, price_cents, quantity, version, created_at, updated_at) VALUES ' +
          '(?, ?, ?, ?, 1, ?, ?)',
        [p.name, p.description, p.price_cents, p.quantity, now, now]
      )
      return r.insertId
    },

    async findById (id: number): Promise<ProductRow | undefined> {
      return (
        await db.query<ProductRow & Record<string, unknown>>(`SELECT ${COLUMNS} FROM products WHERE id = ?`, [id])
      )[0]
    },

    /** Keyset pagination: rows after the cursor in (sort column, id) order; cost does not grow with depth. */
    async list (q: ListQuery): Promise<ProductRow[]> {
      const where: string[] = []
      const params: SqlValue[] = []
      if (q.namePrefix !== undefined) {
        where.push("name LIKE ? ESCAPE '!'")
        params.push(q.namePrefix.replace(/[!%_]/g, '!$&') + '%')
      }
      if (q.minCents !== undefined) {
        where.push('price_cents >= ?')
        params.push(q.minCents)
      }
      if (q.maxCents !== undefined) {
        where.push('price_cents <= ?')
        params.push(q.maxCents)
      }
      if (q.inStock !== undefined) where.push(q.inStock ? 'quantity > 0' : 'quantity = 0')
      const col = SORT_COLUMNS[q.sort]
      const cmp = q.desc ? '<' : '>'
      if (q.after) {
        if (col === 'id') {
          where.push(`id ${cmp} ?`)
          params.push(q.after.id)
        } else {
          where.push(`(${col} ${cmp} ? OR (${col} = ? AND id ${cmp} ?))`)
          params.push(q.after.value, q.after.value, q.after.id)
        }
      }
      const dir = q.desc ? 'DESC' : 'ASC'
      const order = col === 'id' ? `id ${dir}` : `${col} ${dir}, id ${dir}`
      params.push(q.limit)
      return db.query<ProductRow & Record<string, unknown>>(
        `SELECT ${COLUMNS} FROM products${where.length ? ' WHERE ' + where.join(' AND ') : ''} ` +
          `ORDER BY ${order} LIMIT ?`,
        params
      )
    },

    /** Changes the given fields; with `version`, only if the row still has it (no lost updates). */
    async update (id: number, fields: ProductFields, version: number | undefined, now: number): Promise<boolean> {
      const set = FIELD_COLUMNS.filter((c) => fields[c] !== undefined)
      const r = await db.execute(
        `UPDATE products SET ${set.map((c) => `${c} = ?, `).join('')}version = version + 1, updated_at = ? ` +
          `WHERE id = ?${version === undefined ? '' : ' AND version = ?'}`,
        [...set.map((c) => fields[c]!), now, id, ...(version === undefined ? [] : [version])]
      )
      return r.affectedRows === 1
    },

    async delete (id: number, version: number | undefined): Promise<boolean> {
      const r = await db.execute(
        `DELETE FROM products WHERE id = ?${version === undefined ? '' : ' AND version = ?'}`,
        version === undefined ? [id] : [id, version]
      )
      return r.affectedRows === 1
    }
  }
}
