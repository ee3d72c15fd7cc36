import type { FastifyInstance } from 'fastify'
import { createAuditRepository } from '../audit/audit-repository.js'
import { ApiError } from '../errors.js'
import type { ClientMeta } from '../sessions/client-meta.js'
import { AuthErrors } from './errors.js'
import { createLoginThrottle } from './login-throttle.js'

/**
 * One authentication attempt on the account `name` under the per-account throttle:
 * 429 while it is blocked; a wrong password or code is a failure (audited, and so is a
 * lock it causes); a success clears the record when `complete` says the login is done,
 * else (the password step) it only gives its slot back.
 */
export function createThrottledAttempt (app: FastifyInstance) {
  const throttle = createLoginThrottle(app)
  const audit = createAuditRepository(app.db)
  return async function throttled<T> (name: string, userId: number | null, meta: ClientMeta, complete: boolean, fn: () => Promise<T>): Promise<T> {
    await throttle.take(name)
    let result: T
    try {
      result = await fn()
    } catch (err) {
      const wrongPassword = err instanceof ApiError && err.code === AuthErrors.invalidCredentials.code
      const wrongCode = err instanceof ApiError && err.code === AuthErrors.invalidCode.code
      if (!wrongPassword && !wrongCode) {
        await throttle.release(name)
        throw err
      }
      const details = wrongCode ? 'wrong code' : userId === null ? 'unknown username' : 'wrong password'
      await audit.record(wrongCode ? 'second_factor_failed' : 'login_failed', app.now(), meta, { target: userId, details: `${details} (${name})` })
      if (await throttle.failed(name)) await audit.record('account_locked', app.now(), meta, { target: userId, details: name })
      throw err
    }
    await (complete ? throttle.clear(name) : throttle.release(name))
    return result
  }
}
