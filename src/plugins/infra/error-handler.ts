import fp from 'fastify-plugin'
import type { FastifyError } from 'fastify'
import type { ApiError } from '../../errors.js'
import { sendProblem, toApiError } from '../../http/problem.js'

/** The one place errors become responses: problem+json, never an internal message on a 5xx. */
export default fp(async (app) => {
  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    const problem = toApiError(error)
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed')
    return sendProblem(request, reply, problem)
  })
}, { name: 'error-handler' })
