import { Type, type SchemaOptions, type TSchema } from '@sinclair/typebox'

/**
 * The kinds of value that repeat across resources, each bounded once: every id, count,
 * timestamp and free text in the contract comes from here, so formats and limits stay
 * the same in requests and responses and other generators get the right types.
 */

/** Ids are BIGINT in the store; the API keeps them within what a JavaScript number holds exactly. */
export const MAX_ID = 9007199254740991
/** The largest INT column (quantity, version) and the bound for any other count. */
export const MAX_INT32 = 2147483647
/** Pages of every list: the `limit` query parameter's maximum, so also the maximum of any `items`. */
export const MAX_PAGE = 100

/** A row id (users, products, audit events): `format: int64`; clients in other languages map it to a 64-bit integer. */
export const RowId = (options: SchemaOptions = {}) =>
  Type.Integer({ format: 'int64', minimum: 1, maximum: MAX_ID, ...options })

/** A 32-bit count, lifetime or quantity (never negative). */
export const Int32 = (options: SchemaOptions & { minimum?: number; maximum?: number } = {}) =>
  Type.Integer({ format: 'int32', minimum: 0, maximum: MAX_INT32, ...options })

/** An RFC 3339 instant as the API writes it (`2026-01-01T12:00:00.000Z`). */
export const Timestamp = (options: SchemaOptions = {}) =>
  Type.String({ format: 'date-time', maxLength: 35, ...options })

/** Free text with the bound the store or the code gives it. */
export const Text = (maxLength: number, options: SchemaOptions & { minLength?: number; pattern?: string } = {}) =>
  Type.String({ maxLength, ...options })

/** A page of items: bounded by the page size. */
export const Page = <T extends TSchema>(items: T, options: SchemaOptions = {}) =>
  Type.Array(items, { maxItems: MAX_PAGE, ...options })

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])

/** The cursor of lists paged by id: the last id seen, as digits. */
export const IdCursor = (options: SchemaOptions = {}) =>
  Type.String({ pattern: '^[0-9]{1,16}$', maxLength: 16, ...options })

/**
 * Characters never in a label a person gives (a key's or a passkey's name, shown in lists and the audit log):
 * controls, soft hyphen, zero-width, bidi and other invisible format characters, line and paragraph separators,
 * lone surrogates. The pattern is matched per code point, so a surrogate pair (an emoji) is one character, allowed.
 * No lookahead: the contract fuzzer generates values from the pattern.
 */
const NOT_IN_LABEL = '\\x00-\\x1F\\x7F-\\x9F\\xAD\\u061C\\u180E\\u200B-\\u200F\\u2028-\\u202E\\u2060-\\u206F' +
  '\\uFEFF\\uFFF9-\\uFFFB\\uD800-\\uDFFF'
const LABEL_CHAR = `[^${NOT_IN_LABEL}]`

/** A name a person chooses: 1 to `maxLength` characters, at least one visible, none of NOT_IN_LABEL. */
export const Label = (maxLength: number, options: { description: string, examples: string[] }) => Type.String({
  minLength: 1,
  maxLength,
  pattern: `^${LABEL_CHAR}*[^\\s${NOT_IN_LABEL}]${LABEL_CHAR}*$`,
  ...options,
  description: `${options.description}: 1 to ${maxLength} characters, at least one visible; ` +
    'no control, zero-width, bidi or other invisible format characters'
})
