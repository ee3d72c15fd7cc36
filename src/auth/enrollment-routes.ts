import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import { EnrollmentVerifyRequest, QR_MAX, QrCode, RecoveryCodes, UsernameParams } from '../../schemas/auth.js'
import { ref } from '../../schemas/ref.js'
import { Errors } from '../errors.js'
import { bearerToken } from '../http/bearer-token.js'
import { BODY_ERRORS, problems } from '../http/problem-responses.js'
import { AuthErrors } from './errors.js'
import type { UserRow } from '../users/users-repository.js'
import { clientMeta } from '../http/client-meta.js'

// JSON only when asked for by name and PNG is not, so browsers and wildcard Accept get the image.
const wantsJson = (accept = '') => /\bapplication\/json\b/.test(accept) && !/\bimage\/png\b/.test(accept)

const enrollmentSecurity = [{ enrollmentToken: [] }]
const tokenErrors = [Errors.unauthenticated, AuthErrors.enrollmentTokenInvalid, AuthErrors.enrollmentConfirmed]

const enrollmentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/auth/generate_qr/:username',
    {
      schema: {
        tags: ['auth'],
        operationId: 'getEnrollmentQrCode',
        summary: 'QR code of the pending TOTP enrollment (needs the enrollment token)',
        description:
          'Send `Authorization: Bearer <enrollment_token>` of this same user. The default answer is the PNG to scan ' +
          'with Google Authenticator; with `Accept: application/json` it is the otpauth URI, the secret, and the ' +
            'QR code as ' +
          'PNG data URL and SVG. Once 2FA is confirmed the secret is never shown again (409).',
        security: enrollmentSecurity,
        params: UsernameParams,
        response: {
          200: {
            description: 'the QR code',
            content: {
              'image/png': { schema: Type.Unsafe<Buffer>({ type: 'string', format: 'binary', maxLength: QR_MAX }) },
              'application/json': { schema: ref(QrCode) }
            }
          },
          ...problems(Errors.validation, ...tokenErrors)
        }
      }
    },
    async (request, reply) => {
      const user = await app.services.auth.enrollingUser(bearerToken(request), request.params.username)
      const { otpauth_uri: uri, secret } = app.services.auth.enrollmentSecret(user)
      reply.header('cache-control', 'no-store').header('vary', 'Accept')
      const { default: QRCode } = await import('qrcode') // loaded on first use: most requests never draw one
      if (wantsJson(request.headers.accept)) {
        const [png, svg] = await Promise.all([
          QRCode.toDataURL(uri),
          QRCode.toString(uri, { type: 'svg' })
        ])
        return reply.type('application/json').send({ otpauth_uri: uri, secret, qr_png: png, qr_svg: svg })
      }
      return reply.type('image/png').send(await QRCode.toBuffer(uri, { type: 'png', margin: 2, width: 256 }))
    }
  )

  // the enrollment token is checked before the body is read, like an access token (authorization.ts)
  const enrolling = new WeakMap<FastifyRequest, UserRow>()
  app.post(
    '/auth/2fa/verify',
    {
      preParsing: async (request, _reply, payload) => {
        enrolling.set(request, await app.services.auth.enrollingUser(bearerToken(request)))
        return payload
      },
      schema: {
        tags: ['auth'],
        operationId: 'confirmTwoFactor',
        summary:
          'Confirm the TOTP enrollment (or the secret staged by a 2FA reset) with a first code; returns new ' +
            'recovery codes once',
        security: enrollmentSecurity,
        body: ref(EnrollmentVerifyRequest),
        response: { 200: ref(RecoveryCodes), ...problems(...BODY_ERRORS, ...tokenErrors, AuthErrors.invalidCode) }
      }
    },
    async (request, reply) => {
      const user = enrolling.get(request)!
      reply.header('cache-control', 'no-store')
      return { recovery_codes: await app.services.auth.confirmEnrollment(user, request.body.code, clientMeta(request)) }
    }
  )
}

export default enrollmentRoutes
