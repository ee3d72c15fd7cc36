import fp from 'fastify-plugin'
import FindMyWay, { type HTTPMethod } from 'find-my-way'
import { Errors } from '../errors.js'
import { sendProblem } from './error-handler.js'

/**
 * Unknown routes are 404, known paths with the wrong method 405 with `Allow`:
 * Fastify answers both with 404, so the routes are mirrored into a router of our own
 * that is asked which methods a path has.
 */
export default fp(async (app) => {
  const routes = FindMyWay()
  const methods = new Set<HTTPMethod>()
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat() as HTTPMethod[]) {
      if (!routes.hasRoute(method, route.url)) routes.on(method, route.url, () => {})
      methods.add(method)
    }
  })
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/'
    const allowed = [...methods].filter((m) => routes.find(m, path) !== null)
    if (allowed.length === 0) return sendProblem(request, reply, Errors.notFound(`No route ${request.method} ${path}`))
    return sendProblem(request, reply, Errors.methodNotAllowed(`${request.method} is not allowed here`, { allow: allowed.join(', ') }))
  })
}, { name: 'not-found' })
