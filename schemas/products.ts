import { Type } from '@sinclair/typebox'
import { IdParams } from './ids.js'
import { Int32, MAX_PAGE, Page, RowId, Text, Timestamp } from './common.js'

/** A price as decimal text: what requests and responses carry, and what money.ts converts to cents. */
export const PRICE_PATTERN = '^(0|[1-9][0-9]{0,7})(\\.[0-9]{1,2})?$'
const PRICE_TEXT =
  'Exact decimal, 0 to 99999999.99 with at most 2 decimals (DECIMAL(10,2)); stored as integer cents, never a ' +
    'binary float.'

/** Responses always carry price as a string, so no client parses it into a float by accident. */
export const Price = Type.String({
  $id: 'Price',
  pattern: PRICE_PATTERN,
  maxLength: 11,
  description: `${PRICE_TEXT} Always a string in responses.`,
  examples: ['2000.00']
})

/**
 * Requests may send a string or a JSON number: the number's digits are read exactly as sent (1.005 is refused, not
 * rounded).
 */
const PriceInput = Type.Union(
  [Type.String({ pattern: PRICE_PATTERN, maxLength: 11 }), Type.Number({ minimum: 0, maximum: 99999999.99 })],
  {
    description: `${PRICE_TEXT} Send a string ("19.99") or a JSON number (19.99); either is taken digit for digit.`,
    examples: [2000.0],
    // one error in words rather than one per branch (pattern, type, anyOf)
    errorMessage:
      'must be a price: a number or string from 0 to 99999999.99 with at most 2 decimals, such as 19.99 or "19.99"'
  }
)

const Name = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: '\\S',
  description:
    '1 to 100 characters, stored NFC with surrounding spaces trimmed; no control or format characters (bidi, ' +
      'zero-width), no lone surrogates, at least one visible character',
  examples: ['Gaming Laptop']
})
const Description = Type.String({
  maxLength: 255,
  description: 'stored NFC; no control characters but tab and line breaks, no bidi controls, no lone surrogates',
  examples: ['Powerful laptop for gaming']
})
const Quantity = Int32({ examples: [5] })
const Cursor = (options = {}) => Text(500, { minLength: 1, ...options })

export const ProductInput = Type.Object(
  {
    name: Name,
    description: Type.Optional(Description),
    price: PriceInput,
    quantity: Quantity
  },
  {
    $id: 'ProductInput',
    additionalProperties: false,
    examples: [{ name: 'Gaming Laptop', description: 'Powerful laptop for gaming', price: 2000.0, quantity: 5 }]
  }
)

export const ProductPatch = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    price: Type.Optional(PriceInput),
    quantity: Type.Optional(Quantity)
  },
  { $id: 'ProductPatch', additionalProperties: false, minProperties: 1, examples: [{ price: '1899.99', quantity: 4 }] }
)

export const Product = Type.Object(
  {
    id: RowId({ examples: [1] }),
    name: Text(100),
    description: Text(255),
    price: Type.Ref('Price'),
    quantity: Int32(),
    version: Int32({ minimum: 1, description: 'increases with each change; the ETag is its quoted value' }),
    created_at: Timestamp(),
    updated_at: Timestamp()
  },
  { $id: 'Product', additionalProperties: false }
)

export const ProductPage = Type.Object(
  {
    items: Page(Type.Ref('Product')),
    next_cursor: Type.Union([Cursor(), Type.Null()], {
      description: 'pass as `cursor` for the next page; null on the last page'
    })
  },
  { $id: 'ProductPage', additionalProperties: false }
)

/** The fields a product list sorts by; the repository maps each to its indexed column. */
export const SORT_FIELDS = ['id', 'name', 'price', 'created_at'] as const
export type SortField = (typeof SORT_FIELDS)[number]

export const ProductListQuery = Type.Object(
  {
    limit: Type.Optional(Int32({ minimum: 1, maximum: MAX_PAGE, default: 20 })),
    cursor: Type.Optional(Cursor({ description: 'opaque: the next_cursor of the previous page' })),
    q: Type.Optional(Text(100, { minLength: 1, description: 'names starting with this, ignoring case' })),
    min_price: Type.Optional(
      Type.String({ pattern: PRICE_PATTERN, maxLength: 11, description: 'lowest price, as a decimal string' })
    ),
    max_price: Type.Optional(
      Type.String({ pattern: PRICE_PATTERN, maxLength: 11, description: 'highest price, as a decimal string' })
    ),
    in_stock: Type.Optional(Type.Boolean({ description: 'true: quantity > 0; false: quantity = 0' })),
    sort: Type.Optional(
      Type.Union(
        SORT_FIELDS.map((f) => Type.Literal(f)),
        { default: 'id' }
      )
    ),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc' }))
  },
  { additionalProperties: false }
)

export const ProductParams = IdParams

export const ConditionalHeaders = Type.Object({
  'if-match': Type.Optional(
    Text(1000, {
      description: 'the ETag you last saw ("3"), or *: the change happens only if the product still has it, else 412'
    })
  ),
  'if-none-match': Type.Optional(Text(1000, { description: 'the ETag you hold: 304 when unchanged' }))
})
