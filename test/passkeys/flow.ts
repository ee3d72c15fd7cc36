import { createHash } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { post } from '../auth/flow.js'
import { softAuthenticator, type SoftCredential, type SoftOptions } from './soft-authenticator.js'

export const ORIGIN = 'http://localhost:3000'
export const soft = softAuthenticator({ origin: ORIGIN, rpId: 'localhost' })
export const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'))
export const sha256 = (v: string) => createHash('sha256').update(v).digest('hex')

/** Registers a software passkey for the holder of `access`; returns it and the API's answer. */
export async function registerPasskey (app: FastifyInstance, access: string, o: SoftOptions = {}) {
  const options = (await post(app, '/auth/passkeys/registration/options', {}, access)).json()
  const { credential, response } = soft.create(options, o)
  const res = await post(app, '/auth/passkeys/registration/verify', { response, name: 'soft key' }, access)
  return { credential, res, options }
}

/** A usernameless login with `credential`. */
export async function passkeyLogin (
  app: FastifyInstance,
  credential: SoftCredential,
  o: Parameters<typeof soft.get>[2] = {}
) {
  const options = (await post(app, '/auth/passkeys/authentication/options', {})).json()
  return post(app, '/auth/passkeys/authentication/verify', { response: soft.get(credential, options, o) })
}
