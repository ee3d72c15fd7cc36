import { Type } from '@sinclair/typebox'
import { Errors, type ErrorKind } from '../errors.js'

const problemContent = { 'application/problem+json': { schema: Type.Ref('Problem') } }

/**
 * Route response entries for error statuses, as problem+json, each described by the
 * codes it can carry (429 rate_limited, 500, 503 store_unavailable and overloaded always), so the OpenAPI document
 * lists every error a route returns.
 */
export function problems (...kinds: ErrorKind[]) {
  const byStatus = new Map<number, ErrorKind[]>()
  const always = [Errors.rateLimited, Errors.internal, Errors.storeUnavailable, Errors.overloaded]
  for (const k of new Set([...kinds, ...always])) {
    byStatus.set(k.status, [...(byStatus.get(k.status) ?? []), k])
  }
  const out: Record<string, { description: string; content: typeof problemContent }> = {}
  for (const [status, list] of byStatus) {
    out[status] = { description: list.map((k) => `\`${k.code}\`: ${k.title}`).join('; '), content: problemContent }
  }
  return out
}

/** What any route with a JSON body can answer before its handler runs. */
export const BODY_ERRORS: ErrorKind[] = [
  Errors.validation,
  Errors.malformedJson,
  Errors.badRequest,
  Errors.payloadTooLarge,
  Errors.unsupportedMediaType
]

/** What any route behind `app.authenticate` can answer about its bearer token. */
export const BEARER_ERRORS: ErrorKind[] = [Errors.unauthenticated, Errors.invalidToken, Errors.tokenExpired]
