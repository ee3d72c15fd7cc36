import fp from 'fastify-plugin'
import FindMyWay, { type HTTPMethod } from 'find-my-way'
import { Errors } from '../../errors.js'
import { sendProblem } from '../../http/problem.js'
import { problems } from '../../http/problem-responses.js'

/**
 * Unknown routes are 404, known paths with the wrong method 405 with `Allow`, and
 * parametric routes document the 414 a too long parameter gets before routing.
 * Fastify answers 404 and 405 alike with 404,
 * so the routes are mirrored into a router of our own
 * that is asked which methods a path has.
 */
export default fp(
  async (app) => {
    const routes = FindMyWay()
    const methods = new Set<HTTPMethod>()
    app.addHook('onRoute', (route) => {
      // a parametric route can also be refused before routing, for a too long parameter
      if (route.url.includes(':') && route.schema) {
        route.schema.response = { ...problems(Errors.uriTooLong), ...(route.schema.response as object) }
      }
      for (const method of [route.method].flat() as HTTPMethod[]) {
        if (!routes.hasRoute(method, route.url)) routes.on(method, route.url, () => {})
        methods.add(method)
      }
    })
    // unmatched requests are limited too (general bucket), so scanning for routes is not free
    app.setNotFoundHandler({ preHandler: app.rateLimit() }, (request, reply) => {
      const path = request.url.split('?')[0] ?? '/'
      const allowed = [...methods].filter((m) => routes.find(m, path) !== null)
      if (allowed.length === 0) {
        return sendProblem(request, reply, Errors.notFound(`No route ${request.method} ${path}`))
      }
      return sendProblem(
        request,
        reply,
        Errors.methodNotAllowed(`${request.method} is not allowed here`, { allow: allowed.join(', ') })
      )
    })
  },
  { name: 'not-found', dependencies: ['rate-limit'] }
)
