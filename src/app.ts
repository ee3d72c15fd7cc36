import Fastify, { type FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Config } from './config.js'
import { childLoggerFactory, loggerOptions, redactObjectsOnly, requestIdOf } from './logger.js'
import { validationOptions } from './http/validation.js'
import { clientErrorHandler } from './http/client-errors.js'
import { storeStartupBudgetMs } from './db/mysql-limits.js'
import configPlugin from './plugins/infra/config.js'
import drainOnClose from './plugins/infra/drain-on-close.js'
import { sendProblem, toApiError } from './http/problem.js'
import errorHandler from './plugins/infra/error-handler.js'
import securityHeaders, { setSecurityHeaders } from './plugins/infra/security-headers.js'
import rateLimit from './plugins/infra/rate-limit.js'
import overload from './plugins/infra/overload.js'
import notFound from './plugins/infra/not-found.js'
import jsonParser from './plugins/infra/json-parser.js'
import schemas from './plugins/infra/schemas.js'
import swagger from './plugins/infra/swagger.js'
import swaggerUi from './plugins/infra/swagger-ui.js'
import db from './plugins/infra/db.js'
import keys from './plugins/infra/keys.js'
import jwt from './plugins/infra/jwt.js'
import authenticate from './plugins/app/authenticate.js'
import authorization from './plugins/app/authorization.js'
import adminBootstrap from './plugins/app/admin-bootstrap.js'
import services from './plugins/app/services.js'
import apiKeyLimit from './plugins/app/api-key-limit.js'
import metrics from './plugins/app/metrics.js'
import healthRoutes from './health/routes.js'
import registerRoutes from './auth/register-routes.js'
import enrollmentRoutes from './auth/enrollment-routes.js'
import loginRoutes from './auth/login-routes.js'
import accountRoutes from './auth/account-routes.js'
import sessionRoutes from './sessions/routes.js'
import jwksRoutes from './tokens/jwks-routes.js'
import productRoutes from './products/routes.js'
import adminRoutes from './users/admin-routes.js'
import auditRoutes from './audit/routes.js'
import apiKeyRoutes from './api-keys/routes.js'
import stepUpRoutes from './step-up/step-up-routes.js'
import passkeyRoutes from './passkeys/passkey-routes.js'

export interface BuildOptions {
  /** Clock in epoch milliseconds; tests inject one to move time. */
  now?: () => number
  /** Where log lines go (default stdout); tests capture them. */
  logStream?: NodeJS.WritableStream
}

/** The whole service as one Fastify instance, ready but not listening. */
export async function buildApp (config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(config.LOG_LEVEL, options.logStream),
    childLoggerFactory,
    genReqId: requestIdOf,
    bodyLimit: config.BODY_LIMIT,
    trustProxy: config.TRUST_PROXY,
    return503OnClosing: true,
    // slow clients: the headers, then the whole request, must arrive in time; Node checks
    // open requests every connectionsCheckingInterval, so that is kept well below both
    http: {
      headersTimeout: config.HEADERS_TIMEOUT_MS,
      requestTimeout: config.REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: Math.max(250, Math.floor(config.HEADERS_TIMEOUT_MS / 4))
    },
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS,
    clientErrorHandler,
    pluginTimeout: storeStartupBudgetMs(config.DB_CONNECT_TIMEOUT_MS),
    // errors Fastify raises before routing (a bad or too long URL) go through the same renderer, with the headers the
    // onRequest hooks give every other answer (these run none)
    frameworkErrors: (error, request, reply) => {
      setSecurityHeaders(request.raw, reply.raw, () => {})
      reply.header('x-request-id', request.id)
      return sendProblem(request, reply, toApiError(error))
    },
    schemaController: validationOptions()
  }).withTypeProvider<TypeBoxTypeProvider>()
  redactObjectsOnly(app.log)

  app.addHook('onRequest', async (request, reply) => { reply.header('x-request-id', request.id) })

  // infrastructure
  await app.register(configPlugin, { config, now: options.now })
  await app.register(drainOnClose)
  await app.register(errorHandler)
  await app.register(securityHeaders)
  await app.register(rateLimit)
  await app.register(overload)
  await app.register(notFound)
  await app.register(jsonParser)
  await app.register(schemas)
  await app.register(swagger)
  await app.register(swaggerUi)
  await app.register(db)
  await app.register(keys)
  await app.register(jwt)

  // app decorators
  await app.register(services)
  await app.register(apiKeyLimit)
  await app.register(authenticate)
  await app.register(authorization)
  await app.register(adminBootstrap)
  await app.register(metrics)

  // routes
  await app.register(healthRoutes)
  await app.register(registerRoutes)
  await app.register(enrollmentRoutes)
  await app.register(loginRoutes)
  await app.register(accountRoutes)
  await app.register(stepUpRoutes)
  await app.register(passkeyRoutes)
  await app.register(sessionRoutes)
  await app.register(jwksRoutes)
  await app.register(productRoutes)
  await app.register(adminRoutes)
  await app.register(auditRoutes)
  await app.register(apiKeyRoutes)

  return app
}
