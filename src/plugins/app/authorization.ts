import fp from 'fastify-plugin'
import type { FastifyRequest, FastifySchema, preParsingAsyncHookHandler, RouteOptions } from 'fastify'
import { Errors, type ErrorKind } from '../../errors.js'
import { BEARER_ERRORS, problems } from '../../http/problem-responses.js'
import type { Permission } from '../../../schemas/access.js'
import { ApiKeyErrors } from '../../api-keys/errors.js'
import { looksLikeApiKey } from '../../api-keys/key-format.js'
import { requireRecentAuth } from '../../step-up/recent-auth.js'
import { StepUpErrors } from '../../step-up/errors.js'

/** What a route needs: `authenticated` (any live session) or a permission. */
export type Access = 'authenticated' | Permission

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access
    /** false: an interactive login only, never an API key (key management). /auth/* never takes keys. */
    apiKeys?: boolean
    /** The operation also needs a recent authentication (STEP_UP_MAX_AGE, RFC 9470). */
    recentAuth?: boolean
  }
}

// Stryker disable all: API-key glue, tested over HTTP on MariaDB (test/api-keys)
/** Whether a route takes API keys: /api/* routes unless they say otherwise; never /auth/*. */
export const takesApiKeys = (url: string, config?: { apiKeys?: boolean }) =>
  !url.startsWith('/auth/') && config?.apiKeys !== false

/** On routes that never take keys: a key is refused as such (403), before anything looks it up. */
async function refuseApiKey (request: FastifyRequest) {
  const value = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1]
  if (value !== undefined && looksLikeApiKey(value)) {
    throw ApiKeyErrors.notAllowed(
      'Log in with a password and second factor for this; an API key only works on /api/* routes'
    )
  }
}

type Responses = Record<string, { description?: string } & Record<string, unknown>>

// Stryker restore all
function requirePermission (permission: Permission) {
  return async (request: FastifyRequest) => {
    if (!request.user.permissions.includes(permission)) {
      throw Errors.forbidden(`This needs the permission ${permission}`)
    }
  }
}

type Check = (request: FastifyRequest) => Promise<void>

/**
 * The checks run as a preParsing hook: after every onRequest hook, so the per-IP limiter
 * has counted the request (failed authentications included), and before a byte of the
 * body is read, so an anonymous write costs a header check, whatever its body.
 */
const beforeBody =
  (checks: Check[]): preParsingAsyncHookHandler =>
    async (request, _reply, payload) => {
      for (const check of checks) await check(request)
      return payload
    }

/** Adds the auth errors to a route's responses, joining descriptions where the route already has that status. */
function withAuthResponses (responses: Responses, kinds: ErrorKind[]): Responses {
  const merged: Responses = { ...responses }
  for (const [status, entry] of Object.entries(problems(...kinds))) {
    const own = merged[status]
    merged[status] = own
      ? { ...own, description: [own.description, entry.description].filter(Boolean).join('; ') }
      : entry
  }
  return merged
}

/**
 * Auth is declared, not repeated: a route says `config: { access }`, and this one hook
 * wires authentication (and the permission check) in front of it and writes the same
 * requirement into its OpenAPI operation: security, `x-permissions`, `x-max-auth-age`, 401/403 responses.
 */
export default fp(
  async (app) => {
    // Fastify adds a HEAD route for each GET with a copy of its options (and the same schema
    // object): each is wired and documented once.
    const documented = new WeakSet<object>()
    const wired = new WeakSet<object>()
    const maxAge = app.config.STEP_UP_MAX_AGE
    const recentAuth = requireRecentAuth(maxAge, app.now)
    app.addHook('onRoute', (route: RouteOptions) => {
      const access = route.config?.access
      const keys = takesApiKeys(route.url, route.config)
      if (!access && keys) return
      const permission = access === 'authenticated' ? undefined : access
      // Stryker disable next-line all: step-up glue, tested over HTTP on MariaDB (test/step-up/step-up.test.ts)
      const recent = route.config?.recentAuth === true
      const own = [route.preParsing ?? []].flat()
      // the HEAD copy of a GET shares its hooks; wiring it twice would run idempotent checks twice, same answers
      // Stryker disable next-line ArrowFunction: wiring the HEAD copy twice changes no answer
      if (!own.some((hook) => wired.has(hook))) {
        const hook = beforeBody([
          // Stryker disable next-line all: API-key glue, tested over HTTP on MariaDB (test/api-keys)
          ...(keys ? [] : [refuseApiKey]),
          ...(access ? [app.authenticate] : []),
          ...(permission ? [requirePermission(permission)] : []),
          // Stryker disable next-line all: step-up glue, tested over HTTP on MariaDB (test/step-up/step-up.test.ts)
          ...(recent ? [recentAuth] : [])
        ])
        wired.add(hook)
        route.preParsing = [hook, ...own]
      }
      const schema = (route.schema ?? {}) as FastifySchema & Record<string, unknown>
      route.schema = schema
      if (documented.has(schema)) return
      documented.add(schema)
      // Stryker disable all: API-key glue and its OpenAPI additions, tested over HTTP on MariaDB (test/api-keys)
      const kinds: ErrorKind[] = keys ? [] : [ApiKeyErrors.notAllowed]
      if (access) {
        schema.security = keys ? [{ bearerAuth: [] }, { apiKeyAuth: [] }] : [{ bearerAuth: [] }]
        kinds.push(...BEARER_ERRORS, ...(keys ? [ApiKeyErrors.rateLimited] : []))
      }
      // Stryker restore all
      if (permission) {
        schema['x-permissions'] = [permission]
        schema.description = [schema.description, `Requires the permission \`${permission}\`.`]
          .filter(Boolean)
          .join('\n\n')
        kinds.push(Errors.forbidden)
      }
      // Stryker disable all: step-up glue, tested over HTTP on MariaDB (test/step-up/step-up.test.ts)
      if (recent) {
        schema['x-max-auth-age'] = maxAge
        schema.description = [
          schema.description,
          `Requires an authentication at most ${maxAge} seconds old ` +
            '(else 401 `insufficient_user_authentication`: step up with `POST /auth/step-up`).'
        ]
          .filter(Boolean)
          .join('\n\n')
        kinds.push(StepUpErrors.insufficientUserAuthentication)
      }
      // Stryker restore all
      schema.response = withAuthResponses((schema.response ?? {}) as Responses, kinds)
    })
  },
  // Stryker disable next-line ObjectLiteral,ArrayDeclaration: no plugin depends on this one; the order is fixed
  { name: 'authorization', dependencies: ['authenticate'] }
)
