/**
 * Errors are values: each kind is declared once with its status, code and title,
 * thrown where it happens, and rendered as problem+json by the root error handler.
 */
export const PROBLEM_BASE = 'https://secure-api.dev/problems/'

export interface ValidationIssue {
  pointer: string
  message: string
}

export class ApiError extends Error {
  override name = 'ApiError'
  constructor (
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly headers: Record<string, string> = {},
    readonly errors?: ValidationIssue[]
  ) {
    super(detail ?? title)
  }
}

export interface ErrorKind {
  (detail?: string, headers?: Record<string, string>): ApiError
  status: number
  code: string
  title: string
}

/** `headers`: what every error of this kind carries (a call can add or override). */
export function defineError (
  status: number,
  code: string,
  title: string,
  headers: Record<string, string> = {}
): ErrorKind {
  const make = (detail?: string, own?: Record<string, string>) =>
    new ApiError(status, code, title, detail, { ...headers, ...own })
  return Object.assign(make, { status, code, title })
}

export const Errors = {
  validation: defineError(400, 'validation_failed', 'Request validation failed'),
  malformedJson: defineError(400, 'malformed_json', 'Request body is not valid JSON'),
  badRequest: defineError(400, 'bad_request', 'Bad request'),
  preconditionFailed: defineError(412, 'precondition_failed', 'The resource changed: If-Match does not match its ETag'),
  unauthenticated: defineError(401, 'unauthenticated', 'Authentication required'),
  invalidToken: defineError(401, 'invalid_token', 'Invalid access token'),
  tokenExpired: defineError(401, 'token_expired', 'Access token expired'),
  forbidden: defineError(403, 'forbidden', 'Forbidden'),
  notFound: defineError(404, 'not_found', 'Not found'),
  methodNotAllowed: defineError(405, 'method_not_allowed', 'Method not allowed'),
  uriTooLong: defineError(414, 'uri_too_long', 'A path parameter is too long'),
  requestTimeout: defineError(408, 'request_timeout', 'The request did not arrive in time'),
  headersTooLarge: defineError(431, 'headers_too_large', 'Request headers are too large'),
  payloadTooLarge: defineError(413, 'payload_too_large', 'Request body is too large'),
  unsupportedMediaType: defineError(415, 'unsupported_media_type', 'Unsupported media type'),
  rateLimited: defineError(429, 'rate_limited', 'Too many requests from this address'),
  internal: defineError(500, 'internal_error', 'Internal server error'),
  overloaded: defineError(503, 'overloaded', 'The service is overloaded: retry later', { 'retry-after': '2' }),
  storeUnavailable: defineError(503, 'store_unavailable', 'The data store is not answering', { 'retry-after': '5' })
}
