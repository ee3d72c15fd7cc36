import type { ClientMeta } from '../../sessions/client-meta.js'
import type { AuthContext } from '../auth-context.js'
import { AuthErrors } from '../errors.js'
import { sha256 } from '../opaque.js'
import type { SecondFactor } from '../second-factor.js'
import { canonicalUsername, invalidUsername } from '../username.js'
import type { AuthenticationResponseJSON } from '@simplewebauthn/server'
import { secondStepFactors } from '../../passkeys/second-step.js'

type LoginBody = { username: string; password: string } & SecondFactor

/** Tries an mfa_token allows before the password step must be redone. */
export const MFA_TOKEN_MAX_ATTEMPTS = 5

/** Login: the password (with the second factor in the same request, or as a second step with the mfa_token). */
export function createLogin (ctx: AuthContext) {
  const { db, now, config, repos, secondFactor, throttled, passkeys } = ctx

  return {
    // admitted whole: past the hash gate's bound it is refused at once, before any query
    login: (body: LoginBody, meta: ClientMeta) =>
      ctx.hasher.admit(async () => {
        const name = canonicalUsername(body.username)
        if (name === null) throw invalidUsername('/body/username')
        const found = await repos().users.findByUsername(name)
        const passwordOnly = body.code === undefined && body.recovery_code === undefined
        return throttled(name, found?.id ?? null, meta, !passwordOnly, async () => {
          const user = await ctx.checkPassword(found, body.password)
          if (passwordOnly) {
            if (user.totp_confirmed_at === null) {
              const issued = await ctx.issueOpaque('enrollment', user.id, config.ENROLLMENT_TOKEN_TTL)
              return {
                enrollment_required: true as const, enrollment_token: issued.token, expires_in: issued.expires_in
              }
            }
            const { token, expires_in: expiresIn } = await ctx.issueOpaque('mfa', user.id, config.MFA_TOKEN_TTL)
            return {
              mfa_required: true as const,
              mfa_token: token,
              expires_in: expiresIn,
              ...(await secondStepFactors(passkeys, user.id, sha256(token)))
            }
          }
          const codes = await db.transaction((tx) => secondFactor.prove(tx, user, body, true))
          return ctx.tokensFor(user, meta, body, codes)
        })
      }),

    /**
     * Second step. Each try first takes one of the token's attempts in a single conditional
     * UPDATE, so concurrent guesses cannot exceed the cap; the token is spent in the same
     * transaction that accepts the code.
     */
    async loginWithMfaToken (body: { mfa_token: string } & SecondFactor, meta: ClientMeta) {
      const hash = sha256(body.mfa_token)
      const row = await repos().tokens.findLive('mfa', hash, now(), MFA_TOKEN_MAX_ATTEMPTS)
      const attempt = row && (await repos().tokens.takeAttempt('mfa', hash, now(), MFA_TOKEN_MAX_ATTEMPTS))
      if (!row || !attempt) throw AuthErrors.mfaTokenInvalid()
      const user = await ctx.userById(row.user_id)
      if (user.disabled_at !== null) throw AuthErrors.accountDisabled()
      return throttled(user.username_normalized, user.id, meta, true, async () => {
        // a webauthn body is a passkey to verify: skipping this check would skip the second factor (prove, below)
        if (body.webauthn !== undefined) {
          // verified before the transaction: it reads and writes passkeys itself
          if (body.code !== undefined || body.recovery_code !== undefined) throw AuthErrors.secondFactorConflict()
          // Stryker disable all: the assertion itself: passkey glue, tested over HTTP in test/passkeys
          await passkeys.verifyAssertion(
            'second_factor',
            user.id,
            body.webauthn as AuthenticationResponseJSON,
            meta,
            hash
          )
        }
        // Stryker restore all
        await db.transaction(async (tx) => {
          if (!(await repos(tx).tokens.consume(hash, now()))) throw AuthErrors.mfaTokenInvalid()
          if (body.webauthn === undefined) await secondFactor.prove(tx, user, body, false)
        })
        return ctx.tokensFor(user, meta, body)
      })
    }
  }
}
