import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AccessTokenResponse, StepUpOptions, StepUpRequest } from '../../schemas/step-up.js'
import { ref } from '../../schemas/ref.js'
import { BODY_ERRORS, problems } from '../http/problem-responses.js'
import { AuthErrors } from '../auth/errors.js'
import { ThrottleErrors } from '../auth/login-throttle.js'
import { clientMeta } from '../http/client-meta.js'
import { PasskeyErrors } from '../passkeys/errors.js'

/** POST /auth/step-up/options and POST /auth/step-up (RFC 9470): a fresh auth_time for the current session. */
const stepUpRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { stepUp } = app.services
  app.addHook('onSend', async (_request, reply) => { reply.header('cache-control', 'no-store') })

  app.post('/auth/step-up/options', {
    config: { access: 'authenticated' },
    schema: {
      tags: ['account'],
      operationId: 'stepUpOptions',
      summary: 'What this account can step up with (and, with passkeys, WebAuthn request options)',
      response: { 200: ref(StepUpOptions), ...problems(AuthErrors.accountDisabled) }
    }
  }, async (request) => stepUp.options(request.user))

  app.post('/auth/step-up', {
    config: { access: 'authenticated' },
    schema: {
      tags: ['account'],
      operationId: 'stepUp',
      summary: 'Prove a factor again: a new access token for this session with a fresh auth_time',
      description: 'Send one of `code`, `recovery_code` or `webauthn`. Operations that need a recent authentication ' +
        'answer 401 `insufficient_user_authentication` with ' +
        '`WWW-Authenticate: Bearer error="insufficient_user_authentication", ' +
        'max_age=...` (RFC 9470) when the token is older; this clears it. Throttled like a login.',
      body: ref(StepUpRequest),
      response: {
        200: ref(AccessTokenResponse),
        ...problems(...BODY_ERRORS, AuthErrors.invalidCode, AuthErrors.secondFactorConflict,
          AuthErrors.secondFactorRequired, AuthErrors.invalidCredentials, AuthErrors.accountDisabled,
          ThrottleErrors.throttled, PasskeyErrors.passkeyRefused)
      }
    }
  }, async (request) => stepUp.stepUp(request.user, request.body, clientMeta(request)))
}

export default stepUpRoutes
