import { Type, type TSchema } from '@sinclair/typebox'
import { Int32, Text } from './common.js'

/**
 * Response headers, as JSON schemas: what a route lists under a response's `headers`
 * (@fastify/swagger wraps each into an OpenAPI Header Object; writing `{ schema: ... }`
 * there nests it twice). A header a route lists is one it always sends with that status.
 */
export const ETag = Type.String({
  pattern: '^"[0-9]{1,10}"$',
  maxLength: 12,
  description: 'the version of the product, quoted (`"3"`): send it back in If-Match or If-None-Match'
})
export const Location = Text(40, { format: 'uri-reference', description: 'the path of the new resource' })

interface HeaderObject {
  description: string
  required: boolean
  schema: TSchema
}

const header = (schema: TSchema, required: boolean, description: string): HeaderObject => ({
  description,
  required,
  schema
})
const seconds = (description: string) => Int32({ description })
const rateLimited = 'Absent only while the shared limiter store (REDIS_URL) is unreachable: limits then fail open.'

/** Headers every response of every operation carries (or may carry), by name as the document writes them. */
export const EVERY_RESPONSE: Record<string, HeaderObject> = {
  'X-Request-Id': header(
    Text(128, { pattern: '^[A-Za-z0-9._:-]{1,128}$' }),
    true,
    'The id of this request, also in the log and the audit trail: the X-Request-Id you sent if well-formed, else ' +
      'a new UUID.'
  ),
  'X-RateLimit-Limit': header(
    Int32(),
    false,
    `Requests allowed per minute from your address for this group of routes. ${rateLimited}`
  ),
  'X-RateLimit-Remaining': header(Int32(), false, `Requests left in the current minute. ${rateLimited}`),
  'X-RateLimit-Reset': header(
    seconds('seconds'),
    false,
    `Seconds until the current minute ends and the count resets. ${rateLimited}`
  ),
  'Access-Control-Allow-Origin': header(
    Text(2048),
    false,
    "Sent only when the request's Origin is one of CORS_ORIGINS (none by default): that origin."
  )
}

/** Headers of particular statuses, whatever the operation. */
export const BY_STATUS: Record<string, Record<string, HeaderObject>> = {
  401: {
    'WWW-Authenticate': header(
      Text(200),
      false,
      'Sent when the bearer token is missing or refused (RFC 6750): `Bearer`, with `error="invalid_token"` when ' +
        'one was sent.'
    )
  },
  429: { 'Retry-After': header(seconds('seconds'), true, 'Seconds to wait before trying again.') },
  503: { 'Retry-After': header(seconds('seconds'), true, 'Seconds to wait before trying again.') }
}

/**
 * Headers the document does not repeat per response: HTTP's own framing and caching
 * headers, CORS's other headers, and the security headers every response carries
 * (listed once in the document's description).
 */
export const SECURITY_HEADERS = [
  'Content-Security-Policy',
  'Cross-Origin-Opener-Policy',
  'Cross-Origin-Resource-Policy',
  'Origin-Agent-Cluster',
  'Referrer-Policy',
  'Strict-Transport-Security',
  'X-Content-Type-Options',
  'X-DNS-Prefetch-Control',
  'X-Download-Options',
  'X-Frame-Options',
  'X-Permitted-Cross-Domain-Policies',
  'X-XSS-Protection'
] as const
export const HTTP_HEADERS = [
  'Cache-Control',
  'Connection',
  'Content-Length',
  'Content-Type',
  'Date',
  'Keep-Alive',
  'Transfer-Encoding',
  'Vary',
  'Access-Control-Allow-Credentials',
  'Access-Control-Expose-Headers'
] as const
