import { Type } from '@sinclair/typebox'

const PRICE_PATTERN = '^(0|[1-9][0-9]{0,7})(\\.[0-9]{1,2})?$'
const PRICE_TEXT = 'Exact decimal, 0 to 99999999.99 with at most 2 decimals (DECIMAL(10,2)); stored as integer cents, never a binary float.'

/** Responses always carry price as a string, so no client parses it into a float by accident. */
export const Price = Type.String({ $id: 'Price', pattern: PRICE_PATTERN, description: `${PRICE_TEXT} Always a string in responses.`, examples: ['2000.00'] })

/** Requests may send a string or a JSON number: the number's digits are read exactly as sent (1.005 is refused, not rounded). */
const PriceInput = Type.Union([
  Type.String({ pattern: PRICE_PATTERN }),
  Type.Number({ minimum: 0, maximum: 99999999.99 })
], {
  description: `${PRICE_TEXT} Send a string ("19.99") or a JSON number (19.99); either is taken digit for digit.`,
  examples: [2000.00],
  // one error in words rather than one per branch (pattern, type, anyOf)
  errorMessage: 'must be a price: a number or string from 0 to 99999999.99 with at most 2 decimals, such as 19.99 or "19.99"'
})

const Name = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S', description: '1 to 100 characters; surrounding spaces are trimmed', examples: ['Gaming Laptop'] })
const Description = Type.String({ maxLength: 255, examples: ['Powerful laptop for gaming'] })
const Quantity = Type.Integer({ minimum: 0, maximum: 2147483647, examples: [5] })

export const ProductInput = Type.Object({
  name: Name,
  description: Type.Optional(Description),
  price: PriceInput,
  quantity: Quantity
}, {
  $id: 'ProductInput',
  additionalProperties: false,
  examples: [{ name: 'Gaming Laptop', description: 'Powerful laptop for gaming', price: 2000.00, quantity: 5 }]
})

export const ProductPatch = Type.Object({
  name: Type.Optional(Name),
  description: Type.Optional(Description),
  price: Type.Optional(PriceInput),
  quantity: Type.Optional(Quantity)
}, { $id: 'ProductPatch', additionalProperties: false, minProperties: 1, examples: [{ price: '1899.99', quantity: 4 }] })

export const Product = Type.Object({
  id: Type.Integer({ examples: [1] }),
  name: Type.String(),
  description: Type.String(),
  price: Type.Ref('Price'),
  quantity: Type.Integer(),
  version: Type.Integer({ description: 'increases with each change; the ETag is its quoted value' }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' })
}, { $id: 'Product', additionalProperties: false })

export const ProductPage = Type.Object({
  items: Type.Array(Type.Ref('Product')),
  next_cursor: Type.Union([Type.String(), Type.Null()], { description: 'pass as `cursor` for the next page; null on the last page' })
}, { $id: 'ProductPage', additionalProperties: false })

export const SORT_FIELDS = ['id', 'name', 'price', 'created_at'] as const

export const ProductListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'opaque: the next_cursor of the previous page' })),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'names starting with this, ignoring case' })),
  min_price: Type.Optional(Type.String({ pattern: PRICE_PATTERN, description: 'lowest price, as a decimal string' })),
  max_price: Type.Optional(Type.String({ pattern: PRICE_PATTERN, description: 'highest price, as a decimal string' })),
  in_stock: Type.Optional(Type.Boolean({ description: 'true: quantity > 0; false: quantity = 0' })),
  sort: Type.Optional(Type.Union(SORT_FIELDS.map((f) => Type.Literal(f)), { default: 'id' })),
  order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc' }))
}, { additionalProperties: false })

export const ProductParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 9007199254740991 }) }, { additionalProperties: false })

export const ConditionalHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ maxLength: 1000, description: 'the ETag you last saw ("3"), or *: the change happens only if the product still has it, else 412' })),
  'if-none-match': Type.Optional(Type.String({ maxLength: 1000, description: 'the ETag you hold: 304 when unchanged' }))
})
