import type { Socket } from 'node:net'
import type { FastifyServerOptions } from 'fastify'
import { Errors, PROBLEM_BASE, type ApiError } from '../errors.js'

/** What Node reports before a request exists (too slow, headers too large, not HTTP), as the ApiError it stands for. */
function problemOf (code: string | undefined): ApiError {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return Errors.requestTimeout('Send the whole request within the time limits')
  if (code === 'HPE_HEADER_OVERFLOW') return Errors.headersTooLarge('Send fewer or shorter headers')
  return Errors.badRequest('The request is not valid HTTP')
}

type ClientErrorHandler = NonNullable<FastifyServerOptions['clientErrorHandler']>

/**
 * Errors on the connection before Fastify has a request (a timeout, a header overflow, bytes
 * that are not HTTP): answered as problem+json like every other error, then the socket closed.
 */
export const clientErrorHandler: ClientErrorHandler = (err: Error & { code?: string }, socket: Socket) => {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const e = problemOf(err.code)
  const body = JSON.stringify({
    type: PROBLEM_BASE + e.code,
    title: e.title,
    status: e.status,
    detail: e.detail,
    code: e.code
  })
  const head = [
    `HTTP/1.1 ${e.status} ${e.title}`,
    'Content-Type: application/problem+json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    // the headers that matter on an error body (the rest of security-headers.ts is about pages and origins)
    'X-Content-Type-Options: nosniff',
    "Content-Security-Policy: default-src 'none';frame-ancestors 'none'",
    'Connection: close'
  ]
  if (socket.writable) socket.write(`${head.join('\r\n')}\r\n\r\n${body}`)
  socket.destroy(err)
}
