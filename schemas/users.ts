import { Type } from '@sinclair/typebox'
import { IdParams } from './ids.js'
import { ROLE_NAMES } from './access.js'
import { IdCursor, Int32, MAX_PAGE, Nullable, Page, RowId, Text, Timestamp } from './common.js'

/** A role name, from the one list. */
export const Role = Type.Union(ROLE_NAMES.map((r) => Type.Literal(r)))
/** The roles of an account: each at most once. */
export const Roles = (options = {}) => Type.Array(Role, { maxItems: ROLE_NAMES.length, uniqueItems: true, ...options })
/** Roles in responses: the same schema, typed `string[]` as the services hold them. */
export const RoleNames = (options = {}) => Type.Unsafe<string[]>(Roles(options))

export const AdminUser = Type.Object({
  id: RowId(),
  username: Text(50),
  roles: RoleNames(),
  two_factor_enabled: Type.Boolean(),
  disabled: Type.Boolean(),
  created_at: Timestamp()
}, { $id: 'AdminUser', additionalProperties: false })

export const AdminUserPage = Type.Object({
  items: Page(Type.Ref('AdminUser')),
  next_cursor: Nullable(IdCursor())
}, { $id: 'AdminUserPage', additionalProperties: false })

export const SetRolesRequest = Type.Object({
  roles: Roles({ minItems: 1 })
}, { $id: 'SetRolesRequest', additionalProperties: false, examples: [{ roles: ['viewer'] }] })

export const UserListQuery = Type.Object({
  limit: Type.Optional(Int32({ minimum: 1, maximum: MAX_PAGE, default: 20 })),
  cursor: Type.Optional(IdCursor({ description: 'the next_cursor of the previous page' }))
}, { additionalProperties: false })

export const UserParams = IdParams
