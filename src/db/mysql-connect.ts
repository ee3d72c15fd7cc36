import { createConnection } from 'mysql2/promise'
import type { FastifyBaseLogger } from 'fastify'
import type { MysqlTarget } from './mysql-url.js'
import { CONNECT_ATTEMPT_MS } from './mysql-limits.js'

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR'
])
const MAY_NOT_CREATE = new Set(['ER_DBACCESS_DENIED_ERROR', 'ER_SPECIFIC_ACCESS_DENIED_ERROR'])

export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError'
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Waits for the server (retrying with capped exponential backoff until `timeoutMs`)
 * and creates the database when it is missing and the account may create it.
 */
export async function prepareMysqlDatabase (
  target: MysqlTarget,
  timeoutMs: number,
  log: FastifyBaseLogger
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    let conn
    try {
      conn = await createConnection({
        host: target.host,
        port: target.port,
        user: target.user,
        password: target.password,
        connectTimeout: CONNECT_ATTEMPT_MS
      })
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'unknown error'
      if (!UNREACHABLE.has(code)) {
        throw new StoreUnavailableError(`MySQL at ${target.host}:${target.port} refused the connection: ${code}`)
      }
      if (Date.now() + delay > deadline) {
        throw new StoreUnavailableError(
          `MySQL at ${target.host}:${target.port} is unreachable (${code}); gave up after ${timeoutMs} ms`
        )
      }
      // `error_code`, not `code`: the logger redacts `code` everywhere (TOTP codes are called that)
      log.warn(
        { host: target.host, port: target.port, error_code: code, retryInMs: delay },
        'MySQL not reachable yet, retrying'
      )
      await sleep(delay)
      continue
    }
    try {
      await conn.query(`CREATE DATABASE IF NOT EXISTS \`${target.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`)
    } catch (err) {
      if (!MAY_NOT_CREATE.has((err as { code?: string }).code ?? '')) throw err
      log.info({ database: target.database }, 'account may not create databases; using the existing one')
    } finally {
      await conn.end()
    }
    return
  }
}
