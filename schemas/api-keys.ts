import { Type } from '@sinclair/typebox'
import { PERMISSION_NAMES } from './access.js'
import { IdCursor, Int32, Label, MAX_PAGE, Nullable, Page, RowId, Text, Timestamp } from './common.js'
import { Id } from './ids.js'

/** Live (unrevoked, unexpired) keys a user may hold at once. */
export const MAX_LIVE_API_KEYS = 50
/** Every key expires: from one day to a year after its creation. */
export const API_KEY_DAYS = { min: 1, max: 365 }

const Permission = Type.Union(PERMISSION_NAMES.map((p) => Type.Literal(p)))
/** A key's permissions: each at most once, at least one. */
const KeyPermissions = (options = {}) =>
  Type.Array(Permission, { minItems: 1, maxItems: PERMISSION_NAMES.length, uniqueItems: true, ...options })
/** The same in responses, typed `string[]` as the services hold them. */
const KeyPermissionNames = (options = {}) => Type.Unsafe<string[]>(KeyPermissions(options))
const KeyName = Label(100, { description: 'what the key is for', examples: ['CI deploy'] })
const Prefix = Text(16, {
  pattern: '^sapi_[0-9A-Za-z]{0,11}$',
  description: 'the first characters of the key, to recognize it',
  examples: ['sapi_4fQx']
})

export const CreateApiKeyRequest = Type.Object(
  {
    name: KeyName,
    permissions: KeyPermissions({
      description: 'a subset of your own permissions; the key can never do more than you can at the time'
    }),
    expires_in_days: Int32({
      minimum: API_KEY_DAYS.min,
      maximum: API_KEY_DAYS.max,
      description: 'no eternal keys: 1 to 365 days',
      examples: [90]
    })
  },
  {
    $id: 'CreateApiKeyRequest',
    additionalProperties: false,
    examples: [{ name: 'CI deploy', permissions: ['products:read'], expires_in_days: 90 }]
  }
)

export const CreatedApiKey = Type.Object(
  {
    id: RowId(),
    name: KeyName,
    key: Text(64, {
      pattern: '^sapi_[0-9A-Za-z]{49}$',
      description:
        'the key itself, shown this once: send it as `Authorization: Bearer <key>`; only its SHA-256 is stored'
    }),
    prefix: Prefix,
    permissions: KeyPermissionNames(),
    expires_at: Timestamp()
  },
  { $id: 'CreatedApiKey', additionalProperties: false }
)

export const ApiKey = Type.Object(
  {
    id: RowId(),
    name: KeyName,
    prefix: Prefix,
    permissions: KeyPermissionNames({
      description: 'granted at creation; each request gets only those the owner still holds'
    }),
    created_at: Timestamp(),
    expires_at: Timestamp(),
    last_used_at: Nullable(Timestamp({ description: 'updated at most once a minute' })),
    last_used_ip: Nullable(
      Text(45, {
        description: 'the IP address of the last recorded use (null before the first, or when it was not an IP)'
      })
    ),
    revoked_at: Nullable(Timestamp())
  },
  { $id: 'ApiKey', additionalProperties: false }
)

export const ApiKeyPage = Type.Object(
  {
    items: Page(Type.Ref('ApiKey')),
    next_cursor: Nullable(IdCursor())
  },
  { $id: 'ApiKeyPage', additionalProperties: false }
)

export const ApiKeyListQuery = Type.Object(
  {
    limit: Type.Optional(Int32({ minimum: 1, maximum: MAX_PAGE, default: 20 })),
    cursor: Type.Optional(IdCursor({ description: 'the next_cursor of the previous page' }))
  },
  { additionalProperties: false }
)

export const ApiKeyParams = Type.Object({ id: Id }, { additionalProperties: false })
export const UserApiKeyParams = Type.Object({ id: Id, keyId: Id }, { additionalProperties: false })
