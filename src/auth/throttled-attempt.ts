import type { Executor } from '../db/driver.js'
import { createAuditRepository } from '../audit/audit-repository.js'
import { ApiError } from '../errors.js'
import type { ClientMeta } from '../sessions/client-meta.js'
import { AuthErrors } from './errors.js'
import type { LoginThrottle } from './login-throttle.js'
import { createPseudonym } from '../audit/pseudonym.js'
import { PasskeyErrors } from '../passkeys/errors.js'

export interface ThrottledAttemptDeps {
  db: Executor
  now: () => number
  throttle: LoginThrottle
  /** Keys the digest an unknown name is audited as. */
  pseudonymKey: Buffer
}

/**
 * One authentication attempt on the account `name` from `meta.ip` under the login throttle:
 * 429 while it is blocked; a wrong password or code is a failure (audited, and so is a
 * lock it causes); a success clears the record when `complete` says the login is done,
 * else (the password step) it only gives its slot back. A name no account has is audited only
 * as a keyed digest: the same name gives the same digest, and nothing typed is kept.
 */
export function createThrottledAttempt ({ db, now, throttle, pseudonymKey }: ThrottledAttemptDeps) {
  const audit = createAuditRepository(db)
  const pseudonym = createPseudonym(pseudonymKey)
  return async function throttled<T> (
    name: string,
    userId: number | null,
    meta: ClientMeta,
    complete: boolean,
    fn: () => Promise<T>
  ): Promise<T> {
    await throttle.take(name, meta.ip)
    let result: T
    try {
      result = await fn()
    } catch (err) {
      const wrongPassword = err instanceof ApiError && err.code === AuthErrors.invalidCredentials.code
      const wrongCode = err instanceof ApiError && err.code === AuthErrors.invalidCode.code
      // a refused passkey counts as a failure too; the passkey service audits it with its reason
      const wrongPasskey = err instanceof ApiError && err.code === PasskeyErrors.passkeyRefused.code
      if (!wrongPassword && !wrongCode && !wrongPasskey) {
        await throttle.release(name, meta.ip)
        throw err
      }
      // what was typed for an unknown account may be a password: the log keeps only a keyed digest of it
      const who = userId === null ? pseudonym(name) : name
      const details = wrongCode ? 'wrong code' : userId === null ? 'unknown username' : 'wrong password'
      if (!wrongPasskey) {
        await audit.record(wrongCode ? 'second_factor_failed' : 'login_failed', now(), meta, {
          target: userId,
          details: `${details} (${who})`
        })
      }
      if (await throttle.failed(name, meta.ip)) {
        await audit.record('account_locked', now(), meta, { target: userId, details: who })
      }
      throw err
    }
    await (complete ? throttle.clear(name, meta.ip) : throttle.release(name, meta.ip))
    return result
  }
}
