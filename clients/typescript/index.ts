/**
 * A typed client for secure-api, generated from openapi.yaml (`npm run sdk` writes schema.d.ts)
 * and driven by openapi-fetch: paths, parameters, bodies and responses are all checked by tsc.
 */
import createClient, { type Client } from 'openapi-fetch'
import type { components, paths } from './schema.js'

export type { components, paths }
export type Schemas = components['schemas']
export type Product = Schemas['Product']
export type TokenResponse = Schemas['TokenResponse']

/** `token` is read before each request: return the current access token (or nothing). */
export function createSecureApiClient (baseUrl: string, token?: () => string | undefined): Client<paths> {
  const client = createClient<paths>({ baseUrl })
  client.use({
    onRequest ({ request }) {
      const current = token?.()
      if (current && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${current}`)
      return request
    }
  })
  return client
}
