import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { ChangePasswordRequest, Enrollment, RecoveryCodes, SecondFactorProof } from '../../schemas/auth.js'
import { ref } from '../../schemas/ref.js'
import { BODY_ERRORS, problems } from '../http/problem-responses.js'
import { AuthErrors } from './errors.js'
import { ThrottleErrors } from './login-throttle.js'
import { clientMeta } from '../http/client-meta.js'

const proofErrors = [
  ...BODY_ERRORS,
  AuthErrors.invalidCredentials,
  ThrottleErrors.throttled,
  AuthErrors.invalidCode,
  AuthErrors.secondFactorConflict,
  AuthErrors.secondFactorRequired
]

/** Changes to the account's factors: each needs the access token, the password and a current code or recovery code. */
const accountRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store')
  })

  app.post(
    '/auth/2fa/recovery-codes',
    {
      config: { access: 'authenticated', recentAuth: true },
      schema: {
        tags: ['account'],
        operationId: 'regenerateRecoveryCodes',
        summary: 'New set of recovery codes (the old set stops working)',
        body: ref(SecondFactorProof),
        response: { 200: ref(RecoveryCodes), ...problems(...proofErrors) }
      }
    },
    async (request) => ({
      recovery_codes: await app.services.auth.regenerateRecoveryCodes(request.user, request.body, clientMeta(request))
    })
  )

  app.post(
    '/auth/2fa/reset',
    {
      config: { access: 'authenticated', recentAuth: true },
      schema: {
        tags: ['account'],
        operationId: 'resetTwoFactor',
        summary: 'Start replacing the TOTP secret: returns the new one, active once a code from it is confirmed',
        description:
          'The new secret and its `enrollment_token` are returned only here: fetch the QR code with it, then ' +
            'confirm a ' +
          'code with `POST /auth/2fa/verify`, which makes the new secret active and returns new recovery codes. ' +
            'Until then the ' +
          'current secret and recovery codes keep working. Every session ends, this one included, and outstanding ' +
            'mfa and ' +
          'enrollment tokens stop working.',
        body: ref(SecondFactorProof),
        response: { 200: ref(Enrollment), ...problems(...proofErrors) }
      }
    },
    async (request) => app.services.auth.resetTwoFactor(request.user, request.body, clientMeta(request))
  )

  app.post(
    '/auth/password',
    {
      config: { access: 'authenticated', recentAuth: true },
      schema: {
        tags: ['account'],
        operationId: 'changePassword',
        summary: 'Change the password (needs the current one and a code); ends your other sessions',
        body: ref(ChangePasswordRequest),
        response: { 204: Type.Null({ description: 'changed' }), ...problems(...proofErrors, AuthErrors.weakPassword) }
      }
    },
    async (request, reply) => {
      await app.services.auth.changePassword(request.user, request.body, clientMeta(request))
      return reply.code(204).send(null)
    }
  )
}

export default accountRoutes
