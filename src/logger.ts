import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify'
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
 * every top-level value of a line, its message and every binding of a child logger (such as a request id) through
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

/** Where a request's logger keeps its request id, for `mixin` (below) to write in each of its lines. */
const REQUEST_ID_OF_LOGGER = Symbol('reqId')
type RequestLogger = FastifyBaseLogger & { [REQUEST_ID_OF_LOGGER]?: unknown }

/**
 * Each request's logger: a child with no bindings that holds its request id as a property, which `mixin` writes as
 * `reqId` in each line it (or a child of it) writes. A binding would be formatted into a string when the child is
 * made, for every request, logged or not; measured, with that string the `launch` bench's service ran 44 to 89
 * mark-compacts, without it 4 to 23 (docs/benchmarks.md).
 */
export const childLoggerFactory: NonNullable<FastifyServerOptions['childLoggerFactory']> = (
  logger,
  bindings,
  options
) => {
  const child: RequestLogger = logger.child({}, options)
  // Fastify's only binding is the request id (requestIdLogLabel, 'reqId' by default)
  child[REQUEST_ID_OF_LOGGER] = Object.values(bindings)[0]
  return child
}

/** The fields every line gets: its request's id (inside a request), and the trace's ids when tracing is on. */
function mixin (_line: object, _level: number, logger: RequestLogger) {
  const reqId = logger[REQUEST_ID_OF_LOGGER]
  const trace = traceFields?.()
  return reqId === undefined ? (trace ?? {}) : { reqId, ...trace }
}

export function loggerOptions (level: string, stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    serializers: { err: serializeError },
    ...(stream && { stream }),
    mixin
  }
}
