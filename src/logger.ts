import type { FastifyServerOptions } from 'fastify'
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { symbols } from 'pino'

/** Fields whose values are secrets wherever they appear in a logged object. */
const SECRET_KEYS = [
  'password',
  'current_password',
  'new_password',
  'code',
  'recovery_code',
  'token',
  'access_token',
  'refresh_token',
  'mfa_token',
  'enrollment_token',
  'secret',
  'totp_secret',
  'key',
  'api_key'
]

const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`])
]

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** Accepts a well-formed incoming x-request-id (so traces join up), else makes one. */
export function requestIdOf (req: IncomingMessage): string {
  const incoming = req.headers['x-request-id']
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID()
}

type LoggedError = Error & { code?: unknown; errno?: unknown; sqlState?: unknown; sql?: unknown; statusCode?: unknown }

/**
 * Errors as log fields. A MySQL error carries the statement with its values filled in
 * (`sql`) and may quote a value in its message, so for those only the codes are kept.
 */
export function serializeError (err: LoggedError) {
  const fromDatabase = err.sql !== undefined || err.sqlState !== undefined
  const message = fromDatabase ? 'database error' : err.message
  const stack = (err.stack ?? '').replace(/^.*$/m, `${err.name}: ${message}`)
  // `error_code`, not `code`: a `code` field is redacted everywhere (it is what TOTP codes are called)
  return {
    type: err.name,
    message,
    stack,
    error_code: err.code,
    errno: err.errno,
    sqlState: err.sqlState,
    statusCode: err.statusCode
  }
}

let traceFields: (() => Record<string, string>) | undefined

/** Tracing (src/tracing/), when on, adds `trace_id` and `span_id` to each log line written inside a span. */
export function addTraceFieldsToLogs (fields: () => Record<string, string>) {
  traceFields = fields
}

type Stringifier = (value: unknown, ...rest: unknown[]) => string | undefined

/**
 * pino's redaction, without its cost where it cannot change a line. With wildcard paths (`*.password`, ...) pino passes
 * every top-level value of a line, its message and every binding of a child logger (each request's `reqId`) through
 * the redaction of all of them, strings and numbers included, which have no property to redact: 3.8 µs and 16 KB of
 * garbage for each request's child logger alone (measured: docs/benchmarks.md). A string, number or boolean is written
 * as JSON.stringify writes it, which is what the redaction wrote; objects still go through it, and the top-level
 * paths (`password`, ...) keep their own censor. `pino.symbols` is pino's interface for this; if a later pino has no
 * such stringifier, nothing is changed.
 */
export function redactObjectsOnly (logger: object) {
  const stringifiers = (logger as Record<symbol, Record<symbol, Stringifier> | undefined>)[symbols.stringifiersSym]
  const wildcard = stringifiers?.[symbols.wildcardFirstSym]
  if (!stringifiers || typeof wildcard !== 'function') return
  stringifiers[symbols.wildcardFirstSym] = (value, ...rest) =>
    typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
      ? JSON.stringify(value)
      : wildcard(value, ...rest)
}

export function loggerOptions (level: string, stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    serializers: { err: serializeError },
    ...(stream && { stream }),
    ...(traceFields && { mixin: traceFields })
  }
}
