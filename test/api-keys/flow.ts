import type { FastifyInstance } from 'fastify'

export const DAY_MS = 24 * 3600 * 1000

export interface CreatedKey {
  id: number
  name: string
  key: string
  prefix: string
  permissions: string[]
  expires_at: string
}

/** POST /api/keys with an access token; the raw response. */
export const createKeyRequest = (app: FastifyInstance, token: string, body: object) =>
  app.inject({ method: 'POST', url: '/api/keys', headers: { authorization: `Bearer ${token}` }, payload: body })

/** A new key (fails the test run loudly if creation is refused). */
export async function createKey (
  app: FastifyInstance,
  token: string,
  permissions: string[] = ['products:read'],
  days = 30,
  name = 'test key'
) {
  const res = await createKeyRequest(app, token, { name, permissions, expires_in_days: days })
  if (res.statusCode !== 201) throw new Error(`key creation failed: ${res.statusCode} ${res.body}`)
  return res.json() as CreatedKey
}

/** A request with a bearer credential (key or token), from `ip`. */
export const call = (
  app: FastifyInstance,
  method: string,
  url: string,
  bearer: string,
  payload?: object,
  ip = '127.0.0.1'
) =>
  app.inject({
    method: method as 'GET',
    url,
    headers: { authorization: `Bearer ${bearer}` },
    remoteAddress: ip,
    ...(payload && { payload })
  })

export const product = { name: 'Key product', price: '9.99', quantity: 1 }
