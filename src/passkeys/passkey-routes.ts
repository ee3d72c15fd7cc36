import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import {
  EmptyRequest, Passkey, PasskeyList, PasskeyLoginRequest, PasskeyRegistrationRequest, PasskeyRenameRequest,
  PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON
} from '../../schemas/passkeys.js'
import { TokenResponse } from '../../schemas/auth.js'
import { IdParams, rowId } from '../../schemas/ids.js'
import { ref } from '../../schemas/ref.js'
import { Errors } from '../errors.js'
import { BODY_ERRORS, problems } from '../http/problem-responses.js'
import { AuthErrors } from '../auth/errors.js'
import { ThrottleErrors } from '../auth/login-throttle.js'
import { clientMeta } from '../http/client-meta.js'
import { createUserRepository } from '../users/users-repository.js'
import { PasskeyErrors } from './errors.js'

const tags = ['passkeys']
// the schemas bound what arrives; @simplewebauthn's types narrow a few strings further and it checks them itself
type Registration = import('@simplewebauthn/server').RegistrationResponseJSON
type Assertion = import('@simplewebauthn/server').AuthenticationResponseJSON

/** Passkeys (WebAuthn): registration and management with an access token, usernameless login without. */
const passkeyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const users = createUserRepository(app.db)
  const owner = async (id: number) => {
    const user = await users.findById(id)
    if (!user) throw Errors.invalidToken('The session of this token has ended; log in again')
    return { id: user.id, username: user.username }
  }
  app.addHook('onSend', async (_request, reply) => { reply.header('cache-control', 'no-store') })

  app.post('/auth/passkeys/registration/options', {
    config: { access: 'authenticated', recentAuth: true },
    schema: {
      tags,
      operationId: 'passkeyRegistrationOptions',
      summary: 'Creation options for a new passkey (discoverable, user-verified, no attestation)',
      body: ref(EmptyRequest),
      response: { 200: ref(PublicKeyCredentialCreationOptionsJSON), ...problems(...BODY_ERRORS) }
    }
  }, async (request) => app.services.passkeys.registrationOptions(await owner(request.user.id)))

  app.post('/auth/passkeys/registration/verify', {
    config: { access: 'authenticated', recentAuth: true },
    schema: {
      tags,
      operationId: 'registerPasskey',
      summary: 'Register the passkey the browser created from those options',
      body: ref(PasskeyRegistrationRequest),
      response: {
        201: ref(Passkey),
        ...problems(...BODY_ERRORS, PasskeyErrors.registrationRefused, PasskeyErrors.passkeyExists,
          PasskeyErrors.passkeyLimit)
      }
    }
  }, async (request, reply) => {
    const { response, name } = request.body
    const registration = response as unknown as Registration
    const passkey = await app.services.passkeys.register(await owner(request.user.id), registration, name,
      clientMeta(request))
    return reply.code(201).send(passkey)
  })

  app.get('/auth/passkeys', {
    config: { access: 'authenticated' },
    schema: {
      tags, operationId: 'listPasskeys', summary: 'Your passkeys', response: { 200: ref(PasskeyList), ...problems() }
    }
  }, async (request) => app.services.passkeys.list(request.user.id))

  app.patch('/auth/passkeys/:id', {
    config: { access: 'authenticated' },
    schema: {
      tags,
      operationId: 'renamePasskey',
      summary: 'Rename one of your passkeys',
      params: IdParams,
      body: ref(PasskeyRenameRequest),
      response: { 200: ref(Passkey), ...problems(...BODY_ERRORS, PasskeyErrors.passkeyNotFound) }
    }
  }, async (request) => app.services.passkeys.rename(request.user.id, rowId(request.params.id), request.body.name))

  app.delete('/auth/passkeys/:id', {
    config: { access: 'authenticated', recentAuth: true },
    schema: {
      tags,
      operationId: 'deletePasskey',
      summary: 'Remove one of your passkeys',
      params: IdParams,
      response: {
        204: Type.Null({ description: 'removed' }), ...problems(Errors.validation, PasskeyErrors.passkeyNotFound)
      }
    }
  }, async (request, reply) => {
    await app.services.passkeys.remove(request.user.id, rowId(request.params.id), clientMeta(request))
    return reply.code(204).send(null)
  })

  app.post('/auth/passkeys/authentication/options', {
    schema: {
      tags,
      operationId: 'passkeyLoginOptions',
      summary: 'Request options for a usernameless passkey login',
      security: [],
      body: ref(EmptyRequest),
      response: { 200: ref(PublicKeyCredentialRequestOptionsJSON), ...problems(...BODY_ERRORS) }
    }
  }, async () => app.services.passkeyLogin.options())

  app.post('/auth/passkeys/authentication/verify', {
    schema: {
      tags,
      operationId: 'passkeyLogin',
      summary: 'Log in with a passkey: the same tokens as a completed login, no password or code',
      description: 'A user-verified passkey is two factors (something you have, unlocked by something you know or ' +
        'are) and is ' +
        'bound to this site\'s origin. Throttled per account like a password login.',
      security: [],
      body: ref(PasskeyLoginRequest),
      response: {
        200: ref(TokenResponse),
        ...problems(...BODY_ERRORS, PasskeyErrors.passkeyRefused, AuthErrors.accountDisabled, ThrottleErrors.throttled)
      }
    }
  }, async (request) =>
    app.services.passkeyLogin.login(request.body.response as unknown as Assertion, clientMeta(request)))
}

export default passkeyRoutes
