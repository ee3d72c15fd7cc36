import { Type } from '@sinclair/typebox'
import { IdParams } from './ids.js'
import { ROLE_NAMES } from './access.js'

export const AdminUser = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  roles: Type.Array(Type.String()),
  two_factor_enabled: Type.Boolean(),
  disabled: Type.Boolean(),
  created_at: Type.String({ format: 'date-time' })
}, { $id: 'AdminUser', additionalProperties: false })

export const AdminUserPage = Type.Object({
  items: Type.Array(Type.Ref('AdminUser')),
  next_cursor: Type.Union([Type.String(), Type.Null()])
}, { $id: 'AdminUserPage', additionalProperties: false })

export const SetRolesRequest = Type.Object({
  roles: Type.Array(Type.Union(ROLE_NAMES.map((r) => Type.Literal(r))),
    { minItems: 1, maxItems: ROLE_NAMES.length, uniqueItems: true })
}, { $id: 'SetRolesRequest', additionalProperties: false, examples: [{ roles: ['viewer'] }] })

export const UserListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,16}$', description: 'the next_cursor of the previous page' }))
}, { additionalProperties: false })

export const UserParams = IdParams
