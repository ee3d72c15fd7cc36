import type { Executor } from '../db/driver.js'
import { Errors, defineError } from '../errors.js'
import { fromCents, toCents } from './money.js'
import { ifMatchPasses, ifNoneMatchHits } from './entity-tags.js'
import { productDescription, productName } from './product-text.js'
import { keysetPage } from '../db/keyset.js'
import {
  createProductRepository,
  SORT_COLUMNS,
  type ProductFields,
  type ProductRow,
  type SortField
} from './products-repository.js'

export const ProductErrors = {
  invalidCursor: defineError(400, 'invalid_cursor', 'The cursor is not one this listing gave out'),
  notFound: defineError(404, 'product_not_found', 'No such product'),
  preconditionFailed: Errors.preconditionFailed
}

export interface ProductBody {
  name?: string
  description?: string
  price?: string | number
  quantity?: number
}

export interface ListParams {
  limit: number
  cursor?: string
  q?: string
  min_price?: string
  max_price?: string
  in_stock?: boolean
  sort: SortField
  order: 'asc' | 'desc'
}

export const etagOf = (row: { version: number }) => `"${row.version}"`

/** True when If-None-Match names the current version (or is `*`). */
export function notModified (ifNoneMatch: string | undefined, row: { version: number }): boolean {
  return ifNoneMatch !== undefined && ifNoneMatchHits(ifNoneMatch, etagOf(row))
}

const fieldsOf = (b: ProductBody): ProductFields => ({
  ...(b.name !== undefined && { name: productName(b.name) }),
  ...(b.description !== undefined && { description: productDescription(b.description) }),
  ...(b.price !== undefined && { price_cents: toCents(b.price) }),
  ...(b.quantity !== undefined && { quantity: b.quantity })
})

export const toProduct = (r: ProductRow) => ({
  id: r.id,
  name: r.name,
  description: r.description,
  price: fromCents(r.price_cents),
  quantity: r.quantity,
  version: r.version,
  created_at: new Date(r.created_at).toISOString(),
  updated_at: new Date(r.updated_at).toISOString()
})

function encodeCursor (sort: SortField, order: string, row: ProductRow): string {
  return Buffer.from(JSON.stringify([sort, order, row[SORT_COLUMNS[sort]], row.id])).toString('base64url')
}

function decodeCursor (cursor: string, sort: SortField, order: string): { value: string | number; id: number } {
  try {
    const [s, o, value, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[]
    const valueOk = sort === 'name' ? typeof value === 'string' : Number.isSafeInteger(value)
    if (s === sort && o === order && valueOk && Number.isSafeInteger(id)) {
      return { value: value as string | number, id: id as number }
    }
  } catch {}
  throw ProductErrors.invalidCursor('Pass the next_cursor of the previous page, with the same sort and order')
}

export function createProductService ({ db, now }: { db: Executor; now: () => number }) {
  const repository = createProductRepository(db)
  const repo = () => repository

  async function existing (id: number): Promise<ProductRow> {
    const row = await repo().findById(id)
    if (!row) throw ProductErrors.notFound(`No product ${id}`)
    return row
  }

  /** The version a conditional change must find, or undefined when unconditional. */
  async function expectedVersion (id: number, ifMatch: string | undefined): Promise<number | undefined> {
    const current = await existing(id)
    if (ifMatch === undefined) return undefined
    if (!ifMatchPasses(ifMatch, etagOf(current))) {
      throw ProductErrors.preconditionFailed(`The product is at ETag ${etagOf(current)}`)
    }
    return current.version
  }

  return {
    async create (body: Required<Pick<ProductBody, 'name' | 'price' | 'quantity'>> & ProductBody) {
      const id = await repo().insert({ description: '', ...fieldsOf(body) } as Required<ProductFields>, now())
      return existing(id)
    },

    get: existing,

    async list (p: ListParams) {
      const rows = await repo().list({
        limit: p.limit + 1,
        sort: p.sort,
        desc: p.order === 'desc',
        after: p.cursor === undefined ? undefined : decodeCursor(p.cursor, p.sort, p.order),
        namePrefix: p.q?.normalize('NFC'),
        minCents: p.min_price === undefined ? undefined : toCents(p.min_price),
        maxCents: p.max_price === undefined ? undefined : toCents(p.max_price),
        inStock: p.in_stock
      })
      const page = keysetPage(rows, p.limit, (last) => encodeCursor(p.sort, p.order, last))
      return { items: page.rows.map(toProduct), next_cursor: page.next_cursor }
    },

    /** PUT replaces every field (description defaults to empty); PATCH changes the fields sent. */
    async update (id: number, body: ProductBody, ifMatch: string | undefined, replace: boolean) {
      const version = await expectedVersion(id, ifMatch)
      const fields = fieldsOf(replace ? { description: '', ...body } : body)
      if (!(await repo().update(id, fields, version, now()))) {
        throw version === undefined
          ? ProductErrors.notFound(`No product ${id}`)
          : ProductErrors.preconditionFailed('The product changed meanwhile')
      }
      return existing(id)
    },

    async remove (id: number, ifMatch: string | undefined) {
      const version = await expectedVersion(id, ifMatch)
      if (!(await repo().delete(id, version))) {
        throw version === undefined
          ? ProductErrors.notFound(`No product ${id}`)
          : ProductErrors.preconditionFailed('The product changed meanwhile')
      }
    }
  }
}

export type ProductService = ReturnType<typeof createProductService>
