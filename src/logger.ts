import type { FastifyServerOptions } from 'fastify'
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** Fields whose values are secrets wherever they appear in a logged object. */
const SECRET_KEYS = ['password', 'current_password', 'new_password', 'code', 'recovery_code', 'token', 'access_token',
  'refresh_token', 'mfa_token', 'enrollment_token', 'secret', 'totp_secret']

const redactPaths = [
  'req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', 'headers.authorization', 'headers.cookie',
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`])
]

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** Accepts a well-formed incoming x-request-id (so traces join up), else makes one. */
export function requestIdOf (req: IncomingMessage): string {
  const incoming = req.headers['x-request-id']
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID()
}

export function loggerOptions (level: string, stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  return { level, redact: { paths: redactPaths, censor: '[redacted]' }, ...(stream && { stream }) }
}
