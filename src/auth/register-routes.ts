import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { RegisterRequest, RegisterResponse } from '../../schemas/auth.js'
import { ref } from '../../schemas/ref.js'
import { BODY_ERRORS, problems } from '../http/problem-responses.js'
import { AuthErrors } from './errors.js'
import { clientMeta } from '../http/client-meta.js'

const registerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/auth/register',
    {
      config: { hashAdmission: true },
      schema: {
        tags: ['auth'],
        operationId: 'register',
        summary: 'Create an account and start its TOTP enrollment',
        description:
          'Returns the user and the enrollment: the otpauth URI and secret for the authenticator app, and an ' +
          '`enrollment_token` for `GET /auth/generate_qr/{username}` and `POST /auth/2fa/verify`. Two-factor ' +
            'authentication ' +
          'is mandatory: the account can log in only after a first code confirms the enrollment.',
        security: [],
        body: ref(RegisterRequest),
        response: {
          201: ref(RegisterResponse),
          ...problems(...BODY_ERRORS, AuthErrors.weakPassword, AuthErrors.usernameTaken, AuthErrors.registrationClosed)
        }
      }
    },
    async (request, reply) => {
      reply.code(201)
      return app.services.auth.register(request.body.username, request.body.password, clientMeta(request))
    }
  )
}

export default registerRoutes
