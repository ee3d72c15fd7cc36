import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AccessTokenResponse, StepUpOptions, StepUpRequest } from '../../schemas/step-up.js'
import { ref } from '../../schemas/ref.js'
import { BODY_ERRORS, problems } from '../plugins/problem-responses.js'
import { AuthErrors } from '../auth/errors.js'
import { ThrottleErrors } from '../auth/login-throttle.js'
import { createSecondFactor } from '../auth/second-factor.js'
import { createThrottledAttempt } from '../auth/throttled-attempt.js'
import { createAuditRepository } from '../audit/audit-repository.js'
import { createUserRepository } from '../users/users-repository.js'
import { clientMeta } from '../sessions/client-meta.js'
import { createStepUpService, type StepUpPasskeys } from './step-up-service.js'

export interface StepUpRoutesOptions {
  passkeys?: StepUpPasskeys
}

/** POST /auth/step-up/options and POST /auth/step-up (RFC 9470): a fresh auth_time for the current session. */
const stepUpRoutes: FastifyPluginAsyncTypebox<StepUpRoutesOptions> = async (app, opts) => {
  const { db } = app
  const stepUp = createStepUpService({
    db,
    findUser: (id) => createUserRepository(db).findById(id),
    prove: createSecondFactor(app).prove,
    throttled: createThrottledAttempt(app),
    renew: (user, amr) => app.sessions.renewAuthentication(user, amr),
    audit: (event, meta, who) => createAuditRepository(db).record(event, app.now(), meta, who),
    passkeys: opts.passkeys
  })
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
      description: 'Send one of `code`, `recovery_code` or `webauthn`. Operations that need a recent authentication answer ' +
        '401 `insufficient_user_authentication` with `WWW-Authenticate: Bearer error="insufficient_user_authentication", ' +
        'max_age=...` (RFC 9470) when the token is older; this clears it. Throttled like a login.',
      body: ref(StepUpRequest),
      response: {
        200: ref(AccessTokenResponse),
        ...problems(...BODY_ERRORS, AuthErrors.invalidCode, AuthErrors.secondFactorConflict, AuthErrors.secondFactorRequired,
          AuthErrors.invalidCredentials, AuthErrors.accountDisabled, ThrottleErrors.throttled)
      }
    }
  }, async (request) => stepUp.stepUp(request.user, request.body, clientMeta(request)))
}

export default stepUpRoutes
