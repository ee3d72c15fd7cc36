import type { Socket } from 'node:net'
import type { FastifyServerOptions } from 'fastify'
import { Errors, PROBLEM_BASE, type ApiError } from './errors.js'

/** What Node reports before a request exists (too slow, headers too large, not HTTP), as the ApiError it stands for. */
function problemOf (code: string | undefined): ApiError {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return Errors.requestTimeout('Send the whole request within the server\'s time limits')
  if (code === 'HPE_HEADER_OVERFLOW') return Errors.headersTooLarge()
  return Errors.badRequest('The request is not valid HTTP')
}

/**
 * Errors on the connection before Fastify has a request (a timeout, a header overflow, bytes
 * that are not HTTP): answered as problem+json like every other error, then the socket closed.
 */
export const clientErrorHandler: NonNullable<FastifyServerOptions['clientErrorHandler']> = (err: Error & { code?: string }, socket: Socket) => {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const e = problemOf(err.code)
  const body = JSON.stringify({ type: PROBLEM_BASE + e.code, title: e.title, status: e.status, ...(e.detail !== undefined && { detail: e.detail }), code: e.code })
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${e.status} ${e.title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
  }
  socket.destroy(err)
}
