import { Type } from '@sinclair/typebox'

export const RefreshRequest = Type.Object({
  refresh_token: Type.String({ minLength: 1, maxLength: 100, description: 'the refresh_token from the last login or refresh' })
}, { $id: 'RefreshRequest', additionalProperties: false, examples: [{ refresh_token: '<refresh_token>' }] })

const Time = Type.String({ format: 'date-time' })

export const Session = Type.Object({
  id: Type.String(),
  created_at: Time,
  last_used_at: Type.String({ format: 'date-time', description: 'last login or refresh' }),
  idle_expires_at: Type.String({ format: 'date-time', description: 'ends unless refreshed before then; slides on each refresh' }),
  absolute_expires_at: Type.String({ format: 'date-time', description: 'ends then whatever its use' }),
  user_agent: Type.String(),
  ip: Type.String(),
  current: Type.Boolean({ description: 'the session of the access token making this request' })
}, { $id: 'Session', additionalProperties: false })

export const SessionList = Type.Object({ items: Type.Array(Type.Ref('Session')) }, { $id: 'SessionList', additionalProperties: false })

export const SessionParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$' }) }, { additionalProperties: false })

export const Jwk = Type.Object({
  kty: Type.Literal('RSA'),
  kid: Type.String(),
  use: Type.Literal('sig'),
  alg: Type.Literal('RS256'),
  n: Type.String(),
  e: Type.String()
}, { $id: 'Jwk', additionalProperties: false })

export const Jwks = Type.Object({ keys: Type.Array(Type.Ref('Jwk')) }, { $id: 'Jwks', additionalProperties: false, description: 'RFC 7517 key set: the signing key first, then earlier keys still accepted' })
