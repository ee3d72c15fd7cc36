import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { authApp, login, userWithRole, type Clock } from '../auth/flow.js'
import { stores } from '../helper.js'
import { ACCESS_MATRIX, BODIES, CALLERS, type Caller } from './access-matrix.js'

/** Every method and path the router serves, read from Fastify's own route tree (not from OpenAPI). */
export function liveRoutes (app: FastifyInstance): string[] {
  const routes: string[] = []
  const prefixes: string[] = []
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:│ {3}| {4})*)[├└]── (.*) \(([^)]*)\)$/.exec(line)
    if (!match) continue
    prefixes.length = match[1]!.length / 4
    prefixes.push(match[2]!)
    for (const method of match[3]!.split(', ')) routes.push(`${method} ${prefixes.join('')}`)
  }
  return routes
}

const tokens = new Map<string, string>()

/** A live access token for the caller: reused while its session lives (logins hash passwords: they are slow). */
async function tokenOf (
  app: FastifyInstance,
  clock: Clock,
  caller: Caller,
  users: Record<string, Parameters<typeof login>[2]>
) {
  const known = tokens.get(caller)
  if (
    known &&
    (await app.inject({ url: '/auth/sessions', headers: { authorization: `Bearer ${known}` } })).statusCode === 200
  ) { return known }
  const fresh = await login(app, clock, users[caller]!) // some routes end the session, or all of them
  tokens.set(caller, fresh)
  return fresh
}

async function callAs (
  app: FastifyInstance,
  clock: Clock,
  caller: Caller,
  users: Record<string, Parameters<typeof login>[2]>,
  method: string,
  path: string
) {
  const url = path
    .replace(':id', '999999')
    .replace(':keyId', '999999')
    .replace(':username', 'nobody')
    .replace('*', 'no-such-file')
  const token = caller === 'anonymous' ? undefined : await tokenOf(app, clock, caller, users)
  return app.inject({
    method: method as 'GET',
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    ...(['POST', 'PUT', 'PATCH'].includes(method) && { payload: BODIES[`${method} ${path}`] ?? {} })
  })
}

for (const store of stores) {
  t.test(`A2 (API5 BFLA): every route answers each caller as the reviewed matrix says (${store})`, async (t) => {
    const { app, clock } = await authApp(t, { store })
    tokens.clear()
    const routes = liveRoutes(app)
    const served = new Set(routes.map((r) => r.replace(/^HEAD /, 'GET ')))
    t.same(
      [...served].filter((r) => !(r in ACCESS_MATRIX)),
      [],
      'every route the app serves has a row in the matrix'
    )
    t.same(
      Object.keys(ACCESS_MATRIX).filter((r) => !served.has(r)),
      [],
      'every row names a route the app serves'
    )

    const users = Object.fromEntries(
      await Promise.all(
        (['viewer', 'editor', 'admin'] as const).map(
          async (role) => [role, await userWithRole(app, clock, role)] as const
        )
      )
    )
    for (const route of routes) {
      const [method, path] = route.split(' ') as [string, string]
      const row = ACCESS_MATRIX[route.replace(/^HEAD /, 'GET ')]
      if (!row) continue
      for (const [i, caller] of CALLERS.entries()) {
        const res = await callAs(app, clock, caller, users, method, path)
        t.equal(res.statusCode, row[i], `${caller}: ${route}`)
        if (res.statusCode === 403 && method !== 'HEAD') { t.match(res.json(), { code: 'forbidden', detail: /needs the permission/ }, `${caller}: ${route} body`) }
      }
    }
  })
}
