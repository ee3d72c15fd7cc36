import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify'
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

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

/** Where a request's logger keeps its request id, for `mixin` (below) to write in each of its lines. */
const REQUEST_ID_OF_LOGGER = Symbol('reqId')
type RequestLogger = FastifyBaseLogger & { [REQUEST_ID_OF_LOGGER]?: string }

/**
 * Each request's logger: a child that carries its request id as a property, not as a pino binding. pino formats a
 * child's bindings when the child is made, and with wildcard redact paths (`*.password`, ...) it runs each binding
 * through the redaction of all of them: 3.8 µs and 16 KB of garbage for every request, logged or not (measured:
 * docs/benchmarks.md), against 0.1 µs for a child with none. `mixin` puts the id back, as `reqId`, in the lines
 * actually written, where the redaction of the line covers it as before.
 */
export const childLoggerFactory: NonNullable<FastifyServerOptions['childLoggerFactory']> = (
  logger,
  bindings,
  options
) => {
  const child: RequestLogger = logger.child({}, options)
  child[REQUEST_ID_OF_LOGGER] = bindings.reqId as string
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
