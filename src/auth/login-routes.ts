import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Login2faRequest, LoginRequest, LoginResponse, TokenResponse } from '../../schemas/auth.js'
import { ref } from '../../schemas/ref.js'
import { BODY_ERRORS, problems } from '../http/problem-responses.js'
import { AuthErrors } from './errors.js'
import { ThrottleErrors } from './login-throttle.js'
import { clientMeta } from '../http/client-meta.js'
import { MFA_TOKEN_MAX_ATTEMPTS } from './use-cases/login.js'
import { PasskeyErrors } from '../passkeys/errors.js'

const secondFactorErrors = [AuthErrors.secondFactorConflict, AuthErrors.invalidCode, ThrottleErrors.throttled]

const loginRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/auth/login',
    {
      config: { hashAdmission: true },
      schema: {
        tags: ['auth'],
        operationId: 'login',
        summary: 'Log in: username and password, with a code (tokens) or without (the second step)',
        description:
          'Without `code`: `mfa_required` with an `mfa_token` for `POST /auth/login/2fa`, or, while the TOTP ' +
          'enrollment is pending, `enrollment_required` with a fresh `enrollment_token`. With `code` (or ' +
            '`recovery_code`): ' +
          'the tokens; on a pending enrollment a correct code also confirms it and the response carries the ' +
            'recovery codes. ' +
          'A code is accepted once: its time step is spent for good. Unknown users and wrong passwords get the ' +
            'same answer.',
        security: [],
        body: ref(LoginRequest),
        response: {
          200: ref(LoginResponse),
          ...problems(...BODY_ERRORS, ...secondFactorErrors, AuthErrors.invalidCredentials, AuthErrors.accountDisabled)
        }
      }
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      return app.services.auth.login(request.body, clientMeta(request))
    }
  )

  app.post(
    '/auth/login/2fa',
    {
      schema: {
        tags: ['auth'],
        operationId: 'loginSecondFactor',
        summary: 'Second login step: the mfa_token and a code, a recovery code or a passkey (webauthn) for the tokens',
        description: `The mfa_token works once, and dies after ${MFA_TOKEN_MAX_ATTEMPTS} tries or when it expires.`,
        security: [],
        body: ref(Login2faRequest),
        response: {
          200: ref(TokenResponse),
          ...problems(
            ...BODY_ERRORS,
            ...secondFactorErrors,
            AuthErrors.mfaTokenInvalid,
            AuthErrors.secondFactorRequired,
            PasskeyErrors.passkeyRefused
          )
        }
      }
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      return app.services.auth.loginWithMfaToken(request.body, clientMeta(request))
    }
  )
}

export default loginRoutes
