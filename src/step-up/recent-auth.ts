import type { FastifyRequest } from 'fastify'
import { StepUpErrors } from './errors.js'

/** RFC 9470 §3: the challenge a resource server answers when the authentication is too old. */
export const stepUpChallenge = (maxAge: number) =>
  'Bearer error="insufficient_user_authentication", ' +
  `error_description="A more recent authentication is required", max_age=${maxAge}`

/**
 * The check behind `config: { recentAuth: true }`: the access token's `auth_time` must be at
 * most `maxAge` seconds old by the app's clock. Runs after authentication, which set request.user.
 */
/** How far in the future an auth_time may be (another instance's clock ahead of this one's). */
export const MAX_CLOCK_SKEW = 60

export function requireRecentAuth (maxAge: number, now: () => number) {
  return async (request: FastifyRequest) => {
    const { authTime } = request.user
    const age = now() / 1000 - authTime
    // a token from the future would stretch the window on every instance whose clock is behind; an auth_time that is
    // not a finite number (no arithmetic on it, NaN) is not recent
    if (!Number.isFinite(authTime) || age > maxAge || age < -MAX_CLOCK_SKEW) {
      throw StepUpErrors.insufficientUserAuthentication(
        `This operation needs an authentication less than ${maxAge} seconds old: step up with POST /auth/step-up`,
        { 'www-authenticate': stepUpChallenge(maxAge) })
    }
  }
}
